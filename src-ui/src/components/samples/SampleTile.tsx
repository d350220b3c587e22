import { useId } from "react";
import { Check, ChevronDown, ChevronUp, Copy } from "lucide-react";
import type { Sample, Value } from "../../bindings";
import { useCopyText } from "../../hooks/useCopyText";
import { formatCount } from "../../lib/format";
import { charCount, chatTurns, highlightPieces, inlineText, orderedFields, type TokenizationChoice } from "../../lib/samples";
import { Button, IconButton } from "../ui/Button";
import { SampleTokens } from "./SampleTokens";

/** JSON longer than this many lines is cut short until the tile is expanded. */
const LONG_JSON_LINES = 8;

function Highlighted({ text, search }: { text: string; search: string }) {
  return (
    <>
      {highlightPieces(text, search).map((p, i) =>
        p.match ? (
          <mark key={i} className="rounded-sm bg-amber-400/30 text-amber-100" data-testid="sample-match">
            {p.text}
          </mark>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}

function JsonBlock({ value, expanded }: { value: Value; expanded: boolean }) {
  const json = JSON.stringify(value, null, 2);
  const lines = json.split("\n");
  const long = lines.length > LONG_JSON_LINES;
  const shown = long && !expanded ? `${lines.slice(0, LONG_JSON_LINES).join("\n")}\n…` : json;
  return (
    <div>
      <pre
        className="max-w-full overflow-x-auto whitespace-pre-wrap break-words rounded bg-slate-900/60 p-2 font-mono text-xs text-slate-300"
        data-testid="sample-json"
      >
        {shown}
      </pre>
      {long && !expanded && (
        <p className="mt-1 text-xs text-slate-500">{formatCount(lines.length - LONG_JSON_LINES)} more lines — expand to see all</p>
      )}
    </div>
  );
}

function ChatView({ turns, expanded }: { turns: { role: string; content: Value }[]; expanded: boolean }) {
  return (
    <ol className="space-y-2" data-testid="sample-chat">
      {turns.map((turn, i) => (
        <li key={i} className="rounded bg-slate-900/50 p-2" data-testid="sample-chat-turn">
          <span className="text-xs font-semibold uppercase tracking-wide text-emerald-400" data-testid="sample-chat-role">
            {turn.role}
          </span>
          <p className={`mt-1 whitespace-pre-wrap break-words text-sm text-slate-300 ${expanded ? "" : "line-clamp-3"}`}>
            {inlineText(turn.content)}
          </p>
        </li>
      ))}
    </ol>
  );
}

function FieldValue({ value, expanded }: { value: Value; expanded: boolean }) {
  const turns = chatTurns(value);
  if (turns) return <ChatView turns={turns} expanded={expanded} />;
  if (typeof value === "object" && value !== null) return <JsonBlock value={value} expanded={expanded} />;
  return (
    <span className={`whitespace-pre-wrap break-words text-slate-300 ${expanded ? "" : "line-clamp-2"}`}>
      {value === null ? <span className="italic text-slate-500">null</span> : inlineText(value)}
    </span>
  );
}

type Props = {
  sample: Sample;
  textColumn: string | null;
  search: string;
  expanded: boolean;
  onToggle: () => void;
  datasetId: string;
  /** The tokenization the token view reads; no Tokens button without one. */
  tokenization: TokenizationChoice | null;
  tokensOpen: boolean;
  onToggleTokens: () => void;
};

/** One row of the Samples tab: the mock's slate-800/30 tile with copy and expand buttons. */
export function SampleTile({
  sample,
  textColumn,
  search,
  expanded,
  onToggle,
  datasetId,
  tokenization,
  tokensOpen,
  onToggleTokens,
}: Props) {
  const tokensId = useId();
  const { copied, copy: copyToClipboard } = useCopyText();
  const fields = orderedFields(sample.fields, textColumn);
  const textEntry = textColumn !== null ? fields.find(([k]) => k === textColumn) : undefined;
  const others = textEntry ? fields.filter(([k]) => k !== textColumn) : fields;
  const text = textEntry ? textEntry[1] : undefined;
  const copyText = text === undefined ? JSON.stringify(sample.fields, null, 2) : inlineText(text);

  const copy = () => copyToClipboard(copyText);

  const label = `Sample #${formatCount(sample.index)} • ${sample.split}`;
  return (
    <article className="rounded-lg bg-slate-800/30 p-4" data-testid="sample-tile" aria-label={label}>
      <div className="flex items-start justify-between gap-2">
        <span className="text-xs text-slate-500" data-testid="sample-label">
          {label}
        </span>
        <div className="-mr-2 -mt-2 flex items-center gap-1">
          {tokenization && (
            <Button
              variant={tokensOpen ? "selected" : "quiet"}
              size="xs"
              onClick={onToggleTokens}
              aria-expanded={tokensOpen}
              aria-controls={tokensOpen ? tokensId : undefined}
              title={`${tokensOpen ? "Hide" : "Show"} this row's tokens with ${tokenization.label}`}
              data-testid="sample-tokens-toggle"
            >
              Tokens
            </Button>
          )}
          <IconButton
            onClick={() => void copy()}
            aria-label={textColumn && text !== undefined ? `Copy ${textColumn}` : "Copy row"}
            title={copied === "ok" ? "Copied" : copied === "failed" ? "Could not copy" : "Copy to clipboard"}
            data-testid="sample-copy"
          >
            {copied === "ok" ? (
              <Check className="h-4 w-4 text-emerald-400" aria-hidden="true" />
            ) : (
              <Copy className="h-4 w-4" aria-hidden="true" />
            )}
          </IconButton>
          <IconButton
            onClick={onToggle}
            aria-expanded={expanded}
            aria-label={expanded ? "Collapse" : "Expand"}
            data-testid="sample-toggle"
          >
            {expanded ? <ChevronUp className="h-4 w-4" aria-hidden="true" /> : <ChevronDown className="h-4 w-4" aria-hidden="true" />}
          </IconButton>
        </div>
      </div>
      <span className="sr-only" role="status">
        {copied === "ok" ? "Copied" : copied === "failed" ? "Could not copy" : ""}
      </span>

      {text !== undefined &&
        (typeof text === "string" ? (
          <p
            className={`mt-1 whitespace-pre-wrap break-words text-sm text-slate-300 ${expanded ? "" : "line-clamp-3"}`}
            data-testid="sample-text"
          >
            <Highlighted text={text} search={search} />
          </p>
        ) : (
          <div className="mt-1 text-sm" data-testid="sample-text">
            <FieldValue value={text} expanded={expanded} />
          </div>
        ))}

      {tokenization && tokensOpen && (
        <SampleTokens
          id={tokensId}
          datasetId={datasetId}
          tokenization={tokenization}
          split={sample.split}
          index={sample.index}
        />
      )}

      {others.length > 0 && (
        <dl className="mt-3 space-y-1.5 text-sm" data-testid="sample-fields">
          {others.map(([name, value]) => {
            const block = typeof value === "object" && value !== null;
            return (
              <div key={name} className={block ? "" : "flex gap-2"} data-testid="sample-field" data-field={name}>
                <dt className="shrink-0 font-mono text-xs leading-5 text-slate-500">{name}</dt>
                <dd className={`min-w-0 ${block ? "mt-1" : ""}`}>
                  <FieldValue value={value} expanded={expanded} />
                </dd>
              </div>
            );
          })}
        </dl>
      )}

      {typeof text === "string" && (
        <p className="mt-2 text-xs text-slate-500" data-testid="sample-length">
          Length: {formatCount(charCount(text))} chars
        </p>
      )}
    </article>
  );
}
