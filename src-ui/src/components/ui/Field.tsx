import { useId, type LabelHTMLAttributes, type ReactNode } from "react";

/** A field's label; also used for legends and headings that name a group of fields. */
export const labelClass = "mb-2 block text-sm font-medium text-slate-300";
export const helpClass = "mt-1 text-xs text-slate-500";

const LABEL_SIZES = {
  regular: labelClass,
  /** Over a row of small filter controls. */
  compact: "mb-1 block text-xs font-medium text-slate-400",
  /** Beside its control, on the same line. */
  inline: "text-sm text-slate-400",
} as const;

type LabelSize = keyof typeof LABEL_SIZES;

export function Label({
  size = "regular",
  className = "",
  ...rest
}: LabelHTMLAttributes<HTMLLabelElement> & { size?: LabelSize }) {
  return <label className={`${LABEL_SIZES[size]} ${className}`} {...rest} />;
}

/** The grey line under a control that says what it is for. */
export function Help({
  id,
  testId,
  className = "",
  children,
}: {
  id?: string;
  testId?: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <p id={id} className={`${helpClass} ${className}`} data-testid={testId}>
      {children}
    </p>
  );
}

/** A message under a field, tied to it with aria-describedby. */
export function FieldError({ id, message, testId }: { id?: string; message: string | null | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="mt-1 text-xs text-red-400" data-testid={testId}>
      {message}
    </p>
  );
}

type FieldProps = {
  label: string;
  labelSize?: LabelSize;
  help?: ReactNode;
  error?: string;
  testId?: string;
  className?: string;
  /** Renders the control with the ids the label, help and error use. */
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
};

/** A labelled field with help text and an inline error. */
export function Field({ label, labelSize, help, error, testId, className, children }: FieldProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy = [help ? helpId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className}>
      <Label htmlFor={id} size={labelSize}>
        {label}
      </Label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {help && <Help id={helpId}>{help}</Help>}
      <FieldError id={errorId} message={error} testId={testId ? `${testId}-error` : undefined} />
    </div>
  );
}
