import { Loader, X } from "lucide-react";
import { commands, type Job } from "../../bindings";
import { call } from "../../lib/api";
import { samplesEta } from "../../lib/tokenize";
import { formatCompact, formatCount, formatDuration, formatEta, percentOf } from "../../lib/format";
import { useNow } from "../../hooks/useNow";
import { useBusyAction } from "../../hooks/useBusyAction";
import { useJobsStore } from "../../store/jobs";
import { Button } from "../ui/Button";
import { InlineError } from "../ui/InlineError";
import { ProgressBar } from "../ui/ProgressBar";

type Props = {
  /** The job making the tokenization; null while it is not known yet. */
  job: Job | null;
};

/**
 * The staged progress of a tokenize job: stage, samples done of total with a bar, sample and
 * token rates, elapsed and remaining time, and Cancel.
 */
export function TokenizeProgress({ job }: Props) {
  const now = useNow(job !== null);
  const cancel = useBusyAction();

  const progress = job?.progress?.unit === "samples" ? job.progress : null;
  const queued = job === null || job.status === "queued";
  const stage = job?.stage ?? (queued ? "Waiting to start" : "Starting");
  const percent = progress ? percentOf(progress.done, progress.total) : null;
  const eta = progress ? samplesEta(progress) : null;
  const since = job ? (job.started_at ?? job.created_at) : null;
  const elapsed = since !== null ? Math.max(0, (now - since) / 1000) : null;

  const onCancel = () => {
    if (!job) return;
    void cancel.run(async () => {
      const stopped = await call(commands.cancelJob(job.id));
      useJobsStore.getState().upsert(stopped);
    });
  };

  const rates: string[] = [];
  const samplesRate = progress?.samples_per_sec ?? 0;
  const tokensRate = progress?.tokens_per_sec ?? 0;
  if (samplesRate > 0) rates.push(`${formatCompact(samplesRate)} samples/s`);
  if (tokensRate > 0) rates.push(`${formatCompact(tokensRate)} tokens/s`);

  return (
    <div className="mt-3 space-y-1.5" data-testid="tokenize-progress">
      <div className="flex items-center justify-between gap-2 text-sm">
        <span className="flex items-center gap-2 text-slate-200" data-testid="tokenize-stage">
          {!queued && <Loader className="h-3.5 w-3.5 animate-spin text-yellow-400" aria-hidden="true" />}
          {stage}
        </span>
        {percent !== null && (
          <span className="text-xs text-slate-400" data-testid="tokenize-percent">
            {percent}%
          </span>
        )}
      </div>
      {percent !== null && <ProgressBar percent={percent} label={`${stage}: samples tokenized`} />}
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 text-xs text-slate-400">
        <span data-testid="tokenize-counts">
          {progress
            ? `${formatCount(progress.done)}${progress.total !== null ? ` / ${formatCount(progress.total)}` : ""} samples · ${formatCount(progress.tokens)} tokens`
            : queued
              ? "Queued behind other jobs"
              : null}
        </span>
        {rates.length > 0 && <span data-testid="tokenize-rates">{rates.join(" · ")}</span>}
      </div>
      <div className="flex flex-wrap items-center justify-between gap-2 text-xs text-slate-400">
        <span data-testid="tokenize-time">
          {elapsed !== null && `${queued ? "Waiting" : "Elapsed"} ${formatDuration(elapsed)}`}
          {eta !== null && ` · about ${formatEta(eta)} left`}
        </span>
        <Button
          size="xs"
          icon={X}
          busy={cancel.busy}
          onClick={onCancel}
          disabled={!job || cancel.busy}
          title={job ? "Stop and withdraw this tokenization" : "Waiting for its job to be known"}
          data-testid="tokenize-cancel"
        >
          {cancel.busy ? "Cancelling…" : "Cancel"}
        </Button>
      </div>
      {cancel.error && <InlineError error={cancel.error} testId="tokenize-cancel-error" />}
    </div>
  );
}
