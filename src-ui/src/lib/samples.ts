import type { Tokenization, Tokenizer, Value } from "../bindings";
import { tokenizationLabels } from "./tokenizationLabels";

/** Rows per page of the Samples tab. */
export const SAMPLES_PAGE_SIZE = 20;

/** Characters as the engine counts them (Unicode scalar values, not UTF-16 units). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

export type Piece = { text: string; match: boolean };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Split `text` into pieces, marking case-insensitive occurrences of `needle`. */
export function highlightPieces(text: string, needle: string): Piece[] {
  if (needle === "") return [{ text, match: false }];
  const pattern = new RegExp(escapeRegExp(needle), "giu");
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    const start = m.index;
    if (m[0].length === 0) continue;
    if (start > last) pieces.push({ text: text.slice(last, start), match: false });
    pieces.push({ text: m[0], match: true });
    last = start + m[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), match: false });
  return pieces.length > 0 ? pieces : [{ text, match: false }];
}

export type ChatTurn = { role: string; content: Value };

function isObject(value: Value): value is { [key in string]: Value } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty list of `{role, content}` objects (a chat transcript), or null. */
export function chatTurns(value: Value): ChatTurn[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const turns: ChatTurn[] = [];
  for (const item of value) {
    if (!isObject(item) || typeof item.role !== "string" || !("content" in item)) return null;
    turns.push({ role: item.role, content: item.content ?? null });
  }
  return turns;
}

/** A value as it reads inline: strings as they are, anything else as JSON. */
export function inlineText(value: Value): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The fields of a row as an ordered list: the text column first. */
export function orderedFields(fields: Value, textColumn: string | null): [string, Value][] {
  if (!isObject(fields)) return [["value", fields]];
  const entries = Object.entries(fields);
  if (textColumn === null) return entries;
  const text = entries.filter(([k]) => k === textColumn);
  return [...text, ...entries.filter(([k]) => k !== textColumn)];
}

/** Parse a character-count box: empty → null, a whole number ≥ 0 → it, else undefined (invalid). */
export function parseChars(input: string): number | null | undefined {
  const trimmed = input.trim();
  if (trimmed === "") return null;
  if (!/^\d+$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Which tokenization a token filter or token view reads, as the Samples tab offers it. */
export type TokenizationChoice = { id: string; label: string; packed: boolean };

/**
 * The dataset's ready tokenizations, labelled by tokenizer name. Two made with the same
 * tokenizer differ only by their settings, so those get the settings summary too.
 */
export function tokenizationChoices(
  tokenizations: Tokenization[],
  tokenizers: Tokenizer[],
): TokenizationChoice[] {
  const ready = tokenizations.filter((t) => t.status === "ready");
  const labels = tokenizationLabels(ready, tokenizers);
  return ready.map((t) => ({ id: t.id, label: labels.get(t.id) ?? t.id, packed: t.settings.packing !== null }));
}
