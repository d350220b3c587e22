import { useId } from "react";
import type { Dataset, Tokenizer } from "../../bindings";
import { formatCount } from "../../lib/format";
import { fitTokens } from "../../lib/packing";
import {
  MAX_LENGTH_LIMIT,
  shuffleByDefault,
  stringColumns,
  type DraftErrors,
  type Mode,
  type SettingsDraft,
} from "../../lib/tokenize";
import { Field, FieldError, Help, labelClass } from "../ui/Field";
import { SelectBox } from "../ui/Input";
import { SwitchRow } from "../ui/Switch";
import { NumberField } from "./NumberField";
import { PackingFields } from "./PackingFields";
import { ShuffleFields } from "./ShuffleFields";

type Props = {
  dataset: Dataset;
  tokenizer: Tokenizer | null;
  draft: SettingsDraft;
  errors: DraftErrors;
  onChange: (draft: SettingsDraft) => void;
};

const MODES: { value: Mode; label: string; help: string }[] = [
  {
    value: "sample",
    label: "Per sample",
    help: "One row per sample, cut to a max length (optionally padded or with overflow rows)",
  },
  {
    value: "packed",
    label: "Packed",
    help: "Samples concatenated and cut into rows of exactly the context size, as SAE training expects",
  },
];

function ModePicker({ mode, onChange }: { mode: Mode; onChange: (mode: Mode) => void }) {
  const name = useId();
  return (
    <fieldset>
      <legend className={labelClass}>Mode</legend>
      <div className="grid grid-cols-1 gap-2 md:grid-cols-2" data-testid="tokenize-mode">
        {MODES.map((m) => {
          const checked = mode === m.value;
          return (
            <label
              key={m.value}
              className={`flex cursor-pointer items-start gap-3 rounded-lg border p-3 transition-colors focus-within:border-emerald-500 ${
                checked ? "border-emerald-500/60 bg-emerald-500/10" : "border-slate-700 bg-slate-800/30 hover:border-slate-600"
              }`}
            >
              <input
                type="radio"
                name={name}
                value={m.value}
                checked={checked}
                onChange={() => onChange(m.value)}
                data-testid={`tokenize-mode-${m.value}`}
                className="mt-1 h-4 w-4 accent-emerald-600"
              />
              <span>
                <span className="block text-sm font-medium text-slate-200">{m.label}</span>
                <span className="block text-xs text-slate-500">{m.help}</span>
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

function SplitPicker({ dataset, draft, error, onChange }: {
  dataset: Dataset;
  draft: SettingsDraft;
  error?: string;
  onChange: (splits: string[]) => void;
}) {
  const id = useId();
  if (dataset.splits.length === 0) return null;
  const toggle = (name: string, on: boolean) => {
    const chosen = new Set(draft.splits);
    if (on) chosen.add(name);
    else chosen.delete(name);
    // Keep the dataset's order.
    onChange(dataset.splits.map((s) => s.name).filter((n) => chosen.has(n)));
  };
  const rows = dataset.splits.filter((s) => draft.splits.includes(s.name)).reduce((sum, s) => sum + s.num_rows, 0);
  return (
    <fieldset aria-describedby={`${id}-help ${error ? `${id}-error` : ""}`}>
      <legend className={labelClass}>Splits</legend>
      <div className="flex flex-wrap gap-2" data-testid="tokenize-splits">
        {dataset.splits.map((s) => (
          <label
            key={s.name}
            className="flex cursor-pointer items-center gap-2 rounded-lg border border-slate-700 bg-slate-800/30 px-3 py-2 text-sm text-slate-200 focus-within:border-emerald-500"
          >
            <input
              type="checkbox"
              checked={draft.splits.includes(s.name)}
              onChange={(e) => toggle(s.name, e.target.checked)}
              data-testid={`tokenize-split-${s.name}`}
              className="h-4 w-4 accent-emerald-600"
            />
            {s.name}
            <span className="text-xs text-slate-500">{formatCount(s.num_rows)} rows</span>
          </label>
        ))}
      </div>
      <Help id={`${id}-help`}>
        {draft.splits.length === dataset.splits.length
          ? `All splits · ${formatCount(rows)} samples`
          : `${draft.splits.length} of ${dataset.splits.length} splits · ${formatCount(rows)} samples`}
      </Help>
      <FieldError id={`${id}-error`} message={error} testId="tokenize-splits-error" />
    </fieldset>
  );
}

/** The settings of a tokenization: column, splits, mode and the fields of that mode, filters. */
export function SettingsForm({ dataset, tokenizer, draft, errors, onChange }: Props) {
  const set = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => onChange({ ...draft, [key]: value });
  const columns = stringColumns(dataset);
  const special = tokenizer?.special_tokens ?? null;
  const noPad = special !== null && special.pad === null;

  const setMode = (mode: Mode) => {
    if (mode === draft.mode) return;
    // Each mode starts with its own shuffle default; packing starts from the tokens this tokenizer has.
    const next = { ...draft, mode, shuffle: shuffleByDefault(mode) };
    onChange(mode === "packed" ? fitTokens(next, tokenizer) : next);
  };

  return (
    <div className="space-y-4" data-testid="tokenize-settings">
      <Field
        label="Text Column"
        help={
          dataset.text_column && columns.includes(dataset.text_column)
            ? `Detected text column: ${dataset.text_column}`
            : "The column holding the text to tokenize"
        }
        error={errors.textColumn}
        testId="tokenize-column"
      >
        {({ id, describedBy, invalid }) => (
          <SelectBox
            id={id}
            data-testid="tokenize-column"
            value={draft.textColumn ?? ""}
            disabled={columns.length === 0}
            onChange={(e) => set("textColumn", e.target.value)}
            aria-invalid={invalid}
            aria-describedby={describedBy}
          >
            {columns.length === 0 ? (
              <option value="">No text columns</option>
            ) : (
              columns.map((c) => (
                <option key={c} value={c}>
                  {c === dataset.text_column ? `${c} (detected)` : c}
                </option>
              ))
            )}
          </SelectBox>
        )}
      </Field>

      <SplitPicker dataset={dataset} draft={draft} error={errors.splits} onChange={(splits) => set("splits", splits)} />

      <ModePicker mode={draft.mode} onChange={setMode} />

      {draft.mode === "sample" ? (
        <>
          <NumberField
            label="Max Sequence Length"
            value={draft.maxLength}
            onChange={(v) => set("maxLength", v)}
            error={errors.maxLength}
            help={`Tokens per row, special tokens included (1 to ${formatCount(MAX_LENGTH_LIMIT)})`}
            min={1}
            max={MAX_LENGTH_LIMIT}
            testId="tokenize-max-length"
          />
          <Field
            label="Padding"
            error={errors.padding}
            testId="tokenize-padding"
            help={
              noPad
                ? `${tokenizer?.name ?? "This tokenizer"} has no pad token, so rows cannot be padded`
                : "Padding is excluded from token counts"
            }
          >
            {({ id, describedBy, invalid }) => (
              <SelectBox
                id={id}
                data-testid="tokenize-padding"
                value={draft.padding}
                onChange={(e) => set("padding", e.target.value === "max_length" ? "max_length" : "none")}
                aria-invalid={invalid}
                aria-describedby={describedBy}
              >
                <option value="none">Do not pad</option>
                <option value="max_length" disabled={noPad && draft.padding !== "max_length"}>
                  {noPad ? "Pad to max length (needs a pad token)" : "Pad to max length"}
                </option>
              </SelectBox>
            )}
          </Field>
          <SwitchRow
            label="Truncation"
            help="Cut samples longer than the max length"
            checked={draft.truncation}
            onChange={(v) => onChange({ ...draft, truncation: v, overflow: v ? draft.overflow : false })}
            testId="tokenize-truncation"
          />
          <SwitchRow
            label="Overflow Rows"
            help="Keep what truncation cuts off as further rows of the same sample"
            checked={draft.overflow}
            disabled={!draft.truncation && !draft.overflow}
            onChange={(v) => set("overflow", v)}
            error={errors.overflow}
            testId="tokenize-overflow"
          />
          {draft.overflow && (
            <NumberField
              label="Stride"
              value={draft.stride}
              onChange={(v) => set("stride", v)}
              error={errors.stride}
              help="Tokens repeated from the end of one overflow row at the start of the next (0 for none)"
              min={0}
              testId="tokenize-stride"
            />
          )}
          <SwitchRow
            label="Add Special Tokens"
            help="The tokenizer's own special tokens (e.g. BOS/EOS, [CLS]/[SEP]) around each sample"
            checked={draft.addSpecialTokens}
            onChange={(v) => set("addSpecialTokens", v)}
            testId="tokenize-special-tokens"
          />
        </>
      ) : (
        <PackingFields tokenizer={tokenizer} draft={draft} errors={errors} onChange={onChange} />
      )}

      <ShuffleFields draft={draft} errors={errors} onChange={onChange} />

      <div>
        <p className={labelClass}>Length Filters (optional)</p>
        <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
          <NumberField
            label="Minimum Tokens"
            value={draft.minTokens}
            onChange={(v) => set("minTokens", v)}
            error={errors.minTokens}
            help="Samples with fewer tokens are left out (and counted)"
            min={0}
            placeholder="No minimum"
            testId="tokenize-min-tokens"
          />
          <NumberField
            label="Maximum Tokens"
            value={draft.maxTokens}
            onChange={(v) => set("maxTokens", v)}
            error={errors.maxTokens}
            help="Samples with more tokens (before truncation) are left out"
            min={0}
            placeholder="No maximum"
            testId="tokenize-max-tokens"
          />
        </div>
      </div>
    </div>
  );
}
