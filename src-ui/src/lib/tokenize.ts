import type { AppError, Dataset, Encoder, Job, PackingToken, Tokenizer, TokenizeSettings } from "../bindings";
import { formatCount } from "./format";
import {
  DEFAULT_PACKING,
  isMissing,
  SAELENS_PACKING,
  namedToken,
  SLOT_ROLES,
  tokenDraft,
  tokenLabel,
  type PackingSlot,
  type PackingTokenDraft,
} from "./packing";

/** The engine's upper bound for max length and context size. */
export const MAX_LENGTH_LIMIT = 1_048_576;

/** The engine's defaults for a per-sample tokenization. */
export const DEFAULT_SETTINGS: TokenizeSettings = {
  text_column: null,
  splits: [],
  max_length: 512,
  truncation: true,
  padding: "none",
  overflow: false,
  stride: 0,
  add_special_tokens: true,
  packing: null,
  min_tokens: null,
  max_tokens: null,
  shuffle: false,
  seed: null,
};

const U32_MAX = 2 ** 32 - 1;

/** The largest seed the engine takes (a u32). */
export const MAX_SEED = U32_MAX;

export type Mode = "sample" | "packed";

/** Packed rows are shuffled unless asked otherwise, as SAELens does; per-sample rows keep their order. */
export function shuffleByDefault(mode: Mode): boolean {
  return mode === "packed";
}

/**
 * What the settings form holds. Numbers stay text while the person types, so a half-typed
 * value can be shown with a message instead of being silently replaced.
 */
export type SettingsDraft = {
  /** The column to tokenize; null when the dataset has no string column to choose. */
  textColumn: string | null;
  /** The chosen splits, in the dataset's order. */
  splits: string[];
  mode: Mode;
  maxLength: string;
  truncation: boolean;
  padding: TokenizeSettings["padding"];
  overflow: boolean;
  stride: string;
  /** Both modes: per sample around each sample, packed around each document. */
  addSpecialTokens: boolean;
  contextSize: string;
  beginBatch: PackingTokenDraft;
  beginSequence: PackingTokenDraft;
  separator: PackingTokenDraft;
  /** After every document (datatrove's and nanoGPT's stream); not a SAELens setting. */
  documentEnd: PackingTokenDraft;
  /** SAELens's `disable_concat_sequences`. */
  oneDocumentPerRow: boolean;
  shuffle: boolean;
  /** Empty: the engine draws a seed when the job starts and records it. */
  seed: string;
  minTokens: string;
  maxTokens: string;
};

export type DraftField =
  | "textColumn"
  | "splits"
  | "maxLength"
  | "padding"
  | "overflow"
  | "stride"
  | "contextSize"
  | PackingSlot
  | "seed"
  | "minTokens"
  | "maxTokens";

export type DraftErrors = Partial<Record<DraftField, string>>;

export type BuiltSettings = { settings: TokenizeSettings | null; errors: DraftErrors };

/** Chat turns (a list of {role, content} structs), which the engine renders as "role: content" lines. */
function isChatType(dataType: string): boolean {
  if (!dataType.startsWith("list<struct<") && !dataType.startsWith("large_list<struct<")) return false;
  return ["role", "content"].every((f) => new RegExp(`[< ]${f}: (large_)?string\\b`).test(dataType));
}

/** Column types the engine can tokenize (mirrors `is_text_type` in the engine). */
export function isTextType(dataType: string): boolean {
  return dataType === "string" || dataType === "large_string" || dataType === "string_view" || isChatType(dataType);
}

export function stringColumns(dataset: Dataset): string[] {
  return dataset.columns.filter((c) => isTextType(c.data_type)).map((c) => c.name);
}

/** The dataset's text column when it is a string column, else its first string column. */
export function defaultTextColumn(dataset: Dataset): string | null {
  const columns = stringColumns(dataset);
  if (dataset.text_column !== null && columns.includes(dataset.text_column)) return dataset.text_column;
  return columns[0] ?? null;
}

/** A draft holding `settings`, fitted to `dataset` (unknown columns and splits are dropped). */
export function draftFromSettings(settings: TokenizeSettings, dataset: Dataset): SettingsDraft {
  const columns = stringColumns(dataset);
  const allSplits = dataset.splits.map((s) => s.name);
  const wanted = settings.splits ?? [];
  const splits = wanted.length === 0 ? allSplits : allSplits.filter((s) => wanted.includes(s));
  const packing = settings.packing ?? DEFAULT_PACKING;
  return {
    textColumn:
      settings.text_column !== null && columns.includes(settings.text_column)
        ? settings.text_column
        : defaultTextColumn(dataset),
    splits: splits.length > 0 ? splits : allSplits,
    mode: settings.packing ? "packed" : "sample",
    maxLength: String(settings.max_length),
    truncation: settings.truncation,
    padding: settings.padding,
    overflow: settings.overflow ?? false,
    stride: String(settings.stride ?? 0),
    addSpecialTokens: settings.add_special_tokens,
    contextSize: String(packing.context_size),
    beginBatch: tokenDraft(packing.begin_batch_token),
    beginSequence: tokenDraft(packing.begin_sequence_token),
    separator: tokenDraft(packing.sequence_separator_token),
    documentEnd: tokenDraft(packing.document_end_token ?? { kind: "none" }),
    oneDocumentPerRow: packing.disable_concat_sequences,
    shuffle: settings.shuffle,
    seed: settings.seed === null ? "" : String(settings.seed),
    minTokens: settings.min_tokens === null ? "" : String(settings.min_tokens),
    maxTokens: settings.max_tokens === null ? "" : String(settings.max_tokens),
  };
}

export function defaultDraft(dataset: Dataset): SettingsDraft {
  return draftFromSettings(DEFAULT_SETTINGS, dataset);
}

/**
 * SAELens's `PretokenizeRunnerConfig` defaults (packed rows of 128, BOS at each row and between
 * documents, documents encoded with the tokenizer's special tokens, shuffled with a random
 * seed) for the column and splits already chosen. SAELens filters nothing, so neither does this.
 */
export function saelensDraft(draft: SettingsDraft, dataset: Dataset): SettingsDraft {
  const settings: TokenizeSettings = { ...DEFAULT_SETTINGS, packing: SAELENS_PACKING, shuffle: true };
  return { ...draftFromSettings(settings, dataset), textColumn: draft.textColumn, splits: draft.splits };
}

/** A whole number typed in a field, or null when the text is not one. */
function parseWhole(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

function rangeCheck(text: string, label: string, min: number, max: number): [number | null, string | null] {
  if (text.trim() === "") return [null, `${label} is required.`];
  const n = parseWhole(text);
  if (n === null) return [null, `${label} must be a whole number.`];
  if (n < min || n > max) {
    return [null, `${label} must be between ${formatCount(min)} and ${formatCount(max)}.`];
  }
  return [n, null];
}

/**
 * The settings a draft stands for, with a message for each field that is out of range or that
 * the tokenizer cannot do. The engine checks again (e.g. the room special tokens take) and has
 * the last word.
 */
export function buildSettings(
  draft: SettingsDraft,
  dataset: Dataset,
  tokenizer: Tokenizer | null,
): BuiltSettings {
  const errors: DraftErrors = {};
  const special = tokenizer?.special_tokens ?? null;
  const tokName = tokenizer?.name ?? "This tokenizer";

  if (draft.textColumn === null) errors.textColumn = "This dataset has no text column to tokenize.";
  const allSplits = dataset.splits.map((s) => s.name);
  if (allSplits.length > 0 && draft.splits.length === 0) errors.splits = "Choose at least one split.";

  let settings: TokenizeSettings = {
    ...DEFAULT_SETTINGS,
    text_column: draft.textColumn,
    splits: draft.splits.length === allSplits.length ? [] : [...draft.splits],
  };

  if (draft.mode === "packed") {
    const [context, contextError] = rangeCheck(draft.contextSize, "Context size", 2, MAX_LENGTH_LIMIT);
    if (contextError) errors.contextSize = contextError;
    const token = (slot: PackingSlot): PackingToken => {
      const { kind, id } = draft[slot];
      if (kind === "id") {
        const vocab = tokenizer?.vocab_size ?? null;
        const max = vocab !== null && vocab > 0 ? vocab - 1 : U32_MAX;
        const [n, idError] = rangeCheck(id, `The ${SLOT_ROLES[slot]} token id`, 0, max);
        if (idError) errors[slot] = idError;
        return { kind: "id", id: n ?? 0 };
      }
      if (isMissing(tokenizer, kind)) {
        errors[slot] = `${tokName} has no ${kind.toUpperCase()} token: choose another ${SLOT_ROLES[slot]} token, a token id or none.`;
      }
      return { kind };
    };
    settings = {
      ...settings,
      add_special_tokens: draft.addSpecialTokens,
      packing: {
        context_size: context ?? 0,
        begin_batch_token: token("beginBatch"),
        begin_sequence_token: token("beginSequence"),
        sequence_separator_token: token("separator"),
        disable_concat_sequences: draft.oneDocumentPerRow,
        document_end_token: token("documentEnd"),
      },
    };
  } else {
    const [maxLength, maxError] = rangeCheck(draft.maxLength, "Max length", 1, MAX_LENGTH_LIMIT);
    if (maxError) errors.maxLength = maxError;
    if (draft.padding === "max_length" && special && !special.pad) {
      errors.padding = `${tokName} has no pad token: choose no padding.`;
    }
    if (draft.overflow && !draft.truncation) {
      errors.overflow = "Overflow rows come from truncation: turn truncation on, or overflow off.";
    }
    let stride = 0;
    if (draft.overflow) {
      const [s, strideError] = rangeCheck(draft.stride, "Stride", 0, MAX_LENGTH_LIMIT);
      if (strideError) errors.stride = strideError;
      else if (s !== null && maxLength !== null && s >= maxLength) {
        errors.stride = `Stride must be smaller than the max length (${formatCount(maxLength)}).`;
      }
      stride = s ?? 0;
    }
    settings = {
      ...settings,
      max_length: maxLength ?? 0,
      truncation: draft.truncation,
      padding: draft.padding,
      overflow: draft.overflow,
      stride,
      add_special_tokens: draft.addSpecialTokens,
    };
  }

  const optional = (text: string, label: string, field: "minTokens" | "maxTokens"): number | null => {
    if (text.trim() === "") return null;
    const n = parseWhole(text);
    if (n === null || n > U32_MAX) {
      errors[field] = `${label} must be a whole number, or empty for no limit.`;
      return null;
    }
    return n;
  };
  const minTokens = optional(draft.minTokens, "Minimum tokens", "minTokens");
  const maxTokens = optional(draft.maxTokens, "Maximum tokens", "maxTokens");
  if (minTokens !== null && maxTokens !== null && minTokens > maxTokens) {
    errors.maxTokens = `Maximum tokens (${formatCount(maxTokens)}) is below the minimum (${formatCount(minTokens)}).`;
  }
  settings = { ...settings, min_tokens: minTokens, max_tokens: maxTokens, shuffle: draft.shuffle, seed: null };
  if (draft.shuffle && draft.seed.trim() !== "") {
    const seed = parseWhole(draft.seed);
    if (seed === null || seed > MAX_SEED) {
      errors.seed = `The seed must be a whole number from 0 to ${formatCount(MAX_SEED)}, or empty for a random one.`;
    } else {
      settings = { ...settings, seed };
    }
  }

  return { settings: Object.keys(errors).length === 0 ? settings : null, errors };
}

/**
 * The fields that shape a preview, as a string to compare: the column, the splits, the length
 * filters and the order of the rows do not change how a typed text is tokenized.
 */
export function previewKey(settings: TokenizeSettings): string {
  const { text_column: _c, splits: _s, min_tokens: _min, max_tokens: _max, shuffle: _sh, seed: _seed, ...shape } = settings;
  return JSON.stringify(shape);
}

/**
 * One line for lists, in the engine's words: "packed 1,024 · row start BOS · separator BOS ·
 * shuffled seed 42", "max 512 · truncate · special tokens".
 */
export function settingsSummary(settings: TokenizeSettings): string {
  const parts: string[] = [];
  const p = settings.packing;
  if (p) {
    parts.push(`packed ${formatCount(p.context_size)}`);
    if (p.disable_concat_sequences) parts.push("one document per row");
    parts.push(`row start ${tokenLabel(p.begin_batch_token)}`);
    if (p.begin_sequence_token.kind !== "none") parts.push(`document start ${tokenLabel(p.begin_sequence_token)}`);
    if (!p.disable_concat_sequences) parts.push(`separator ${tokenLabel(p.sequence_separator_token)}`);
    if (p.document_end_token && p.document_end_token.kind !== "none") {
      parts.push(`document end ${tokenLabel(p.document_end_token)}`);
    }
    if (!settings.add_special_tokens) parts.push("no special tokens");
  } else {
    parts.push(`max ${formatCount(settings.max_length)}`);
    if (settings.truncation) parts.push("truncate");
    if (settings.overflow) {
      parts.push((settings.stride ?? 0) > 0 ? `overflow (stride ${formatCount(settings.stride ?? 0)})` : "overflow");
    }
    if (settings.padding === "max_length") parts.push("pad");
    if (settings.add_special_tokens) parts.push("special tokens");
  }
  if (settings.shuffle) parts.push(settings.seed === null ? "shuffled" : `shuffled seed ${settings.seed}`);
  if (settings.min_tokens !== null) parts.push(`≥ ${formatCount(settings.min_tokens)} tokens`);
  if (settings.max_tokens !== null) parts.push(`≤ ${formatCount(settings.max_tokens)} tokens`);
  const splits = settings.splits ?? [];
  if (splits.length > 0) parts.push(splits.join(", "));
  if (settings.text_column !== null) parts.push(`column ${settings.text_column}`);
  return parts.join(" · ");
}

/** Whitespace drawn so a token's text can be read: "␣" for a space, "↵" for a newline, "⇥" for a tab. */
/** Which encoder made a tokenization, in words (the fast path, or tokenizers and why). */
export function encoderLine(encoder: Encoder): string {
  switch (encoder.path) {
    case "fast_bpe":
      return "Encoded on the fast byte-level BPE path (ids identical to tokenizers)";
    case "tokenizers":
      return `Encoded with tokenizers: the fast path does not take this tokenizer (${encoder.reason})`;
    case "datatrove":
      return `Encoded by datatrove ${encoder.version} in ${formatCount(encoder.tasks)} tasks, adopted from ${encoder.folder}`;
  }
}

export function visiblePiece(piece: string): string {
  if (piece === "") return "∅";
  return piece.replace(/ /g, "␣").replace(/\r\n|\n/g, "↵").replace(/\r/g, "␍").replace(/\t/g, "⇥");
}

/**
 * The engine's "already has a tokenization with X and these settings; confirm to replace it"
 * conflict: only the same tokenizer with the same settings asks; other settings make another.
 */
export function isReplaceConflict(error: AppError): boolean {
  return error.kind === "conflict" && /confirm to replace/i.test(error.message);
}

/** The tokenizer's special tokens that exist, labelled, for chips. */
export function specialTokenList(tokenizer: Tokenizer): { role: string; id: number; content: string }[] {
  const roles = ["bos", "eos", "sep", "pad", "unk"] as const;
  const out: { role: string; id: number; content: string }[] = [];
  for (const role of roles) {
    const token = role === "sep" ? namedToken(tokenizer, "sep") : tokenizer.special_tokens[role];
    if (token) out.push({ role: role.toUpperCase(), id: token.id, content: token.content });
  }
  return out;
}

export type SamplesProgress = Extract<NonNullable<Job["progress"]>, { unit: "samples" }>;

/** Seconds left at the current sample rate, or null when it cannot be estimated. */
export function samplesEta(p: SamplesProgress): number | null {
  if (p.total === null || p.samples_per_sec === null || p.samples_per_sec <= 0) return null;
  const left = p.total - p.done;
  return left >= 0 ? left / p.samples_per_sec : null;
}
