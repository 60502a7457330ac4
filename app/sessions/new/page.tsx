import type { Metadata } from "next";
import { NewSessionView } from "@/lib/ui/views/new-session";

export const metadata: Metadata = { title: "New session" };

export default async function NewSessionPage({ searchParams }: { searchParams: Promise<{ repo?: string | string[] }> }) {
  const repo = (await searchParams).repo;
  return <NewSessionView initialRepos={repo === undefined ? [] : Array.isArray(repo) ? repo : [repo]} />;
}
