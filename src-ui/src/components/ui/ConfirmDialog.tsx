import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from "react";
import { trapTab } from "../../hooks/focusTrap";
import { useBusyAction } from "../../hooks/useBusyAction";
import { Button } from "./Button";
import { ErrorBox } from "./ErrorBox";

type Props = {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Shown on the confirm button while `onConfirm` runs. */
  busyLabel?: string;
  /** Red confirm button for deletions. */
  danger?: boolean;
  /** Runs the action; the dialog stays open with the error if it throws. */
  onConfirm: () => Promise<void>;
  onCancel: () => void;
  testId?: string;
};

/**
 * A small modal question over whatever is open. Escape and Cancel dismiss it (without closing
 * what is underneath); a failure of the action is shown in it.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  busyLabel,
  danger = false,
  onConfirm,
  onCancel,
  testId = "confirm-dialog",
}: Props) {
  const titleId = useId();
  const bodyId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const confirm = useBusyAction();
  const busy = confirm.busy;

  useEffect(() => {
    cancelRef.current?.focus();
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === "Tab") {
      // Tab stays in this question, and the dialog underneath must not move it.
      trapTab(e, boxRef.current);
      e.stopPropagation();
      return;
    }
    if (e.key !== "Escape") return;
    // Handled here: the dialog underneath must not close too.
    e.preventDefault();
    e.stopPropagation();
    if (!busy) onCancel();
  };

  return (
    <div
      className="fixed inset-0 z-[60] flex items-center justify-center bg-black/60 p-4"
      onKeyDown={onKeyDown}
      onMouseDown={(e) => e.stopPropagation()}
      onClick={(e) => e.stopPropagation()}
    >
      <div
        ref={boxRef}
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        data-testid={testId}
        className="w-full max-w-md rounded-lg border border-slate-700 bg-slate-900 p-6 shadow-xl"
      >
        <h3 id={titleId} className="text-lg font-semibold text-slate-100">
          {title}
        </h3>
        <div id={bodyId} className="mt-2 space-y-2 text-sm text-slate-300">
          {children}
        </div>
        {confirm.error && <ErrorBox className="mt-4" error={confirm.error} />}
        <div className="mt-6 flex justify-end gap-3">
          <Button
            ref={cancelRef}
            size="lg"
            className="text-sm"
            onClick={onCancel}
            disabled={busy}
            data-testid={`${testId}-cancel`}
          >
            Cancel
          </Button>
          <Button
            variant={danger ? "danger" : "primary"}
            size="lg"
            className="text-sm"
            busy={busy}
            onClick={() => void confirm.run(onConfirm)}
            disabled={busy}
            data-testid={`${testId}-confirm`}
          >
            {busy && busyLabel ? busyLabel : confirmLabel}
          </Button>
        </div>
      </div>
    </div>
  );
}
