import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { TokenizeRequest } from "../../bindings";
import { tokenizationFixture, tokenizerFixture } from "../../test/backend";
import { openTokenization } from "../../test/detail";

const gpt2 = tokenizerFixture();
const bert = tokenizerFixture({
  id: "tk_bert",
  name: "google-bert/bert-base-uncased",
  hf_repo_id: "google-bert/bert-base-uncased",
  vocab_size: 30522,
  special_tokens: {
    bos: null,
    eos: null,
    pad: { id: 0, content: "[PAD]" },
    unk: { id: 100, content: "[UNK]" },
  },
});

function requests(backend: { callsOf: (cmd: string) => { args: unknown }[] }): TokenizeRequest[] {
  return backend.callsOf("start_tokenization").map((c) => (c.args as { request: TokenizeRequest }).request);
}

describe("Tokenization settings", () => {
  it("looks like the mock: labelled fields, switch rows and the emerald Apply button", async () => {
    const { tab } = await openTokenization({ tokenizers: [gpt2, bert] });
    expect(within(tab).getByRole("heading", { name: "Tokenization Configuration" })).toBeInTheDocument();
    const select = within(tab).getByLabelText("Tokenizer");
    await waitFor(() => expect(select).toHaveValue("tk_gpt2"));
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "openai-community/gpt2 — 50,257 tokens",
      "google-bert/bert-base-uncased — 30,522 tokens",
    ]);
    expect(within(tab).getByTestId("tokenizer-special-tokens")).toHaveTextContent("BOS <|endoftext|>");
    expect(within(tab).getByLabelText("Text Column")).toHaveValue("text");
    // Only string columns can be tokenized.
    expect(within(within(tab).getByLabelText("Text Column")).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "text (detected)",
      "title",
    ]);
    expect(within(tab).getByLabelText("Max Sequence Length")).toHaveValue(512);
    expect(within(tab).getByRole("switch", { name: "Truncation" })).toHaveAttribute("aria-checked", "true");
    expect(within(tab).getByRole("switch", { name: "Add Special Tokens" })).toHaveAttribute("aria-checked", "true");
    expect(within(tab).getByRole("switch", { name: "Overflow Rows" })).toHaveAttribute("aria-checked", "false");
    expect(within(tab).queryByLabelText("Stride")).not.toBeInTheDocument();
    expect(within(tab).getByTestId("tokenize-split-train")).toBeChecked();
    expect(within(tab).getByTestId("tokenize-split-test")).toBeChecked();
    const apply = within(tab).getByTestId("tokenize-submit");
    expect(apply).toHaveTextContent("Apply & Tokenize Dataset");
    expect(apply).toHaveClass("bg-emerald-600", "w-full");
    expect(apply).toBeEnabled();
  });

  it("shows the per-sample or the packed fields", async () => {
    const { tab, user } = await openTokenization({ tokenizers: [gpt2] });
    await user.click(within(tab).getByTestId("tokenize-mode-packed"));
    expect(within(tab).queryByLabelText("Max Sequence Length")).not.toBeInTheDocument();
    expect(within(tab).queryByRole("switch", { name: "Truncation" })).not.toBeInTheDocument();
    expect(within(tab).queryByLabelText("Padding")).not.toBeInTheDocument();
    expect(within(tab).getByLabelText("Context Size")).toHaveValue(1024);
    expect(within(tab).getByLabelText("Row Start Token")).toHaveValue("bos");
    expect(within(tab).getByLabelText("Document Start Token")).toHaveValue("none");
    expect(within(tab).getByLabelText("Separator Token")).toHaveValue("bos");

    await user.selectOptions(within(tab).getByLabelText("Separator Token"), "id");
    expect(within(tab).getByLabelText("Separator Token ID")).toBeInTheDocument();

    await user.click(within(tab).getByTestId("tokenize-mode-sample"));
    expect(within(tab).getByLabelText("Max Sequence Length")).toHaveValue(512);
    await user.click(within(tab).getByRole("switch", { name: "Overflow Rows" }));
    expect(within(tab).getByLabelText("Stride")).toHaveValue(0);
  });

  it("names the bad setting inline and keeps Apply disabled until it is fixed", async () => {
    const { tab, user, backend } = await openTokenization({ tokenizers: [gpt2] });
    const maxLength = within(tab).getByLabelText("Max Sequence Length");
    await user.clear(maxLength);
    await user.type(maxLength, "0");
    expect(within(tab).getByTestId("tokenize-max-length-error")).toHaveTextContent(
      "Max length must be between 1 and 1,048,576.",
    );
    expect(maxLength).toHaveAttribute("aria-invalid", "true");
    expect(maxLength).toHaveAccessibleDescription(/Max length must be between 1 and 1,048,576\./);
    expect(within(tab).getByTestId("tokenize-submit")).toBeDisabled();
    expect(within(tab).getByTestId("tokenize-submit-help")).toHaveTextContent("Fix the settings marked above first.");

    await user.clear(maxLength);
    await user.type(maxLength, "128");
    await user.click(within(tab).getByRole("switch", { name: "Overflow Rows" }));
    const stride = within(tab).getByLabelText("Stride");
    await user.clear(stride);
    await user.type(stride, "128");
    expect(within(tab).getByTestId("tokenize-stride-error")).toHaveTextContent(
      "Stride must be smaller than the max length (128).",
    );
    await user.clear(stride);
    await user.type(stride, "32");
    expect(within(tab).queryByTestId("tokenize-stride-error")).not.toBeInTheDocument();

    await user.type(within(tab).getByLabelText("Minimum Tokens"), "64");
    await user.type(within(tab).getByLabelText("Maximum Tokens"), "8");
    expect(within(tab).getByTestId("tokenize-max-tokens-error")).toHaveTextContent(
      "Maximum tokens (8) is below the minimum (64).",
    );
    await user.clear(within(tab).getByLabelText("Maximum Tokens"));

    await user.click(within(tab).getByTestId("tokenize-split-train"));
    await user.click(within(tab).getByTestId("tokenize-split-test"));
    expect(within(tab).getByTestId("tokenize-splits-error")).toHaveTextContent("Choose at least one split.");
    await user.click(within(tab).getByTestId("tokenize-split-test"));

    expect(within(tab).getByTestId("tokenize-submit")).toBeEnabled();
    await user.click(within(tab).getByTestId("tokenize-submit"));
    await waitFor(() => expect(requests(backend)).toHaveLength(1));
    expect(requests(backend)[0]).toEqual({
      dataset_id: "ds-1",
      tokenizer_id: "tk_gpt2",
      replace: false,
      settings: {
        text_column: "text",
        splits: ["test"],
        max_length: 128,
        truncation: true,
        padding: "none",
        overflow: true,
        stride: 32,
        add_special_tokens: true,
        packing: null,
        min_tokens: 64,
        max_tokens: null,
        shuffle: false,
        seed: null,
      },
    });
  });

  it("offers padding and packing tokens only when the tokenizer has them", async () => {
    const { tab, user } = await openTokenization({ tokenizers: [gpt2, bert] });
    const padding = within(tab).getByLabelText("Padding");
    expect(within(padding).getByRole("option", { name: "Pad to max length (needs a pad token)" })).toBeDisabled();
    expect(padding).toHaveAccessibleDescription("openai-community/gpt2 has no pad token, so rows cannot be padded");

    await user.selectOptions(within(tab).getByLabelText("Tokenizer"), "tk_bert");
    expect(within(padding).getByRole("option", { name: "Pad to max length" })).toBeEnabled();
    await user.click(within(tab).getByTestId("tokenize-mode-packed"));
    // bert has neither BOS nor EOS: packed mode starts without them.
    expect(within(tab).getByLabelText("Row Start Token")).toHaveValue("none");
    expect(within(tab).getByLabelText("Separator Token")).toHaveValue("none");
    expect(within(tab).getByTestId("tokenize-submit")).toBeEnabled();
  });

  it("shows the engine's invalid_input message next to the form", async () => {
    const { tab, user } = await openTokenization({
      tokenizers: [gpt2],
      startTokenization: () => ({
        error: {
          kind: "invalid_input",
          message: "a max length of 1 leaves no room for text next to the 1 special tokens gpt2 adds: raise it",
        },
      }),
    });
    const maxLength = within(tab).getByLabelText("Max Sequence Length");
    await user.clear(maxLength);
    await user.type(maxLength, "1");
    await user.click(within(tab).getByTestId("tokenize-submit"));
    expect(await within(tab).findByTestId("tokenize-invalid-message")).toHaveTextContent(
      "a max length of 1 leaves no room for text next to the 1 special tokens gpt2 adds: raise it",
    );
    expect(within(tab).getByTestId("tokenize-submit")).toBeEnabled();
  });

  it("shows other errors with their kind, e.g. a job already running", async () => {
    const { tab, user } = await openTokenization({
      tokenizers: [gpt2],
      startTokenization: () => ({
        error: {
          kind: "conflict",
          message: "TinyStories is already being tokenized with openai-community/gpt2; wait for it or cancel it first",
        },
      }),
    });
    await user.click(within(tab).getByTestId("tokenize-submit"));
    const error = await within(tab).findByTestId("tokenize-error");
    expect(error).toHaveTextContent("conflict");
    expect(error).toHaveTextContent("already being tokenized");
    expect(screen.queryByTestId("tokenize-replace-confirm")).not.toBeInTheDocument();
  });
});

describe("Replacing a tokenization", () => {
  const conflict = {
    error: {
      kind: "conflict" as const,
      message:
        "TinyStories already has a tokenization with openai-community/gpt2 and these settings (packed 1024 · row start BOS · separator BOS · shuffled seed 5); confirm to replace it, or change a setting to keep both",
    },
  };

  it("asks only for the same tokenizer and settings, naming them, then sends again with replace", async () => {
    const { tab, user, backend } = await openTokenization({
      tokenizers: [gpt2],
      startTokenization: (request) =>
        request.replace ? tokenizationFixture({ id: "tok_1", status: "queued", settings: request.settings }) : conflict,
    });
    await user.click(within(tab).getByTestId("tokenize-mode-packed"));
    await user.click(within(tab).getByTestId("tokenize-submit"));

    const dialog = await screen.findByTestId("tokenize-replace-confirm");
    expect(dialog).toHaveAttribute("role", "alertdialog");
    expect(dialog).toHaveTextContent(
      "TinyStories already has a tokenization with openai-community/gpt2 and these same settings (packed 1,024 · row start BOS · separator BOS · shuffled · column text).",
    );
    // The shuffle was left to chance: replacing draws another seed, and a seed of one's own keeps both.
    expect(dialog).toHaveTextContent("makes it again, with a new random seed. To keep both, cancel and change a setting (a different seed, say).");
    expect(requests(backend)).toHaveLength(1);
    expect(requests(backend)[0]?.replace).toBe(false);

    await user.click(within(dialog).getByRole("button", { name: "Replace" }));
    await waitFor(() => expect(screen.queryByTestId("tokenize-replace-confirm")).not.toBeInTheDocument());
    expect(requests(backend)).toHaveLength(2);
    expect(requests(backend)[1]).toMatchObject({ replace: true, tokenizer_id: "tk_gpt2" });
    expect(requests(backend)[1]?.settings).toEqual(requests(backend)[0]?.settings);
    expect(within(tab).getByTestId("tokenize-submit-help")).toHaveTextContent(
      "Tokenization with openai-community/gpt2 queued",
    );
  });

  it("sends nothing more when the person cancels, and Escape closes only the question", async () => {
    const { tab, user, backend } = await openTokenization({ tokenizers: [gpt2], startTokenization: () => conflict });
    await user.click(within(tab).getByTestId("tokenize-submit"));
    await screen.findByTestId("tokenize-replace-confirm");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("tokenize-replace-confirm")).not.toBeInTheDocument());
    expect(screen.getByTestId("dataset-modal")).toBeInTheDocument();

    await user.click(within(tab).getByTestId("tokenize-submit"));
    await user.click(within(await screen.findByTestId("tokenize-replace-confirm")).getByRole("button", { name: "Cancel" }));
    expect(requests(backend)).toHaveLength(2);
    expect(requests(backend).every((r) => r.replace === false)).toBe(true);
    expect(screen.getByTestId("dataset-modal")).toBeInTheDocument();
  });

  it("shows a failure of the replace inside the question", async () => {
    const { tab, user } = await openTokenization({
      tokenizers: [gpt2],
      startTokenization: (request) =>
        request.replace ? { error: { kind: "disk_full", message: "No space left on device" } } : conflict,
    });
    await user.click(within(tab).getByTestId("tokenize-submit"));
    const dialog = await screen.findByTestId("tokenize-replace-confirm");
    await user.click(within(dialog).getByRole("button", { name: "Replace" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("disk_full: No space left on device");
  });
});
