import { useId, type FormEvent, type ReactNode } from "react";

type Props = {
  title: string;
  testId: string;
  onSubmit: (e: FormEvent) => void;
  children: ReactNode;
};

/** A titled card on the Datasets panel holding one form (the fields validate themselves). */
export function FormCard({ title, testId, onSubmit, children }: Props) {
  const titleId = useId();
  return (
    <section className="mb-8 rounded-lg border border-slate-800 bg-slate-900/50 p-6" aria-labelledby={titleId} data-testid={testId}>
      <h3 id={titleId} className="mb-4 text-lg font-semibold text-slate-100">
        {title}
      </h3>
      <form className="space-y-4" onSubmit={onSubmit} noValidate>
        {children}
      </form>
    </section>
  );
}
