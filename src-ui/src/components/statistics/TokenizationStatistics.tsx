import { lazy, Suspense, useId, type ReactNode } from "react";
import { BarChart3 } from "lucide-react";
import type { Statistics, Tokenization } from "../../bindings";
import { formatCount, formatPercent } from "../../lib/format";
import { efficiencyRows, statisticsMetrics } from "../../lib/statistics";
import { settingsSummary } from "../../lib/tokenize";
import { Button } from "../ui/Button";
import { tile } from "../ui/surfaces";
import { LengthDistribution, MetricGrid } from "../tokenize/StatisticsPanel";

// Recharts is most of the bundle: it loads when statistics are first opened.
const TopTokensChart = lazy(() => import("./charts").then((m) => ({ default: m.TopTokensChart })));
const EfficiencyChart = lazy(() => import("./charts").then((m) => ({ default: m.EfficiencyChart })));

/** Figures the summary tiles above already show; the cards here add the rest. */
const SUMMARY_METRIC_KEYS = new Set(["tokens", "mean", "median", "p90", "p99", "unique", "truncated", "padding"]);

const TOP_TOKENS_SHOWN = 20;

function ChartFallback({ height }: { height: number }) {
  return <div className="w-full animate-pulse rounded bg-slate-800/30" style={{ height }} aria-hidden="true" />;
}

function Card({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  const titleId = useId();
  return (
    <section className="rounded-lg border border-slate-800 p-4" aria-labelledby={titleId}>
      <h5 id={titleId} className="mb-3 text-sm font-semibold text-slate-200">
        {title}
      </h5>
      <div data-testid={testId}>{children}</div>
    </section>
  );
}

function Efficiency({ tokenization, stats }: { tokenization: Tokenization; stats: Statistics }) {
  const rows = efficiencyRows(stats, tokenization.settings);
  if (rows.length === 0) return <p className="text-sm text-slate-500">Nothing was written.</p>;
  return (
    <>
      <Suspense fallback={<ChartFallback height={rows.length * 44 + 36} />}>
        <EfficiencyChart rows={rows} />
      </Suspense>
      <dl className="mt-3 space-y-1 text-xs" data-testid="efficiency-legend">
        {rows.map((r) => {
          const total = r.parts.reduce((sum, p) => sum + p.count, 0);
          return (
            <div key={r.key} className="flex flex-wrap gap-x-4 gap-y-1" data-testid={`efficiency-${r.key}`}>
              <dt className="w-28 text-slate-400">{r.label}</dt>
              {r.parts.map((p) => (
                <dd key={p.key} className="flex items-center gap-1.5 text-slate-300">
                  <span className="h-2.5 w-2.5 rounded-sm" style={{ backgroundColor: p.color }} aria-hidden="true" />
                  {p.label} {formatCount(p.count)}{" "}
                  <span className="text-slate-500">({formatPercent(p.count / total)})</span>
                </dd>
              ))}
            </div>
          );
        })}
      </dl>
    </>
  );
}

type Props = {
  loaded: boolean;
  /** Tokenizations still being made (queued or processing). */
  pending: number;
  tokenization: Tokenization | null;
  tokenizerName: string | null;
  onOpenTokenization: () => void;
};

/** The chosen tokenization's own figures, length histogram, frequent tokens and efficiency. */
export function TokenizationStatistics({ loaded, pending, tokenization, tokenizerName, onOpenTokenization }: Props) {
  const titleId = useId();
  const stats = tokenization?.statistics ?? null;

  let body;
  if (!loaded) {
    body = <div className={`${tile} h-24 animate-pulse`} role="status" aria-label="Loading tokenizations" />;
  } else if (tokenization === null || stats === null) {
    body = (
      <div className={`${tile} flex flex-col items-center gap-3 py-8 text-center`} data-testid="tokenization-stats-empty">
        <BarChart3 className="h-8 w-8 text-slate-600" aria-hidden="true" />
        <p className="text-sm text-slate-300">
          {pending > 0
            ? "A tokenization is still being made; its token figures appear here when it is ready."
            : "No finished tokenization yet. Tokenize this dataset to see its token counts, sequence lengths, most frequent tokens and padding."}
        </p>
        <Button variant="secondary" onClick={onOpenTokenization} data-testid="statistics-open-tokenization">
          Open the Tokenization tab
        </Button>
      </div>
    );
  } else {
    const extra = statisticsMetrics(stats, tokenization.settings).filter((m) => !SUMMARY_METRIC_KEYS.has(m.key));
    const top = stats.top_tokens.slice(0, TOP_TOKENS_SHOWN);
    body = (
      <div className="space-y-4">
        <p className="text-sm text-slate-400" data-testid="tokenization-stats-settings">
          <span className="text-slate-200">{tokenizerName}</span> · {settingsSummary(tokenization.settings)}
        </p>
        {extra.length > 0 && <MetricGrid metrics={extra} />}
        <div data-testid="seq-histogram">
          <LengthDistribution stats={stats} />
        </div>
        <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
          <Card title={`Most Frequent Tokens (top ${formatCount(top.length)})`} testId="top-tokens-chart">
            {top.length === 0 ? (
              <p className="text-sm text-slate-500">No tokens were written.</p>
            ) : (
              <Suspense fallback={<ChartFallback height={top.length * 22 + 40} />}>
                <TopTokensChart tokens={top} totalTokens={stats.num_tokens} />
              </Suspense>
            )}
            <p className="mt-2 text-xs text-slate-500">Whitespace is drawn: ␣ space, ↵ newline, ⇥ tab.</p>
          </Card>
          <Card title="Padding & Truncation Efficiency" testId="efficiency-chart">
            <Efficiency tokenization={tokenization} stats={stats} />
          </Card>
        </div>
      </div>
    );
  }

  return (
    <section aria-labelledby={titleId} data-testid="tokenization-stats">
      <h4 id={titleId} className="mb-4 text-lg font-semibold text-slate-100">
        Tokenization Statistics
      </h4>
      {body}
    </section>
  );
}
