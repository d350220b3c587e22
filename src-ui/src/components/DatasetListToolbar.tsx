import { useId, type Ref } from "react";
import { ArrowDownWideNarrow, ArrowUpNarrowWide, Search, X } from "lucide-react";
import {
  defaultDirection,
  directionLabel,
  SORT_KEYS,
  SOURCE_FILTERS,
  STATUS_FILTERS,
  type ListOptions,
} from "../lib/datasetList";
import { Button } from "./ui/Button";
import { Label } from "./ui/Field";
import { Input, SelectBox } from "./ui/Input";

/** One of the toolbar's pickers: a compact select over a fixed list of choices. */
function ChoiceSelect<T extends string>({
  id,
  value,
  choices,
  onChange,
  testId,
}: {
  id: string;
  value: T;
  choices: { value: T; label: string }[];
  onChange: (value: T) => void;
  testId: string;
}) {
  return (
    <SelectBox look="panel" compact id={id} value={value} onChange={(e) => onChange(e.target.value as T)} data-testid={testId}>
      {choices.map((c) => (
        <option key={c.value} value={c.value}>
          {c.label}
        </option>
      ))}
    </SelectBox>
  );
}

type Props = {
  options: ListOptions;
  onChange: (next: ListOptions) => void;
  /** How many datasets exist and how many the options let through. */
  total: number;
  shown: number;
  onClearFilters: () => void;
  searchRef?: Ref<HTMLInputElement>;
};

export function DatasetListToolbar({ options, onChange, total, shown, onClearFilters, searchRef }: Props) {
  const id = useId();
  const set = (patch: Partial<ListOptions>) => onChange({ ...options, ...patch });
  const order = directionLabel(options.sort, options.direction);
  const DirectionIcon = options.direction === "asc" ? ArrowUpNarrowWide : ArrowDownWideNarrow;

  return (
    <div role="search" aria-label="Find datasets" className="mb-4" data-testid="datasets-toolbar">
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-[14rem] flex-1">
          <Label htmlFor={`${id}-search`} size="compact">
            Search
          </Label>
          <div className="relative">
            <Search className="pointer-events-none absolute left-3 top-1/2 h-4 w-4 -translate-y-1/2 text-slate-500" aria-hidden="true" />
            <Input
              look="panel"
              compact
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
              className={`pl-9 ${options.query !== "" ? "pr-9" : "pr-3"} [&::-webkit-search-cancel-button]:hidden`}
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
          <Label htmlFor={`${id}-status`} size="compact">
            Status
          </Label>
          <ChoiceSelect
            id={`${id}-status`}
            value={options.status}
            choices={STATUS_FILTERS}
            onChange={(status) => set({ status })}
            testId="datasets-status-filter"
          />
        </div>

        <div className="w-40">
          <Label htmlFor={`${id}-source`} size="compact">
            Source
          </Label>
          <ChoiceSelect
            id={`${id}-source`}
            value={options.source}
            choices={SOURCE_FILTERS}
            onChange={(source) => set({ source })}
            testId="datasets-source-filter"
          />
        </div>

        <div>
          <Label htmlFor={`${id}-sort`} size="compact">
            Sort by
          </Label>
          <div className="flex gap-2">
            <div className="w-36">
              <ChoiceSelect
                id={`${id}-sort`}
                value={options.sort}
                choices={SORT_KEYS}
                // A→Z for names but newest/largest first otherwise: keeping the old direction
                // would make "Name" open on Z→A right after the default newest-first order.
                onChange={(sort) => set({ sort, direction: defaultDirection(sort) })}
                testId="datasets-sort"
              />
            </div>
            <Button
              variant="outline"
              icon={DirectionIcon}
              className="whitespace-nowrap"
              onClick={() => set({ direction: options.direction === "asc" ? "desc" : "asc" })}
              aria-label={`Order: ${order}`}
              title="Reverse the order"
              data-testid="datasets-sort-direction"
              data-direction={options.direction}
            >
              {order}
            </Button>
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
