import { waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { TokenizeRequest } from "../../bindings";
import { packingFixture, tokenizerFixture } from "../../test/backend";
import { openTokenization } from "../../test/detail";

const gpt2 = tokenizerFixture();
const bert = tokenizerFixture({
  id: "tk_bert",
  name: "google-bert/bert-base-uncased",
  vocab_size: 30522,
  special_tokens: {
    bos: null,
    eos: null,
    pad: { id: 0, content: "[PAD]" },
    unk: { id: 100, content: "[UNK]" },
    sep: { id: 102, content: "[SEP]" },
  },
});

function requests(backend: { callsOf: (cmd: string) => { args: unknown }[] }): TokenizeRequest[] {
  return backend.callsOf("start_tokenization").map((c) => (c.args as { request: TokenizeRequest }).request);
}

describe("Packed settings (SAELens)", () => {
  it("starts from SAELens's tokens, shuffled, with the special tokens transformers adds", async () => {
    const { tab, user, backend } = await openTokenization({ tokenizers: [gpt2] });
    // Per-sample rows keep the dataset's order unless asked.
    expect(within(tab).getByRole("switch", { name: "Shuffle Rows" })).toHaveAttribute("aria-checked", "false");
    expect(within(tab).queryByLabelText("Seed")).not.toBeInTheDocument();

    await user.click(within(tab).getByTestId("tokenize-mode-packed"));
    expect(within(tab).getByLabelText("Row Start Token")).toHaveValue("bos");
    expect(within(tab).getByLabelText("Document Start Token")).toHaveValue("none");
    expect(within(tab).getByLabelText("Separator Token")).toHaveValue("bos");
    expect(within(tab).getByRole("switch", { name: "One Document per Row" })).toHaveAttribute("aria-checked", "false");
    const specials = within(tab).getByRole("switch", { name: "Add Special Tokens" });
    expect(specials).toHaveAttribute("aria-checked", "true");
    expect(specials).toHaveAccessibleDescription(/encode\(text\) does.*Llama-2 documents start with <s>/);
    expect(within(tab).getByRole("switch", { name: "Shuffle Rows" })).toHaveAttribute("aria-checked", "true");
    const seed = within(tab).getByLabelText("Seed");
    expect(seed).toHaveValue(null);
    expect(seed).toHaveAttribute("placeholder", "Random");
    expect(seed).toHaveAccessibleDescription(/a random seed is drawn when the job starts and recorded/);

    await user.click(within(tab).getByTestId("tokenize-submit"));
    await waitFor(() => expect(requests(backend)).toHaveLength(1));
    expect(requests(backend)[0]?.settings).toMatchObject({
      packing: packingFixture(),
      add_special_tokens: true,
      shuffle: true,
      seed: null,
    });
  });

  it("disables the tokens the tokenizer lacks and says so", async () => {
    const { tab, user } = await openTokenization({ tokenizers: [gpt2, bert] });
    await user.click(within(tab).getByTestId("tokenize-mode-packed"));
    const separator = within(tab).getByLabelText("Separator Token");
    // GPT-2 has BOS and EOS (<|endoftext|>) but no SEP.
    expect(within(separator).getByRole("option", { name: "SEP (not in this tokenizer)" })).toBeDisabled();
    expect(within(separator).getByRole("option", { name: "BOS (<|endoftext|>)" })).toBeEnabled();
    expect(separator).toHaveAccessibleDescription("Put between two documents in a row (sequence_separator_token)");
    expect(within(tab).getByTestId("tokenize-missing-tokens")).toHaveTextContent(
      "openai-community/gpt2 has no SEP token, so it cannot be chosen here.",
    );

    // bert has a SEP but no BOS or EOS; the chosen BOS stays selected with the reason under it.
    await user.selectOptions(within(tab).getByLabelText("Tokenizer"), "tk_bert");
    expect(within(tab).getByTestId("tokenize-missing-tokens")).toHaveTextContent(
      "google-bert/bert-base-uncased has no BOS or EOS token, so they cannot be chosen here.",
    );
    const rowStart = within(tab).getByLabelText("Row Start Token");
    expect(within(rowStart).getByRole("option", { name: "SEP ([SEP])" })).toBeEnabled();
    expect(within(rowStart).getByRole("option", { name: "EOS (not in this tokenizer)" })).toBeDisabled();
    expect(within(rowStart).getByRole("option", { name: "BOS (not in this tokenizer)" })).toBeEnabled();
    expect(within(tab).getByTestId("tokenize-begin-batch-error")).toHaveTextContent(
      "google-bert/bert-base-uncased has no BOS token: choose another begin-batch token, a token id or none.",
    );
    expect(within(tab).getByTestId("tokenize-submit")).toBeDisabled();
    await user.selectOptions(rowStart, "sep");
    await user.selectOptions(within(tab).getByLabelText("Separator Token"), "none");
    expect(within(tab).getByTestId("tokenize-submit")).toBeEnabled();
  });

  it("takes a token id of one's own, checked against the vocabulary", async () => {
    const { tab, user, backend } = await openTokenization({ tokenizers: [gpt2] });
    await user.click(within(tab).getByTestId("tokenize-mode-packed"));
    await user.selectOptions(within(tab).getByLabelText("Document Start Token"), "id");
    const id = within(tab).getByLabelText("Document Start Token ID");
    await user.type(id, "50257");
    expect(within(tab).getByTestId("tokenize-begin-sequence-id-error")).toHaveTextContent(
      "The begin-sequence token id must be between 0 and 50,256.",
    );
    await user.clear(id);
    await user.type(id, "198");
    await user.click(within(tab).getByRole("switch", { name: "One Document per Row" }));
    expect(within(tab).getByLabelText("Separator Token")).toHaveAccessibleDescription(/Not used while each row holds one document/);
    await user.click(within(tab).getByRole("switch", { name: "Add Special Tokens" }));
    await user.click(within(tab).getByTestId("tokenize-submit"));
    await waitFor(() => expect(requests(backend)).toHaveLength(1));
    expect(requests(backend)[0]?.settings).toMatchObject({
      packing: packingFixture({ begin_sequence_token: { kind: "id", id: 198 }, disable_concat_sequences: true }),
      add_special_tokens: false,
    });
  });

  it("sends a typed seed, refuses a bad one, and per-sample mode shuffles only when asked", async () => {
    const { tab, user, backend } = await openTokenization({ tokenizers: [gpt2] });
    await user.click(within(tab).getByRole("switch", { name: "Shuffle Rows" }));
    const seed = within(tab).getByLabelText("Seed");
    await user.type(seed, "4294967296");
    expect(within(tab).getByTestId("tokenize-seed-error")).toHaveTextContent(
      "The seed must be a whole number from 0 to 4,294,967,295, or empty for a random one.",
    );
    expect(within(tab).getByTestId("tokenize-submit")).toBeDisabled();
    await user.clear(seed);
    await user.type(seed, "42");
    await user.click(within(tab).getByTestId("tokenize-submit"));
    await waitFor(() => expect(requests(backend)).toHaveLength(1));
    expect(requests(backend)[0]?.settings).toMatchObject({ packing: null, shuffle: true, seed: 42 });

    // Switching mode brings that mode's default order; the typed seed waits for the next shuffle.
    await user.click(within(tab).getByTestId("tokenize-mode-packed"));
    await user.click(within(tab).getByTestId("tokenize-mode-sample"));
    expect(within(tab).getByRole("switch", { name: "Shuffle Rows" })).toHaveAttribute("aria-checked", "false");
    await user.click(within(tab).getByTestId("tokenize-submit"));
    await waitFor(() => expect(requests(backend)).toHaveLength(2));
    expect(requests(backend)[1]?.settings).toMatchObject({ shuffle: false, seed: null });
  });
});

describe("SAELens defaults", () => {
  it("sets packed 128, BOS/none/BOS, concatenation, special tokens and a shuffle in one click", async () => {
    const { tab, user, backend } = await openTokenization({ tokenizers: [gpt2] });
    await user.selectOptions(within(tab).getByLabelText("Text Column"), "title");
    await user.click(within(tab).getByTestId("tokenize-split-test"));
    await user.type(within(tab).getByLabelText("Minimum Tokens"), "5");

    const button = within(tab).getByRole("button", { name: "SAELens defaults" });
    expect(button).toHaveAttribute("aria-pressed", "false");
    await user.click(button);
    expect(button).toHaveAttribute("aria-pressed", "true");
    expect(within(tab).getByTestId("preset-help")).toHaveTextContent("SAELens defaults: packed rows of 128 tokens");
    expect(within(tab).getByTestId("tokenize-mode-packed")).toBeChecked();
    expect(within(tab).getByLabelText("Context Size")).toHaveValue(128);
    // The column and splits are the dataset's choice; SAELens filters nothing.
    expect(within(tab).getByLabelText("Text Column")).toHaveValue("title");
    expect(within(tab).getByTestId("tokenize-split-test")).not.toBeChecked();
    expect(within(tab).getByLabelText("Minimum Tokens")).toHaveValue(null);

    await user.click(within(tab).getByTestId("tokenize-submit"));
    await waitFor(() => expect(requests(backend)).toHaveLength(1));
    expect(requests(backend)[0]?.settings).toEqual({
      text_column: "title",
      splits: ["train"],
      max_length: 512,
      truncation: true,
      padding: "none",
      overflow: false,
      stride: 0,
      add_special_tokens: true,
      packing: packingFixture({ context_size: 128 }),
      min_tokens: null,
      max_tokens: null,
      shuffle: true,
      seed: null,
    });

    // Changing a setting leaves the defaults.
    await user.type(within(tab).getByLabelText("Seed"), "7");
    expect(button).toHaveAttribute("aria-pressed", "false");
  });
});
