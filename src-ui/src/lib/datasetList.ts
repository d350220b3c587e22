import type { Dataset, DatasetSource, DatasetStatus } from "../bindings";

export type StatusFilter = "all" | "ready" | "in_progress" | "error" | "cancelled";
export type SourceFilter = "all" | DatasetSource;
export type SortKey = "name" | "size" | "date";
export type SortDirection = "asc" | "desc";

export type ListOptions = {
  query: string;
  status: StatusFilter;
  source: SourceFilter;
  sort: SortKey;
  direction: SortDirection;
};

export const DEFAULT_LIST_OPTIONS: ListOptions = {
  query: "",
  status: "all",
  source: "all",
  sort: "date",
  direction: "desc",
};

export const STATUS_FILTERS: { value: StatusFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "ready", label: "Ready" },
  { value: "in_progress", label: "In progress" },
  { value: "error", label: "Error" },
  { value: "cancelled", label: "Cancelled" },
];

export const SOURCE_FILTERS: { value: SourceFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "hugging_face", label: "Hugging Face" },
  { value: "local", label: "Local" },
];

export const SORT_KEYS: { value: SortKey; label: string }[] = [
  { value: "date", label: "Date added" },
  { value: "name", label: "Name" },
  { value: "size", label: "Size" },
];

// Everything a job is still working on counts as one bucket: a researcher scanning for
// "what is not done yet" does not care which stage it is in.
const IN_PROGRESS: readonly DatasetStatus[] = ["queued", "downloading", "processing", "deleting"];

export function matchesStatus(status: DatasetStatus, filter: StatusFilter): boolean {
  if (filter === "all") return true;
  if (filter === "in_progress") return IN_PROGRESS.includes(status);
  return status === filter;
}

/** Case-insensitive substring on the displayed name and the Hub repo id; a blank query matches all. */
export function matchesQuery(dataset: Dataset, query: string): boolean {
  const needle = query.trim().toLowerCase();
  if (needle === "") return true;
  return (
    dataset.name.toLowerCase().includes(needle) ||
    (dataset.hf_repo_id?.toLowerCase().includes(needle) ?? false)
  );
}

export function filterDatasets(datasets: readonly Dataset[], options: ListOptions): Dataset[] {
  return datasets.filter(
    (d) =>
      matchesStatus(d.status, options.status) &&
      (options.source === "all" || d.source === options.source) &&
      matchesQuery(d, options.query),
  );
}

const NAME_ORDER = new Intl.Collator("en", { sensitivity: "base", numeric: true });

/**
 * A sorted copy. Unknown sizes go last in both directions (they are not "smallest"), and ties
 * keep the input order, which is the engine's (newest first), so the list does not reshuffle.
 */
export function sortDatasets(datasets: readonly Dataset[], sort: SortKey, direction: SortDirection): Dataset[] {
  const sign = direction === "asc" ? 1 : -1;
  return [...datasets].sort((a, b) => {
    switch (sort) {
      case "name":
        return sign * NAME_ORDER.compare(a.name, b.name);
      case "date":
        return sign * (a.created_at - b.created_at);
      case "size": {
        if (a.size_bytes === null || b.size_bytes === null) {
          return (a.size_bytes === null ? 1 : 0) - (b.size_bytes === null ? 1 : 0);
        }
        return sign * (a.size_bytes - b.size_bytes);
      }
    }
  });
}

export function visibleDatasets(datasets: readonly Dataset[], options: ListOptions): Dataset[] {
  return sortDatasets(filterDatasets(datasets, options), options.sort, options.direction);
}

/** The direction that reads naturally when a sort is picked: A→Z, largest first, newest first. */
export function defaultDirection(sort: SortKey): SortDirection {
  return sort === "name" ? "asc" : "desc";
}

/** What the current order reads as, for the direction toggle. */
export function directionLabel(sort: SortKey, direction: SortDirection): string {
  switch (sort) {
    case "name":
      return direction === "asc" ? "A to Z" : "Z to A";
    case "size":
      return direction === "asc" ? "Smallest first" : "Largest first";
    case "date":
      return direction === "asc" ? "Oldest first" : "Newest first";
  }
}

/** The empty-state sentence naming what hides everything. */
export function noMatchText(options: ListOptions): string {
  const query = options.query.trim();
  const filtered = options.status !== "all" || options.source !== "all";
  if (query === "") return "No datasets match these filters";
  return filtered ? `No datasets match “${query}” with these filters` : `No datasets match “${query}”`;
}
