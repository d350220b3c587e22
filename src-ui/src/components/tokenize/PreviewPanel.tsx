import { useEffect, useEffectEvent, useId, useState } from "react";
import { commands, type AppError, type Tokenizer, type TokenizePreview, type TokenizeSettings } from "../../bindings";
import { call } from "../../lib/api";
import { formatCount } from "../../lib/format";
import { useLatestRequest } from "../../hooks/useLatestRequest";
import { Field } from "../ui/Field";
import { InlineError } from "../ui/InlineError";
import { TextArea } from "../ui/Input";
import { Loading } from "../ui/Loading";
import { sectionTitle, tile } from "../ui/surfaces";
import { PreviewRows } from "./TokenChips";

/** Wait this long after the last keystroke or change before asking for a preview. */
export const PREVIEW_DEBOUNCE_MS = 250;

type Props = {
  tokenizer: Tokenizer | null;
  /** The current settings, or null while the form has errors. */
  settings: TokenizeSettings | null;
  /** Changes whenever the settings change in a way that changes the preview. */
  settingsKey: string | null;
};

type State =
  | { state: "idle" }
  | { state: "loading"; last: TokenizePreview | null }
  | { state: "ok"; preview: TokenizePreview }
  | { state: "error"; error: AppError };

function PreviewFooter({ preview }: { preview: TokenizePreview }) {
  const parts = [
    `${formatCount(preview.num_tokens)} ${preview.num_tokens === 1 ? "token" : "tokens"}`,
    `${formatCount(preview.total_rows)} ${preview.total_rows === 1 ? "row" : "rows"}`,
  ];
  if (preview.truncated) parts.push(`truncated (the text is ${formatCount(preview.text_tokens)} tokens)`);
  if (preview.remainder_tokens > 0) {
    parts.push(`${formatCount(preview.remainder_tokens)} tokens left over (dropped at the end of a split)`);
  }
  return (
    <p className="mt-3 text-xs text-slate-400" data-testid="preview-footer">
      {parts.join(" · ")}
      {preview.rows.length < preview.total_rows && (
        <span className="text-slate-500"> · showing the first {formatCount(preview.rows.length)} rows</span>
      )}
    </p>
  );
}

/** A textarea tokenized as you type with the chosen tokenizer and settings. */
export function PreviewPanel({ tokenizer, settings, settingsKey }: Props) {
  const titleId = useId();
  const [text, setText] = useState("");
  const [result, setResult] = useState<State>({ state: "idle" });
  const previewRequest = useLatestRequest();
  const tokenizerId = tokenizer?.id ?? null;
  const ready = tokenizerId !== null && settings !== null && text !== "";

  const request = useEffectEvent(() => {
    if (tokenizerId === null || settings === null || text === "") return;
    setResult((r) => ({ state: "loading", last: r.state === "ok" ? r.preview : r.state === "loading" ? r.last : null }));
    void previewRequest.run(
      call(commands.previewTokenization(tokenizerId, settings, text)),
      (preview) => setResult({ state: "ok", preview }),
      (error) => setResult({ state: "error", error }),
    );
  });

  useEffect(() => {
    if (!ready) {
      // Nothing to ask (the panel says why): drop any answer still on its way.
      previewRequest.drop();
      return;
    }
    const timer = setTimeout(request, PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [ready, text, tokenizerId, settingsKey, previewRequest]);

  const shown = result.state === "ok" ? result.preview : result.state === "loading" ? result.last : null;
  const packed = Boolean(settings?.packing);

  let hint: string | null = null;
  if (tokenizerId === null) hint = "Add or choose a tokenizer to see a preview.";
  else if (settings === null) hint = "Fix the settings above to see a preview.";

  return (
    <section aria-labelledby={titleId} data-testid="tokenize-preview">
      <h3 id={titleId} className={sectionTitle}>
        Preview
      </h3>
      <Field
        label="Sample text"
        help={
          packed
            ? "Tokenized as the job would; blank lines separate documents in packed mode."
            : "Tokenized as the job would, as one sample."
        }
      >
        {({ id, describedBy }) => (
          <TextArea
            className="resize-y"
            id={id}
            rows={3}
            data-testid="preview-text"
            placeholder="Enter text to preview tokenization..."
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-describedby={describedBy}
          />
        )}
      </Field>

      <div className={`${tile} mt-3`} aria-live="polite" aria-busy={result.state === "loading"} data-testid="preview-result">
        {hint !== null ? (
          <p className="text-sm text-slate-500">{hint}</p>
        ) : text === "" ? (
          <p className="text-sm text-slate-500">Type some text to see its tokens.</p>
        ) : result.state === "error" ? (
          <InlineError error={result.error} testId="preview-error" />
        ) : shown === null ? (
          // The result area is live already.
          <Loading announce={false}>Tokenizing…</Loading>
        ) : (
          <div className={result.state === "loading" ? "opacity-70 transition-opacity" : undefined}>
            <PreviewRows preview={shown} packed={packed} />
            <PreviewFooter preview={shown} />
          </div>
        )}
      </div>
    </section>
  );
}
