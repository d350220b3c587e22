import { useState } from "react";
import { BarChart3, ChevronDown, ChevronUp, Code, RotateCcw, Trash2 } from "lucide-react";
import { commands, type Dataset, type Job, type Tokenization, type Tokenizer } from "../../bindings";
import { call } from "../../lib/api";
import { formatBytes, formatCount, formatDateTime } from "../../lib/format";
import { lockBlocker } from "../../lib/locks";
import { tokenizationLook } from "../../lib/status";
import { encoderLine, settingsSummary } from "../../lib/tokenize";
import { useDatasetLock } from "../../store/locks";
import { useTokenizeStore } from "../../store/tokenize";
import { useBusyAction } from "../../hooks/useBusyAction";
import { Button } from "../ui/Button";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { InlineError } from "../ui/InlineError";
import { MessageBox } from "../ui/MessageBox";
import { StatusBadge } from "../ui/StatusBadge";
import { StatisticsPanel } from "./StatisticsPanel";
import { TokenizeProgress } from "./TokenizeProgress";
import { UseInPython } from "./UseInPython";

type Props = {
  dataset: Dataset;
  tokenization: Tokenization;
  /** Null when the library no longer lists it (then its id stands in for its name). */
  tokenizer: Tokenizer | null;
  /**
   * What tells it apart in the list: the tokenizer's name, with the settings when another
   * tokenization of the dataset uses the same tokenizer.
   */
  label: string;
  /** The queued or running job making it, if any. */
  job: Job | null;
};

function isActive(t: Tokenization): boolean {
  return t.status === "queued" || t.status === "processing";
}

/** One tokenization of the dataset: what it is, how far it is, and what can be done with it. */
export function TokenizationItem({ dataset, tokenization: tz, tokenizer, label, job }: Props) {
  const tokenizerName = tokenizer?.name ?? tz.tokenizer_id;
  const [open, setOpen] = useState(false);
  const [pythonOpen, setPythonOpen] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const retry = useBusyAction();
  const active = isActive(tz);
  // Another process (another machine) writes the dataset: deleting or retrying would be refused.
  const lock = useDatasetLock(dataset.id);
  const lockReason = lock ? lockBlocker(lock) : null;
  const stats = tz.statistics;
  const statsId = `tokenization-${tz.id}-stats`;
  const pythonId = `tokenization-${tz.id}-python`;
  // Python reads only a finished folder the engine named.
  const pythonPath = tz.status === "ready" && tz.path ? tz.path : null;

  const reload = () => void useTokenizeStore.getState().loadTokenizations(dataset.id);

  const onRetry = () =>
    void retry.run(async () => {
      await call(
        commands.startTokenization({
          dataset_id: dataset.id,
          tokenizer_id: tz.tokenizer_id,
          settings: tz.settings,
          replace: true,
        }),
      );
      reload();
    });

  const remove = async () => {
    await call(commands.deleteTokenization(tz.id));
    setConfirmDelete(false);
    reload();
  };

  const deleteBlocked = active
    ? "Cancel the tokenization before deleting it"
    : tz.status === "deleting"
      ? "Already being deleted"
      : lockReason;

  return (
    <article
      className="rounded-lg border border-slate-800 bg-slate-900/50 p-4"
      data-testid="tokenization-item"
      data-tokenization-id={tz.id}
      data-status={tz.status}
      aria-label={`Tokenization with ${label}`}
    >
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <h4 className="truncate font-semibold text-slate-100" title={tokenizerName}>
            {tokenizerName}
          </h4>
          <p className="mt-0.5 break-words text-sm text-slate-400" data-testid="tokenization-summary">
            {settingsSummary(tz.settings)}
          </p>
          <p className="text-xs text-slate-500">
            {tz.status === "ready" ? "Finished" : "Started"} {formatDateTime(tz.status === "ready" ? tz.updated_at : tz.created_at)}
          </p>
        </div>
        <StatusBadge status={tz.status} look={tokenizationLook(tz.status)} />
      </div>

      {active && <TokenizeProgress job={job} />}

      {tz.status === "ready" && (
        <p className="mt-3 text-sm text-slate-300" data-testid="tokenization-facts">
          {[
            tz.num_tokens !== null ? `${formatCount(tz.num_tokens)} tokens` : null,
            stats ? `${formatCount(stats.num_rows)} rows` : null,
            tz.size_bytes !== null ? `${formatBytes(tz.size_bytes)} on disk` : null,
          ]
            .filter(Boolean)
            .join(" · ")}
        </p>
      )}
      {tz.status === "ready" && stats?.encoder && (
        <p className="mt-1 text-xs text-slate-400" data-testid="tokenization-encoder">
          {encoderLine(stats.encoder)}
        </p>
      )}

      {tz.status === "error" && (
        <MessageBox tone="error" className="mt-3 break-words" testId="tokenization-error">
          {tz.error ?? "The tokenization failed without a message."}
        </MessageBox>
      )}

      <div className="mt-3 flex flex-wrap items-center justify-end gap-2">
        {tz.status === "ready" && stats && (
          <Button
            size="xs"
            icon={BarChart3}
            onClick={() => setOpen((v) => !v)}
            aria-expanded={open}
            aria-controls={statsId}
            data-testid="tokenization-stats-toggle"
          >
            Statistics
            {open ? <ChevronUp className="h-3 w-3" aria-hidden="true" /> : <ChevronDown className="h-3 w-3" aria-hidden="true" />}
          </Button>
        )}
        {pythonPath && (
          <Button
            size="xs"
            icon={Code}
            onClick={() => setPythonOpen((v) => !v)}
            aria-expanded={pythonOpen}
            aria-controls={pythonId}
            data-testid="tokenization-python-toggle"
          >
            Use in Python
            {pythonOpen ? (
              <ChevronUp className="h-3 w-3" aria-hidden="true" />
            ) : (
              <ChevronDown className="h-3 w-3" aria-hidden="true" />
            )}
          </Button>
        )}
        <span className="mr-auto" aria-hidden="true" />
        {tz.status === "error" && (
          <span title={lockReason ?? undefined}>
            <Button
              size="xs"
              icon={RotateCcw}
              busy={retry.busy}
              spinIcon
              onClick={onRetry}
              disabled={retry.busy || lockReason !== null}
              aria-description={lockReason ?? undefined}
              data-testid="tokenization-retry"
            >
              {retry.busy ? "Retrying…" : "Retry"}
            </Button>
          </span>
        )}
        {/* A disabled button shows no tooltip in WebKit: the wrapper carries it. */}
        <span title={deleteBlocked ?? undefined}>
          <Button
            size="xs"
            icon={Trash2}
            onClick={() => {
              retry.clearError();
              setConfirmDelete(true);
            }}
            disabled={deleteBlocked !== null}
            aria-label={`Delete the tokenization with ${label}`}
            aria-description={deleteBlocked ?? undefined}
            data-testid="tokenization-delete"
          >
            Delete
          </Button>
        </span>
      </div>
      {retry.error && <InlineError className="mt-2" error={retry.error} testId="tokenization-action-error" />}

      {pythonOpen && pythonPath && (
        <UseInPython id={pythonId} dataset={dataset} tokenization={tz} path={pythonPath} tokenizer={tokenizer} />
      )}

      {open && stats && (
        <div id={statsId}>
          <StatisticsPanel stats={stats} settings={tz.settings} />
        </div>
      )}

      {confirmDelete && (
        <ConfirmDialog
          title="Delete the tokenization?"
          confirmLabel="Delete"
          busyLabel="Deleting…"
          danger
          onConfirm={remove}
          onCancel={() => setConfirmDelete(false)}
          testId="tokenization-delete-confirm"
        >
          <p>
            The tokenization of <strong className="text-slate-100">{dataset.name}</strong> with{" "}
            <strong className="text-slate-100">{tokenizerName}</strong> ({settingsSummary(tz.settings)}) and its files
            {tz.size_bytes !== null ? ` (${formatBytes(tz.size_bytes)})` : ""} will be deleted.
          </p>
        </ConfirmDialog>
      )}
    </article>
  );
}
