import { describe, expect, it } from "vitest";
import { packingFixture, tokenizationFixture, tokenizerFixture } from "../test/backend";
import { tokenizationLabels } from "./tokenizationLabels";
import { charCount, chatTurns, highlightPieces, orderedFields, parseChars, tokenizationChoices } from "./samples";

describe("samples helpers", () => {
  it("marks every case-insensitive match, regex characters included", () => {
    expect(highlightPieces("The cat. THE end", "the")).toEqual([
      { text: "The", match: true },
      { text: " cat. ", match: false },
      { text: "THE", match: true },
      { text: " end", match: false },
    ]);
    expect(highlightPieces("a.b (c)", "(c)")).toEqual([
      { text: "a.b ", match: false },
      { text: "(c)", match: true },
    ]);
    expect(highlightPieces("abc", "")).toEqual([{ text: "abc", match: false }]);
  });

  it("counts characters, not UTF-16 units", () => {
    expect(charCount("héllo 👋")).toBe(7);
  });

  it("recognises chat transcripts only when every item has a role and content", () => {
    expect(chatTurns([{ role: "user", content: "hi" }])).toEqual([{ role: "user", content: "hi" }]);
    expect(chatTurns([{ role: "user", content: "hi" }, { text: "x" }])).toBeNull();
    expect(chatTurns([])).toBeNull();
    expect(chatTurns("text")).toBeNull();
  });

  it("puts the text column first", () => {
    expect(orderedFields({ id: 1, text: "t", meta: null }, "text").map(([k]) => k)).toEqual(["text", "id", "meta"]);
    expect(orderedFields({ id: 1 }, null).map(([k]) => k)).toEqual(["id"]);
  });

  it("parses character counts", () => {
    expect(parseChars("")).toBeNull();
    expect(parseChars(" 42 ")).toBe(42);
    expect(parseChars("-1")).toBeUndefined();
    expect(parseChars("1.5")).toBeUndefined();
  });

  it("offers ready tokenizations by tokenizer name, with settings only where names repeat", () => {
    const gpt2 = tokenizerFixture();
    const llama = tokenizerFixture({ id: "tk_llama", name: "meta-llama/Llama-3.2-1B" });
    const base = tokenizationFixture();
    const packed = packingFixture({ context_size: 128 });
    const choices = tokenizationChoices(
      [
        tokenizationFixture({ id: "tok_a", tokenizer_id: "tk_gpt2" }),
        tokenizationFixture({ id: "tok_b", tokenizer_id: "tk_gpt2", settings: { ...base.settings, packing: packed } }),
        tokenizationFixture({ id: "tok_c", tokenizer_id: "tk_llama" }),
        tokenizationFixture({ id: "tok_d", tokenizer_id: "tk_llama", status: "processing" }),
        tokenizationFixture({ id: "tok_e", tokenizer_id: "tk_gone", status: "ready" }),
      ],
      [gpt2, llama],
    );
    expect(choices.map((c) => c.id)).toEqual(["tok_a", "tok_b", "tok_c", "tok_e"]);
    expect(choices[0]!.label).toMatch(/^openai-community\/gpt2 \(max /);
    expect(choices[1]!.label).toMatch(/^openai-community\/gpt2 \(packed 128/);
    expect(choices[1]!.packed).toBe(true);
    expect(choices[2]).toEqual({ id: "tok_c", label: "meta-llama/Llama-3.2-1B", packed: false });
    // A tokenizer not (yet) in the library still gets a name to pick.
    expect(choices[3]!.label).toBe("tk_gone");
  });
});

describe("tokenization labels", () => {
  it("add the settings only where a tokenizer repeats, and name a missing tokenizer by its id", () => {
    const gpt2 = tokenizerFixture();
    const base = tokenizationFixture();
    const labels = tokenizationLabels(
      [
        tokenizationFixture({ id: "tok_a" }),
        tokenizationFixture({ id: "tok_b", settings: { ...base.settings, shuffle: true, seed: 3 } }),
        tokenizationFixture({ id: "tok_c", tokenizer_id: "tk_gone" }),
      ],
      [gpt2],
    );
    expect(labels.get("tok_a")).toBe("openai-community/gpt2 (max 512 · truncate · special tokens · column text)");
    expect(labels.get("tok_b")).toBe("openai-community/gpt2 (max 512 · truncate · special tokens · shuffled seed 3 · column text)");
    expect(labels.get("tok_c")).toBe("tk_gone");
  });
});

