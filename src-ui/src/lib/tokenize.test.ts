import { describe, expect, it } from "vitest";
import { packingFixture, readyDatasetFixture, tokenizerFixture } from "../test/backend";
import {
  buildSettings,
  DEFAULT_SETTINGS,
  defaultDraft,
  draftFromSettings,
  isReplaceConflict,
  isTextType,
  previewKey,
  saelensDraft,
  samplesEta,
  settingsSummary,
  specialTokenList,
  visiblePiece,
  type SettingsDraft,
} from "./tokenize";

const dataset = readyDatasetFixture();
const gpt2 = tokenizerFixture();
const withPad = tokenizerFixture({
  name: "bert",
  special_tokens: {
    bos: null,
    eos: null,
    pad: { id: 0, content: "[PAD]" },
    unk: { id: 100, content: "[UNK]" },
    sep: { id: 102, content: "[SEP]" },
  },
});

function draft(over: Partial<SettingsDraft> = {}): SettingsDraft {
  return { ...defaultDraft(dataset), ...over };
}

describe("settings summary", () => {
  it("describes per-sample settings", () => {
    expect(settingsSummary(DEFAULT_SETTINGS)).toBe("max 512 · truncate · special tokens");
    expect(
      settingsSummary({
        ...DEFAULT_SETTINGS,
        max_length: 2048,
        overflow: true,
        stride: 128,
        padding: "max_length",
        add_special_tokens: false,
        min_tokens: 16,
        max_tokens: 100_000,
        splits: ["train"],
        text_column: "body",
      }),
    ).toBe("max 2,048 · truncate · overflow (stride 128) · pad · ≥ 16 tokens · ≤ 100,000 tokens · train · column body");
  });

  it("describes packed settings in the engine's words", () => {
    expect(settingsSummary({ ...DEFAULT_SETTINGS, packing: packingFixture({ context_size: 128 }), shuffle: true, seed: 42 })).toBe(
      "packed 128 · row start BOS · separator BOS · shuffled seed 42",
    );
    expect(
      settingsSummary({
        ...DEFAULT_SETTINGS,
        packing: packingFixture({
          begin_batch_token: { kind: "none" },
          begin_sequence_token: { kind: "eos" },
          sequence_separator_token: { kind: "id", id: 13 },
        }),
        add_special_tokens: false,
      }),
    ).toBe("packed 1,024 · row start none · document start EOS · separator token 13 · no special tokens");
    // One document per row has no separator to name; a shuffle waiting for its seed says so.
    expect(
      settingsSummary({ ...DEFAULT_SETTINGS, packing: packingFixture({ disable_concat_sequences: true }), shuffle: true }),
    ).toBe("packed 1,024 · one document per row · row start BOS · shuffled");
    expect(settingsSummary({ ...DEFAULT_SETTINGS, shuffle: true, seed: 7 })).toBe(
      "max 512 · truncate · special tokens · shuffled seed 7",
    );
  });
});

describe("visible pieces", () => {
  it("draws spaces, newlines and tabs", () => {
    expect(visiblePiece(" the")).toBe("␣the");
    expect(visiblePiece("\n\n")).toBe("↵↵");
    expect(visiblePiece("a\r\nb")).toBe("a↵b");
    expect(visiblePiece("\tx")).toBe("⇥x");
    expect(visiblePiece("")).toBe("∅");
    expect(visiblePiece("<|endoftext|>")).toBe("<|endoftext|>");
  });
});

describe("building settings from the form", () => {
  it("gives the engine's defaults for an untouched form", () => {
    const built = buildSettings(defaultDraft(dataset), dataset, gpt2);
    expect(built.errors).toEqual({});
    expect(built.settings).toEqual({ ...DEFAULT_SETTINGS, text_column: "text", splits: [] });
  });

  it("sends only the chosen splits when not all are chosen", () => {
    expect(buildSettings(draft({ splits: ["test"] }), dataset, gpt2).settings?.splits).toEqual(["test"]);
    const none = buildSettings(draft({ splits: [] }), dataset, gpt2);
    expect(none.settings).toBeNull();
    expect(none.errors.splits).toBe("Choose at least one split.");
  });

  it("checks the ranges of the numbers", () => {
    expect(buildSettings(draft({ maxLength: "0" }), dataset, gpt2).errors.maxLength).toBe(
      "Max length must be between 1 and 1,048,576.",
    );
    expect(buildSettings(draft({ maxLength: "" }), dataset, gpt2).errors.maxLength).toBe("Max length is required.");
    expect(buildSettings(draft({ maxLength: "12.5" }), dataset, gpt2).errors.maxLength).toBe(
      "Max length must be a whole number.",
    );
    expect(buildSettings(draft({ overflow: true, stride: "512" }), dataset, gpt2).errors.stride).toBe(
      "Stride must be smaller than the max length (512).",
    );
    expect(buildSettings(draft({ minTokens: "-1" }), dataset, gpt2).errors.minTokens).toBe(
      "Minimum tokens must be a whole number, or empty for no limit.",
    );
    expect(buildSettings(draft({ minTokens: "100", maxTokens: "10" }), dataset, gpt2).errors.maxTokens).toBe(
      "Maximum tokens (10) is below the minimum (100).",
    );
    expect(
      buildSettings(draft({ mode: "packed", contextSize: "1" }), dataset, gpt2).errors.contextSize,
    ).toBe("Context size must be between 2 and 1,048,576.");
  });

  it("ignores the stride unless overflow is on, and needs truncation for overflow", () => {
    const built = buildSettings(draft({ stride: "9999" }), dataset, gpt2);
    expect(built.errors).toEqual({});
    expect(built.settings?.stride).toBe(0);
    expect(buildSettings(draft({ overflow: true, truncation: false }), dataset, gpt2).errors.overflow).toMatch(
      /turn truncation on/,
    );
    expect(buildSettings(draft({ overflow: true, stride: "64" }), dataset, gpt2).settings).toMatchObject({
      overflow: true,
      stride: 64,
    });
  });

  it("checks the tokenizer has the tokens the settings need", () => {
    expect(buildSettings(draft({ padding: "max_length" }), dataset, gpt2).errors.padding).toBe(
      "openai-community/gpt2 has no pad token: choose no padding.",
    );
    expect(buildSettings(draft({ padding: "max_length" }), dataset, withPad).errors).toEqual({});
    const packed = draft({ mode: "packed" });
    expect(buildSettings(packed, dataset, gpt2).errors).toEqual({});
    expect(buildSettings(packed, dataset, withPad).errors).toEqual({
      beginBatch: "bert has no BOS token: choose another begin-batch token, a token id or none.",
      separator: "bert has no BOS token: choose another separator token, a token id or none.",
    });
    // GPT-2 has no SEP; a tokenizer stored before SEP was looked up has none either.
    expect(buildSettings({ ...packed, beginSequence: { kind: "sep", id: "" } }, dataset, gpt2).errors).toEqual({
      beginSequence: "openai-community/gpt2 has no SEP token: choose another begin-sequence token, a token id or none.",
    });
    expect(buildSettings({ ...packed, separator: { kind: "sep", id: "" } }, dataset, withPad).errors).toEqual({
      beginBatch: "bert has no BOS token: choose another begin-batch token, a token id or none.",
    });
    expect(buildSettings({ ...packed, separator: { kind: "id", id: "50257" } }, dataset, gpt2).errors.separator).toBe(
      "The separator token id must be between 0 and 50,256.",
    );
    expect(buildSettings({ ...packed, beginBatch: { kind: "id", id: "" } }, dataset, gpt2).errors.beginBatch).toBe(
      "The begin-batch token id is required.",
    );
  });

  it("builds packed settings with SAELens's tokens, shuffled", () => {
    const built = buildSettings(draft({ mode: "packed", shuffle: true }), dataset, gpt2);
    expect(built.settings?.packing).toEqual(packingFixture());
    expect(built.settings).toMatchObject({ add_special_tokens: true, shuffle: true, seed: null });
    const id = buildSettings(
      draft({ mode: "packed", separator: { kind: "id", id: "198" }, oneDocumentPerRow: true, addSpecialTokens: false }),
      dataset,
      gpt2,
    );
    expect(id.settings?.packing).toMatchObject({ sequence_separator_token: { kind: "id", id: 198 }, disable_concat_sequences: true });
    expect(id.settings?.add_special_tokens).toBe(false);
  });

  it("sends a typed seed only with a shuffle, and checks it", () => {
    expect(buildSettings(draft({ shuffle: true, seed: "42" }), dataset, gpt2).settings).toMatchObject({ shuffle: true, seed: 42 });
    expect(buildSettings(draft({ shuffle: true, seed: " " }), dataset, gpt2).settings).toMatchObject({ shuffle: true, seed: null });
    // A seed left in the field while the shuffle is off means nothing.
    expect(buildSettings(draft({ shuffle: false, seed: "42" }), dataset, gpt2).settings).toMatchObject({ shuffle: false, seed: null });
    for (const bad of ["-1", "4.5", "4294967296", "abc"]) {
      expect(buildSettings(draft({ shuffle: true, seed: bad }), dataset, gpt2).errors.seed).toBe(
        "The seed must be a whole number from 0 to 4,294,967,295, or empty for a random one.",
      );
    }
    expect(buildSettings(draft({ shuffle: true, seed: "4294967295" }), dataset, gpt2).settings?.seed).toBe(4_294_967_295);
  });

  it("leaves the row order out of the preview's key", () => {
    const plain = buildSettings(draft({ mode: "packed" }), dataset, gpt2).settings!;
    const shuffled = buildSettings(draft({ mode: "packed", shuffle: true, seed: "3" }), dataset, gpt2).settings!;
    expect(previewKey(shuffled)).toBe(previewKey(plain));
    const other = buildSettings(draft({ mode: "packed", oneDocumentPerRow: true }), dataset, gpt2).settings!;
    expect(previewKey(other)).not.toBe(previewKey(plain));
  });

  it("gives SAELens's defaults for the chosen column and splits", () => {
    const mine = draft({ textColumn: "title", splits: ["test"], maxTokens: "900", mode: "sample" });
    const d = saelensDraft(mine, dataset);
    expect(d).toMatchObject({ textColumn: "title", splits: ["test"], maxTokens: "", minTokens: "" });
    expect(buildSettings(d, dataset, gpt2).settings).toEqual({
      ...DEFAULT_SETTINGS,
      text_column: "title",
      splits: ["test"],
      packing: packingFixture({ context_size: 128 }),
      add_special_tokens: true,
      shuffle: true,
      seed: null,
    });
  });

  it("says when the dataset has no text column", () => {
    const noText = readyDatasetFixture({ columns: [{ name: "id", data_type: "int64" }], text_column: null });
    const built = buildSettings(defaultDraft(noText), noText, gpt2);
    expect(built.errors.textColumn).toBe("This dataset has no text column to tokenize.");
  });
});

describe("drafts from saved settings", () => {
  it("round-trips settings and fits them to the dataset", () => {
    const settings = {
      ...DEFAULT_SETTINGS,
      text_column: "title",
      splits: ["test", "validation"],
      packing: packingFixture({
        context_size: 256,
        begin_batch_token: { kind: "none" },
        begin_sequence_token: { kind: "eos" },
        sequence_separator_token: { kind: "id", id: 7 },
        disable_concat_sequences: true,
      }),
      add_special_tokens: false,
      min_tokens: 4,
      shuffle: true,
      seed: 99,
    };
    const d = draftFromSettings(settings, dataset);
    expect(d).toMatchObject({
      textColumn: "title",
      splits: ["test"], // "validation" does not exist here
      mode: "packed",
      contextSize: "256",
      beginBatch: { kind: "none", id: "" },
      beginSequence: { kind: "eos", id: "" },
      separator: { kind: "id", id: "7" },
      oneDocumentPerRow: true,
      addSpecialTokens: false,
      shuffle: true,
      seed: "99",
      minTokens: "4",
      maxTokens: "",
    });
    expect(buildSettings(d, dataset, gpt2).settings).toEqual({ ...settings, splits: ["test"] });
  });

  it("falls back to the dataset's text column and all splits", () => {
    const d = draftFromSettings({ ...DEFAULT_SETTINGS, text_column: "missing", splits: ["nope"] }, dataset);
    expect(d.textColumn).toBe("text");
    expect(d.splits).toEqual(["train", "test"]);
  });
});

describe("small helpers", () => {
  it("recognises the replace conflict", () => {
    expect(
      isReplaceConflict({
        kind: "conflict",
        message:
          "TinyStories already has a tokenization with gpt2 and these settings (packed 128 · row start BOS · separator BOS · shuffled seed 42); confirm to replace it, or change a setting to keep both",
      }),
    ).toBe(true);
    expect(isReplaceConflict({ kind: "conflict", message: "TinyStories is already being tokenized with gpt2" })).toBe(
      false,
    );
    expect(isReplaceConflict({ kind: "invalid_input", message: "confirm to replace" })).toBe(false);
  });

  it("lists the special tokens that exist", () => {
    expect(specialTokenList(withPad)).toEqual([
      { role: "SEP", id: 102, content: "[SEP]" },
      { role: "PAD", id: 0, content: "[PAD]" },
      { role: "UNK", id: 100, content: "[UNK]" },
    ]);
  });

  it("estimates the time left from the sample rate", () => {
    const p = { unit: "samples" as const, done: 250, total: 1000, tokens: 0, samples_per_sec: 50, tokens_per_sec: null };
    expect(samplesEta(p)).toBe(15);
    expect(samplesEta({ ...p, samples_per_sec: null })).toBeNull();
    expect(samplesEta({ ...p, samples_per_sec: 0 })).toBeNull();
    expect(samplesEta({ ...p, total: null })).toBeNull();
  });
});

describe("isTextType", () => {
  it("accepts strings and chat turns, nothing else", () => {
    expect(isTextType("string")).toBe(true);
    expect(isTextType("large_string")).toBe(true);
    expect(isTextType("list<struct<role: string, content: string>>")).toBe(true);
    expect(isTextType("large_list<struct<content: large_string, name: string, role: string>>")).toBe(true);
    expect(isTextType("list<struct<role: string, text: string>>")).toBe(false);
    expect(isTextType("list<string>")).toBe(false);
    expect(isTextType("int64")).toBe(false);
  });
});
