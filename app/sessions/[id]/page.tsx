import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SessionIdSchema } from "@/lib/api/schemas";
import { SessionView } from "@/lib/ui/views/session";
import { SESSION_TABS, type SessionTab } from "@/lib/ui/views/session/tabs";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ tab?: string | string[] }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Session ${(await params).id}` };
}

export default async function SessionPage({ params, searchParams }: Props) {
  const { id } = await params;
  if (!SessionIdSchema.safeParse(id).success) notFound();
  const tab = (await searchParams).tab;
  const initialTab = (SESSION_TABS as readonly string[]).includes(String(tab)) ? (tab as SessionTab) : "transcript";
  return <SessionView id={id} initialTab={initialTab} />;
}
