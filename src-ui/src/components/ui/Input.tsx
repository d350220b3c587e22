import type { InputHTMLAttributes, ReactNode, Ref, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import { ChevronDown } from "lucide-react";

const LOOKS = {
  /** In the detail dialog: the slate-900 fill, the border turns emerald on focus. */
  modal:
    "rounded-lg border border-slate-700 bg-slate-900 text-slate-100 placeholder-slate-500 focus:border-emerald-500 focus:outline-none disabled:cursor-not-allowed disabled:opacity-60 aria-[invalid=true]:border-red-500/70",
  /** On the Datasets panel and in Settings: the slate-800 fill and an emerald focus ring. */
  panel:
    "rounded border border-slate-700 bg-slate-800 text-slate-100 placeholder-slate-500 focus:border-transparent focus:outline-none focus:ring-2 focus:ring-emerald-500 disabled:cursor-not-allowed disabled:opacity-60",
} as const;

type Look = keyof typeof LOOKS;

type LookProps = {
  look?: Look;
  /** Smaller text; the caller sets the left and right padding (room for an icon). */
  compact?: boolean;
};

function controlClass(look: Look, compact: boolean): string {
  return `w-full ${LOOKS[look]} ${compact ? "py-2 text-sm" : "px-4 py-2"}`;
}

type InputProps = InputHTMLAttributes<HTMLInputElement> & LookProps & { ref?: Ref<HTMLInputElement> };

export function Input({ look = "modal", compact = false, className = "", ...rest }: InputProps) {
  return <input className={`${controlClass(look, compact)} ${className}`} {...rest} />;
}

export function TextArea({
  look = "modal",
  className = "",
  ...rest
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { look?: Look }) {
  return <textarea className={`${controlClass(look, false)} ${className}`} {...rest} />;
}

type SelectBoxProps = SelectHTMLAttributes<HTMLSelectElement> & LookProps & { children: ReactNode };

/** A native select drawn in the app's colours, with its chevron. */
export function SelectBox({ look = "modal", compact = false, className = "", ...rest }: SelectBoxProps) {
  // appearance-none: WebKitGTK paints native selects in the GTK theme, not the app's colours.
  const select = `${controlClass(look, compact)} appearance-none ${compact ? "pl-3 pr-9" : "pr-10"}`;
  return (
    <div className="relative">
      <select {...rest} className={`${select} ${className}`} />
      <ChevronDown
        className="pointer-events-none absolute right-3 top-1/2 h-4 w-4 -translate-y-1/2 text-slate-400"
        aria-hidden="true"
      />
    </div>
  );
}
