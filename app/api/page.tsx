import type { Metadata } from "next";
import { ApiView } from "@/lib/ui/views/api";

export const metadata: Metadata = { title: "API" };

export default async function ApiPage({ searchParams }: { searchParams: Promise<{ method?: string | string[] }> }) {
  const method = (await searchParams).method;
  return <ApiView initialMethod={typeof method === "string" ? method : undefined} />;
}
