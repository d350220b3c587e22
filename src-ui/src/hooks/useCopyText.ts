import { useCallback, useEffect, useRef, useState } from "react";

export type CopyState = "ok" | "failed" | null;

/** How long "Copied" (or "Could not copy") shows before the button reads "Copy" again. */
const SHOWN_MS = 1500;

/**
 * Copies text to the clipboard (the webview's `navigator.clipboard`) and says for a moment
 * whether it worked.
 */
export function useCopyText(): { copied: CopyState; copy: (text: string) => Promise<void> } {
  const [copied, setCopied] = useState<CopyState>(null);
  const timer = useRef<number | null>(null);

  useEffect(
    () => () => {
      if (timer.current !== null) window.clearTimeout(timer.current);
    },
    [],
  );

  const copy = useCallback(async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("ok");
    } catch {
      setCopied("failed");
    }
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setCopied(null), SHOWN_MS);
  }, []);

  return { copied, copy };
}
