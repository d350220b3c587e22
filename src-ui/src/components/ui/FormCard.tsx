import { useId, type FormEvent, type ReactNode } from "react";
import type { LucideIcon } from "lucide-react";
import type { AppError } from "../../bindings";
import { Button } from "./Button";
import { ErrorBox } from "./ErrorBox";

type Props = {
  title: string;
  testId: string;
  onSubmit: (e: FormEvent) => void;
  /** Why the last attempt failed, shown above the submit button. */
  failure: { title: string; error: AppError } | null;
  failureTestId: string;
  submit: { label: string; icon: LucideIcon; busy: boolean; disabled: boolean; testId: string };
  children: ReactNode;
};

/**
 * A titled card on the Datasets panel holding one form: its fields, what went wrong, and the
 * full-width button that starts the job (the fields validate themselves).
 */
export function FormCard({ title, testId, onSubmit, failure, failureTestId, submit, children }: Props) {
  const titleId = useId();
  return (
    <section className="mb-8 rounded-lg border border-slate-800 bg-slate-900/50 p-6" aria-labelledby={titleId} data-testid={testId}>
      <h3 id={titleId} className="mb-4 text-lg font-semibold text-slate-100">
        {title}
      </h3>
      <form className="space-y-4" onSubmit={onSubmit} noValidate>
        {children}

        {failure && (
          <div data-testid={failureTestId}>
            <ErrorBox title={failure.title} error={failure.error} />
          </div>
        )}

        <Button
          type="submit"
          variant="primary"
          size="lg"
          icon={submit.icon}
          busy={submit.busy}
          className="w-full"
          data-testid={submit.testId}
          disabled={submit.disabled}
        >
          {submit.label}
        </Button>
      </form>
    </section>
  );
}
