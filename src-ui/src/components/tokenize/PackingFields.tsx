import type { Tokenizer } from "../../bindings";
import { formatCount } from "../../lib/format";
import {
  isMissing,
  namedToken,
  SLOT_LABELS,
  type PackingSlot,
  type PackingTokenDraft,
  type PackingTokenKind,
} from "../../lib/packing";
import { MAX_LENGTH_LIMIT, type DraftErrors, type SettingsDraft } from "../../lib/tokenize";
import { Field, Help } from "../ui/Field";
import { SelectBox } from "../ui/Input";
import { SwitchRow } from "../ui/Switch";
import { NumberField } from "./NumberField";

type Props = {
  tokenizer: Tokenizer | null;
  draft: SettingsDraft;
  errors: DraftErrors;
  onChange: (draft: SettingsDraft) => void;
};

/** Test ids and SAELens's names for each slot. */
const SLOTS: { slot: PackingSlot; testId: string; saelens: string; help: string }[] = [
  {
    slot: "beginBatch",
    testId: "tokenize-begin-batch",
    saelens: "begin_batch_token",
    help: "Put first in every row",
  },
  {
    slot: "beginSequence",
    testId: "tokenize-begin-sequence",
    saelens: "begin_sequence_token",
    help: "Put before each document",
  },
  {
    slot: "separator",
    testId: "tokenize-separator",
    saelens: "sequence_separator_token",
    help: "Put between two documents in a row",
  },
  {
    slot: "documentEnd",
    testId: "tokenize-document-end",
    saelens: "not a SAELens setting",
    help: "Put after every document, wherever rows are cut: EOS gives datatrove's and nanoGPT's stream",
  },
];

const NAMED_KINDS = ["bos", "eos", "sep"] as const;

function TokenChoice({
  slot,
  testId,
  help,
  tokenizer,
  value,
  error,
  onChange,
}: {
  slot: PackingSlot;
  testId: string;
  help: string;
  tokenizer: Tokenizer | null;
  value: PackingTokenDraft;
  error?: string;
  onChange: (value: PackingTokenDraft) => void;
}) {
  const vocab = tokenizer?.vocab_size ?? null;
  return (
    <div>
      <Field label={SLOT_LABELS[slot]} help={help} error={value.kind === "id" ? undefined : error} testId={testId}>
        {({ id, describedBy, invalid }) => (
          <SelectBox
            id={id}
            data-testid={testId}
            value={value.kind}
            onChange={(e) => onChange({ ...value, kind: e.target.value as PackingTokenKind })}
            aria-invalid={invalid}
            aria-describedby={describedBy}
          >
            {NAMED_KINDS.map((kind) => {
              const token = namedToken(tokenizer, kind);
              const absent = isMissing(tokenizer, kind);
              const name = kind.toUpperCase();
              return (
                // A missing token stays choosable only while it is the current value, so the error can say why.
                <option key={kind} value={kind} disabled={absent && value.kind !== kind}>
                  {absent ? `${name} (not in this tokenizer)` : token ? `${name} (${token.content})` : name}
                </option>
              );
            })}
            <option value="id">A token id…</option>
            <option value="none">None</option>
          </SelectBox>
        )}
      </Field>
      {value.kind === "id" && (
        <div className="mt-2">
          <NumberField
            label={`${SLOT_LABELS[slot]} ID`}
            value={value.id}
            onChange={(id) => onChange({ ...value, id })}
            error={error}
            help={vocab !== null ? `0 to ${formatCount(vocab - 1)}` : undefined}
            min={0}
            max={vocab !== null ? vocab - 1 : undefined}
            testId={`${testId}-id`}
          />
        </div>
      )}
    </div>
  );
}

/** Packed mode's settings, named and defaulting as SAELens's PretokenizeRunner does. */
export function PackingFields({ tokenizer, draft, errors, onChange }: Props) {
  const set = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => onChange({ ...draft, [key]: value });
  const missing = NAMED_KINDS.filter((k) => isMissing(tokenizer, k)).map((k) => k.toUpperCase());
  return (
    <>
      <NumberField
        label="Context Size"
        value={draft.contextSize}
        onChange={(v) => set("contextSize", v)}
        error={errors.contextSize}
        help="Tokens in every row; the incomplete last row of each split is dropped"
        min={2}
        max={MAX_LENGTH_LIMIT}
        testId="tokenize-context-size"
      />
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2" data-testid="tokenize-packing-tokens">
        {SLOTS.map(({ slot, testId, saelens, help }) => (
          <TokenChoice
            key={slot}
            slot={slot}
            testId={testId}
            help={
              slot === "separator" && draft.oneDocumentPerRow
                ? `Not used while each row holds one document (${saelens})`
                : `${help} (${saelens})`
            }
            tokenizer={tokenizer}
            value={draft[slot]}
            error={errors[slot]}
            onChange={(value) => set(slot, value)}
          />
        ))}
      </div>
      {missing.length > 0 && (
        // Said once for the four fields: their options for these tokens are disabled.
        <Help className="!mt-2" testId="tokenize-missing-tokens">
          {tokenizer?.name ?? "This tokenizer"} has no {missing.join(" or ")} token, so{" "}
          {missing.length === 1 ? "it" : "they"} cannot be chosen here.
        </Help>
      )}
      <SwitchRow
        label="One Document per Row"
        help="Each row holds the start of one document, cut to the context size, and shorter documents are left out, instead of documents running on from row to row (disable_concat_sequences)"
        checked={draft.oneDocumentPerRow}
        onChange={(v) => set("oneDocumentPerRow", v)}
        testId="tokenize-one-document-per-row"
      />
      <SwitchRow
        label="Add Special Tokens"
        help="Each document is encoded as transformers' encode(text) does, with the special tokens the tokenizer itself adds (Llama-2 documents start with <s>; GPT-2 adds none). Off: the bare token ids of the text"
        checked={draft.addSpecialTokens}
        onChange={(v) => set("addSpecialTokens", v)}
        testId="tokenize-special-tokens"
      />
    </>
  );
}
