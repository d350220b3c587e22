import { lazy, Suspense, useId, useState } from "react";
import type { Statistics, TokenizeSettings } from "../../bindings";
import { formatCount, formatPercent } from "../../lib/format";
import { lengthSummaryText, statisticsMetrics, type Metric } from "../../lib/statistics";
import { visiblePiece } from "../../lib/tokenize";
import { LinkButton } from "../ui/Button";
import { tile } from "../ui/surfaces";

// Recharts is most of the bundle: it loads when statistics are first opened.
const LengthHistogram = lazy(() => import("./LengthHistogram"));

type Props = {
  stats: Statistics;
  settings: TokenizeSettings;
};

function TopTokens({ stats }: { stats: Statistics }) {
  const titleId = useId();
  const [all, setAll] = useState(false);
  const shown = all ? stats.top_tokens : stats.top_tokens.slice(0, 20);
  const max = stats.top_tokens[0]?.count ?? 0;
  if (stats.top_tokens.length === 0) return null;
  return (
    <section className="rounded-lg border border-slate-800 p-4" aria-labelledby={titleId}>
      <h5 id={titleId} className="mb-3 text-sm font-semibold text-slate-200">
        Most Frequent Tokens
      </h5>
      <ol className="grid grid-cols-1 gap-x-6 gap-y-1 md:grid-cols-2" data-testid="top-tokens">
        {shown.map((t, i) => (
          <li key={t.id} className="flex items-center gap-2 text-sm" data-testid="top-token">
            <span className="w-6 shrink-0 text-right text-xs text-slate-500">{i + 1}</span>
            <span
              className="max-w-[10rem] truncate whitespace-pre rounded bg-slate-700 px-1.5 py-0.5 font-mono text-slate-100"
              title={`Token ID: ${t.id} · ${JSON.stringify(t.piece)}`}
            >
              {visiblePiece(t.piece)}
            </span>
            <span className="relative h-1.5 min-w-[3rem] flex-1 overflow-hidden rounded-full bg-slate-800" aria-hidden="true">
              <span
                className="absolute inset-y-0 left-0 rounded-full bg-emerald-500/70"
                style={{ width: `${max > 0 ? (t.count / max) * 100 : 0}%` }}
              />
            </span>
            <span className="w-20 shrink-0 text-right tabular-nums text-slate-300">{formatCount(t.count)}</span>
            <span className="w-14 shrink-0 text-right text-xs tabular-nums text-slate-500">
              {stats.num_tokens > 0 ? formatPercent(t.count / stats.num_tokens, 2) : ""}
            </span>
          </li>
        ))}
      </ol>
      {stats.top_tokens.length > 20 && (
        <LinkButton className="mt-3" onClick={() => setAll((v) => !v)} aria-expanded={all}>
          {all ? "Show the top 20" : `Show all ${stats.top_tokens.length}`}
        </LinkButton>
      )}
    </section>
  );
}

/** Metric tiles of a tokenization (see `statisticsMetrics`). */
export function MetricGrid({ metrics }: { metrics: Metric[] }) {
  return (
    <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
      {metrics.map((m) => (
        <div key={m.key} className={tile} data-testid={`stat-${m.key}`}>
          <p className="text-xs text-slate-400">{m.label}</p>
          <p className={`mt-1 text-xl font-bold ${m.color ?? "text-slate-100"}`} data-testid="stat-value">
            {m.value}
          </p>
          {m.caption && <p className="text-xs text-slate-500">{m.caption}</p>}
        </div>
      ))}
    </div>
  );
}

/** The sequence-length histogram of the written rows or of the source samples, with its summary. */
export function LengthDistribution({ stats }: { stats: Statistics }) {
  const titleId = useId();
  const [view, setView] = useState<"rows" | "samples">("rows");
  const bins = view === "rows" ? stats.histogram : stats.sample_histogram;
  const summary = view === "rows" ? stats.seq_len : stats.sample_len;
  return (
    <section className="rounded-lg border border-slate-800 p-4" aria-labelledby={titleId}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h5 id={titleId} className="text-sm font-semibold text-slate-200">
          Sequence Length Distribution
        </h5>
        <div className="flex rounded-lg border border-slate-700 p-0.5 text-xs" role="group" aria-label="Lengths of">
          {(
            [
              ["rows", "Written rows"],
              ["samples", "Source samples"],
            ] as const
          ).map(([key, label]) => (
            <button
              key={key}
              type="button"
              aria-pressed={view === key}
              onClick={() => setView(key)}
              data-testid={`histogram-view-${key}`}
              className={`rounded px-2 py-1 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 ${
                view === key ? "bg-slate-700 text-slate-100" : "text-slate-400 hover:text-slate-200"
              }`}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      <figure data-testid="length-histogram">
        {bins.length === 0 ? (
          <p className="py-8 text-center text-sm text-slate-500">Nothing was written, so there is no distribution.</p>
        ) : (
          <Suspense fallback={<div className="h-64 w-full animate-pulse rounded bg-slate-800/30" aria-hidden="true" />}>
            <LengthHistogram
              bins={bins}
              summary={summary}
              unit={view === "rows" ? "rows" : "samples"}
              description={lengthSummaryText(summary)}
            />
          </Suspense>
        )}
        <figcaption className="mt-2 text-sm text-slate-400" data-testid="length-summary">
          {lengthSummaryText(summary)}
        </figcaption>
      </figure>
      {view === "samples" && (
        <p className="mt-1 text-xs text-slate-500">Source samples in tokens, before truncation or packing.</p>
      )}
    </section>
  );
}

/** Figures, length distribution, frequent tokens and per-split counts of a finished tokenization. */
export function StatisticsPanel({ stats, settings }: Props) {
  const splitsTitleId = useId();
  return (
    <div className="mt-4 space-y-4" data-testid="tokenization-statistics">
      <MetricGrid metrics={statisticsMetrics(stats, settings)} />
      <LengthDistribution stats={stats} />

      <TopTokens stats={stats} />

      {stats.splits.length > 0 && (
        <section className="rounded-lg border border-slate-800 p-4" aria-labelledby={splitsTitleId}>
          <h5 id={splitsTitleId} className="mb-3 text-sm font-semibold text-slate-200">
            Splits
          </h5>
          <table className="w-full text-left text-sm" data-testid="split-statistics">
            <thead className="text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="py-1 font-medium">Split</th>
                <th scope="col" className="py-1 text-right font-medium">Samples</th>
                <th scope="col" className="py-1 text-right font-medium">Rows</th>
                <th scope="col" className="py-1 text-right font-medium">Tokens</th>
              </tr>
            </thead>
            <tbody className="tabular-nums">
              {stats.splits.map((s) => (
                <tr key={s.name} className="border-t border-slate-800">
                  <td className="py-1 text-slate-200">{s.name}</td>
                  <td className="py-1 text-right text-slate-300">{formatCount(s.num_samples)}</td>
                  <td className="py-1 text-right text-slate-300">{formatCount(s.num_rows)}</td>
                  <td className="py-1 text-right text-slate-300">{formatCount(s.num_tokens)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
