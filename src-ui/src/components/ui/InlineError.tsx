import type { AppError } from "../../bindings";

type Props = {
  error: Pick<AppError, "kind" | "message">;
  testId?: string;
  /** Test id of the error kind, where a test reads it apart from the message. */
  kindTestId?: string;
  className?: string;
  /**
   * Announce it as an alert (the default). Off inside a live region that already reads it
   * out, where an alert would be heard twice.
   */
  alert?: boolean;
};

/** A one-line "kind: message" for an engine error next to the control that caused it. */
export function InlineError({ error, testId, kindTestId, className = "", alert = true }: Props) {
  return (
    <p className={`break-words text-xs text-red-400 ${className}`} role={alert ? "alert" : undefined} data-testid={testId}>
      <span className="font-mono" data-testid={kindTestId}>
        {error.kind}
      </span>
      : {error.message}
    </p>
  );
}
