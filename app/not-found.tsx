import { NotFoundView } from "@/lib/ui/views/errors";

export default function NotFound() {
  return <NotFoundView />;
}
