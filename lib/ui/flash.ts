"use client";
/** A one-shot message carried across a client-side navigation (e.g. "session destroyed" on the overview). */
import { useEffect, useState } from "react";

export interface Flash {
  tone: "ok" | "info" | "warn";
  text: string;
}

const flashes = new Map<string, Flash>();

/** Leave a message for the next page that reads `slot`. */
export function setFlash(slot: string, flash: Flash): void {
  flashes.set(slot, flash);
}

/** Take the message left for `slot` (once), and let the page dismiss it. */
export function useFlash(slot: string): [Flash | null, () => void] {
  const [flash, setState] = useState<Flash | null>(null);
  useEffect(() => {
    const f = flashes.get(slot);
    if (f) {
      flashes.delete(slot);
      setState(f);
    }
  }, [slot]);
  return [flash, () => setState(null)];
}
