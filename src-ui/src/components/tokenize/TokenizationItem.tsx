import { useState } from "react";
import { BarChart3, ChevronDown, ChevronUp, RotateCcw, Trash2 } from "lucide-react";
import { commands, type Dataset, type Job, type Tokenization } from "../../bindings";
import { call } from "../../lib/api";
import { formatBytes, formatCount, formatDateTime } from "../../lib/format";
import { lockBlocker } from "../../lib/locks";
import { tokenizationLook } from "../../lib/status";
import { settingsSummary } from "../../lib/tokenize";
import { useDatasetLock } from "../../store/locks";
import { useTokenizeStore } from "../../store/tokenize";
import { useBusyAction } from "../../hooks/useBusyAction";
import { ConfirmDialog } from "../ConfirmDialog";
import { StatusBadge } from "../StatusBadge";
import { InlineAppError, smallButton } from "../detail/controls";
import { StatisticsPanel } from "./StatisticsPanel";
import { TokenizeProgress } from "./TokenizeProgress";

type Props = {
  dataset: Dataset;
  tokenization: Tokenization;
  tokenizerName: string;
  /** The queued or running job making it, if any. */
  job: Job | null;
};

function isActive(t: Tokenization): boolean {
  return t.status === "queued" || t.status === "processing";
}

/** One tokenization of the dataset: what it is, how far it is, and what can be done with it. */
export function TokenizationItem({ dataset, tokenization: tz, tokenizerName, job }: Props) {
  const [open, setOpen] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const retry = useBusyAction();
  const active = isActive(tz);
  // Another process (another machine) writes the dataset: deleting or retrying would be refused.
  const lock = useDatasetLock(dataset.id);
  const lockReason = lock ? lockBlocker(lock) : null;
  const stats = tz.statistics;
  const statsId = `tokenization-${tz.id}-stats`;

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
      aria-label={`Tokenization with ${tokenizerName}`}
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

      {tz.status === "error" && (
        <div
          className="mt-3 break-words rounded border border-red-500/30 bg-red-500/10 p-3 text-sm text-red-400"
          data-testid="tokenization-error"
        >
          {tz.error ?? "The tokenization failed without a message."}
        </div>
      )}

      <div className="mt-3 flex flex-wrap items-center justify-end gap-2">
        {tz.status === "ready" && stats && (
          <button
            type="button"
            className={`${smallButton} mr-auto`}
            onClick={() => setOpen((v) => !v)}
            aria-expanded={open}
            aria-controls={statsId}
            data-testid="tokenization-stats-toggle"
          >
            <BarChart3 className="h-3 w-3" aria-hidden="true" />
            Statistics
            {open ? <ChevronUp className="h-3 w-3" aria-hidden="true" /> : <ChevronDown className="h-3 w-3" aria-hidden="true" />}
          </button>
        )}
        {tz.status === "error" && (
          <span title={lockReason ?? undefined}>
            <button
              type="button"
              className={smallButton}
              onClick={onRetry}
              disabled={retry.busy || lockReason !== null}
              aria-description={lockReason ?? undefined}
              data-testid="tokenization-retry"
            >
              <RotateCcw className={`h-3 w-3 ${retry.busy ? "animate-spin" : ""}`} aria-hidden="true" />
              {retry.busy ? "Retrying…" : "Retry"}
            </button>
          </span>
        )}
        {/* A disabled button shows no tooltip in WebKit: the wrapper carries it. */}
        <span title={deleteBlocked ?? undefined}>
          <button
            type="button"
            className={smallButton}
            onClick={() => {
              retry.clearError();
              setConfirmDelete(true);
            }}
            disabled={deleteBlocked !== null}
            aria-label={`Delete the tokenization with ${tokenizerName}`}
            aria-description={deleteBlocked ?? undefined}
            data-testid="tokenization-delete"
          >
            <Trash2 className="h-3 w-3" aria-hidden="true" />
            Delete
          </button>
        </span>
      </div>
      {retry.error && <InlineAppError className="mt-2" error={retry.error} testId="tokenization-action-error" />}

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
            <strong className="text-slate-100">{tokenizerName}</strong> and its files
            {tz.size_bytes !== null ? ` (${formatBytes(tz.size_bytes)})` : ""} will be deleted.
          </p>
        </ConfirmDialog>
      )}
    </article>
  );
}
