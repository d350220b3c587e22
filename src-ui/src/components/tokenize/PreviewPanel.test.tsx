import { act, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { TokenizePreview, TokenizeSettings } from "../../bindings";
import { packingFixture, previewFixture, tokenizerFixture } from "../../test/backend";
import { openTokenization } from "../../test/detail";

const gpt2 = tokenizerFixture();

const richPreview: TokenizePreview = {
  rows: [
    {
      tokens: [
        { id: 50256, piece: "<|endoftext|>", special: true, padding: false },
        { id: 464, piece: "The", special: false, padding: false },
        { id: 2068, piece: " quick", special: false, padding: false },
        { id: 198, piece: "\n", special: false, padding: false },
      ],
      overflow: false,
    },
    {
      tokens: [
        { id: 7586, piece: " brown", special: false, padding: false },
        { id: 0, piece: "[PAD]", special: true, padding: true },
      ],
      overflow: true,
    },
  ],
  total_rows: 2,
  num_tokens: 5,
  text_tokens: 9,
  truncated: true,
  remainder_tokens: 0,
};

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("Tokenization preview", () => {
  it("renders each token as a chip with visible whitespace, the id in its tooltip and special/padding marks", async () => {
    const { tab, user, backend } = await openTokenization({ tokenizers: [gpt2], preview: () => richPreview });
    await user.type(within(tab).getByTestId("preview-text"), "The quick");

    const result = within(tab).getByTestId("preview-result");
    const chips = await within(result).findAllByTestId("token-chip");
    expect(chips.map((c) => c.textContent)).toEqual(["<|endoftext|>", "The", "␣quick", "↵", "␣brown", "[PAD]"]);
    expect(chips[2]).toHaveAttribute("title", 'Token ID: 2068 · " quick"');
    expect(chips[0]).toHaveAttribute("title", 'Token ID: 50256 · special · "<|endoftext|>"');
    expect(chips[0]).toHaveAttribute("data-special", "true");
    expect(chips[0]).toHaveClass("border-emerald-500");
    expect(chips[1]).not.toHaveAttribute("data-special");
    expect(chips[5]).toHaveAttribute("data-padding", "true");
    expect(chips[5]).toHaveClass("opacity-60");

    const rows = within(result).getAllByTestId("preview-row");
    expect(rows[0]).not.toHaveAttribute("data-overflow");
    expect(rows[1]).toHaveAttribute("data-overflow", "true");
    expect(rows[1]).toHaveTextContent("Row 2· overflow· 1 tokens");
    expect(within(result).getByTestId("preview-footer")).toHaveTextContent(
      "5 tokens · 2 rows · truncated (the text is 9 tokens)",
    );

    // Typing is debounced: one request for the whole word, with the chosen tokenizer and settings.
    const calls = backend.callsOf("preview_tokenization");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args).toMatchObject({ tokenizerId: "tk_gpt2", text: "The quick" });
    expect((calls[0]?.args as { settings: TokenizeSettings }).settings).toMatchObject({
      max_length: 512,
      truncation: true,
      packing: null,
    });
  });

  it("mentions tokens left over in packed mode and asks again when the settings change", async () => {
    const { tab, user, backend } = await openTokenization({
      tokenizers: [gpt2],
      preview: (_id, settings, text) =>
        settings.packing
          ? { ...previewFixture(text), rows: [], total_rows: 0, num_tokens: 0, remainder_tokens: 3 }
          : previewFixture(text),
    });
    await user.type(within(tab).getByTestId("preview-text"), "a b c");
    await waitFor(() => expect(within(tab).getByTestId("preview-footer")).toHaveTextContent("3 tokens · 1 row"));

    await user.click(within(tab).getByTestId("tokenize-mode-packed"));
    await waitFor(() =>
      expect(within(tab).getByTestId("preview-footer")).toHaveTextContent(
        "0 tokens · 0 rows · 3 tokens left over (dropped at the end of a split)",
      ),
    );
    expect(within(tab).getByTestId("preview-empty")).toHaveTextContent("Not enough tokens for a full row yet");
    const last = backend.callsOf("preview_tokenization").at(-1);
    expect((last?.args as { settings: TokenizeSettings }).settings.packing).toEqual(packingFixture());
  });

  it("keeps the newest answer when an older one arrives later", async () => {
    const slow = deferred<TokenizePreview>();
    const { tab, user, backend } = await openTokenization({
      tokenizers: [gpt2],
      preview: (_id, _settings, text) => (text === "old" ? () => slow.promise : previewFixture(text)),
    });
    const textarea = within(tab).getByTestId("preview-text");
    await user.type(textarea, "old");
    await waitFor(() => expect(backend.callsOf("preview_tokenization")).toHaveLength(1));

    await user.clear(textarea);
    await user.type(textarea, "new words");
    await waitFor(() =>
      expect(within(tab).getAllByTestId("token-chip").map((c) => c.textContent)).toEqual(["new", "␣words"]),
    );

    // The first request answers last: it must not replace the newer preview.
    await act(async () => {
      slow.resolve({ ...previewFixture("stale answer"), num_tokens: 99 });
      await slow.promise;
    });
    expect(within(tab).getAllByTestId("token-chip").map((c) => c.textContent)).toEqual(["new", "␣words"]);
    expect(within(tab).getByTestId("preview-footer")).toHaveTextContent("2 tokens · 1 row");
  });

  it("shows the engine's error and does not ask while the settings are invalid", async () => {
    const { tab, user, backend } = await openTokenization({
      tokenizers: [gpt2],
      preview: () => ({
        error: { kind: "invalid_input", message: "a max length of 1 leaves no room for text next to the 1 special tokens gpt2 adds: raise it" },
      }),
    });
    await user.type(within(tab).getByTestId("preview-text"), "hello");
    expect(await within(tab).findByTestId("preview-error")).toHaveTextContent(
      "invalid_input: a max length of 1 leaves no room for text",
    );

    const calls = backend.callsOf("preview_tokenization").length;
    await user.clear(within(tab).getByTestId("tokenize-max-length"));
    expect(within(tab).getByTestId("preview-result")).toHaveTextContent("Fix the settings above to see a preview.");
    await new Promise((r) => setTimeout(r, 400));
    expect(backend.callsOf("preview_tokenization")).toHaveLength(calls);
  });

  it("asks for a tokenizer when the library is empty", async () => {
    const { tab } = await openTokenization({ tokenizers: [] });
    await waitFor(() =>
      expect(within(tab).getByTestId("preview-result")).toHaveTextContent("Add or choose a tokenizer to see a preview."),
    );
    expect(within(tab).getByTestId("tokenize-submit")).toBeDisabled();
  });
});
