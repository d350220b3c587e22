import type { PreviewToken, TokenizePreview } from "../../bindings";
import { visiblePiece } from "../../lib/tokenize";

function tokenTitle(token: PreviewToken): string {
  const kind = token.padding ? " · padding" : token.special ? " · special" : "";
  return `Token ID: ${token.id}${kind} · ${JSON.stringify(token.piece)}`;
}

/** One token: its text with whitespace made visible, the id in the tooltip. */
export function TokenChip({ token }: { token: PreviewToken }) {
  const look = token.padding
    ? "border-slate-700 bg-slate-800/60 text-slate-500 opacity-60"
    : token.special
      ? "border-emerald-500 bg-emerald-500/10 text-emerald-300"
      : "border-transparent bg-slate-700 text-slate-100";
  return (
    <span
      title={tokenTitle(token)}
      data-testid="token-chip"
      data-token-id={token.id}
      data-special={token.special || undefined}
      data-padding={token.padding || undefined}
      className={`inline-block whitespace-pre rounded border px-1.5 py-0.5 font-mono text-sm ${look}`}
    >
      {visiblePiece(token.piece)}
    </span>
  );
}

/** The rows of a preview, each a wrapping line of chips, overflow rows labelled. */
export function PreviewRows({ preview, packed }: { preview: TokenizePreview; packed: boolean }) {
  if (preview.rows.length === 0) {
    return (
      <p className="text-sm text-slate-500" data-testid="preview-empty">
        {packed
          ? "Not enough tokens for a full row yet: packed rows hold exactly the context size."
          : "No tokens."}
      </p>
    );
  }
  const many = preview.rows.length > 1;
  return (
    <ol className="space-y-3" data-testid="preview-rows">
      {preview.rows.map((row, i) => (
        <li key={i} data-testid="preview-row" data-overflow={row.overflow || undefined}>
          {(many || row.overflow) && (
            <p className="mb-1 text-xs text-slate-500">
              Row {i + 1}
              {row.overflow && <span className="ml-1 text-yellow-400/90">· overflow</span>}
              <span className="ml-1">· {row.tokens.filter((t) => !t.padding).length} tokens</span>
            </p>
          )}
          <div className="flex flex-wrap gap-1">
            {row.tokens.map((token, j) => (
              <TokenChip key={j} token={token} />
            ))}
          </div>
        </li>
      ))}
    </ol>
  );
}
