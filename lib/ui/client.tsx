"use client";
/**
 * The dashboard's client-side roots: the API client for this mount prefix, SWR's configuration and
 * the live event stream. The root layout renders `<Providers prefix>` with the prefix it validated
 * from `X-Forwarded-Prefix`, so server and browser build the same URLs.
 */
import NextLink from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { createContext, useCallback, useContext, useMemo, type ComponentProps, type ReactNode } from "react";
import { SWRConfig } from "swr";
import { createClient, RpcError, type ApiClient } from "./api";
import { LiveEvents } from "./events";
import { stripPrefix, withPrefix } from "./prefix";

const ClientContext = createContext<ApiClient>(createClient(""));

/** The API client for the current mount prefix. */
export function useClient(): ApiClient {
  return useContext(ClientContext);
}

/** The mount prefix ("" at root). */
export function usePrefix(): string {
  return useContext(ClientContext).prefix;
}

/** The app path of the current page, without the mount prefix (same on server and browser). */
export function useAppPath(): string {
  return stripPrefix(usePrefix(), usePathname() ?? "/");
}

/** Client-side navigation to an app path, under the mount prefix. */
export function useNavigate(): (path: string, opts?: { replace?: boolean }) => void {
  const router = useRouter();
  const prefix = usePrefix();
  return useCallback(
    (path, opts) => (opts?.replace ? router.replace(withPrefix(prefix, path)) : router.push(withPrefix(prefix, path))),
    [router, prefix],
  );
}

/** `next/link` with an app path (`/sessions/x`); the mount prefix is added. */
export function Link({ href, ...rest }: Omit<ComponentProps<typeof NextLink>, "href"> & { href: string }) {
  const prefix = usePrefix();
  return <NextLink href={withPrefix(prefix, href)} {...rest} />;
}

export function Providers({ prefix, children }: { prefix: string; children: ReactNode }) {
  const client = useMemo(() => createClient(prefix), [prefix]);
  const swr = useMemo(
    () => ({
      fetcher: ([method, params]: [string, unknown]) => client.call(method as never, params as never),
      dedupingInterval: 1500,
      focusThrottleInterval: 5000,
      keepPreviousData: true,
      // Application errors (bad params, not found, wrong state) do not heal by retrying.
      shouldRetryOnError: (err: unknown) => !(err instanceof RpcError) || err.transient,
      errorRetryCount: 4,
    }),
    [client],
  );
  return (
    <ClientContext.Provider value={client}>
      <SWRConfig value={swr}>
        <LiveEvents>{children}</LiveEvents>
      </SWRConfig>
    </ClientContext.Provider>
  );
}
