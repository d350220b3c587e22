import { useId } from "react";
import type { Dataset, Statistics } from "../../bindings";
import { formatCount, formatPercent } from "../../lib/format";
import { tile } from "../ui/surfaces";

// The mock's split colours (emerald, blue, purple), then more for datasets with more splits.
const COLORS = [
  { text: "text-emerald-400", bg: "bg-emerald-500" },
  { text: "text-blue-400", bg: "bg-blue-500" },
  { text: "text-purple-400", bg: "bg-purple-500" },
  { text: "text-yellow-400", bg: "bg-yellow-400" },
  { text: "text-pink-400", bg: "bg-pink-500" },
  { text: "text-orange-300", bg: "bg-orange-400" },
] as const;

function color(i: number) {
  return COLORS[i % COLORS.length] ?? COLORS[0];
}

function ProportionBar({ label, parts }: { label: string; parts: { key: string; value: number; bg: string }[] }) {
  const total = parts.reduce((sum, p) => sum + p.value, 0);
  return (
    <div className="flex items-center gap-3">
      <span className="w-14 shrink-0 text-xs text-slate-400">{label}</span>
      {/* The tiles below carry the figures; the bar only shows proportions. */}
      <div className="flex h-3 flex-1 overflow-hidden rounded-full bg-slate-800" aria-hidden="true">
        {total > 0 &&
          parts
            .filter((p) => p.value > 0)
            .map((p) => <div key={p.key} className={`${p.bg} h-full`} style={{ width: `${(p.value / total) * 100}%` }} />)}
      </div>
    </div>
  );
}

type Props = {
  dataset: Dataset;
  /** The chosen tokenization's figures, for tokens per split. */
  stats: Statistics | null;
};

/** Rows per split (and tokens per split of the chosen tokenization) with their shares. */
export function SplitDistribution({ dataset, stats }: Props) {
  const titleId = useId();
  const totalRows = dataset.splits.reduce((sum, s) => sum + s.num_rows, 0);
  const tokensOf = (name: string) => stats?.splits.find((s) => s.name === name)?.num_tokens ?? null;
  const totalTokens = stats ? stats.splits.reduce((sum, s) => sum + s.num_tokens, 0) : 0;

  return (
    <section className="rounded-lg border border-slate-800 p-6" aria-labelledby={titleId} data-testid="split-distribution">
      <h4 id={titleId} className="mb-4 text-base font-semibold text-slate-100">
        Split Distribution
      </h4>
      {dataset.splits.length === 0 ? (
        <p className="text-sm text-slate-500">No split information.</p>
      ) : (
        <>
          <div className="mb-4 space-y-2">
            <ProportionBar
              label="Rows"
              parts={dataset.splits.map((s, i) => ({ key: s.name, value: s.num_rows, bg: color(i).bg }))}
            />
            {stats && (
              <ProportionBar
                label="Tokens"
                parts={dataset.splits.map((s, i) => ({ key: s.name, value: tokensOf(s.name) ?? 0, bg: color(i).bg }))}
              />
            )}
          </div>
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {dataset.splits.map((s, i) => {
              const tokens = tokensOf(s.name);
              return (
                <div key={s.name} className={tile} data-testid="split-tile">
                  <p className="flex items-center gap-2 text-sm text-slate-400">
                    <span className={`h-2.5 w-2.5 rounded-sm ${color(i).bg}`} aria-hidden="true" />
                    {s.name}
                  </p>
                  <p className={`mt-1 text-2xl font-bold tabular-nums ${color(i).text}`} data-testid="split-rows">
                    {formatCount(s.num_rows)}
                  </p>
                  <p className="text-xs text-slate-500">
                    rows{totalRows > 0 ? ` · ${formatPercent(s.num_rows / totalRows)} of total` : ""}
                  </p>
                  {stats && (
                    <p className="mt-1 text-xs text-slate-400" data-testid="split-tokens">
                      {tokens === null
                        ? "not in this tokenization"
                        : `${formatCount(tokens)} tokens${totalTokens > 0 ? ` · ${formatPercent(tokens / totalTokens)}` : ""}`}
                    </p>
                  )}
                </div>
              );
            })}
          </div>
        </>
      )}
    </section>
  );
}
