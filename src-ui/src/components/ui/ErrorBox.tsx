import { AlertCircle } from "lucide-react";
import type { AppError } from "../../bindings";
import { errorKindLabel } from "../../lib/api";
import { Button } from "./Button";
import { MessageBox } from "./MessageBox";

type Props = {
  title?: string;
  error: AppError;
  onRetry?: () => void;
  className?: string;
};

/** A red box stating what failed, the error kind and the backend's message. */
export function ErrorBox({ title, error, onRetry, className = "" }: Props) {
  return (
    <MessageBox tone="error" role="alert" className={`flex items-start gap-3 ${className}`}>
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
        <Button size="sm" onClick={onRetry}>
          Retry
        </Button>
      )}
    </MessageBox>
  );
}
