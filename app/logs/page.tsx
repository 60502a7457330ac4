import type { Metadata } from "next";
import { SessionIdSchema } from "@/lib/api/schemas";
import { OpLogView } from "@/lib/ui/views/oplog";

export const metadata: Metadata = { title: "Operation log" };

export default async function OpLogPage({ searchParams }: { searchParams: Promise<{ session_id?: string | string[] }> }) {
  const id = (await searchParams).session_id;
  return <OpLogView initialSession={typeof id === "string" && SessionIdSchema.safeParse(id).success ? id : undefined} />;
}
