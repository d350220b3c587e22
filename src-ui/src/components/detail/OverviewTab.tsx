import type { ReactNode } from "react";
import type { Dataset } from "../../bindings";
import { useDatasetStorage } from "../../hooks/useDatasetStorage";
import { formatName, sourceName } from "../../lib/dataset";
import { formatBytes, formatCount, formatDateTime, formatLength, formatPercent } from "../../lib/format";
import { shortRevision } from "../../lib/statistics";
import { statusLook } from "../../lib/status";
import { EMPTY_TOKENIZATIONS, useTokenizeStore } from "../../store/tokenize";
import { LinkButton } from "../ui/Button";
import { tile } from "../ui/surfaces";
import { StorageSection } from "./StorageSection";

type Props = {
  dataset: Dataset;
  onOpenTokenization: () => void;
};

function InfoTile({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className={tile} data-testid={testId}>
      <p className="text-sm text-slate-400">{label}</p>
      <div className="mt-1 break-words text-lg font-medium text-slate-100">{children}</div>
    </div>
  );
}

function StatTile({ label, value, caption, color }: { label: string; value: string; caption?: string; color: string }) {
  return (
    <div className={tile}>
      <p className="text-sm text-slate-400">{label}</p>
      <p className={`mt-1 text-2xl font-bold ${color}`}>{value}</p>
      {caption && <p className="text-xs text-slate-500">{caption}</p>}
    </div>
  );
}

function repositoryText(dataset: Dataset): string | null {
  if (!dataset.hf_repo_id) return null;
  const parts = [dataset.hf_repo_id];
  if (dataset.hf_config) parts.push(`config ${dataset.hf_config}`);
  parts.push(dataset.hf_split ? `split ${dataset.hf_split}` : "all splits");
  return parts.join(" · ");
}

/** What the dataset is, from its manifest: source, format, size, splits, columns, dates. */
export function OverviewTab({ dataset, onOpenTokenization }: Props) {
  const tokenizations = useTokenizeStore((s) => s.byDataset[dataset.id] ?? EMPTY_TOKENIZATIONS);
  const tokenizers = useTokenizeStore((s) => s.tokenizers);
  const repository = repositoryText(dataset);
  const totalRows = dataset.splits.reduce((sum, s) => sum + s.num_rows, 0);
  // The most recent finished tokenization gives token figures for the quick stats.
  const latest = tokenizations.items
    .filter((t) => t.status === "ready" && t.statistics !== null)
    .sort((a, b) => b.updated_at - a.updated_at)[0];
  const latestStats = latest?.statistics ?? null;
  const latestTokenizer = latest ? (tokenizers.find((t) => t.id === latest.tokenizer_id)?.name ?? "its tokenizer") : null;
  const count = dataset.tokenization_count;
  const storage = useDatasetStorage(dataset.id, dataset.updated_at);
  const revision = storage.storage?.hub_revision ?? null;

  return (
    <div className="space-y-6" data-testid="overview-tab">
      <section>
        <h3 className="mb-4 text-lg font-semibold text-slate-100">Dataset Information</h3>
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          <InfoTile label="Source" testId="overview-source">
            {sourceName(dataset.source)}
          </InfoTile>
          <InfoTile label="Repository" testId="overview-repository">
            {repository ?? <span className="text-slate-500">—</span>}
            {revision && (
              <p className="mt-1 text-sm font-normal text-slate-400">
                revision{" "}
                <code className="font-mono text-slate-300" title={revision} data-testid="overview-revision">
                  {shortRevision(revision)}
                </code>
              </p>
            )}
          </InfoTile>
          <InfoTile label="Format" testId="overview-format">
            {formatName(dataset.format)}
          </InfoTile>
          <InfoTile label="Status" testId="overview-status">
            {statusLook(dataset.status).label}
          </InfoTile>
          <InfoTile label="Size on disk" testId="overview-size">
            {dataset.size_bytes !== null ? formatBytes(dataset.size_bytes) : <span className="text-slate-500">—</span>}
          </InfoTile>
          <InfoTile label="Samples" testId="overview-samples">
            {dataset.num_samples !== null ? formatCount(dataset.num_samples) : <span className="text-slate-500">—</span>}
          </InfoTile>
          <InfoTile label="Added" testId="overview-created">
            {formatDateTime(dataset.created_at)}
          </InfoTile>
          <InfoTile label="Updated" testId="overview-updated">
            {formatDateTime(dataset.updated_at)}
          </InfoTile>
        </div>
      </section>

      {dataset.description && (
        <section>
          <h3 className="mb-4 text-lg font-semibold text-slate-100">Description</h3>
          <div className={tile}>
            <p className="whitespace-pre-line text-slate-300" data-testid="overview-description">
              {dataset.description}
            </p>
          </div>
        </section>
      )}

      <section>
        <h3 className="mb-4 text-lg font-semibold text-slate-100">Splits</h3>
        {dataset.splits.length === 0 ? (
          <p className="text-sm text-slate-500">No split information.</p>
        ) : (
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="overview-splits">
            {dataset.splits.map((s) => (
              <div key={s.name} className={tile} data-testid="overview-split">
                <p className="text-sm text-slate-400">{s.name}</p>
                <p className="mt-1 text-2xl font-bold text-emerald-400">{formatCount(s.num_rows)}</p>
                <p className="text-xs text-slate-500">
                  rows{totalRows > 0 ? ` · ${formatPercent(s.num_rows / totalRows)} of total` : ""}
                </p>
              </div>
            ))}
          </div>
        )}
      </section>

      <section>
        <h3 className="mb-4 text-lg font-semibold text-slate-100">Columns</h3>
        {dataset.columns.length === 0 ? (
          <p className="text-sm text-slate-500">No column information.</p>
        ) : (
          <div className={`${tile} p-0`}>
            <table className="w-full text-left text-sm" data-testid="overview-columns">
              <thead className="text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Column
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    Type
                  </th>
                  <th scope="col" className="px-4 py-2 font-medium">
                    <span className="sr-only">Role</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {dataset.columns.map((c) => (
                  <tr key={c.name} className="border-t border-slate-800" data-testid="overview-column">
                    <td className="px-4 py-2 font-mono text-slate-200">{c.name}</td>
                    <td className="px-4 py-2 font-mono text-slate-400">{c.data_type}</td>
                    <td className="px-4 py-2 text-right">
                      {c.name === dataset.text_column && (
                        <span className="rounded border border-emerald-500/30 bg-emerald-500/10 px-2 py-0.5 text-xs text-emerald-400">
                          text column
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <StorageSection datasetId={dataset.id} {...storage} />

      <section>
        <h3 className="mb-4 text-lg font-semibold text-slate-100">Quick Stats</h3>
        <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
          <StatTile
            label="Total Samples"
            value={dataset.num_samples !== null ? formatCount(dataset.num_samples) : "—"}
            caption={`${dataset.splits.length} ${dataset.splits.length === 1 ? "split" : "splits"}`}
            color="text-emerald-400"
          />
          <StatTile
            label="Avg Length"
            value={latestStats && latestStats.sample_len.mean !== null ? formatLength(latestStats.sample_len.mean) : "—"}
            caption={latestStats ? `tokens per sample (${latestTokenizer})` : "tokenize to measure"}
            color="text-blue-400"
          />
          <div className={tile} data-testid="overview-tokenizations">
            <p className="text-sm text-slate-400">Tokenizations</p>
            <p className="mt-1 text-2xl font-bold text-purple-400">{formatCount(count)}</p>
            <LinkButton onClick={onOpenTokenization}>
              {count === 0 ? "Tokenize this dataset" : "Open the Tokenization tab"}
            </LinkButton>
          </div>
        </div>
      </section>
    </div>
  );
}
