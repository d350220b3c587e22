import type { useDatasetStorage } from "../../hooks/useDatasetStorage";
import { formatBytes, formatPercent } from "../../lib/format";
import { storageParts } from "../../lib/statistics";
import { tokenizationLabels, tokenizerName } from "../../lib/tokenizationLabels";
import { EMPTY_TOKENIZATIONS, useTokenizeStore } from "../../store/tokenize";
import { ErrorBox } from "../ui/ErrorBox";
import { tile } from "../ui/surfaces";

/** Download cache, canonical data, tokenizations and the rest, as one bar with its parts. */
type Props = ReturnType<typeof useDatasetStorage> & { datasetId: string };

export function StorageSection({ datasetId, storage, error, reload }: Props) {
  const tokenizers = useTokenizeStore((s) => s.tokenizers);
  // The tokenizations the other tabs loaded tell two of one tokenizer apart by their settings.
  const tokenizations = useTokenizeStore((s) => s.byDataset[datasetId] ?? EMPTY_TOKENIZATIONS).items;

  let body;
  if (storage === null) {
    body = error ? (
      <ErrorBox title="Could not measure the storage" error={error} onRetry={() => void reload()} />
    ) : (
      <div className={`${tile} h-24 animate-pulse`} role="status" aria-label="Measuring storage" />
    );
  } else {
    const labels = tokenizationLabels(tokenizations, tokenizers);
    const parts = storageParts(
      storage,
      (t) => labels.get(t.tokenization_id) ?? tokenizerName(t.tokenizer_id, tokenizers),
    );
    const total = parts.reduce((sum, p) => sum + p.bytes, 0);
    body = (
      <div className={`${tile} space-y-4`}>
        <div className="flex items-baseline justify-between gap-4">
          <p className="text-sm text-slate-400">Total on disk</p>
          <p className="text-2xl font-bold text-slate-100" data-testid="storage-total">
            {formatBytes(total)}
          </p>
        </div>
        {total > 0 && (
          // The legend below carries the figures; the bar only shows proportions.
          <div className="flex h-3 w-full overflow-hidden rounded-full bg-slate-800" aria-hidden="true">
            {parts
              .filter((p) => p.bytes > 0)
              .map((p) => (
                <div key={p.key} className={`${p.color} h-full`} style={{ width: `${(p.bytes / total) * 100}%` }} />
              ))}
          </div>
        )}
        <ul className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
          {parts.map((p) => (
            <li key={p.key} className="flex items-center gap-2" data-testid={p.testId}>
              <span className={`h-2.5 w-2.5 shrink-0 rounded-sm ${p.color}`} aria-hidden="true" />
              <span className="min-w-0 flex-1 truncate text-slate-300" title={p.label}>
                {p.label}
              </span>
              <span className="shrink-0 tabular-nums text-slate-100">{formatBytes(p.bytes)}</span>
              <span className="w-12 shrink-0 text-right text-xs tabular-nums text-slate-500">
                {total > 0 ? formatPercent(p.bytes / total, 0) : ""}
              </span>
            </li>
          ))}
        </ul>
        {storage.raw_cache_bytes !== null && (
          <p className="text-xs text-slate-500">
            The download cache holds the source files as fetched from the Hub; deleting the dataset with its Hub files
            frees it.
          </p>
        )}
      </div>
    );
  }

  return (
    <section data-testid="overview-storage" aria-busy={storage === null && error === null}>
      <h3 className="mb-4 text-lg font-semibold text-slate-100">Storage</h3>
      {body}
      {storage !== null && error && (
        <p className="mt-2 text-xs text-red-400" role="alert">
          Could not refresh: {error.message}
        </p>
      )}
    </section>
  );
}
