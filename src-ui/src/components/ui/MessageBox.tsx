import type { ReactNode } from "react";

const TONES = {
  error: "border-red-500/30 bg-red-500/10 text-red-400",
  warning: "border-yellow-500/30 bg-yellow-500/10 text-yellow-300",
} as const;

type Props = {
  tone: keyof typeof TONES;
  /** "alert" when it appears because of something the user just did. */
  role?: "alert";
  testId?: string;
  className?: string;
  children: ReactNode;
};

/** A tinted, bordered box for a message that needs attention. */
export function MessageBox({ tone, role, testId, className = "", children }: Props) {
  return (
    <div role={role} data-testid={testId} className={`rounded border p-3 text-sm ${TONES[tone]} ${className}`}>
      {children}
    </div>
  );
}
