import { Database, Info, Lock, RotateCcw, Trash2, X } from "lucide-react";
import { commands, type DataLock, type Dataset, type DatasetSubset, type Job } from "../bindings";
import { call } from "../lib/api";
import { formatBytes, formatCount, humanize, percentOf, transferText } from "../lib/format";
import { useDatasetsStore } from "../store/datasets";
import { useJobsStore } from "../store/jobs";
import { deleteBlocker, subsetDescription } from "../lib/dataset";
import { busyLabel, lockBlocker, lockDescription } from "../lib/locks";
import { useDatasetLock } from "../store/locks";
import { useBusyAction } from "../hooks/useBusyAction";
import { Button } from "./ui/Button";
import { InlineError } from "./ui/InlineError";
import { MessageBox } from "./ui/MessageBox";
import { ProgressBar } from "./ui/ProgressBar";
import { StatusBadge } from "./ui/StatusBadge";

type Props = {
  dataset: Dataset;
  /** The queued/running job targeting this dataset, if any. */
  job: Job | null;
  /** Opens the detail view; only ready datasets can be opened. */
  onOpen?: () => void;
  /** Asks to delete this dataset; the action is offered when no job downloads it. */
  onDelete?: () => void;
  /** Select mode of the panel: a checkbox replaces opening. */
  selection?: { selected: boolean; onToggle: () => void };
};

function sourceText(dataset: Dataset): string {
  if (dataset.source === "local") return "Source: Local file";
  if (dataset.source === "hugging_face") {
    return dataset.hf_repo_id ? `Source: HuggingFace • ${dataset.hf_repo_id}` : "Source: HuggingFace";
  }
  return `Source: ${humanize(String(dataset.source))}`;
}

function JobProgress({ job }: { job: Job }) {
  const cancel = useBusyAction();
  const progress = job.progress;
  const percent =
    progress && progress.unit !== "indeterminate" ? percentOf(progress.done, progress.total) : null;
  const stage = job.stage ? humanize(job.stage) : job.status === "queued" ? "Queued" : null;
  const transfer = progress?.unit === "bytes" ? transferText(progress) : null;

  const onCancel = () =>
    void cancel.run(async () => {
      const stopped = await call(commands.cancelJob(job.id));
      useJobsStore.getState().upsert(stopped);
    });

  return (
    <div className="mt-4 space-y-1" data-testid="job-progress">
      {(stage !== null || percent !== null) && (
        <div className="flex items-center justify-between gap-2 text-xs text-slate-400">
          <span className="truncate" data-testid="job-stage">
            {stage}
          </span>
          {percent !== null && <span data-testid="job-percent">{percent}%</span>}
        </div>
      )}
      {percent !== null && <ProgressBar percent={percent} label={stage ?? "Progress"} />}
      <div className="flex items-center justify-between gap-2 pt-1">
        <span className="min-w-0 truncate text-xs text-slate-400" data-testid="job-transfer">
          {transfer}
        </span>
        <Button
          size="xs"
          icon={X}
          busy={cancel.busy}
          data-testid="dataset-cancel"
          onClick={(e) => {
            // Not a click on the card (which opens or selects it).
            e.stopPropagation();
            onCancel();
          }}
          disabled={cancel.busy}
        >
          {cancel.busy ? "Cancelling…" : "Cancel"}
        </Button>
      </div>
      {cancel.error && <InlineError className="mt-2" error={cancel.error} testId="dataset-cancel-error" />}
    </div>
  );
}

/** "subset": the dataset holds part of its source (a row budget or chosen files). */
function SubsetBadge({ subset }: { subset: DatasetSubset }) {
  const description = subsetDescription(subset);
  return (
    <span
      className="mt-2 mr-2 inline-flex max-w-full items-center gap-1 rounded border border-sky-500/30 bg-sky-500/10 px-2 py-0.5 text-xs text-sky-300"
      title={description}
      data-testid="dataset-subset"
    >
      subset
      <span className="sr-only">: {description}</span>
    </span>
  );
}

/** "Busy on HOST": another process (usually another machine) is writing this dataset. */
function BusyBadge({ lock }: { lock: DataLock }) {
  const description = lockDescription(lock);
  return (
    <span
      className="mt-2 inline-flex max-w-full items-center gap-1 rounded border border-amber-500/30 bg-amber-500/10 px-2 py-0.5 text-xs text-amber-300"
      title={description}
      data-testid="dataset-busy"
    >
      <Lock className="h-3 w-3 shrink-0" aria-hidden="true" />
      <span className="truncate">{busyLabel(lock)}</span>
      <span className="sr-only">: {description}</span>
    </span>
  );
}

export function DatasetCard({ dataset, job, onOpen, onDelete, selection }: Props) {
  const titleId = `dataset-${dataset.id}-name`;
  const size = dataset.size_bytes;
  const retry = useBusyAction();
  const lock = useDatasetLock(dataset.id);
  // A failed or cancelled download or import can be queued again (a download reuses the bytes
  // already fetched; an import reads its files again).
  const canRetry = !job && (dataset.status === "error" || dataset.status === "cancelled");
  // Another process writes the dataset: its own work (a retry) would be refused.
  const lockReason = lock ? lockBlocker(lock) : null;
  const onRetry = () =>
    void retry.run(async () => {
      await call(commands.retryDataset(dataset.id));
      void useDatasetsStore.getState().load();
    });
  const openable = dataset.status === "ready" && onOpen !== undefined && selection === undefined;
  const blocker = deleteBlocker(dataset, job, lock);
  // Busy elsewhere: the Delete stays in view, disabled, saying why (a job here offers Cancel).
  const showDelete = blocker === null || (lockReason !== null && blocker === lockReason);
  const checkboxId = `dataset-${dataset.id}-select`;
  return (
    <article
      className={`rounded-lg border border-slate-800 bg-slate-900/50 p-6 transition-colors ${
        openable ? "cursor-pointer hover:border-slate-700 hover:bg-slate-900/70" : ""
      }`}
      data-testid="dataset-card"
      data-dataset-id={dataset.id}
      data-openable={openable || undefined}
      data-selected={selection?.selected || undefined}
      aria-labelledby={titleId}
      onClick={openable ? onOpen : selection && blocker === null ? selection.onToggle : undefined}
    >
      <div className="flex items-start gap-4">
        {selection ? (
          <input
            id={checkboxId}
            type="checkbox"
            className="mt-1 h-5 w-5 shrink-0 accent-emerald-500"
            checked={selection.selected}
            disabled={blocker !== null}
            title={blocker ?? undefined}
            aria-labelledby={titleId}
            onClick={(e) => e.stopPropagation()}
            onChange={selection.onToggle}
            data-testid="dataset-select"
          />
        ) : (
          <Database className="h-8 w-8 shrink-0 text-slate-400" aria-hidden="true" />
        )}
        <div className="min-w-0 flex-1">
          <div className="flex items-start justify-between gap-2">
            <div className="min-w-0 flex-1">
              <h4 id={titleId} className="truncate text-lg font-semibold text-slate-100" title={dataset.name}>
                {openable ? (
                  // The keyboard way in; a mouse click anywhere on the card does the same.
                  <button
                    type="button"
                    data-testid="dataset-open"
                    aria-haspopup="dialog"
                    onClick={(e) => {
                      e.stopPropagation();
                      onOpen();
                    }}
                    className="max-w-full truncate text-left focus:outline-none focus-visible:underline focus-visible:decoration-emerald-400 focus-visible:underline-offset-4"
                  >
                    {dataset.name}
                  </button>
                ) : (
                  dataset.name
                )}
              </h4>
              <p className="mt-1 truncate text-sm text-slate-400">{sourceText(dataset)}</p>
            </div>
            <StatusBadge status={dataset.status} />
          </div>

          {size !== null && size > 0 && (
            <p className="mt-2 text-sm text-slate-400">Size: {formatBytes(size)}</p>
          )}
          {dataset.num_samples !== null && (
            <p className="mt-1 text-sm text-slate-400">Samples: {formatCount(dataset.num_samples)}</p>
          )}
          {dataset.subset && <SubsetBadge subset={dataset.subset} />}
          {lock && <BusyBadge lock={lock} />}
          {dataset.tokenization_count > 0 && (
            <span className="mt-2 inline-flex items-center gap-1 rounded border border-emerald-500/30 bg-emerald-500/10 px-2 py-0.5 text-xs text-emerald-400">
              <Info className="h-3 w-3" aria-hidden="true" />
              Tokenized
            </span>
          )}

          {job && <JobProgress job={job} />}

          {(dataset.error || canRetry) && (
            <div className="mt-3 flex items-start gap-2">
              {dataset.error ? (
                <MessageBox tone="error" className="min-w-0 flex-1 break-words" testId="dataset-error">
                  {dataset.error}
                </MessageBox>
              ) : (
                <p className="min-w-0 flex-1 py-1 text-sm text-slate-400">
                  {dataset.status === "cancelled"
                    ? dataset.source === "local"
                      ? "Import cancelled"
                      : "Download cancelled"
                    : null}
                </p>
              )}
              {canRetry && (
                // A disabled button shows no tooltip in WebKit: the wrapper carries it.
                <span
                  title={lockReason ?? undefined}
                  className={`flex shrink-0 ${dataset.error ? "mt-2" : ""}`}
                  onClick={(e) => e.stopPropagation()}
                >
                  <Button
                    size="xs"
                    icon={RotateCcw}
                    busy={retry.busy}
                    spinIcon
                    data-testid="dataset-retry"
                    onClick={(e) => {
                      e.stopPropagation();
                      onRetry();
                    }}
                    disabled={retry.busy || lockReason !== null}
                    aria-description={lockReason ?? undefined}
                  >
                    {retry.busy ? "Retrying…" : "Retry"}
                  </Button>
                </span>
              )}
            </div>
          )}
          {retry.error && <InlineError className="mt-2" error={retry.error} testId="dataset-retry-error" />}

          {onDelete && !selection && showDelete && (
            <div className="mt-3 flex justify-end">
              {/* A disabled button shows no tooltip in WebKit: the wrapper carries it. */}
              <span title={blocker ?? undefined} onClick={(e) => e.stopPropagation()}>
                <Button
                  size="xs"
                  icon={Trash2}
                  className="hover:text-red-400 disabled:hover:text-slate-200"
                  data-testid="dataset-delete"
                  aria-label={`Delete ${dataset.name}`}
                  aria-description={blocker ?? undefined}
                  disabled={blocker !== null}
                  onClick={(e) => {
                    e.stopPropagation();
                    onDelete();
                  }}
                >
                  Delete
                </Button>
              </span>
            </div>
          )}
        </div>
      </div>
    </article>
  );
}
