import type { Packing, PackingToken, SpecialToken, Tokenizer } from "../bindings";

/** What a packing token field can hold: a named special token, a token id, or none. */
export type PackingTokenKind = PackingToken["kind"];

/** A packing token as the form holds it: the id stays text while the person types. */
export type PackingTokenDraft = { kind: PackingTokenKind; id: string };

/** The three places packing puts a token, with the names SAELens gives them. */
export type PackingSlot = "beginBatch" | "beginSequence" | "separator" | "documentEnd";

export const PACKING_SLOTS: PackingSlot[] = ["beginBatch", "beginSequence", "separator", "documentEnd"];

export const SLOT_LABELS: Record<PackingSlot, string> = {
  beginBatch: "Row Start Token",
  beginSequence: "Document Start Token",
  separator: "Separator Token",
  documentEnd: "Document End Token",
};

/** Each slot's role in the engine's messages and in SAELens's settings. */
export const SLOT_ROLES: Record<PackingSlot, string> = {
  beginBatch: "begin-batch",
  beginSequence: "begin-sequence",
  separator: "separator",
  documentEnd: "document-end",
};

/** SAELens's `PretokenizeRunnerConfig` defaults: BOS at each row, nothing at each document, BOS between documents. */
export const SAELENS_TOKENS = {
  begin_batch_token: { kind: "bos" },
  begin_sequence_token: { kind: "none" },
  sequence_separator_token: { kind: "bos" },
} as const satisfies Pick<Packing, "begin_batch_token" | "begin_sequence_token" | "sequence_separator_token">;

/** SAELens's `PretokenizeRunnerConfig` defaults, context size included. */
export const SAELENS_PACKING: Packing = {
  context_size: 128,
  ...SAELENS_TOKENS,
  disable_concat_sequences: false,
  document_end_token: { kind: "none" },
};

/** The window's packed default: SAELens's tokens in rows of 1,024. */
export const DEFAULT_PACKING: Packing = { ...SAELENS_PACKING, context_size: 1024 };

const NAMED = ["bos", "eos", "sep"] as const;
type NamedKind = (typeof NAMED)[number];

/** The tokenizer's special token of that name, or null when it has none. */
export function namedToken(tokenizer: Tokenizer | null, kind: NamedKind): SpecialToken | null {
  // A tokenizer stored before SEP was looked up carries no `sep`: the engine treats that as none.
  return tokenizer?.special_tokens[kind] ?? null;
}

/** Whether the tokenizer lacks the special token a choice names (unknown without a tokenizer). */
export function isMissing(tokenizer: Tokenizer | null, kind: PackingTokenKind): boolean {
  if (tokenizer === null) return false;
  return (NAMED as readonly string[]).includes(kind) && namedToken(tokenizer, kind as NamedKind) === null;
}

export function tokenDraft(token: PackingToken): PackingTokenDraft {
  return token.kind === "id" ? { kind: "id", id: String(token.id) } : { kind: token.kind, id: "" };
}

/** "BOS", "token 13", "none": the engine's own wording in summaries. */
export function tokenLabel(token: PackingToken): string {
  return token.kind === "id" ? `token ${token.id}` : token.kind === "none" ? "none" : token.kind.toUpperCase();
}

/** The packing tokens of a draft, each falling back to none where the tokenizer lacks it. */
export function fitTokens<T extends Record<PackingSlot, PackingTokenDraft>>(draft: T, tokenizer: Tokenizer | null): T {
  const fitted = { ...draft };
  for (const slot of PACKING_SLOTS) {
    if (isMissing(tokenizer, draft[slot].kind)) fitted[slot] = { kind: "none", id: "" };
  }
  return fitted;
}
