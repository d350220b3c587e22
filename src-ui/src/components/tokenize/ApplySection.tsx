import { useId, useState } from "react";
import { CircleCheckBig } from "lucide-react";
import { commands, type Dataset, type Tokenizer, type TokenizeSettings } from "../../bindings";
import { call, toAppError } from "../../lib/api";
import { lockBlocker } from "../../lib/locks";
import { isReplaceConflict, settingsSummary } from "../../lib/tokenize";
import { useDatasetLock } from "../../store/locks";
import { useTokenizeStore } from "../../store/tokenize";
import { useBusyAction } from "../../hooks/useBusyAction";
import { Button } from "../ui/Button";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { ErrorBox } from "../ui/ErrorBox";
import { MessageBox } from "../ui/MessageBox";

type Props = {
  dataset: Dataset;
  tokenizer: Tokenizer | null;
  /** Null while the form has errors. */
  settings: TokenizeSettings | null;
};

/**
 * Sends the tokenization. Other settings than the dataset's existing tokenizations with this
 * tokenizer make a new one beside them; the same tokenizer and settings again ask first, since
 * going on replaces the finished one.
 */
export function ApplySection({ dataset, tokenizer, settings }: Props) {
  const helpId = useId();
  const start = useBusyAction();
  // Another process (another machine) writes the dataset: the engine would refuse to start.
  const lock = useDatasetLock(dataset.id);
  const [queued, setQueued] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ tokenizer: Tokenizer; settings: TokenizeSettings } | null>(null);

  const send = async (t: Tokenizer, s: TokenizeSettings, replace: boolean) => {
    await call(commands.startTokenization({ dataset_id: dataset.id, tokenizer_id: t.id, settings: s, replace }));
    setQueued(`Tokenization with ${t.name} queued; follow it below.`);
    void useTokenizeStore.getState().loadTokenizations(dataset.id);
  };

  const apply = () => {
    if (!tokenizer || !settings) return;
    setQueued(null);
    void start.run(async () => {
      try {
        await send(tokenizer, settings, false);
      } catch (e) {
        if (!isReplaceConflict(toAppError(e))) throw e;
        // A finished tokenization with this tokenizer and these very settings exists: ask before replacing it.
        setConfirm({ tokenizer, settings });
      }
    });
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
      {start.error &&
        (start.error.kind === "invalid_input" ? (
          <MessageBox tone="warning" role="alert" testId="tokenize-invalid" className="mb-4">
            <p className="font-medium">The engine cannot use these settings</p>
            <p className="break-words" data-testid="tokenize-invalid-message">
              {start.error.message}
            </p>
          </MessageBox>
        ) : (
          <div className="mb-4" data-testid="tokenize-error">
            <ErrorBox title="Could not start the tokenization" error={start.error} />
          </div>
        ))}
      <Button
        variant="primary"
        size="xl"
        icon={CircleCheckBig}
        busy={start.busy}
        className="w-full focus-visible:ring-offset-2 focus-visible:ring-offset-slate-900"
        data-testid="tokenize-submit"
        onClick={apply}
        disabled={start.busy || disabledReason !== null}
        aria-describedby={helpId}
      >
        {start.busy ? "Starting…" : "Apply & Tokenize Dataset"}
      </Button>
      <p id={helpId} className="mt-2 text-center text-xs text-slate-500" role="status" data-testid="tokenize-submit-help">
        {disabledReason ??
          queued ??
          (tokenizer
            ? `Tokenizes ${dataset.name} with ${tokenizer.name}; the token ids are saved beside the dataset, next to any tokenization with other settings.`
            : null)}
      </p>

      {confirm && (
        <ConfirmDialog
          title="Replace the same tokenization?"
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
            <strong className="text-slate-100">{confirm.tokenizer.name}</strong> and these same settings (
            <span data-testid="tokenize-replace-summary">{settingsSummary(confirm.settings)}</span>).
          </p>
          <p>
            Replacing deletes its files and makes it again
            {confirm.settings.shuffle && confirm.settings.seed === null ? ", with a new random seed" : ""}. To keep
            both, cancel and change a setting{confirm.settings.shuffle ? " (a different seed, say)" : ""}.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
