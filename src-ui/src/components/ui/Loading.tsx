import type { ReactNode } from "react";
import { Loader } from "lucide-react";

type Props = {
  children: ReactNode;
  /** "page": centred in the space the content will fill; "inline": a line of small text. */
  size?: "inline" | "page";
  /**
   * Announce it as a status (the default). Off inside a region that is already live, where it
   * would be read out twice.
   */
  announce?: boolean;
  testId?: string;
};

/** A spinner with what is being waited for. */
export function Loading({ children, size = "inline", announce = true, testId }: Props) {
  const page = size === "page";
  return (
    <div
      role={announce ? "status" : undefined}
      data-testid={testId}
      className={page ? "flex items-center justify-center gap-2 py-12 text-slate-400" : "flex items-center gap-2 text-sm text-slate-400"}
    >
      <Loader className={`${page ? "h-5 w-5" : "h-4 w-4"} animate-spin`} aria-hidden="true" />
      {children}
    </div>
  );
}
