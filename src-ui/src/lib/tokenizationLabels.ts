import type { Tokenization, Tokenizer } from "../bindings";
import { settingsSummary } from "./tokenize";

/** The tokenizer's name, or its id when the library no longer lists it. */
export function tokenizerName(tokenizerId: string, tokenizers: Tokenizer[]): string {
  return tokenizers.find((t) => t.id === tokenizerId)?.name ?? tokenizerId;
}

/**
 * A label for each of `tokenizations` that tells it apart from the others: the tokenizer's name,
 * and, when two or more share a tokenizer, their settings too ("gpt2 (packed 128 · … · shuffled
 * seed 7)") — a dataset may hold several tokenizations of one tokenizer with other settings.
 */
export function tokenizationLabels(tokenizations: Tokenization[], tokenizers: Tokenizer[]): Map<string, string> {
  const uses = new Map<string, number>();
  for (const t of tokenizations) uses.set(t.tokenizer_id, (uses.get(t.tokenizer_id) ?? 0) + 1);
  const labels = new Map<string, string>();
  for (const t of tokenizations) {
    const name = tokenizerName(t.tokenizer_id, tokenizers);
    labels.set(t.id, (uses.get(t.tokenizer_id) ?? 0) > 1 ? `${name} (${settingsSummary(t.settings)})` : name);
  }
  return labels;
}
