import type { Dataset } from "../../bindings";
import { tokenizationLabels } from "../../lib/tokenizationLabels";
import { useJobsStore } from "../../store/jobs";
import { EMPTY_TOKENIZATIONS, tokenizeJobFor, useTokenizeStore } from "../../store/tokenize";
import { ErrorBox } from "../ui/ErrorBox";
import { Loading } from "../ui/Loading";
import { sectionTitle } from "../ui/surfaces";
import { TokenizationItem } from "./TokenizationItem";

/**
 * The dataset's tokenizations, newest first, kept current from events. Several may share a
 * tokenizer (other settings); each item's summary line, seed included, tells them apart.
 */
export function TokenizationList({ dataset }: { dataset: Dataset }) {
  const entry = useTokenizeStore((s) => s.byDataset[dataset.id] ?? EMPTY_TOKENIZATIONS);
  const tokenizers = useTokenizeStore((s) => s.tokenizers);
  const jobs = useJobsStore((s) => s.jobs);
  const items = [...entry.items].sort((a, b) => b.created_at - a.created_at);
  const labels = tokenizationLabels(items, tokenizers);

  return (
    <section aria-labelledby="tokenizations-title" data-testid="tokenization-list">
      <h3 id="tokenizations-title" className={sectionTitle}>
        Tokenizations{entry.loaded ? ` (${items.length})` : ""}
      </h3>
      {entry.error && (
        <ErrorBox
          className="mb-3"
          title="Could not load the tokenizations"
          error={entry.error}
          onRetry={() => void useTokenizeStore.getState().loadTokenizations(dataset.id)}
        />
      )}
      {!entry.loaded ? (
        <Loading>Loading tokenizations…</Loading>
      ) : items.length === 0 ? (
        !entry.error && (
          <p className="text-sm text-slate-500" data-testid="tokenizations-empty">
            This dataset has not been tokenized yet.
          </p>
        )
      ) : (
        <div className="space-y-3">
          {items.map((tz) => (
            <TokenizationItem
              key={tz.id}
              dataset={dataset}
              tokenization={tz}
              tokenizer={tokenizers.find((t) => t.id === tz.tokenizer_id) ?? null}
              label={labels.get(tz.id) ?? tz.tokenizer_id}
              job={tokenizeJobFor(jobs, tz.id)}
            />
          ))}
        </div>
      )}
    </section>
  );
}
