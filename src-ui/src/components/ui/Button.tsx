import type { ButtonHTMLAttributes, ReactNode, Ref } from "react";
import { Loader, X, type LucideIcon } from "lucide-react";

const FOCUS_RING = "focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500";

const VARIANTS = {
  /** The one action a form or card is for. */
  primary: "bg-emerald-600 font-medium text-white hover:bg-emerald-700 disabled:bg-slate-700 disabled:text-slate-400",
  danger: "bg-red-600 font-medium text-white hover:bg-red-700 disabled:opacity-50",
  /** Beside a field in the detail dialog, on its slate-900 fill. */
  secondary: "bg-slate-700 text-slate-100 hover:bg-slate-600 disabled:opacity-50",
  /** The everyday button: toolbars, cards, dialog footers. */
  quiet: "bg-slate-800 text-slate-200 hover:bg-slate-700 disabled:opacity-50",
  /** Beside a bordered input of the Datasets panel, matching its border. */
  outline: "border border-slate-700 bg-slate-800 text-slate-300 hover:bg-slate-700 disabled:opacity-50",
  /** A toggle that is on; off, it is `quiet`. */
  selected: "bg-emerald-600/20 text-emerald-300 hover:bg-emerald-600/30",
} as const;

const SIZES = {
  xs: "gap-1 rounded px-3 py-1 text-xs",
  sm: "gap-1.5 rounded px-3 py-1.5 text-sm",
  md: "gap-1.5 rounded px-3 py-2 text-sm",
  // The text size is the surrounding one: forms use the base size, dialogs pass text-sm.
  lg: "gap-2 rounded px-4 py-2",
  xl: "gap-2 rounded-lg px-4 py-3",
} as const;

const ICON_SIZES: Record<keyof typeof SIZES, string> = { xs: "h-3 w-3", sm: "h-4 w-4", md: "h-4 w-4", lg: "h-4 w-4", xl: "h-5 w-5" };

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: keyof typeof VARIANTS;
  size?: keyof typeof SIZES;
  /** Drawn before the label. */
  icon?: LucideIcon;
  /** Shows a spinner in place of the icon (or before the label when there is none). */
  busy?: boolean;
  /** While busy, turn the icon itself instead of swapping it for the spinner. */
  spinIcon?: boolean;
  ref?: Ref<HTMLButtonElement>;
};

export function Button({
  variant = "quiet",
  size = "md",
  icon: Icon,
  busy = false,
  spinIcon = false,
  className = "",
  type = "button",
  children,
  ...rest
}: ButtonProps) {
  const iconSize = ICON_SIZES[size];
  let glyph: ReactNode = null;
  if (Icon && (!busy || spinIcon)) {
    glyph = <Icon className={`${iconSize} ${busy ? "animate-spin" : ""}`} aria-hidden="true" />;
  } else if (busy) {
    glyph = <Loader className={`${iconSize} animate-spin`} aria-hidden="true" />;
  }
  return (
    <button
      type={type}
      className={`inline-flex shrink-0 items-center justify-center transition-colors ${FOCUS_RING} disabled:cursor-not-allowed ${SIZES[size]} ${VARIANTS[variant]} ${className}`}
      {...rest}
    >
      {glyph}
      {children}
    </button>
  );
}

type IconButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  /** Outlined, to sit in a row of bordered controls. */
  bordered?: boolean;
  ref?: Ref<HTMLButtonElement>;
};

/** A square button holding only an icon (its name goes in aria-label). */
export function IconButton({ bordered = false, className = "", type = "button", ...rest }: IconButtonProps) {
  return (
    <button
      type={type}
      className={`inline-flex shrink-0 items-center justify-center rounded p-2 text-slate-400 transition-colors hover:bg-slate-800 hover:text-slate-200 ${FOCUS_RING} disabled:cursor-not-allowed disabled:opacity-50 ${
        bordered ? "border border-slate-700" : ""
      } ${className}`}
      {...rest}
    />
  );
}

type CloseButtonProps = Omit<ButtonHTMLAttributes<HTMLButtonElement>, "children"> & {
  testId?: string;
  ref?: Ref<HTMLButtonElement>;
};

/** The X in a dialog's header. */
export function CloseButton({ testId, ...rest }: CloseButtonProps) {
  return (
    <button
      type="button"
      aria-label="Close"
      data-testid={testId}
      className={`rounded p-2 text-slate-400 transition-colors hover:text-slate-200 ${FOCUS_RING}`}
      {...rest}
    >
      <X className="h-6 w-6" aria-hidden="true" />
    </button>
  );
}

/** A small underlined text action inside running text or under a figure. */
export function LinkButton({ className = "", type = "button", ...rest }: ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button
      type={type}
      className={`text-xs text-slate-400 underline decoration-slate-600 underline-offset-2 hover:text-slate-200 ${FOCUS_RING} ${className}`}
      {...rest}
    />
  );
}
