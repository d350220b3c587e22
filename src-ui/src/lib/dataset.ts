import type { DataLock, Dataset, DatasetSubset, Job } from "../bindings";
import { formatBytes, formatCount, humanize } from "./format";
import { lockBlocker } from "./locks";

/** "2.3 GB • 12,345 samples", leaving out what is unknown. */
export function datasetSubtitle(dataset: Dataset): string {
  const parts: string[] = [];
  if (dataset.size_bytes !== null && dataset.size_bytes > 0) parts.push(formatBytes(dataset.size_bytes));
  if (dataset.num_samples !== null) {
    parts.push(`${formatCount(dataset.num_samples)} ${dataset.num_samples === 1 ? "sample" : "samples"}`);
  }
  return parts.join(" • ");
}

/** "HuggingFace", "Local file". */
export function sourceName(source: Dataset["source"]): string {
  if (source === "hugging_face") return "HuggingFace";
  if (source === "local") return "Local file";
  return humanize(String(source));
}

const FORMAT_NAMES: Record<string, string> = {
  jsonl: "JSON Lines",
  json: "JSON",
  parquet: "Parquet",
  csv: "CSV",
  tsv: "TSV",
  txt: "Plain text",
  text: "Plain text",
  arrow: "Arrow",
};

/** The source format as people name it ("JSON Lines", "Parquet"); unknown ones as given. */
export function formatName(format: string | null): string {
  if (format === null || format.trim() === "") return "Unknown";
  return FORMAT_NAMES[format.toLowerCase()] ?? format;
}

/**
 * Why a dataset cannot be deleted now, or null when it can: it is being deleted, a job here
 * writes it, or another process (another machine sharing the folder) holds its live lock.
 */
export function deleteBlocker(dataset: Dataset, job: Job | null, lock: DataLock | null): string | null {
  if (dataset.status === "deleting") return "Being deleted";
  if (job) return job.kind === "dataset.import" ? "Importing — cancel it first" : "Downloading — cancel it first";
  if (lock && lock.stale === null) return lockBlocker(lock);
  return null;
}

/** What part of its source a subset dataset holds, in one line. */
export function subsetDescription(subset: DatasetSubset): string {
  const splits = subset.splits.map((s) => {
    const rows = s.of_rows === null ? formatCount(s.rows) : `${formatCount(s.rows)} of ${formatCount(s.of_rows)}`;
    const files = `${formatCount(s.files.length)} of ${formatCount(s.of_files)} ${s.of_files === 1 ? "file" : "files"}`;
    const partial = (s.partial_files ?? []).length > 0 ? `, ${(s.partial_files ?? []).length} read in part` : "";
    return `${s.name}: ${rows} rows · ${files}${partial}`;
  });
  const how = [
    ...(subset.rows_budget ? [`--rows ${subset.rows_budget}`] : []),
    ...(subset.include ?? []).map((p) => `--include ${p}`),
    ...(subset.exclude ?? []).map((p) => `--exclude ${p}`),
  ];
  return `${splits.join("; ")} (${how.join(" ")})`;
}
