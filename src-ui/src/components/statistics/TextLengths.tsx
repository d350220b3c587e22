import { lazy, Suspense, useEffect, useId, useState } from "react";
import { Loader } from "lucide-react";
import { commands, type AppError, type Dataset, type HistogramBin, type LengthSummary, type TextStatistics } from "../../bindings";
import { call, toAppError } from "../../lib/api";
import { formatCount, formatLength, formatPercent } from "../../lib/format";
import { lengthSummaryText } from "../../lib/statistics";
import { ErrorBox } from "../ui/ErrorBox";
import { Label } from "../ui/Field";
import { SelectBox } from "../ui/Input";
import { tile } from "../ui/surfaces";
import { ALL_SPLITS, SplitOptions } from "../detail/SplitOptions";

// Recharts is most of the bundle: it loads when statistics are first opened.
const LengthHistogram = lazy(() => import("../tokenize/LengthHistogram"));

type Answer = { data: TextStatistics } | { error: AppError };

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums text-slate-100" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

type MeasureProps = {
  /** "chars" or "words": the test ids' infix. */
  kind: "chars" | "words";
  title: string;
  /** Plural noun the figures are in: "characters", "words". */
  measure: string;
  summary: LengthSummary;
  bins: HistogramBin[];
  total: number;
  color: string;
};

/** One measure (characters or words per row): its figures, its total and its histogram. */
function Measure({ kind, title, measure, summary, bins, total, color }: MeasureProps) {
  const titleId = useId();
  const text = lengthSummaryText(summary, measure);
  return (
    <section className="rounded-lg border border-slate-800 p-4" aria-labelledby={titleId} data-testid={`text-${kind}`}>
      <div className="mb-3 flex items-baseline justify-between gap-2">
        <h5 id={titleId} className="text-sm font-semibold text-slate-200">
          {title}
        </h5>
        <p className="text-xs text-slate-400">
          <span className={`font-semibold tabular-nums ${color}`} data-testid={`text-${kind}-total`}>
            {formatCount(total)}
          </span>{" "}
          {measure} in all
        </p>
      </div>
      <dl className="mb-3 grid grid-cols-5 gap-2">
        <Figure label="Mean" value={summary.mean !== null ? formatLength(summary.mean) : "—"} testId={`text-${kind}-mean`} />
        <Figure label="Median" value={formatCount(summary.median)} testId={`text-${kind}-median`} />
        <Figure label="p90" value={formatCount(summary.p90)} testId={`text-${kind}-p90`} />
        <Figure label="p99" value={formatCount(summary.p99)} testId={`text-${kind}-p99`} />
        <Figure label="Max" value={formatCount(summary.max)} testId={`text-${kind}-max`} />
      </dl>
      <figure data-testid={`${kind}-histogram`}>
        {bins.length === 0 ? (
          <p className="py-8 text-center text-sm text-slate-500">No rows, so there is no distribution.</p>
        ) : (
          <Suspense fallback={<div className="h-64 w-full animate-pulse rounded bg-slate-800/30" aria-hidden="true" />}>
            <LengthHistogram bins={bins} summary={summary} unit="rows" measure={measure} description={text} />
          </Suspense>
        )}
        <figcaption className="mt-2 text-xs text-slate-400">{text}</figcaption>
      </figure>
    </section>
  );
}

/**
 * Characters and words per row of the raw text column, per split or all together. Each answer
 * is kept by split, so switching back is instant; the engine caches them on disk too.
 */
export function TextLengths({ dataset }: { dataset: Dataset }) {
  const titleId = useId();
  const selectId = useId();
  const [split, setSplit] = useState(ALL_SPLITS);
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const answer = answers[split];
  const needed = answer === undefined;

  useEffect(() => {
    if (!needed) return;
    const asked = split;
    // An answer is stored under the split it was asked for, so a late one cannot land on another.
    call(commands.textStatistics(dataset.id, asked === ALL_SPLITS ? null : asked))
      .then((data) => setAnswers((a) => ({ ...a, [asked]: { data } })))
      .catch((e: unknown) => setAnswers((a) => ({ ...a, [asked]: { error: toAppError(e) } })));
  }, [dataset.id, split, needed]);

  const retry = () =>
    setAnswers((a) => {
      const rest = { ...a };
      delete rest[split];
      return rest;
    });

  let body;
  if (answer === undefined) {
    body = (
      <div className={`${tile} flex items-center gap-3 text-sm text-slate-400`} role="status" data-testid="text-stats-loading">
        <Loader className="h-4 w-4 animate-spin" aria-hidden="true" />
        Measuring the text… the first time can take a while on a large dataset.
      </div>
    );
  } else if ("error" in answer) {
    body = <ErrorBox title="Could not measure the text" error={answer.error} onRetry={retry} />;
  } else {
    const s = answer.data;
    body = (
      <div className="space-y-4">
        <p className="text-sm text-slate-400" data-testid="text-stats-caption">
          Column <span className="font-mono text-slate-300">{s.text_column}</span> · {formatCount(s.num_rows)} rows ·{" "}
          <span data-testid="text-empty-rows">
            {formatCount(s.empty_rows)} empty
            {s.num_rows > 0 ? ` (${formatPercent(s.empty_rows / s.num_rows)})` : ""}
            {s.null_rows > 0 ? `, ${formatCount(s.null_rows)} of them null` : ""}
          </span>
        </p>
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
          <Measure
            kind="chars"
            title="Characters per Row"
            measure="characters"
            summary={s.chars}
            bins={s.chars_histogram}
            total={s.total_chars}
            color="text-emerald-400"
          />
          <Measure
            kind="words"
            title="Words per Row"
            measure="words"
            summary={s.words}
            bins={s.words_histogram}
            total={s.total_words}
            color="text-blue-400"
          />
        </div>
      </div>
    );
  }

  return (
    <section aria-labelledby={titleId} data-testid="text-stats" aria-busy={answer === undefined}>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h4 id={titleId} className="text-lg font-semibold text-slate-100">
            Text Lengths Before Tokenization
          </h4>
          <p className="text-xs text-slate-500">Words are runs of characters between whitespace.</p>
        </div>
        <div className="flex items-center gap-2">
          <Label htmlFor={selectId} size="inline">
            Split
          </Label>
          <SelectBox
            id={selectId}
            value={split}
            onChange={(e) => setSplit(e.target.value)}
            data-testid="text-split-select"
            className="w-48"
          >
            <SplitOptions splits={dataset.splits} />
          </SelectBox>
        </div>
      </div>
      {body}
    </section>
  );
}
