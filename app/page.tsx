import { OverviewView } from "@/lib/ui/views/overview";

export default function OverviewPage() {
  return <OverviewView />;
}
