import { useEffect, useId, useState, type FormEvent, type KeyboardEvent } from "react";
import { Filter, Loader, Search } from "lucide-react";
import { commands, type AppError, type Dataset, type SamplesPage, type SamplesQuery } from "../../bindings";
import { call } from "../../lib/api";
import { formatCount } from "../../lib/format";
import { parseChars, SAMPLES_PAGE_SIZE, tokenizationChoices } from "../../lib/samples";
import { toggled } from "../../lib/sets";
import { EMPTY_TOKENIZATIONS, useTokenizeStore } from "../../store/tokenize";
import { useLatestRequest } from "../../hooks/useLatestRequest";
import { Button } from "../ui/Button";
import { ErrorBox } from "../ui/ErrorBox";
import { Loading } from "../ui/Loading";
import { Field } from "../ui/Field";
import { Input, SelectBox } from "../ui/Input";
import { ALL_SPLITS, SplitOptions } from "../detail/SplitOptions";
import { SampleTile } from "./SampleTile";

/** Typing pauses this long before the search runs (Enter runs it at once). */
export const SEARCH_DEBOUNCE_MS = 300;

type Props = { dataset: Dataset };

type Range = { min: number | null; max: number | null };

function rangeText({ min, max }: Range, unit: string): string | null {
  if (min !== null && max !== null) return `${formatCount(min)}–${formatCount(max)} ${unit}`;
  if (min !== null) return `at least ${formatCount(min)} ${unit}`;
  if (max !== null) return `at most ${formatCount(max)} ${unit}`;
  return null;
}

function emptyText(search: string, split: string | null, chars: Range, tokens: Range): string {
  const parts: string[] = [];
  if (search !== "") parts.push(`“${search}”`);
  for (const text of [rangeText(chars, "characters"), rangeText(tokens, "tokens")]) {
    if (text !== null) parts.push(text);
  }
  const where = split === null ? "" : ` in split ${split}`;
  if (parts.length === 0) return split === null ? "This dataset has no rows." : `Split ${split} has no rows.`;
  return `No rows match ${parts.join(" with ")}${where}.`;
}

/** Parse a min/max pair of count boxes: the values, or what is wrong with each box. */
function parseRange(minInput: string, maxInput: string, unit: string) {
  const min = parseChars(minInput);
  const max = parseChars(maxInput);
  const minError = min === undefined ? `A whole number of ${unit}` : undefined;
  const maxError =
    max === undefined
      ? `A whole number of ${unit}`
      : min != null && max !== null && min > max
        ? "At least the minimum"
        : undefined;
  const valid = minError === undefined && maxError === undefined;
  return { min: min ?? null, max: max ?? null, minError, maxError, valid };
}

/**
 * The Samples tab: a page of rows with search, split, text-length and token-length filters,
 * and each row's tokens under a chosen tokenization.
 */
export function SamplesTab({ dataset }: Props) {
  const ids = useId();
  const [searchInput, setSearchInput] = useState("");
  const [search, setSearch] = useState("");
  const [split, setSplit] = useState<string | null>(null);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [minInput, setMinInput] = useState("");
  const [maxInput, setMaxInput] = useState("");
  const [tokenizationId, setTokenizationId] = useState<string | null>(null);
  const [minTokensInput, setMinTokensInput] = useState("");
  const [maxTokensInput, setMaxTokensInput] = useState("");
  const [tokensOpen, setTokensOpen] = useState<Set<string>>(() => new Set());
  const [page, setPage] = useState(0);
  const [jumpInput, setJumpInput] = useState("");
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const [result, setResult] = useState<SamplesPage | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  // Which request the shown page (or error) answers; loading while it is not the current one.
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  // Bumped by Retry to ask for the same page again.
  const [attempt, setAttempt] = useState(0);
  const pageRequest = useLatestRequest();

  // The search runs once typing pauses.
  useEffect(() => {
    if (searchInput === search) return;
    const timer = window.setTimeout(() => {
      setSearch(searchInput);
      setPage(0);
    }, SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [searchInput, search]);

  const tokenizations = useTokenizeStore((s) => s.byDataset[dataset.id] ?? EMPTY_TOKENIZATIONS);
  const tokenizers = useTokenizeStore((s) => s.tokenizers);

  // The picker labels tokenizations by tokenizer name; the store's events keep both current.
  useEffect(() => {
    const store = useTokenizeStore.getState();
    void store.loadTokenizations(dataset.id);
    if (!store.tokenizersLoaded) void store.loadTokenizers();
  }, [dataset.id]);

  const choices = tokenizationChoices(tokenizations.items, tokenizers);
  // A tokenization deleted (or no longer ready) since it was chosen counts as none.
  const tokenization = choices.find((c) => c.id === tokenizationId) ?? null;

  const chars = parseRange(minInput, maxInput, "characters");
  const parsedTokens = parseRange(minTokensInput, maxTokensInput, "tokens");
  // Token bounds mean nothing (and are not shown) without a tokenization.
  const tokens = tokenization
    ? parsedTokens
    : { min: null, max: null, minError: undefined, maxError: undefined, valid: true };
  const valid = chars.valid && tokens.valid;
  const minChars = chars.min;
  const maxChars = chars.max;
  const byTokens = tokens.min !== null || tokens.max !== null;
  const filtering = search !== "" || minChars !== null || maxChars !== null || byTokens;

  const query: SamplesQuery = {
    dataset_id: dataset.id,
    split,
    offset: page * SAMPLES_PAGE_SIZE,
    limit: SAMPLES_PAGE_SIZE,
    search: search === "" ? null : search,
    min_chars: minChars,
    max_chars: maxChars,
    // Only a token filter needs the tokenization: choosing one just to view tokens keeps the page.
    tokenization_id: byTokens && tokenization ? tokenization.id : null,
    min_tokens: tokens.min,
    max_tokens: tokens.max,
  };
  const queryKey = `${JSON.stringify(query)}#${attempt}`;
  const loading = valid && loadedKey !== queryKey;

  useEffect(() => {
    if (!valid) return;
    const asked = JSON.parse(queryKey.slice(0, queryKey.lastIndexOf("#"))) as SamplesQuery;
    void pageRequest.run(
      call(commands.listSamples(asked)),
      (next) => {
        setResult(next);
        setError(null);
        setLoadedKey(queryKey);
      },
      (e) => {
        setError(e);
        setLoadedKey(queryKey);
      },
    );
  }, [queryKey, valid, pageRequest]);

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

  const toggle = (key: string) => setExpanded((prev) => toggled(prev, key));
  const toggleTokens = (key: string) => setTokensOpen((prev) => toggled(prev, key));

  const chooseTokenization = (id: string | null) => {
    setTokenizationId(id);
    // Open token views follow the new tokenization; with none they close.
    if (id === null) setTokensOpen(new Set());
    if (byTokens || (id !== null && (parsedTokens.min !== null || parsedTokens.max !== null))) setPage(0);
  };

  const activeFilters = [minChars, maxChars, tokens.min, tokens.max].filter((v) => v !== null).length;

  const countBox = (
    key: string,
    label: string,
    value: string,
    set: (v: string) => void,
    err: string | undefined,
    testId: string,
  ) => (
    <Field key={key} className="w-44" label={label} labelSize="compact" error={err} testId={testId}>
      {({ id, describedBy, invalid }) => (
        <Input
          id={id}
          inputMode="numeric"
          value={value}
          placeholder="Any"
          aria-invalid={invalid}
          aria-describedby={describedBy}
          onChange={(e) => {
            set(e.target.value);
            setPage(0);
          }}
          data-testid={testId}
        />
      )}
    </Field>
  );

  return (
    <div className="space-y-3" data-testid="samples-tab">
      <div className="flex flex-wrap gap-3">
        <div className="relative min-w-[12rem] flex-1">
          <Search className="pointer-events-none absolute left-3 top-1/2 h-4 w-4 -translate-y-1/2 text-slate-500" aria-hidden="true" />
          <Input
            type="search"
            className="pl-9"
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
            value={split ?? ALL_SPLITS}
            onChange={(e) => {
              setSplit(e.target.value === ALL_SPLITS ? null : e.target.value);
              setPage(0);
            }}
            data-testid="samples-split"
          >
            <SplitOptions splits={dataset.splits} />
          </SelectBox>
        </div>
        {/* As tall as the search box beside it. */}
        <Button
          size="xs"
          icon={Filter}
          className="py-2"
          aria-expanded={filtersOpen}
          aria-controls={`${ids}-filters`}
          onClick={() => setFiltersOpen((o) => !o)}
          data-testid="samples-filters-toggle"
        >
          Filters{activeFilters > 0 ? ` (${activeFilters})` : ""}
        </Button>
      </div>

      {filtersOpen && (
        <div id={`${ids}-filters`} className="flex flex-wrap gap-4 rounded-lg bg-slate-800/30 p-4" data-testid="samples-filters">
          {countBox("min", "Min characters", minInput, setMinInput, chars.minError, "samples-min-chars")}
          {countBox("max", "Max characters", maxInput, setMaxInput, chars.maxError, "samples-max-chars")}
          {choices.length > 0 && (
            <div className="flex basis-full flex-wrap gap-4">
              <Field
                className="w-64"
                label="Tokenization"
                labelSize="compact"
                help="Filter by length in tokens and show each row's tokens."
              >
                {({ id, describedBy }) => (
                  <SelectBox
                    id={id}
                    value={tokenization?.id ?? ""}
                    onChange={(e) => chooseTokenization(e.target.value === "" ? null : e.target.value)}
                    aria-describedby={describedBy}
                    data-testid="samples-tokenization"
                  >
                    <option value="">None</option>
                    {choices.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.label}
                      </option>
                    ))}
                  </SelectBox>
                )}
              </Field>
              {tokenization && (
                <>
                  {countBox("min-tokens", "Min tokens", minTokensInput, setMinTokensInput, tokens.minError, "samples-min-tokens")}
                  {countBox("max-tokens", "Max tokens", maxTokensInput, setMaxTokensInput, tokens.maxError, "samples-max-tokens")}
                </>
              )}
            </div>
          )}
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
        <Loading size="page" testId="samples-loading">
          Loading samples…
        </Loading>
      )}

      {!error && result !== null && (
        <>
          {samples.length === 0 ? (
            <p className="py-12 text-center text-slate-400" data-testid="samples-empty">
              {loading
                ? "Loading samples…"
                : emptyText(search, split, { min: minChars, max: maxChars }, { min: tokens.min, max: tokens.max })}
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
                    datasetId={dataset.id}
                    tokenization={tokenization}
                    tokensOpen={tokensOpen.has(key)}
                    onToggleTokens={() => toggleTokens(key)}
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
              <Button size="xs" disabled={page === 0} onClick={() => goTo(page - 1)} data-testid="samples-prev">
                Previous
              </Button>
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
              <Button size="xs" disabled={page >= pages - 1} onClick={() => goTo(page + 1)} data-testid="samples-next">
                Next
              </Button>
            </div>
          </div>
        </>
      )}
    </div>
  );
}
