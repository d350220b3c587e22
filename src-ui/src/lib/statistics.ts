import type { DatasetStorage, LengthSummary, Statistics, TokenizationStorage, TokenizeSettings } from "../bindings";
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
export function lengthSummaryText(summary: LengthSummary, measure = "tokens"): string {
  const text = `Min: ${formatCount(summary.min)} • Median: ${formatCount(summary.median)} • p90: ${formatCount(
    summary.p90,
  )} • p99: ${formatCount(summary.p99)} • Max: ${formatCount(summary.max)} ${measure}`;
  return summary.mean !== null ? `${text} • Mean: ${formatLength(summary.mean)}` : text;
}

/** One coloured part of an efficiency bar. */
export type EfficiencyPart = { key: string; label: string; count: number; color: string };
/** A 100% bar: what share of a whole was kept and what was lost, and to what. */
export type EfficiencyRow = { key: string; label: string; unit: string; parts: EfficiencyPart[] };

const KEPT = "#10b981"; // emerald-500
const PADDING = "#64748b"; // slate-500
const TRUNCATED = "#fb923c"; // orange-400
const FILTERED = "#f87171"; // red-400

/**
 * Where a tokenization's capacity went: real tokens against padding in the written ids, intact
 * samples against truncated or filtered ones, and (packed) tokens kept against those dropped at
 * each split's end. Rows whose whole is zero are left out; zero parts are kept so the legend
 * still says "0".
 */
export function efficiencyRows(stats: Statistics, settings: TokenizeSettings): EfficiencyRow[] {
  const rows: EfficiencyRow[] = [
    {
      key: "ids",
      label: "Written ids",
      unit: "ids",
      parts: [
        { key: "real", label: "Real tokens", count: stats.num_tokens, color: KEPT },
        { key: "padding", label: "Padding", count: stats.num_padding_tokens, color: PADDING },
      ],
    },
  ];
  const filtered = stats.filtered_short + stats.filtered_long;
  // Filtered samples are counted in num_samples; truncation is counted only among those kept.
  const intact = Math.max(0, stats.num_samples - filtered - stats.truncated);
  const samples: EfficiencyPart[] = [{ key: "intact", label: "Intact samples", count: intact, color: KEPT }];
  if (settings.packing === null) samples.push({ key: "truncated", label: "Truncated", count: stats.truncated, color: TRUNCATED });
  if (filtered > 0) samples.push({ key: "filtered", label: "Filtered out", count: filtered, color: FILTERED });
  rows.push({ key: "samples", label: "Source samples", unit: "samples", parts: samples });
  if (settings.packing !== null || stats.dropped_tokens > 0) {
    rows.push({
      key: "packing",
      label: "Packed tokens",
      unit: "tokens",
      parts: [
        { key: "kept", label: "Kept", count: stats.num_tokens, color: KEPT },
        { key: "dropped", label: "Dropped by packing", count: stats.dropped_tokens, color: TRUNCATED },
      ],
    });
  }
  return rows.filter((r) => r.parts.reduce((sum, p) => sum + p.count, 0) > 0);
}

/** One labelled part of the storage bar. */
export type StoragePart = { key: string; label: string; bytes: number; color: string; testId: string };

/**
 * The dataset's bytes on disk by what they are, in the bar's order: the Hub download cache (Hub
 * datasets only), the canonical data, each tokenization (named by its tokenizer), the rest.
 */
export function storageParts(storage: DatasetStorage, label: (t: TokenizationStorage) => string): StoragePart[] {
  const parts: StoragePart[] = [];
  if (storage.raw_cache_bytes !== null) {
    parts.push({ key: "raw", label: "Download cache", bytes: storage.raw_cache_bytes, color: "bg-sky-500", testId: "storage-raw" });
  }
  parts.push({ key: "canonical", label: "Canonical data", bytes: storage.canonical_bytes, color: "bg-emerald-500", testId: "storage-canonical" });
  const tokColors = ["bg-purple-500", "bg-yellow-400", "bg-pink-500", "bg-orange-400"];
  storage.tokenizations.forEach((t, i) => {
    parts.push({
      key: `tok-${t.tokenization_id}`,
      label: `Tokenization: ${label(t)}`,
      bytes: t.bytes,
      color: tokColors[i % tokColors.length] ?? "bg-purple-500",
      testId: "storage-tokenization",
    });
  });
  parts.push({ key: "other", label: "Other", bytes: storage.other_bytes, color: "bg-slate-500", testId: "storage-other" });
  return parts;
}

/** A commit sha as people read it: its first 12 characters. */
export function shortRevision(sha: string): string {
  return sha.slice(0, 12);
}
