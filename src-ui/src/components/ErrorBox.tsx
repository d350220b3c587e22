import { AlertCircle } from "lucide-react";
import type { AppError } from "../bindings";
import { errorKindLabel } from "../lib/api";

type Props = {
  title?: string;
  error: AppError;
  onRetry?: () => void;
  className?: string;
};

/** A red box stating what failed, the error kind and the backend's message. */
export function ErrorBox({ title, error, onRetry, className = "" }: Props) {
  return (
    <div
      role="alert"
      className={`flex items-start gap-3 rounded border border-red-500/30 bg-red-500/10 p-3 text-sm text-red-400 ${className}`}
    >
      <AlertCircle className="mt-0.5 h-4 w-4 shrink-0" aria-hidden="true" />
      <div className="min-w-0 flex-1">
        {title && <p className="font-medium text-red-300">{title}</p>}
        <p className="break-words">
          <span className="font-mono text-xs" data-testid="error-kind" title={errorKindLabel(error.kind)}>
            {error.kind}
          </span>
          <span>: </span>
          <span data-testid="error-message">{error.message}</span>
        </p>
      </div>
      {onRetry && (
        <button
          type="button"
          onClick={onRetry}
          className="shrink-0 rounded bg-slate-800 px-3 py-1 text-slate-200 hover:bg-slate-700"
        >
          Retry
        </button>
      )}
    </div>
  );
}
