import { useId, type ReactNode } from "react";
import { FieldError } from "./Field";
import { tile } from "./surfaces";

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
