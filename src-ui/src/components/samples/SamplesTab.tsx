import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { Filter, Loader, Search } from "lucide-react";
import { commands, type AppError, type Dataset, type SamplesPage, type SamplesQuery } from "../../bindings";
import { call, toAppError } from "../../lib/api";
import { formatCount } from "../../lib/format";
import { parseChars, SAMPLES_PAGE_SIZE } from "../../lib/samples";
import { ErrorBox } from "../ErrorBox";
import { FieldError, modalInput, SelectBox, smallButton } from "../detail/controls";
import { SampleTile } from "./SampleTile";

/** Typing pauses this long before the search runs (Enter runs it at once). */
export const SEARCH_DEBOUNCE_MS = 300;

type Props = { dataset: Dataset };

function emptyText(search: string, split: string | null, min: number | null, max: number | null): string {
  const parts: string[] = [];
  if (search !== "") parts.push(`“${search}”`);
  if (min !== null && max !== null) parts.push(`${formatCount(min)}–${formatCount(max)} characters`);
  else if (min !== null) parts.push(`at least ${formatCount(min)} characters`);
  else if (max !== null) parts.push(`at most ${formatCount(max)} characters`);
  const where = split === null ? "" : ` in split ${split}`;
  if (parts.length === 0) return split === null ? "This dataset has no rows." : `Split ${split} has no rows.`;
  return `No rows match ${parts.join(" with ")}${where}.`;
}

/** The Samples tab: a page of rows with search, split and text-length filters. */
export function SamplesTab({ dataset }: Props) {
  const ids = useId();
  const [searchInput, setSearchInput] = useState("");
  const [search, setSearch] = useState("");
  const [split, setSplit] = useState<string | null>(null);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [minInput, setMinInput] = useState("");
  const [maxInput, setMaxInput] = useState("");
  const [page, setPage] = useState(0);
  const [jumpInput, setJumpInput] = useState("");
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const [result, setResult] = useState<SamplesPage | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  // Which request the shown page (or error) answers; loading while it is not the current one.
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  // Bumped by Retry to ask for the same page again.
  const [attempt, setAttempt] = useState(0);
  const seq = useRef(0);

  // The search runs once typing pauses.
  useEffect(() => {
    if (searchInput === search) return;
    const timer = window.setTimeout(() => {
      setSearch(searchInput);
      setPage(0);
    }, SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [searchInput, search]);

  const min = parseChars(minInput);
  const max = parseChars(maxInput);
  const minError = min === undefined ? "A whole number of characters" : undefined;
  const maxError =
    max === undefined
      ? "A whole number of characters"
      : min != null && max !== null && min > max
        ? "At least the minimum"
        : undefined;
  const valid = minError === undefined && maxError === undefined;
  const minChars = min ?? null;
  const maxChars = max ?? null;
  const filtering = search !== "" || minChars !== null || maxChars !== null;

  const query: SamplesQuery = {
    dataset_id: dataset.id,
    split,
    offset: page * SAMPLES_PAGE_SIZE,
    limit: SAMPLES_PAGE_SIZE,
    search: search === "" ? null : search,
    min_chars: minChars,
    max_chars: maxChars,
  };
  const queryKey = `${JSON.stringify(query)}#${attempt}`;
  const loading = valid && loadedKey !== queryKey;

  useEffect(() => {
    if (!valid) return;
    const mine = ++seq.current;
    const asked = JSON.parse(queryKey.slice(0, queryKey.lastIndexOf("#"))) as SamplesQuery;
    call(commands.listSamples(asked))
      .then((next) => {
        if (mine !== seq.current) return;
        setResult(next);
        setError(null);
        setLoadedKey(queryKey);
      })
      .catch((e: unknown) => {
        if (mine !== seq.current) return;
        setError(toAppError(e));
        setLoadedKey(queryKey);
      });
  }, [queryKey, valid]);

  // Nothing answered after unmount may land.
  useEffect(
    () => () => {
      seq.current += 1;
    },
    [],
  );

  const total = result?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / SAMPLES_PAGE_SIZE));
  const samples = result?.samples ?? [];
  const first = samples.length > 0 ? (result?.offset ?? 0) + 1 : 0;
  const last = samples.length > 0 ? (result?.offset ?? 0) + samples.length : 0;

  const goTo = (next: number) => {
    setPage(Math.min(Math.max(0, next), pages - 1));
  };

  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    setSearch(searchInput);
    setPage(0);
  };

  const onJump = (e: FormEvent) => {
    e.preventDefault();
    const n = parseChars(jumpInput);
    if (n == null) return;
    goTo(n - 1);
    setJumpInput("");
  };

  const toggle = (key: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  const activeFilters = (minChars !== null ? 1 : 0) + (maxChars !== null ? 1 : 0);

  return (
    <div className="space-y-3" data-testid="samples-tab">
      <div className="flex flex-wrap gap-3">
        <div className="relative min-w-[12rem] flex-1">
          <Search className="pointer-events-none absolute left-3 top-1/2 h-4 w-4 -translate-y-1/2 text-slate-500" aria-hidden="true" />
          <input
            type="search"
            className={`${modalInput} pl-9`}
            placeholder="Search in samples..."
            aria-label="Search in samples"
            value={searchInput}
            onChange={(e) => setSearchInput(e.target.value)}
            onKeyDown={onSearchKey}
            data-testid="samples-search"
          />
        </div>
        <div className="w-44">
          <SelectBox
            aria-label="Split"
            value={split ?? ""}
            onChange={(e) => {
              setSplit(e.target.value === "" ? null : e.target.value);
              setPage(0);
            }}
            data-testid="samples-split"
          >
            <option value="">All splits</option>
            {dataset.splits.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </SelectBox>
        </div>
        <button
          type="button"
          className={`${smallButton} py-2`}
          aria-expanded={filtersOpen}
          aria-controls={`${ids}-filters`}
          onClick={() => setFiltersOpen((o) => !o)}
          data-testid="samples-filters-toggle"
        >
          <Filter className="h-3 w-3" aria-hidden="true" />
          Filters{activeFilters > 0 ? ` (${activeFilters})` : ""}
        </button>
      </div>

      {filtersOpen && (
        <div id={`${ids}-filters`} className="flex flex-wrap gap-4 rounded-lg bg-slate-800/30 p-4" data-testid="samples-filters">
          {(
            [
              ["min", "Min characters", minInput, setMinInput, minError],
              ["max", "Max characters", maxInput, setMaxInput, maxError],
            ] as const
          ).map(([key, label, value, set, err]) => (
            <div key={key} className="w-44">
              <label htmlFor={`${ids}-${key}`} className="mb-1 block text-xs text-slate-400">
                {label}
              </label>
              <input
                id={`${ids}-${key}`}
                inputMode="numeric"
                className={modalInput}
                value={value}
                placeholder="Any"
                aria-invalid={err !== undefined}
                aria-describedby={err ? `${ids}-${key}-error` : undefined}
                onChange={(e) => {
                  set(e.target.value);
                  setPage(0);
                }}
                data-testid={`samples-${key}-chars`}
              />
              <FieldError id={`${ids}-${key}-error`} message={err} testId={`samples-${key}-chars-error`} />
            </div>
          ))}
        </div>
      )}

      {error && (
        <ErrorBox
          title="Could not load samples"
          error={error}
          onRetry={() => setAttempt((a) => a + 1)}
        />
      )}

      {!error && result === null && loading && (
        <div role="status" className="flex items-center justify-center gap-2 py-12 text-slate-400" data-testid="samples-loading">
          <Loader className="h-5 w-5 animate-spin" aria-hidden="true" />
          Loading samples…
        </div>
      )}

      {!error && result !== null && (
        <>
          {samples.length === 0 ? (
            <p className="py-12 text-center text-slate-400" data-testid="samples-empty">
              {loading ? "Loading samples…" : emptyText(search, split, minChars, maxChars)}
            </p>
          ) : (
            <div
              className={`space-y-3 transition-opacity ${loading ? "opacity-60" : ""}`}
              aria-busy={loading}
              data-testid="samples-list"
            >
              {samples.map((s) => {
                const key = `${s.split}:${s.index}`;
                return (
                  <SampleTile
                    key={key}
                    sample={s}
                    textColumn={result.text_column}
                    search={search}
                    expanded={expanded.has(key)}
                    onToggle={() => toggle(key)}
                  />
                );
              })}
            </div>
          )}

          <div className="flex flex-wrap items-center justify-between gap-3 pt-1">
            <p className="text-sm text-slate-400" data-testid="samples-range" aria-live="polite">
              Showing {formatCount(first)}–{formatCount(last)} of {formatCount(total)}
              {filtering ? (total === 1 ? " match" : " matches") : ""}
              {loading && <Loader className="ml-2 inline h-3 w-3 animate-spin" aria-label="Loading" />}
            </p>
            <div className="flex items-center gap-2">
              <button
                type="button"
                className={smallButton}
                disabled={page === 0}
                onClick={() => goTo(page - 1)}
                data-testid="samples-prev"
              >
                Previous
              </button>
              <form className="flex items-center gap-1 text-xs text-slate-400" onSubmit={onJump}>
                <label htmlFor={`${ids}-page`}>Page</label>
                <input
                  id={`${ids}-page`}
                  inputMode="numeric"
                  className="w-14 rounded border border-slate-700 bg-slate-900 px-2 py-1 text-center text-xs text-slate-100 placeholder-slate-400 focus:border-emerald-500 focus:outline-none"
                  placeholder={String(page + 1)}
                  value={jumpInput}
                  onChange={(e) => setJumpInput(e.target.value)}
                  aria-label={`Page (1 to ${pages}), Enter to go`}
                  data-testid="samples-page-input"
                />
                <span data-testid="samples-pages">of {formatCount(pages)}</span>
              </form>
              <button
                type="button"
                className={smallButton}
                disabled={page >= pages - 1}
                onClick={() => goTo(page + 1)}
                data-testid="samples-next"
              >
                Next
              </button>
            </div>
          </div>
        </>
      )}
    </div>
  );
}
