import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AppError, RowTokensQuery, SamplesPage, SamplesQuery, TokenizePreview } from "../../bindings";
import { openModal } from "../../test/detail";
import { packingFixture, previewFixture, tokenizationFixture, tokenizerFixture, type BackendOptions } from "../../test/backend";

/**
 * A fake 45-row split "train" followed by 5-row "test"; text "row N of SPLIT". Under a
 * tokenization, row N is N tokens long.
 */
function fakePage(query: SamplesQuery): SamplesPage {
  const rows = [
    ...Array.from({ length: 45 }, (_, i) => ({ split: "train", index: i })),
    ...Array.from({ length: 5 }, (_, i) => ({ split: "test", index: i })),
  ]
    .map((r) => ({ ...r, fields: { text: `Row ${r.index} of ${r.split}`, id: r.index } }))
    .filter((r) => query.split === null || r.split === query.split)
    .filter((r) => {
      const text = (r.fields as { text: string }).text;
      return query.search === null || text.toLowerCase().includes(query.search.toLowerCase());
    })
    .filter(
      (r) =>
        (query.min_tokens === null || r.index >= query.min_tokens) &&
        (query.max_tokens === null || r.index <= query.max_tokens),
    );
  return {
    total: rows.length,
    offset: query.offset,
    samples: rows.slice(query.offset, query.offset + query.limit),
    text_column: "text",
  };
}

/** {@link fakePage}, refusing token bounds without a tokenization as the engine does. */
function fakeRows(query: SamplesQuery): SamplesPage | { error: AppError } {
  if ((query.min_tokens !== null || query.max_tokens !== null) && query.tokenization_id === null) {
    return { error: { kind: "invalid_input", message: "choose a tokenization to filter rows by token length" } };
  }
  return fakePage(query);
}

async function openSamples(options: BackendOptions = {}) {
  const opened = await openModal({ listSamples: fakeRows, ...options });
  await opened.user.click(within(opened.modal).getByRole("tab", { name: "Samples" }));
  const tab = within(opened.modal).getByTestId("samples-tab");
  return { ...opened, tab };
}

const lastQuery = (backend: { callsOf: (cmd: string) => { args: unknown }[] }) =>
  (backend.callsOf("list_samples").at(-1)?.args as { query: SamplesQuery }).query;

describe("Samples tab", () => {
  it("reads nothing until opened, then shows the first 20 rows with the real index and split", async () => {
    const { backend, tab } = await openModal({ listSamples: fakeRows }).then(async (o) => {
      expect(o.backend.callsOf("list_samples")).toHaveLength(0);
      await o.user.click(within(o.modal).getByRole("tab", { name: "Samples" }));
      return { ...o, tab: within(o.modal).getByTestId("samples-tab") };
    });
    await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
    expect(lastQuery(backend)).toEqual({
      dataset_id: "ds-1",
      split: null,
      offset: 0,
      limit: 20,
      search: null,
      min_chars: null,
      max_chars: null,
      tokenization_id: null,
      min_tokens: null,
      max_tokens: null,
    });
    const first = within(tab).getAllByTestId("sample-tile")[0]!;
    expect(within(first).getByTestId("sample-label")).toHaveTextContent("Sample #0 • train");
    expect(within(first).getByTestId("sample-text")).toHaveTextContent("Row 0 of train");
    expect(within(first).getByTestId("sample-length")).toHaveTextContent("Length: 14 chars");
    expect(within(first).getByTestId("sample-field")).toHaveTextContent("id0");
    expect(within(tab).getByTestId("samples-range")).toHaveTextContent("Showing 1–20 of 50");
    expect(within(tab).getByTestId("samples-prev")).toBeDisabled();
  });

  it("pages forward to the last page and jumps to a page by number", async () => {
    const { user, tab, backend } = await openSamples();
    await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("1–20 of 50"));
    await user.click(within(tab).getByTestId("samples-next"));
    await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("21–40 of 50"));
    await user.click(within(tab).getByTestId("samples-next"));
    await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("41–50 of 50"));
    expect(within(tab).getByTestId("samples-next")).toBeDisabled();
    expect(within(tab).getAllByTestId("sample-label").map((l) => l.textContent)).toContain("Sample #4 • test");
    expect(lastQuery(backend).offset).toBe(40);

    await user.type(within(tab).getByTestId("samples-page-input"), "2{Enter}");
    await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("21–40 of 50"));
    // Past the end goes to the last page.
    await user.type(within(tab).getByTestId("samples-page-input"), "99{Enter}");
    await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("41–50 of 50"));
    await user.click(within(tab).getByTestId("samples-prev"));
    await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("21–40 of 50"));
  });

  it("searches after a pause with the typed text, highlights matches and says matches", async () => {
    const { user, tab, backend } = await openSamples();
    await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
    await user.click(within(tab).getByTestId("samples-next"));
    await waitFor(() => expect(lastQuery(backend).offset).toBe(20));
    await user.type(within(tab).getByPlaceholderText("Search in samples..."), "OF TEST");
    await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("Showing 1–5 of 5 matches"));
    // One search request for the whole word, from page 1; the text is sent as typed.
    const searches = backend.callsOf("list_samples").map((c) => (c.args as { query: SamplesQuery }).query.search);
    expect(searches.filter((s) => s !== null)).toEqual(["OF TEST"]);
    expect(lastQuery(backend).offset).toBe(0);
    const marks = within(tab).getAllByTestId("sample-match");
    expect(marks).toHaveLength(5);
    expect(marks[0]).toHaveTextContent("of test");
  });

  it("searches at once on Enter and shows the empty state", async () => {
    const { user, tab, backend } = await openSamples();
    await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
    const before = backend.callsOf("list_samples").length;
    await user.type(within(tab).getByPlaceholderText("Search in samples..."), "zebra{Enter}");
    expect(backend.callsOf("list_samples").length).toBe(before + 1);
    expect(lastQuery(backend).search).toBe("zebra");
    expect(await within(tab).findByTestId("samples-empty")).toHaveTextContent("No rows match “zebra”.");
    expect(within(tab).getByTestId("samples-range")).toHaveTextContent("Showing 0–0 of 0 matches");
  });

  it("lists the dataset's splits and asks for the chosen one", async () => {
    const { user, tab, backend } = await openSamples();
    const select = within(tab).getByTestId("samples-split");
    expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual(["All splits", "train", "test"]);
    await user.selectOptions(select, "test");
    await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("Showing 1–5 of 5"));
    expect(lastQuery(backend).split).toBe("test");
    expect(within(tab).getByTestId("samples-range")).not.toHaveTextContent("matches");
  });

  it("validates the length filters before asking", async () => {
    const { user, tab, backend } = await openSamples();
    await user.click(within(tab).getByTestId("samples-filters-toggle"));
    await user.type(within(tab).getByTestId("samples-min-chars"), "abc");
    expect(within(tab).getByTestId("samples-min-chars-error")).toHaveTextContent("A whole number");
    await user.clear(within(tab).getByTestId("samples-min-chars"));
    await user.type(within(tab).getByTestId("samples-min-chars"), "50");
    await user.type(within(tab).getByTestId("samples-max-chars"), "10");
    expect(within(tab).getByTestId("samples-max-chars-error")).toHaveTextContent("At least the minimum");
    expect(within(tab).getByTestId("samples-max-chars")).toHaveAttribute("aria-invalid", "true");
    expect(backend.callsOf("list_samples").some((c) => (c.args as { query: SamplesQuery }).query.max_chars === 10)).toBe(false);
    await user.type(within(tab).getByTestId("samples-max-chars"), "0");
    await waitFor(() => expect(lastQuery(backend)).toMatchObject({ min_chars: 50, max_chars: 100, offset: 0 }));
    expect(within(tab).getByTestId("samples-filters-toggle")).toHaveTextContent("Filters (2)");
  });

  it("shows the engine's error with its kind", async () => {
    const { tab } = await openSamples({
      listSamples: () => ({ error: { kind: "conflict", message: "the dataset is not ready" } }),
    });
    expect(await within(tab).findByTestId("error-kind")).toHaveTextContent("conflict");
    expect(within(tab).getByTestId("error-message")).toHaveTextContent("the dataset is not ready");
  });

  it("never lets an older answer replace a newer one", async () => {
    let release: (() => void) | null = null;
    const { user, tab } = await openSamples({
      listSamples: (q) => {
        if (q.split === "train") {
          return () =>
            new Promise<SamplesPage>((resolve) => {
              release = () => resolve({ ...fakePage(q), total: 999 });
            });
        }
        return fakeRows(q);
      },
    });
    await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("of 50"));
    await user.selectOptions(within(tab).getByTestId("samples-split"), "train");
    await waitFor(() => expect(release).not.toBeNull());
    await user.selectOptions(within(tab).getByTestId("samples-split"), "test");
    await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("1–5 of 5"));
    await act(() => {
      release?.();
      return Promise.resolve();
    });
    expect(within(tab).getByTestId("samples-range")).toHaveTextContent("1–5 of 5");
    expect(within(tab).getByTestId("samples-range")).not.toHaveTextContent("999");
  });

  it("renders chat turns and JSON, keeps the page when expanding and copies the text", async () => {
    const messages = [
      { role: "user", content: "Hello there" },
      { role: "assistant", content: "General Kenobi" },
    ];
    const meta = { tags: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], score: 0.5 };
    const { user, tab, backend } = await openSamples({
      listSamples: (q) => ({
        total: 45,
        offset: q.offset,
        samples: [{ split: "train", index: q.offset + 7, fields: { text: "The copied text", messages, meta } }],
        text_column: "text",
      }),
    });
    await waitFor(() => expect(within(tab).getByTestId("sample-tile")).toBeInTheDocument());
    await user.click(within(tab).getByTestId("samples-next"));
    await waitFor(() => expect(within(tab).getByTestId("sample-label")).toHaveTextContent("Sample #27 • train"));
    const tile = within(tab).getByTestId("sample-tile");
    const turns = within(tile).getAllByTestId("sample-chat-turn");
    expect(turns).toHaveLength(2);
    expect(within(turns[0]!).getByTestId("sample-chat-role")).toHaveTextContent("user");
    expect(turns[1]).toHaveTextContent("General Kenobi");
    const json = within(tile).getByTestId("sample-json");
    expect(json.textContent).toContain('"tags": [');
    expect(json.textContent).not.toContain('"score": 0.5');
    const calls = backend.callsOf("list_samples").length;
    await user.click(within(tile).getByRole("button", { name: "Expand" }));
    expect(within(tile).getByTestId("sample-json").textContent).toContain('"score": 0.5');
    expect(within(tile).getByRole("button", { name: "Collapse" })).toHaveAttribute("aria-expanded", "true");
    expect(backend.callsOf("list_samples")).toHaveLength(calls);
    expect(within(tab).getByTestId("samples-range")).toHaveTextContent("Showing 21–21 of 45");

    await user.click(within(tile).getByRole("button", { name: "Copy text" }));
    await waitFor(async () => expect(await navigator.clipboard.readText()).toBe("The copied text"));
    expect(screen.getByTestId("samples-tab")).toBeInTheDocument();
  });

  describe("tokens", () => {
    const gpt2 = tokenizerFixture();
    const llama = tokenizerFixture({ id: "tk_llama", name: "meta-llama/Llama-3.2-1B" });
    const ready = tokenizationFixture({ id: "tok_1", tokenizer_id: "tk_gpt2", status: "ready" });
    const running = tokenizationFixture({ id: "tok_2", tokenizer_id: "tk_llama", status: "processing" });

    const withTokenizations = (items = [ready, running], options: BackendOptions = {}) =>
      openSamples({ tokenizers: [gpt2, llama], tokenizations: () => items, ...options });

    const rowTokensArgs = (backend: { callsOf: (cmd: string) => { args: unknown }[] }) =>
      backend.callsOf("row_tokens").map((c) => (c.args as { query: RowTokensQuery }).query);

    async function chooseTokenization(opened: Awaited<ReturnType<typeof openSamples>>, label: string) {
      const { user, tab } = opened;
      await user.click(within(tab).getByTestId("samples-filters-toggle"));
      const picker = await within(tab).findByTestId("samples-tokenization");
      await user.selectOptions(picker, label);
    }

    it("offers only ready tokenizations, by tokenizer name, and no Tokens buttons without one", async () => {
      const opened = await withTokenizations([running]);
      const { user, tab } = opened;
      await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
      await user.click(within(tab).getByTestId("samples-filters-toggle"));
      expect(within(tab).queryByTestId("samples-tokenization")).not.toBeInTheDocument();
      expect(within(tab).queryByTestId("sample-tokens-toggle")).not.toBeInTheDocument();
    });

    it("shows the picker with None first; min/max tokens appear once one is chosen", async () => {
      const opened = await withTokenizations();
      const { user, tab, backend } = opened;
      await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
      await user.click(within(tab).getByTestId("samples-filters-toggle"));
      const picker = await within(tab).findByTestId("samples-tokenization");
      expect(within(picker).getAllByRole("option").map((o) => o.textContent)).toEqual(["None", "openai-community/gpt2"]);
      expect(picker).toHaveValue("");
      expect(within(tab).getByLabelText("Tokenization")).toBe(picker);
      expect(within(tab).queryByTestId("samples-min-tokens")).not.toBeInTheDocument();
      expect(within(tab).queryByTestId("sample-tokens-toggle")).not.toBeInTheDocument();

      const calls = backend.callsOf("list_samples").length;
      await user.selectOptions(picker, "openai-community/gpt2");
      expect(within(tab).getByTestId("samples-min-tokens")).toBeInTheDocument();
      expect(within(tab).getByTestId("samples-max-tokens")).toBeInTheDocument();
      expect(within(tab).getAllByTestId("sample-tokens-toggle")).toHaveLength(20);
      // Choosing a tokenization only to view tokens does not read the page again.
      expect(backend.callsOf("list_samples")).toHaveLength(calls);
    });

    it("tells two tokenizations of one tokenizer apart and filters by the one chosen", async () => {
      const seeded = tokenizationFixture({
        id: "tok_3",
        tokenizer_id: "tk_gpt2",
        status: "ready",
        settings: { ...ready.settings, packing: packingFixture({ context_size: 128 }), shuffle: true, seed: 5 },
      });
      const opened = await withTokenizations([ready, seeded]);
      const { user, tab, backend } = opened;
      await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
      await user.click(within(tab).getByTestId("samples-filters-toggle"));
      const picker = await within(tab).findByTestId("samples-tokenization");
      expect(within(picker).getAllByRole("option").map((o) => o.textContent)).toEqual([
        "None",
        "openai-community/gpt2 (max 512 · truncate · special tokens · column text)",
        "openai-community/gpt2 (packed 128 · row start BOS · separator BOS · shuffled seed 5 · column text)",
      ]);
      await user.selectOptions(picker, "tok_3");
      await user.type(within(tab).getByTestId("samples-min-tokens"), "10");
      await waitFor(() => expect(lastQuery(backend)).toMatchObject({ tokenization_id: "tok_3", min_tokens: 10 }));
      await user.selectOptions(picker, "tok_1");
      await waitFor(() => expect(lastQuery(backend)).toMatchObject({ tokenization_id: "tok_1", min_tokens: 10 }));
    });

    it("sends the token bounds with the tokenization, from the first page, and drops them with None", async () => {
      const opened = await withTokenizations();
      const { user, tab, backend } = opened;
      await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("1–20 of 50"));
      await user.click(within(tab).getByTestId("samples-next"));
      await waitFor(() => expect(lastQuery(backend).offset).toBe(20));
      await chooseTokenization(opened, "openai-community/gpt2");
      await user.type(within(tab).getByTestId("samples-min-tokens"), "10");
      await user.type(within(tab).getByTestId("samples-max-tokens"), "19");
      await waitFor(() =>
        expect(lastQuery(backend)).toMatchObject({ tokenization_id: "tok_1", min_tokens: 10, max_tokens: 19, offset: 0 }),
      );
      await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("Showing 1–10 of 10 matches"));
      expect(within(tab).getByTestId("samples-filters-toggle")).toHaveTextContent("Filters (2)");
      expect(within(tab).getAllByTestId("sample-label")[0]).toHaveTextContent("Sample #10 • train");

      await user.selectOptions(within(tab).getByTestId("samples-tokenization"), "None");
      await waitFor(() =>
        expect(lastQuery(backend)).toMatchObject({ tokenization_id: null, min_tokens: null, max_tokens: null }),
      );
      await waitFor(() => expect(within(tab).getByTestId("samples-range")).toHaveTextContent("Showing 1–20 of 50"));
      expect(within(tab).queryByTestId("samples-min-tokens")).not.toBeInTheDocument();
      // The engine never saw bounds without a tokenization.
      const queries = backend.callsOf("list_samples").map((c) => (c.args as { query: SamplesQuery }).query);
      expect(queries.filter((q) => (q.min_tokens !== null || q.max_tokens !== null) && q.tokenization_id === null)).toEqual([]);
    });

    it("says when no row has that many tokens", async () => {
      const opened = await withTokenizations();
      const { user, tab } = opened;
      await chooseTokenization(opened, "openai-community/gpt2");
      await user.type(within(tab).getByTestId("samples-min-tokens"), "1000");
      expect(await within(tab).findByTestId("samples-empty")).toHaveTextContent("No rows match at least 1,000 tokens.");
    });

    it("refuses a bad token range inline and never asks with it", async () => {
      const opened = await withTokenizations();
      const { user, tab, backend } = opened;
      await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
      await chooseTokenization(opened, "openai-community/gpt2");
      await user.type(within(tab).getByTestId("samples-min-tokens"), "-3");
      expect(within(tab).getByTestId("samples-min-tokens-error")).toHaveTextContent("A whole number of tokens");
      expect(within(tab).getByTestId("samples-min-tokens")).toHaveAttribute("aria-invalid", "true");
      await user.clear(within(tab).getByTestId("samples-min-tokens"));
      await user.type(within(tab).getByTestId("samples-min-tokens"), "1.5");
      expect(within(tab).getByTestId("samples-min-tokens-error")).toBeInTheDocument();
      await user.clear(within(tab).getByTestId("samples-min-tokens"));
      await user.type(within(tab).getByTestId("samples-min-tokens"), "30");
      await user.type(within(tab).getByTestId("samples-max-tokens"), "5");
      expect(within(tab).getByTestId("samples-max-tokens-error")).toHaveTextContent("At least the minimum");
      expect(within(tab).queryByTestId("samples-min-tokens-error")).not.toBeInTheDocument();
      const queries = backend.callsOf("list_samples").map((c) => (c.args as { query: SamplesQuery }).query);
      expect(queries.some((q) => q.max_tokens === 5)).toBe(false);
      expect(queries.some((q) => q.min_tokens !== null && q.max_tokens !== null && q.min_tokens > q.max_tokens)).toBe(false);
      await user.type(within(tab).getByTestId("samples-max-tokens"), "0");
      await waitFor(() => expect(lastQuery(backend)).toMatchObject({ min_tokens: 30, max_tokens: 50 }));
    });

    it("shows a row's tokens as chips with their ids and the row's length in tokens", async () => {
      const opened = await withTokenizations();
      const { user, tab, backend } = opened;
      await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
      await chooseTokenization(opened, "openai-community/gpt2");
      const tile = within(tab).getAllByTestId("sample-tile")[3]!;
      const toggle = within(tile).getByTestId("sample-tokens-toggle");
      expect(toggle).toHaveTextContent("Tokens");
      expect(toggle).toHaveAttribute("aria-expanded", "false");
      await user.click(toggle);
      expect(toggle).toHaveAttribute("aria-expanded", "true");
      const view = within(tile).getByTestId("sample-tokens");
      expect(toggle).toHaveAttribute("aria-controls", view.id);
      const chips = await within(view).findAllByTestId("token-chip");
      expect(chips.map((c) => c.textContent)).toEqual(["Row", "␣3", "␣of", "␣train"]);
      expect(chips[1]).toHaveAttribute("title", expect.stringContaining("Token ID: 101"));
      expect(within(view).getByTestId("sample-tokens-count")).toHaveTextContent("4 tokens");
      expect(view).toHaveTextContent("openai-community/gpt2");
      expect(within(view).queryByTestId("sample-tokens-note")).not.toBeInTheDocument();
      expect(rowTokensArgs(backend)).toEqual([{ dataset_id: "ds-1", tokenization_id: "tok_1", split: "train", index: 3 }]);
      // Only the asked row shows tokens.
      expect(within(tab).getAllByTestId("sample-tokens")).toHaveLength(1);

      await user.click(toggle);
      expect(within(tile).queryByTestId("sample-tokens")).not.toBeInTheDocument();
    });

    it("shows loading while the row is tokenized", async () => {
      const opened = await withTokenizations(undefined, { rowTokens: () => () => new Promise<TokenizePreview>(() => {}) });
      const { user, tab } = opened;
      await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
      await chooseTokenization(opened, "openai-community/gpt2");
      await user.click(within(tab).getAllByTestId("sample-tokens-toggle")[0]!);
      expect(within(tab).getByTestId("sample-tokens-loading")).toHaveTextContent("Tokenizing…");
      expect(within(tab).getByTestId("sample-tokens")).toHaveAttribute("aria-busy", "true");
    });

    it("notes truncation and overflow, marking overflow rows", async () => {
      const token = (id: number, piece: string) => ({ id, piece, special: false, padding: false });
      const opened = await withTokenizations(undefined, {
        rowTokens: () => ({
          rows: [
            { tokens: [token(1, "Once"), token(2, " upon")], overflow: false },
            { tokens: [token(3, " a"), token(4, " time")], overflow: true },
          ],
          total_rows: 2,
          num_tokens: 4,
          text_tokens: 9,
          truncated: true,
          remainder_tokens: 0,
        }),
      });
      const { user, tab } = opened;
      await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
      await chooseTokenization(opened, "openai-community/gpt2");
      await user.click(within(tab).getAllByTestId("sample-tokens-toggle")[0]!);
      const view = within(tab).getByTestId("sample-tokens");
      expect(await within(view).findByTestId("sample-tokens-count")).toHaveTextContent("9 tokens");
      const notes = within(view).getAllByTestId("sample-tokens-note").map((n) => n.textContent);
      expect(notes).toEqual([
        "Truncated: the tokenization keeps 4 tokens of this row.",
        "Overflows into 2 rows; rows after the first are marked overflow.",
      ]);
      const rows = within(view).getAllByTestId("preview-row");
      expect(rows).toHaveLength(2);
      expect(rows[0]).not.toHaveAttribute("data-overflow");
      expect(rows[1]).toHaveAttribute("data-overflow", "true");
      expect(rows[1]).toHaveTextContent("overflow");
      expect(within(rows[1]!).getAllByTestId("token-chip").map((c) => c.getAttribute("data-token-id"))).toEqual(["3", "4"]);
    });

    it("says a packed tokenization shows the whole row", async () => {
      const packed = tokenizationFixture({
        id: "tok_1",
        settings: {
          ...ready.settings,
          packing: packingFixture({ context_size: 128 }),
        },
      });
      const opened = await withTokenizations([packed]);
      const { user, tab } = opened;
      await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
      await chooseTokenization(opened, "openai-community/gpt2");
      await user.click(within(tab).getAllByTestId("sample-tokens-toggle")[0]!);
      expect(await within(tab).findByTestId("sample-tokens-note")).toHaveTextContent("Packed tokenization");
    });

    it("shows the engine's error in the token view and retries", async () => {
      let fail = true;
      const opened = await withTokenizations(undefined, {
        rowTokens: (q) =>
          fail
            ? { error: { kind: "not_found", message: `row ${q.index} of split "${q.split}"` } }
            : { rows: [], total_rows: 0, num_tokens: 0, text_tokens: 0, truncated: false, remainder_tokens: 0 },
      });
      const { user, tab } = opened;
      await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
      await chooseTokenization(opened, "openai-community/gpt2");
      await user.click(within(tab).getAllByTestId("sample-tokens-toggle")[0]!);
      const view = within(tab).getByTestId("sample-tokens");
      expect(await within(view).findByTestId("error-kind")).toHaveTextContent("not_found");
      expect(within(view).getByTestId("error-message")).toHaveTextContent('row 0 of split "train"');
      expect(within(view).getByRole("alert")).toHaveTextContent("Could not tokenize this row");
      fail = false;
      await user.click(within(view).getByRole("button", { name: "Retry" }));
      expect(await within(view).findByTestId("sample-tokens-count")).toHaveTextContent("0 tokens");
    });

    it("refetches open token views for a new tokenization and hides them with None", async () => {
      const other = tokenizationFixture({ id: "tok_3", tokenizer_id: "tk_llama", status: "ready" });
      const opened = await withTokenizations([ready, other], {
        rowTokens: (q) => previewFixture(q.tokenization_id === "tok_3" ? "three pieces here" : "two pieces"),
      });
      const { user, tab, backend } = opened;
      await waitFor(() => expect(within(tab).getAllByTestId("sample-tile")).toHaveLength(20));
      await chooseTokenization(opened, "openai-community/gpt2");
      await user.click(within(tab).getAllByTestId("sample-tokens-toggle")[1]!);
      const view = () => within(tab).getByTestId("sample-tokens");
      await waitFor(() => expect(within(view()).getByTestId("sample-tokens-count")).toHaveTextContent("2 tokens"));

      await user.selectOptions(within(tab).getByTestId("samples-tokenization"), "meta-llama/Llama-3.2-1B");
      await waitFor(() => expect(within(view()).getByTestId("sample-tokens-count")).toHaveTextContent("3 tokens"));
      expect(view()).toHaveTextContent("meta-llama/Llama-3.2-1B");
      expect(rowTokensArgs(backend).map((q) => q.tokenization_id)).toEqual(["tok_1", "tok_3"]);

      await user.selectOptions(within(tab).getByTestId("samples-tokenization"), "None");
      expect(within(tab).queryByTestId("sample-tokens")).not.toBeInTheDocument();
      expect(within(tab).queryByTestId("sample-tokens-toggle")).not.toBeInTheDocument();
      // Choosing one again starts with the views closed.
      await user.selectOptions(within(tab).getByTestId("samples-tokenization"), "openai-community/gpt2");
      expect(within(tab).queryByTestId("sample-tokens")).not.toBeInTheDocument();
    });
  });
});
