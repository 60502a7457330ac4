import type { Metadata } from "next";
import { ReposView } from "@/lib/ui/views/repos";

export const metadata: Metadata = { title: "Repositories" };

export default async function ReposPage({ searchParams }: { searchParams: Promise<{ name?: string | string[] }> }) {
  const name = (await searchParams).name;
  return <ReposView initial={typeof name === "string" ? name : undefined} />;
}
