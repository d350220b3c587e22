import { useEffect, useId, useMemo, useState } from "react";
import type { Dataset, Statistics, Tokenization } from "../../bindings";
import { formatCount, formatLength, formatPercent } from "../../lib/format";
import { tokenizationLabels, tokenizerName } from "../../lib/tokenizationLabels";
import { EMPTY_TOKENIZATIONS, useTokenizeStore } from "../../store/tokenize";
import { Label } from "../ui/Field";
import { SelectBox } from "../ui/Input";
import { tile } from "../ui/surfaces";
import { SplitDistribution } from "./SplitDistribution";
import { TextLengths } from "./TextLengths";
import { TokenizationStatistics } from "./TokenizationStatistics";

type Props = {
  dataset: Dataset;
  onOpenTokenization: () => void;
};

type Tile = { key: string; label: string; value: string; caption?: string; color?: string };

function summaryTiles(dataset: Dataset, tokenization: Tokenization | null, stats: Statistics | null, tokenizer: string | null): Tile[] {
  const rows = dataset.splits.length > 0 ? dataset.splits.reduce((sum, s) => sum + s.num_rows, 0) : dataset.num_samples;
  const tiles: Tile[] = [
    { key: "rows", label: "Total Rows", value: rows !== null ? formatCount(rows) : "—", caption: "in the source data", color: "text-emerald-400" },
    {
      key: "splits",
      label: "Splits",
      value: formatCount(dataset.splits.length),
      caption: dataset.splits.map((s) => s.name).join(", ") || undefined,
    },
  ];
  if (!tokenization || !stats) {
    tiles.push({
      key: "column",
      label: "Text Column",
      value: dataset.text_column ?? "—",
      caption: dataset.text_column ? undefined : "none detected",
    });
    return tiles;
  }
  const len = stats.seq_len;
  tiles.push(
    { key: "tokens", label: "Total Tokens", value: formatCount(stats.num_tokens), caption: `${tokenizer} · padding excluded`, color: "text-blue-400" },
    {
      key: "unique",
      label: "Unique Tokens",
      value: formatCount(stats.unique_tokens),
      caption:
        stats.vocab_size > 0
          ? `of a ${formatCount(stats.vocab_size)} vocabulary (${formatPercent(stats.unique_tokens / stats.vocab_size)})`
          : undefined,
      color: "text-yellow-400",
    },
    { key: "mean", label: "Mean Length", value: len.mean !== null ? formatLength(len.mean) : "—", caption: "tokens per row", color: "text-purple-400" },
    { key: "median", label: "Median Length", value: formatCount(len.median), caption: "tokens" },
    { key: "p90", label: "p90 Length", value: formatCount(len.p90), caption: "tokens" },
    { key: "p99", label: "p99 Length", value: formatCount(len.p99), caption: "tokens" },
  );
  // Packed rows are cut from a stream, so no sample is truncated; what packing loses is counted below.
  if (tokenization.settings.packing === null) {
    tiles.push({
      key: "truncated",
      label: "Truncated",
      value: formatCount(stats.truncated),
      caption: stats.num_samples > 0 ? `${formatPercent(stats.truncated / stats.num_samples)} of ${formatCount(stats.num_samples)} samples` : "samples",
      color: stats.truncated > 0 ? "text-orange-300" : undefined,
    });
  }
  tiles.push({
    key: "padding",
    label: "Padding Overhead",
    value: stats.padding_overhead !== null ? formatPercent(stats.padding_overhead) : "—",
    caption: `${formatCount(stats.num_padding_tokens)} padding tokens`,
  });
  return tiles;
}

/**
 * The Statistics tab: the dataset's headline figures, raw text lengths per split, rows per split,
 * and the figures of one of its finished tokenizations.
 */
export function StatisticsTab({ dataset, onOpenTokenization }: Props) {
  const selectId = useId();
  const entry = useTokenizeStore((s) => s.byDataset[dataset.id] ?? EMPTY_TOKENIZATIONS);
  const tokenizers = useTokenizeStore((s) => s.tokenizers);
  const [chosenId, setChosenId] = useState<string | null>(null);

  // The Tokenization tab loads these too; asking here keeps this tab right on its own.
  useEffect(() => {
    const store = useTokenizeStore.getState();
    if (!store.byDataset[dataset.id]) void store.loadTokenizations(dataset.id);
    if (!store.tokenizersLoaded) void store.loadTokenizers();
  }, [dataset.id]);

  // Newest first, so the default is the one made last.
  const ready = useMemo(
    () =>
      entry.items
        .filter((t) => t.status === "ready" && t.statistics !== null)
        .sort((a, b) => b.updated_at - a.updated_at),
    [entry.items],
  );
  const pending = entry.items.filter((t) => t.status === "queued" || t.status === "processing").length;
  // A tokenization deleted since it was chosen falls back to the newest.
  const chosen = ready.find((t) => t.id === chosenId) ?? ready[0] ?? null;
  const stats = chosen?.statistics ?? null;
  // Two tokenizations of one tokenizer are told apart by their settings.
  const labels = tokenizationLabels(ready, tokenizers);
  const tokenizer = chosen ? tokenizerName(chosen.tokenizer_id, tokenizers) : null;
  const tiles = summaryTiles(dataset, chosen, stats, tokenizer);

  return (
    <div className="space-y-6" data-testid="statistics-tab">
      {ready.length > 0 && (
        <div className="flex flex-wrap items-center gap-3">
          <Label htmlFor={selectId} size="inline">
            Token figures from
          </Label>
          <SelectBox
            id={selectId}
            value={chosen?.id ?? ""}
            onChange={(e) => setChosenId(e.target.value)}
            data-testid="tokenization-stats-select"
            className="w-80"
          >
            {ready.map((t) => (
              <option key={t.id} value={t.id}>
                {labels.get(t.id) ?? t.id}
              </option>
            ))}
          </SelectBox>
        </div>
      )}

      <div className="grid grid-cols-2 gap-4 md:grid-cols-4" data-testid="statistics-summary">
        {tiles.map((t) => (
          <div key={t.key} className={tile} data-testid={`summary-${t.key}`}>
            <p className="text-sm text-slate-400">{t.label}</p>
            <p className={`mt-1 truncate text-2xl font-bold tabular-nums ${t.color ?? "text-slate-100"}`} data-testid="summary-value">
              {t.value}
            </p>
            {t.caption && (
              <p className="truncate text-xs text-slate-500" title={t.caption}>
                {t.caption}
              </p>
            )}
          </div>
        ))}
      </div>

      <TextLengths dataset={dataset} />

      <SplitDistribution dataset={dataset} stats={stats} />

      <TokenizationStatistics
        loaded={entry.loaded}
        pending={pending}
        tokenization={chosen}
        tokenizerName={tokenizer}
        onOpenTokenization={onOpenTokenization}
      />
    </div>
  );
}
