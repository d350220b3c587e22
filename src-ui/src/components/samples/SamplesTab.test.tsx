import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { SamplesPage, SamplesQuery } from "../../bindings";
import { openModal } from "../../test/detail";
import type { BackendOptions } from "../../test/backend";

/** A fake 45-row split "train" followed by 5-row "test"; text "row N of SPLIT". */
function fakeRows(query: SamplesQuery): SamplesPage {
  const rows = [
    ...Array.from({ length: 45 }, (_, i) => ({ split: "train", index: i })),
    ...Array.from({ length: 5 }, (_, i) => ({ split: "test", index: i })),
  ]
    .map((r) => ({ ...r, fields: { text: `Row ${r.index} of ${r.split}`, id: r.index } }))
    .filter((r) => query.split === null || r.split === query.split)
    .filter((r) => {
      const text = (r.fields as { text: string }).text;
      return query.search === null || text.toLowerCase().includes(query.search.toLowerCase());
    });
  return {
    total: rows.length,
    offset: query.offset,
    samples: rows.slice(query.offset, query.offset + query.limit),
    text_column: "text",
  };
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
              release = () => resolve({ ...fakeRows(q), total: 999 });
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
});
