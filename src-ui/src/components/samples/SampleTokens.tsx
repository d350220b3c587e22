import { useEffect, useState } from "react";
import { commands, type AppError, type TokenizePreview } from "../../bindings";
import { call } from "../../lib/api";
import { formatCount } from "../../lib/format";
import type { TokenizationChoice } from "../../lib/samples";
import { useLatestRequest } from "../../hooks/useLatestRequest";
import { ErrorBox } from "../ui/ErrorBox";
import { Loading } from "../ui/Loading";
import { PreviewRows } from "../tokenize/TokenChips";

type Props = {
  id: string;
  datasetId: string;
  tokenization: TokenizationChoice;
  split: string;
  index: number;
};

type Answer = { state: "ok"; preview: TokenizePreview } | { state: "error"; error: AppError };

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** What the chips leave out or change compared with the row's text. */
function notes(preview: TokenizePreview, packed: boolean): string[] {
  const out: string[] = [];
  if (packed) {
    out.push("Packed tokenization: the whole row as one document, before it is cut into context windows.");
    const shown = preview.rows[0]?.tokens.length ?? 0;
    if (shown < preview.num_tokens) out.push(`Showing the first ${formatCount(shown)} tokens.`);
    return out;
  }
  if (preview.truncated) {
    out.push(`Truncated: the tokenization keeps ${plural(preview.num_tokens, "token", "tokens")} of this row.`);
  }
  if (preview.total_rows > 1) {
    out.push(`Overflows into ${formatCount(preview.total_rows)} rows; rows after the first are marked overflow.`);
  }
  if (preview.rows.length < preview.total_rows) {
    out.push(`Showing the first ${formatCount(preview.rows.length)} rows.`);
  }
  return out;
}

/** One sample's text as the chosen tokenization encodes it, fetched when shown. */
export function SampleTokens({ id, datasetId, tokenization, split, index }: Props) {
  const [attempt, setAttempt] = useState(0);
  // The answer and the request it answers: loading while that is not the current request.
  const [answer, setAnswer] = useState<{ key: string; value: Answer } | null>(null);
  // Only the answer for the current tokenization (and attempt) may land.
  const tokensRequest = useLatestRequest();
  const tokenizationId = tokenization.id;
  const key = JSON.stringify([datasetId, tokenizationId, split, index, attempt]);

  useEffect(() => {
    const land = (value: Answer) => setAnswer({ key, value });
    void tokensRequest.run(
      call(commands.rowTokens({ dataset_id: datasetId, tokenization_id: tokenizationId, split, index })),
      (preview) => land({ state: "ok", preview }),
      (error) => land({ state: "error", error }),
    );
  }, [key, datasetId, tokenizationId, split, index, tokensRequest]);

  const result = answer?.key === key ? answer.value : { state: "loading" as const };

  return (
    <section
      id={id}
      className="mt-3 rounded bg-slate-900/50 p-3"
      aria-label={`Tokens with ${tokenization.label}`}
      aria-busy={result.state === "loading"}
      data-testid="sample-tokens"
    >
      {result.state === "loading" ? (
        <Loading testId="sample-tokens-loading">Tokenizing…</Loading>
      ) : result.state === "error" ? (
        <ErrorBox
          title="Could not tokenize this row"
          error={result.error}
          onRetry={() => setAttempt((a) => a + 1)}
        />
      ) : (
        <>
          <p className="mb-2 text-xs text-slate-400">
            <span className="font-medium text-slate-200" data-testid="sample-tokens-count">
              {plural(result.preview.text_tokens, "token", "tokens")}
            </span>
            <span className="text-slate-500"> · {tokenization.label}</span>
          </p>
          {notes(result.preview, tokenization.packed).map((note) => (
            <p key={note} className="mb-2 text-xs text-yellow-400/90" data-testid="sample-tokens-note">
              {note}
            </p>
          ))}
          <PreviewRows preview={result.preview} packed={false} />
        </>
      )}
    </section>
  );
}
