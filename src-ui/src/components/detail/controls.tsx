import { useId, type ReactNode, type SelectHTMLAttributes } from "react";
import { ChevronDown } from "lucide-react";

/** The modal's input style: slate-900 fill, slate-700 border, emerald border on focus. */
export const modalInput =
  "w-full rounded-lg border border-slate-700 bg-slate-900 px-4 py-2 text-slate-100 placeholder-slate-500 focus:border-emerald-500 focus:outline-none disabled:cursor-not-allowed disabled:opacity-60 aria-[invalid=true]:border-red-500/70";
// appearance-none: WebKitGTK paints native selects in the GTK theme, not the app's colours.
export const modalSelect = `${modalInput} appearance-none pr-10`;
export const labelClass = "mb-2 block text-sm font-medium text-slate-300";
export const helpClass = "mt-1 text-xs text-slate-500";
export const sectionTitle = "mb-4 text-base font-semibold text-slate-100";
export const tile = "rounded-lg bg-slate-800/30 p-4";
export const secondaryButton =
  "inline-flex shrink-0 items-center justify-center gap-1.5 rounded bg-slate-700 px-3 py-2 text-sm text-slate-100 transition-colors hover:bg-slate-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 disabled:cursor-not-allowed disabled:opacity-50";
export const smallButton =
  "inline-flex shrink-0 items-center gap-1 rounded bg-slate-800 px-3 py-1 text-xs text-slate-200 hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 disabled:cursor-not-allowed disabled:opacity-50";
export const iconButton =
  "inline-flex shrink-0 items-center justify-center rounded p-2 text-slate-400 transition-colors hover:bg-slate-800 hover:text-slate-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 disabled:cursor-not-allowed disabled:opacity-50";

/** A message under a field, tied to it with aria-describedby. */
export function FieldError({ id, message, testId }: { id: string; message: string | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="mt-1 text-xs text-red-400" data-testid={testId}>
      {message}
    </p>
  );
}

type FieldProps = {
  label: string;
  help?: ReactNode;
  error?: string;
  testId?: string;
  /** Renders the control with the ids the label, help and error use. */
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
};

/** A labelled full-width field with help text and an inline error. */
export function Field({ label, help, error, testId, children }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy = [help ? helpId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {help && (
        <p id={helpId} className={helpClass}>
          {help}
        </p>
      )}
      <FieldError id={errorId} message={error} testId={testId ? `${testId}-error` : undefined} />
    </div>
  );
}

/** A native select drawn in the app's colours, with its chevron. */
export function SelectBox(props: SelectHTMLAttributes<HTMLSelectElement> & { children: ReactNode }) {
  const { className = "", ...rest } = props;
  return (
    <div className="relative">
      <select {...rest} className={`${modalSelect} ${className}`} />
      <ChevronDown
        className="pointer-events-none absolute right-3 top-1/2 h-4 w-4 -translate-y-1/2 text-slate-400"
        aria-hidden="true"
      />
    </div>
  );
}

type SwitchProps = {
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  labelledBy: string;
  describedBy?: string;
  testId?: string;
};

/** The mock's 48 × 24 pill: emerald-600 on, slate-600 off, a 16 px white knob. */
export function Switch({ checked, onChange, disabled, labelledBy, describedBy, testId }: SwitchProps) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      disabled={disabled}
      data-testid={testId}
      onClick={() => onChange(!checked)}
      className={`relative inline-flex h-6 w-12 shrink-0 items-center rounded-full transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 focus-visible:ring-offset-2 focus-visible:ring-offset-slate-900 disabled:cursor-not-allowed disabled:opacity-50 ${
        checked ? "bg-emerald-600" : "bg-slate-600"
      }`}
    >
      <span
        aria-hidden="true"
        className={`inline-block h-4 w-4 rounded-full bg-white transition-transform ${checked ? "translate-x-7" : "translate-x-1"}`}
      />
    </button>
  );
}

type SwitchRowProps = Omit<SwitchProps, "labelledBy" | "describedBy"> & {
  label: string;
  help?: ReactNode;
  error?: string;
};

/** A slate-800/30 tile with the label on the left and the switch on the right. */
export function SwitchRow({ label, help, error, testId, ...rest }: SwitchRowProps) {
  const id = useId();
  const describedBy = [help ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={tile}>
      <div className="flex items-center justify-between gap-4">
        <div className="min-w-0">
          <span id={`${id}-label`} className="text-sm text-slate-300">
            {label}
          </span>
          {help && (
            <p id={`${id}-help`} className="mt-0.5 text-xs text-slate-500">
              {help}
            </p>
          )}
        </div>
        <Switch {...rest} testId={testId} labelledBy={`${id}-label`} describedBy={describedBy} />
      </div>
      <FieldError id={`${id}-error`} message={error} testId={testId ? `${testId}-error` : undefined} />
    </div>
  );
}

/** A "kind: message" line for an engine error next to a control. */
export function InlineAppError({
  error,
  testId,
  className = "",
}: {
  error: { kind: string; message: string };
  testId?: string;
  className?: string;
}) {
  return (
    <p className={`break-words text-xs text-red-400 ${className}`} role="alert" data-testid={testId}>
      <span className="font-mono">{error.kind}</span>: {error.message}
    </p>
  );
}
