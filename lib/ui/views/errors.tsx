"use client";
/** The not-found page and the error boundary's page. */
import { Link } from "../client";
import { IconAlert, IconSearch } from "../components/icons";
import { Button, EmptyState } from "../components/ui";

export function NotFoundView() {
  return (
    <EmptyState
      icon={<IconSearch size={18} />}
      title="Page not found"
      action={
        <Link href="/" className="text-accent underline">
          Go to the overview
        </Link>
      }
    >
      There is nothing at this address.
    </EmptyState>
  );
}

export function ErrorView({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <EmptyState icon={<IconAlert size={18} />} title="This page failed to render" action={<Button onClick={reset}>Try again</Button>}>
      {error.message || "An unexpected error happened."}
      {error.digest && <span className="mt-1 block font-mono text-xs text-faint">digest {error.digest}</span>}
    </EmptyState>
  );
}
