import { useId, useState } from "react";
import { CircleCheckBig, Loader } from "lucide-react";
import { commands, type AppError, type Dataset, type Tokenizer, type TokenizeSettings } from "../../bindings";
import { call, toAppError } from "../../lib/api";
import { lockBlocker } from "../../lib/locks";
import { isReplaceConflict } from "../../lib/tokenize";
import { useDatasetLock } from "../../store/locks";
import { useTokenizeStore } from "../../store/tokenize";
import { ConfirmDialog } from "../ConfirmDialog";
import { ErrorBox } from "../ErrorBox";

type Props = {
  dataset: Dataset;
  tokenizer: Tokenizer | null;
  /** Null while the form has errors. */
  settings: TokenizeSettings | null;
};

/** Sends the tokenization, asking first when it would replace a finished one. */
export function ApplySection({ dataset, tokenizer, settings }: Props) {
  const helpId = useId();
  const [busy, setBusy] = useState(false);
  // Another process (another machine) writes the dataset: the engine would refuse to start.
  const lock = useDatasetLock(dataset.id);
  const [error, setError] = useState<AppError | null>(null);
  const [queued, setQueued] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ tokenizer: Tokenizer; settings: TokenizeSettings; message: string } | null>(
    null,
  );

  const send = async (t: Tokenizer, s: TokenizeSettings, replace: boolean) => {
    await call(commands.startTokenization({ dataset_id: dataset.id, tokenizer_id: t.id, settings: s, replace }));
    setQueued(`Tokenization with ${t.name} queued; follow it below.`);
    void useTokenizeStore.getState().loadTokenizations(dataset.id);
  };

  const apply = async () => {
    if (!tokenizer || !settings) return;
    setBusy(true);
    setError(null);
    setQueued(null);
    try {
      await send(tokenizer, settings, false);
    } catch (e) {
      const err = toAppError(e);
      if (isReplaceConflict(err)) setConfirm({ tokenizer, settings, message: err.message });
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  const disabledReason = lock
    ? `${lockBlocker(lock)}.`
    : !tokenizer
      ? "Add or choose a tokenizer first."
      : !settings
        ? "Fix the settings marked above first."
        : null;

  return (
    <div data-testid="tokenize-apply">
      {error &&
        (error.kind === "invalid_input" ? (
          <div
            role="alert"
            data-testid="tokenize-invalid"
            className="mb-4 rounded border border-yellow-500/30 bg-yellow-500/10 p-3 text-sm text-yellow-300"
          >
            <p className="font-medium">The engine cannot use these settings</p>
            <p className="break-words" data-testid="tokenize-invalid-message">
              {error.message}
            </p>
          </div>
        ) : (
          <div className="mb-4" data-testid="tokenize-error">
            <ErrorBox title="Could not start the tokenization" error={error} />
          </div>
        ))}
      <button
        type="button"
        data-testid="tokenize-submit"
        onClick={() => void apply()}
        disabled={busy || disabledReason !== null}
        aria-describedby={helpId}
        className="flex w-full items-center justify-center gap-2 rounded-lg bg-emerald-600 px-4 py-3 font-medium text-white transition-colors hover:bg-emerald-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-400 focus-visible:ring-offset-2 focus-visible:ring-offset-slate-900 disabled:cursor-not-allowed disabled:bg-slate-700 disabled:text-slate-300"
      >
        {busy ? (
          <Loader className="h-5 w-5 animate-spin" aria-hidden="true" />
        ) : (
          <CircleCheckBig className="h-5 w-5" aria-hidden="true" />
        )}
        {busy ? "Starting…" : "Apply & Tokenize Dataset"}
      </button>
      <p id={helpId} className="mt-2 text-center text-xs text-slate-500" role="status" data-testid="tokenize-submit-help">
        {disabledReason ??
          queued ??
          (tokenizer ? `Tokenizes ${dataset.name} with ${tokenizer.name}; the token ids are saved beside the dataset.` : null)}
      </p>

      {confirm && (
        <ConfirmDialog
          title="Replace the tokenization?"
          confirmLabel="Replace"
          busyLabel="Replacing…"
          danger
          onConfirm={async () => {
            await send(confirm.tokenizer, confirm.settings, true);
            setConfirm(null);
          }}
          onCancel={() => setConfirm(null)}
          testId="tokenize-replace-confirm"
        >
          <p>
            <strong className="text-slate-100">{dataset.name}</strong> already has a tokenization with{" "}
            <strong className="text-slate-100">{confirm.tokenizer.name}</strong>.
          </p>
          <p>Replacing deletes its files and tokenizes the dataset again with the new settings.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
