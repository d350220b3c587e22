import type { AppError, Dataset, Job, Separator, Tokenizer, TokenizeSettings } from "../bindings";
import { formatCount } from "./format";

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
};

/** A sensible start for SAE training: 1,024-token rows, BOS at each, EOS between documents. */
export const DEFAULT_PACKING = { context_size: 1024, bos_per_row: true, separator: { kind: "eos" } } as const;

export type Mode = "sample" | "packed";
export type SeparatorKind = Separator["kind"];

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
  addSpecialTokens: boolean;
  contextSize: string;
  bosPerRow: boolean;
  separator: SeparatorKind;
  separatorId: string;
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
  | "bosPerRow"
  | "separator"
  | "separatorId"
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
  const packing = settings.packing;
  const separator = packing?.separator ?? DEFAULT_PACKING.separator;
  return {
    textColumn:
      settings.text_column !== null && columns.includes(settings.text_column)
        ? settings.text_column
        : defaultTextColumn(dataset),
    splits: splits.length > 0 ? splits : allSplits,
    mode: packing ? "packed" : "sample",
    maxLength: String(settings.max_length),
    truncation: settings.truncation,
    padding: settings.padding,
    overflow: settings.overflow ?? false,
    stride: String(settings.stride ?? 0),
    addSpecialTokens: settings.add_special_tokens,
    contextSize: String(packing?.context_size ?? DEFAULT_PACKING.context_size),
    bosPerRow: packing?.bos_per_row ?? DEFAULT_PACKING.bos_per_row,
    separator: separator.kind,
    separatorId: separator.kind === "id" ? String(separator.id) : "",
    minTokens: settings.min_tokens === null ? "" : String(settings.min_tokens),
    maxTokens: settings.max_tokens === null ? "" : String(settings.max_tokens),
  };
}

export function defaultDraft(dataset: Dataset): SettingsDraft {
  return draftFromSettings(DEFAULT_SETTINGS, dataset);
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
    if (draft.bosPerRow && special && !special.bos) {
      errors.bosPerRow = `${tokName} has no BOS token: turn "BOS at each row" off.`;
    }
    let separator: Separator = { kind: "none" };
    switch (draft.separator) {
      case "eos":
        if (special && !special.eos) errors.separator = `${tokName} has no EOS token: choose another separator.`;
        separator = { kind: "eos" };
        break;
      case "bos":
        if (special && !special.bos) errors.separator = `${tokName} has no BOS token: choose another separator.`;
        separator = { kind: "bos" };
        break;
      case "id": {
        const vocab = tokenizer?.vocab_size ?? null;
        const [id, idError] = rangeCheck(
          draft.separatorId,
          "Separator token id",
          0,
          vocab !== null && vocab > 0 ? vocab - 1 : 2 ** 32 - 1,
        );
        if (idError) errors.separatorId = idError;
        separator = { kind: "id", id: id ?? 0 };
        break;
      }
      case "none":
        separator = { kind: "none" };
        break;
    }
    settings = {
      ...settings,
      packing: { context_size: context ?? 0, bos_per_row: draft.bosPerRow, separator },
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
    if (n === null || n > 2 ** 32 - 1) {
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
  settings = { ...settings, min_tokens: minTokens, max_tokens: maxTokens };

  return { settings: Object.keys(errors).length === 0 ? settings : null, errors };
}

/**
 * The fields that shape a preview, as a string to compare: the column, the splits and the
 * length filters do not change how a typed text is tokenized.
 */
export function previewKey(settings: TokenizeSettings): string {
  const { text_column: _c, splits: _s, min_tokens: _min, max_tokens: _max, ...shape } = settings;
  return JSON.stringify(shape);
}

function separatorText(separator: Separator): string {
  switch (separator.kind) {
    case "eos":
      return "EOS between documents";
    case "bos":
      return "BOS between documents";
    case "id":
      return `token ${separator.id} between documents`;
    case "none":
      return "no separator";
  }
}

/** One line for lists: "packed 1,024 · BOS · EOS between documents", "max 512 · truncate · special tokens". */
export function settingsSummary(settings: TokenizeSettings): string {
  const parts: string[] = [];
  const p = settings.packing;
  if (p) {
    parts.push(`packed ${formatCount(p.context_size)}`);
    if (p.bos_per_row) parts.push("BOS");
    parts.push(separatorText(p.separator));
  } else {
    parts.push(`max ${formatCount(settings.max_length)}`);
    if (settings.truncation) parts.push("truncate");
    if (settings.overflow) {
      parts.push((settings.stride ?? 0) > 0 ? `overflow (stride ${formatCount(settings.stride ?? 0)})` : "overflow");
    }
    if (settings.padding === "max_length") parts.push("pad");
    if (settings.add_special_tokens) parts.push("special tokens");
  }
  if (settings.min_tokens !== null) parts.push(`≥ ${formatCount(settings.min_tokens)} tokens`);
  if (settings.max_tokens !== null) parts.push(`≤ ${formatCount(settings.max_tokens)} tokens`);
  const splits = settings.splits ?? [];
  if (splits.length > 0) parts.push(splits.join(", "));
  if (settings.text_column !== null) parts.push(`column ${settings.text_column}`);
  return parts.join(" · ");
}

/** Whitespace drawn so a token's text can be read: "␣" for a space, "↵" for a newline, "⇥" for a tab. */
export function visiblePiece(piece: string): string {
  if (piece === "") return "∅";
  return piece.replace(/ /g, "␣").replace(/\r\n|\n/g, "↵").replace(/\r/g, "␍").replace(/\t/g, "⇥");
}

/** The engine's "already has a tokenization with X; confirm to replace it" conflict. */
export function isReplaceConflict(error: AppError): boolean {
  return error.kind === "conflict" && /confirm to replace/i.test(error.message);
}

/** The tokenizer's special tokens that exist, labelled, for chips. */
export function specialTokenList(tokenizer: Tokenizer): { role: string; id: number; content: string }[] {
  const roles = ["bos", "eos", "pad", "unk"] as const;
  const out: { role: string; id: number; content: string }[] = [];
  for (const role of roles) {
    const token = tokenizer.special_tokens[role];
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
