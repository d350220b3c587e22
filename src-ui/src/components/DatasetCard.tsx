import { Database, Info } from "lucide-react";
import type { Dataset, Job } from "../bindings";
import { formatBytes, formatCount, humanize, percentOf } from "../lib/format";
import { ProgressBar } from "./ProgressBar";
import { StatusBadge } from "./StatusBadge";

type Props = {
  dataset: Dataset;
  /** The queued/running job targeting this dataset, if any. */
  job: Job | null;
};

function sourceText(dataset: Dataset): string {
  if (dataset.source === "local") return "Source: Local file";
  if (dataset.source === "hugging_face") {
    return dataset.hf_repo_id ? `Source: HuggingFace • ${dataset.hf_repo_id}` : "Source: HuggingFace";
  }
  return `Source: ${humanize(String(dataset.source))}`;
}

function JobProgress({ job }: { job: Job }) {
  const progress = job.progress;
  const percent =
    progress && progress.unit !== "indeterminate" ? percentOf(progress.done, progress.total) : null;
  const stage = job.stage ? humanize(job.stage) : job.status === "queued" ? "Queued" : null;

  if (percent === null && stage === null) return null;
  return (
    <div className="mt-4 space-y-1" data-testid="job-progress">
      <div className="flex items-center justify-between gap-2 text-xs text-slate-400">
        <span className="truncate" data-testid="job-stage">
          {stage}
        </span>
        {percent !== null && <span data-testid="job-percent">{percent}%</span>}
      </div>
      {percent !== null && <ProgressBar percent={percent} label={stage ?? "Progress"} />}
    </div>
  );
}

export function DatasetCard({ dataset, job }: Props) {
  const titleId = `dataset-${dataset.id}-name`;
  const size = dataset.size_bytes;
  return (
    <article
      className="rounded-lg border border-slate-800 bg-slate-900/50 p-6"
      data-testid="dataset-card"
      data-dataset-id={dataset.id}
      aria-labelledby={titleId}
    >
      <div className="flex items-start gap-4">
        <Database className="h-8 w-8 shrink-0 text-slate-400" aria-hidden="true" />
        <div className="min-w-0 flex-1">
          <div className="flex items-start justify-between gap-2">
            <div className="min-w-0 flex-1">
              <h4 id={titleId} className="truncate text-lg font-semibold text-slate-100" title={dataset.name}>
                {dataset.name}
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
          {dataset.tokenization_count > 0 && (
            <span className="mt-2 inline-flex items-center gap-1 rounded border border-emerald-500/30 bg-emerald-500/10 px-2 py-0.5 text-xs text-emerald-400">
              <Info className="h-3 w-3" aria-hidden="true" />
              Tokenized
            </span>
          )}

          {job && <JobProgress job={job} />}

          {dataset.error && (
            <div
              className="mt-3 break-words rounded border border-red-500/30 bg-red-500/10 p-3 text-sm text-red-400"
              data-testid="dataset-error"
            >
              {dataset.error}
            </div>
          )}
        </div>
      </div>
    </article>
  );
}
