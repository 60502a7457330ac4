/** The session page's tabs; a plain module so the server page can validate `?tab=` too. */
export const SESSION_TABS = ["transcript", "changes", "logs", "terminal", "details"] as const;
export type SessionTab = (typeof SESSION_TABS)[number];
