import type { LengthSummary, Statistics, TokenizeSettings } from "../bindings";
import { formatCount, formatLength, formatPercent } from "./format";

export type Metric = { key: string; label: string; value: string; caption?: string; color?: string };

function share(part: number, whole: number): string | undefined {
  return whole > 0 ? `${formatPercent(part / whole)} of ${formatCount(whole)}` : undefined;
}

/** The tiles: always the main figures, the counts of what was cut or left out only when non-zero. */
export function statisticsMetrics(stats: Statistics, settings: TokenizeSettings): Metric[] {
  const packed = settings.packing !== null;
  const len = stats.seq_len;
  const metrics: Metric[] = [
    { key: "tokens", label: "Tokens", value: formatCount(stats.num_tokens), caption: "padding excluded", color: "text-blue-400" },
    {
      key: "rows",
      label: "Rows",
      value: formatCount(stats.num_rows),
      caption: `from ${formatCount(stats.num_samples)} samples`,
      color: "text-emerald-400",
    },
    {
      key: "mean",
      label: "Mean Length",
      value: len.mean !== null ? formatLength(len.mean) : "—",
      caption: `tokens per row · min ${formatCount(len.min)} · max ${formatCount(len.max)}`,
      color: "text-purple-400",
    },
    {
      key: "unique",
      label: "Unique Tokens",
      value: formatCount(stats.unique_tokens),
      caption: stats.vocab_size > 0 ? `${formatPercent(stats.unique_tokens / stats.vocab_size)} of a ${formatCount(stats.vocab_size)} vocabulary` : undefined,
      color: "text-yellow-400",
    },
    { key: "median", label: "Median Length", value: formatCount(len.median), caption: "tokens" },
    { key: "p90", label: "p90 Length", value: formatCount(len.p90), caption: "tokens" },
    { key: "p99", label: "p99 Length", value: formatCount(len.p99), caption: "tokens" },
  ];
  if (!packed) {
    metrics.push({ key: "truncated", label: "Truncated", value: formatCount(stats.truncated), caption: share(stats.truncated, stats.num_samples) ?? "samples" });
  }
  if (stats.padding_overhead !== null && (settings.padding === "max_length" || stats.num_padding_tokens > 0)) {
    metrics.push({
      key: "padding",
      label: "Padding Overhead",
      value: formatPercent(stats.padding_overhead),
      caption: `${formatCount(stats.num_padding_tokens)} padding tokens`,
    });
  }
  const optional: [string, string, number, string][] = [
    ["overflow", "Overflow Rows", stats.overflow_rows, "rows beyond each sample's first"],
    ["dropped", "Dropped Tokens", stats.dropped_tokens, "the incomplete last row of each split"],
    ["filtered_short", "Filtered (Short)", stats.filtered_short, `samples under ${formatCount(settings.min_tokens ?? 0)} tokens`],
    ["filtered_long", "Filtered (Long)", stats.filtered_long, `samples over ${formatCount(settings.max_tokens ?? 0)} tokens`],
    ["null", "Empty Samples", stats.null_samples, "null text, written as empty"],
    ["unknown", "Unknown Tokens", stats.unknown_tokens, "mapped to the unknown token"],
  ];
  for (const [key, label, count, caption] of optional) {
    if (count > 0) metrics.push({ key, label, value: formatCount(count), caption, color: "text-orange-300" });
  }
  return metrics;
}


/** "Min: 3 • Median: 487 • p90: 505 • p99: 512 • Max: 512 tokens • Mean: 486.6". */
export function lengthSummaryText(summary: LengthSummary): string {
  const text = `Min: ${formatCount(summary.min)} • Median: ${formatCount(summary.median)} • p90: ${formatCount(
    summary.p90,
  )} • p99: ${formatCount(summary.p99)} • Max: ${formatCount(summary.max)} tokens`;
  return summary.mean !== null ? `${text} • Mean: ${formatLength(summary.mean)}` : text;
}
