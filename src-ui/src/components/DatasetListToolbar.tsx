import { useId, type Ref } from "react";
import { ArrowDownWideNarrow, ArrowUpNarrowWide, ChevronDown, Search, X } from "lucide-react";
import {
  defaultDirection,
  directionLabel,
  SORT_KEYS,
  SOURCE_FILTERS,
  STATUS_FILTERS,
  type ListOptions,
  type SortKey,
  type SourceFilter,
  type StatusFilter,
} from "../lib/datasetList";

type Props = {
  options: ListOptions;
  onChange: (next: ListOptions) => void;
  /** How many datasets exist and how many the options let through. */
  total: number;
  shown: number;
  onClearFilters: () => void;
  searchRef?: Ref<HTMLInputElement>;
};

const labelClass = "mb-1 block text-xs font-medium text-slate-400";
const controlClass =
  "w-full rounded border border-slate-700 bg-slate-800 py-2 text-sm text-slate-100 placeholder-slate-500 focus:border-transparent focus:outline-none focus:ring-2 focus:ring-emerald-500";
// appearance-none: WebKitGTK paints native selects in the GTK theme, not the app's colours.
const selectClass = `${controlClass} appearance-none pl-3 pr-9`;
const chevron = "pointer-events-none absolute right-3 top-1/2 h-4 w-4 -translate-y-1/2 text-slate-400";

export function DatasetListToolbar({ options, onChange, total, shown, onClearFilters, searchRef }: Props) {
  const id = useId();
  const set = (patch: Partial<ListOptions>) => onChange({ ...options, ...patch });
  const order = directionLabel(options.sort, options.direction);
  const DirectionIcon = options.direction === "asc" ? ArrowUpNarrowWide : ArrowDownWideNarrow;

  return (
    <div role="search" aria-label="Find datasets" className="mb-4" data-testid="datasets-toolbar">
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-[14rem] flex-1">
          <label htmlFor={`${id}-search`} className={labelClass}>
            Search
          </label>
          <div className="relative">
            <Search className="pointer-events-none absolute left-3 top-1/2 h-4 w-4 -translate-y-1/2 text-slate-500" aria-hidden="true" />
            <input
              ref={searchRef}
              id={`${id}-search`}
              type="search"
              value={options.query}
              onChange={(e) => set({ query: e.target.value })}
              onKeyDown={(e) => {
                // Escape empties the box in every engine, not only where type=search does it natively.
                if (e.key === "Escape" && options.query !== "") {
                  e.preventDefault();
                  set({ query: "" });
                }
              }}
              placeholder="Name or repository"
              autoComplete="off"
              spellCheck={false}
              data-testid="datasets-search"
              className={`${controlClass} pl-9 ${options.query !== "" ? "pr-9" : "pr-3"} [&::-webkit-search-cancel-button]:hidden`}
            />
            {options.query !== "" && (
              <button
                type="button"
                onClick={() => set({ query: "" })}
                aria-label="Clear search"
                data-testid="datasets-search-clear"
                className="absolute right-2 top-1/2 -translate-y-1/2 rounded p-1 text-slate-400 hover:text-slate-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500"
              >
                <X className="h-4 w-4" aria-hidden="true" />
              </button>
            )}
          </div>
        </div>

        <div className="w-40">
          <label htmlFor={`${id}-status`} className={labelClass}>
            Status
          </label>
          <div className="relative">
            <select
              id={`${id}-status`}
              value={options.status}
              onChange={(e) => set({ status: e.target.value as StatusFilter })}
              data-testid="datasets-status-filter"
              className={selectClass}
            >
              {STATUS_FILTERS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
            <ChevronDown className={chevron} aria-hidden="true" />
          </div>
        </div>

        <div className="w-40">
          <label htmlFor={`${id}-source`} className={labelClass}>
            Source
          </label>
          <div className="relative">
            <select
              id={`${id}-source`}
              value={options.source}
              onChange={(e) => set({ source: e.target.value as SourceFilter })}
              data-testid="datasets-source-filter"
              className={selectClass}
            >
              {SOURCE_FILTERS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
            <ChevronDown className={chevron} aria-hidden="true" />
          </div>
        </div>

        <div>
          <label htmlFor={`${id}-sort`} className={labelClass}>
            Sort by
          </label>
          <div className="flex gap-2">
            <div className="relative w-36">
              <select
                id={`${id}-sort`}
                value={options.sort}
                onChange={(e) => {
                  const sort = e.target.value as SortKey;
                  // A→Z for names but newest/largest first otherwise: keeping the old direction
                  // would make "Name" open on Z→A right after the default newest-first order.
                  set({ sort, direction: defaultDirection(sort) });
                }}
                data-testid="datasets-sort"
                className={selectClass}
              >
                {SORT_KEYS.map((k) => (
                  <option key={k.value} value={k.value}>
                    {k.label}
                  </option>
                ))}
              </select>
              <ChevronDown className={chevron} aria-hidden="true" />
            </div>
            <button
              type="button"
              onClick={() => set({ direction: options.direction === "asc" ? "desc" : "asc" })}
              aria-label={`Order: ${order}`}
              title="Reverse the order"
              data-testid="datasets-sort-direction"
              data-direction={options.direction}
              className="inline-flex items-center gap-1.5 whitespace-nowrap rounded border border-slate-700 bg-slate-800 px-3 py-2 text-sm text-slate-200 hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500"
            >
              <DirectionIcon className="h-4 w-4" aria-hidden="true" />
              {order}
            </button>
          </div>
        </div>
      </div>

      {/* The live region stays mounted so screen readers hear the count change as you type. */}
      <div className={`flex flex-wrap items-center gap-2 text-sm text-slate-400 ${shown < total ? "mt-2" : ""}`}>
        <p role="status">
          {shown < total && (
            <span data-testid="datasets-count">
              {shown} of {total} datasets
            </span>
          )}
        </p>
        {/* With nothing shown the empty state below offers the same button. */}
        {shown < total && shown > 0 && (
          <button
            type="button"
            onClick={onClearFilters}
            data-testid="datasets-toolbar-clear"
            className="rounded text-emerald-400 hover:text-emerald-300 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500"
          >
            Clear filters
          </button>
        )}
      </div>
    </div>
  );
}
