import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App";
import type { Dataset } from "../bindings";
import { datasetFixture, jobFixture, mockBackend, type BackendOptions } from "../test/backend";

const MB = 1024 ** 2;

// Handed over out of order so the default "newest first" is the panel's doing, not the fixture's.
const LIST: Dataset[] = [
  datasetFixture({
    id: "local",
    name: "notes.jsonl",
    source: "local",
    hf_repo_id: null,
    status: "ready",
    size_bytes: 1 * MB,
    created_at: 3_000,
  }),
  datasetFixture({
    id: "tiny",
    name: "TinyStories",
    hf_repo_id: "roneneldan/TinyStories",
    status: "ready",
    size_bytes: 3 * MB,
    created_at: 5_000,
  }),
  datasetFixture({
    id: "owt",
    name: "OpenWebText-10K",
    hf_repo_id: "stas/openwebtext-10k",
    status: "downloading",
    size_bytes: 2 * MB,
    created_at: 2_000,
  }),
  datasetFixture({
    id: "wiki",
    name: "wikitext-103",
    hf_repo_id: "Salesforce/wikitext",
    status: "error",
    error: "network: timed out",
    size_bytes: null,
    created_at: 4_000,
  }),
  datasetFixture({
    id: "code",
    name: "code-parrot",
    hf_repo_id: "codeparrot/codeparrot-clean",
    status: "cancelled",
    size_bytes: 5 * MB,
    created_at: 1_000,
  }),
  datasetFixture({
    id: "pile",
    name: "pile-sample",
    hf_repo_id: "NeelNanda/pile-10k",
    status: "queued",
    size_bytes: null,
    created_at: 6_000,
  }),
];

const NEWEST_FIRST = ["pile-sample", "TinyStories", "wikitext-103", "notes.jsonl", "OpenWebText-10K", "code-parrot"];

async function renderPanel(list: Dataset[] = LIST, options: BackendOptions = {}) {
  const backend = mockBackend({ datasets: list, jobs: [jobFixture({ id: "job-owt", target: "owt" })], ...options });
  const user = userEvent.setup();
  render(<App />);
  await screen.findAllByTestId("dataset-card");
  return { backend, user };
}

/** The card names in the order shown. */
function shownNames(): string[] {
  return screen
    .queryAllByTestId("dataset-card")
    .map((card) => within(card).getByRole("heading", { level: 4 }).textContent ?? "");
}

describe("Datasets panel search, filters and sort", () => {
  it("shows no toolbar while there are no datasets", async () => {
    mockBackend({ datasets: [] });
    render(<App />);
    expect(await screen.findByTestId("datasets-empty")).toHaveTextContent("No datasets yet");
    expect(screen.queryByTestId("datasets-toolbar")).not.toBeInTheDocument();
    expect(screen.queryByTestId("datasets-search")).not.toBeInTheDocument();
  });

  it("labels every control and starts with all datasets, newest first", async () => {
    await renderPanel();
    expect(screen.getByLabelText("Search")).toBe(screen.getByTestId("datasets-search"));
    expect(screen.getByLabelText("Status")).toBe(screen.getByTestId("datasets-status-filter"));
    expect(screen.getByLabelText("Source")).toBe(screen.getByTestId("datasets-source-filter"));
    expect(screen.getByLabelText("Sort by")).toBe(screen.getByTestId("datasets-sort"));
    expect(screen.getByRole("button", { name: "Order: Newest first" })).toBe(screen.getByTestId("datasets-sort-direction"));
    expect(screen.getByTestId("datasets-status-filter")).toHaveValue("all");
    expect(screen.getByTestId("datasets-source-filter")).toHaveValue("all");
    expect(screen.getByTestId("datasets-sort")).toHaveValue("date");

    expect(shownNames()).toEqual(NEWEST_FIRST);
    expect(screen.getByText("Your Datasets (6)")).toBeInTheDocument();
    // Nothing is hidden, so there is nothing to count.
    expect(screen.queryByTestId("datasets-count")).not.toBeInTheDocument();
  });

  it("searches names, ignoring case, and counts what it shows", async () => {
    const { user } = await renderPanel();
    await user.type(screen.getByTestId("datasets-search"), "TINY");
    expect(shownNames()).toEqual(["TinyStories"]);
    expect(screen.getByTestId("datasets-count")).toHaveTextContent("1 of 6 datasets");
  });

  it("searches Hub repo ids too", async () => {
    const { user } = await renderPanel();
    // "sales" is only in wikitext-103's repo id, "clean" only in code-parrot's.
    await user.type(screen.getByTestId("datasets-search"), "sales");
    expect(shownNames()).toEqual(["wikitext-103"]);
    await user.clear(screen.getByTestId("datasets-search"));
    await user.type(screen.getByTestId("datasets-search"), "Clean");
    expect(shownNames()).toEqual(["code-parrot"]);
  });

  it("keeps the order while searching and clears with the button or Escape", async () => {
    const { user } = await renderPanel();
    const search = screen.getByTestId("datasets-search");
    await user.type(search, "t");
    expect(shownNames()).toEqual(["TinyStories", "wikitext-103", "notes.jsonl", "OpenWebText-10K", "code-parrot"]);
    expect(screen.getByTestId("datasets-count")).toHaveTextContent("5 of 6 datasets");

    await user.click(screen.getByRole("button", { name: "Clear search" }));
    expect(search).toHaveValue("");
    expect(shownNames()).toEqual(NEWEST_FIRST);
    expect(screen.queryByTestId("datasets-count")).not.toBeInTheDocument();

    await user.type(search, "pi");
    expect(shownNames()).toEqual(["pile-sample"]);
    await user.keyboard("{Escape}");
    expect(search).toHaveValue("");
    expect(shownNames()).toEqual(NEWEST_FIRST);
  });

  it("filters by each status", async () => {
    const { user } = await renderPanel();
    const status = screen.getByTestId("datasets-status-filter");
    const count = () => screen.getByTestId("datasets-count").textContent;

    await user.selectOptions(status, "Ready");
    expect(shownNames()).toEqual(["TinyStories", "notes.jsonl"]);
    expect(count()).toBe("2 of 6 datasets");

    await user.selectOptions(status, "In progress");
    expect(shownNames()).toEqual(["pile-sample", "OpenWebText-10K"]);

    await user.selectOptions(status, "Error");
    expect(shownNames()).toEqual(["wikitext-103"]);
    expect(count()).toBe("1 of 6 datasets");

    await user.selectOptions(status, "Cancelled");
    expect(shownNames()).toEqual(["code-parrot"]);

    await user.selectOptions(status, "All");
    expect(shownNames()).toEqual(NEWEST_FIRST);
  });

  it("counts a dataset being deleted as in progress", async () => {
    const { user } = await renderPanel([
      datasetFixture({ id: "gone", name: "going-away", status: "deleting" }),
      datasetFixture({ id: "done", name: "done", status: "ready" }),
    ]);
    await user.selectOptions(screen.getByTestId("datasets-status-filter"), "in_progress");
    expect(shownNames()).toEqual(["going-away"]);
  });

  it("filters by source and combines it with the status and the search", async () => {
    const { user } = await renderPanel();
    const source = screen.getByTestId("datasets-source-filter");

    await user.selectOptions(source, "Local");
    expect(shownNames()).toEqual(["notes.jsonl"]);
    expect(screen.getByTestId("datasets-count")).toHaveTextContent("1 of 6 datasets");

    await user.selectOptions(source, "Hugging Face");
    expect(shownNames()).toEqual(["pile-sample", "TinyStories", "wikitext-103", "OpenWebText-10K", "code-parrot"]);

    await user.selectOptions(screen.getByTestId("datasets-status-filter"), "Ready");
    expect(shownNames()).toEqual(["TinyStories"]);

    await user.type(screen.getByTestId("datasets-search"), "stories");
    expect(shownNames()).toEqual(["TinyStories"]);
  });

  it("sorts by date both ways", async () => {
    const { user } = await renderPanel();
    const direction = screen.getByTestId("datasets-sort-direction");
    await user.click(direction);
    expect(direction).toHaveAccessibleName("Order: Oldest first");
    expect(shownNames()).toEqual([...NEWEST_FIRST].reverse());
    await user.click(direction);
    expect(direction).toHaveAccessibleName("Order: Newest first");
    expect(shownNames()).toEqual(NEWEST_FIRST);
  });

  it("sorts by name, A to Z first, ignoring case", async () => {
    const { user } = await renderPanel();
    await user.selectOptions(screen.getByTestId("datasets-sort"), "Name");
    const direction = screen.getByTestId("datasets-sort-direction");
    expect(direction).toHaveAccessibleName("Order: A to Z");
    expect(shownNames()).toEqual(["code-parrot", "notes.jsonl", "OpenWebText-10K", "pile-sample", "TinyStories", "wikitext-103"]);
    await user.click(direction);
    expect(direction).toHaveAccessibleName("Order: Z to A");
    expect(shownNames()).toEqual(["wikitext-103", "TinyStories", "pile-sample", "OpenWebText-10K", "notes.jsonl", "code-parrot"]);
  });

  it("sorts by size, largest first, with unknown sizes last either way", async () => {
    const { user } = await renderPanel();
    await user.selectOptions(screen.getByTestId("datasets-sort"), "size");
    const direction = screen.getByTestId("datasets-sort-direction");
    expect(direction).toHaveAccessibleName("Order: Largest first");
    // The two without a size keep the order the list was handed over in.
    expect(shownNames()).toEqual(["code-parrot", "TinyStories", "OpenWebText-10K", "notes.jsonl", "wikitext-103", "pile-sample"]);
    await user.click(direction);
    expect(direction).toHaveAccessibleName("Order: Smallest first");
    expect(shownNames()).toEqual(["notes.jsonl", "OpenWebText-10K", "TinyStories", "code-parrot", "wikitext-103", "pile-sample"]);
  });

  it("shows a no-match state with Clear filters, distinct from having no datasets", async () => {
    const { user } = await renderPanel();
    await user.selectOptions(screen.getByTestId("datasets-sort"), "name");
    await user.selectOptions(screen.getByTestId("datasets-source-filter"), "local");
    await user.type(screen.getByTestId("datasets-search"), "tiny");

    const empty = screen.getByTestId("datasets-no-match");
    expect(empty).toHaveTextContent("No datasets match “tiny” with these filters");
    expect(screen.queryByTestId("datasets-empty")).not.toBeInTheDocument();
    expect(screen.queryAllByTestId("dataset-card")).toHaveLength(0);
    expect(screen.getByTestId("datasets-count")).toHaveTextContent("0 of 6 datasets");
    // The toolbar stays, so the search can be fixed in place.
    expect(screen.getByTestId("datasets-toolbar")).toBeInTheDocument();

    await user.click(within(empty).getByRole("button", { name: "Clear filters" }));
    expect(screen.queryByTestId("datasets-no-match")).not.toBeInTheDocument();
    expect(screen.getByTestId("datasets-search")).toHaveValue("");
    expect(screen.getByTestId("datasets-search")).toHaveFocus();
    expect(screen.getByTestId("datasets-source-filter")).toHaveValue("all");
    expect(screen.getByTestId("datasets-status-filter")).toHaveValue("all");
    // Clearing filters keeps the chosen order.
    expect(screen.getByTestId("datasets-sort")).toHaveValue("name");
    expect(shownNames()).toHaveLength(6);
    expect(shownNames()[0]).toBe("code-parrot");
  });

  it("offers Clear filters next to the count when some datasets are hidden", async () => {
    const { user } = await renderPanel();
    await user.selectOptions(screen.getByTestId("datasets-status-filter"), "error");
    expect(shownNames()).toEqual(["wikitext-103"]);
    await user.click(screen.getByTestId("datasets-toolbar-clear"));
    expect(shownNames()).toEqual(NEWEST_FIRST);
    expect(screen.queryByTestId("datasets-toolbar-clear")).not.toBeInTheDocument();
  });

  it("names only the search when only the search hides everything", async () => {
    const { user } = await renderPanel();
    await user.type(screen.getByTestId("datasets-search"), "nope");
    expect(screen.getByTestId("datasets-no-match")).toHaveTextContent("No datasets match “nope”");
    expect(screen.getByTestId("datasets-no-match")).not.toHaveTextContent("with these filters");
  });
});

describe("Select mode with a filter", () => {
  /** A backend whose list follows deletions, like the engine's. */
  function deletingBackend(): BackendOptions {
    let list = LIST;
    return {
      datasets: () => list,
      deleteDatasets: (ids) => {
        list = list.filter((d) => !ids.includes(d.id));
        return { deleted: ids, freed_bytes: 0 };
      },
    };
  }

  it("selects all only among the visible cards", async () => {
    const { user, backend } = await renderPanel(LIST, deletingBackend());
    await user.click(screen.getByTestId("datasets-select"));
    await user.selectOptions(screen.getByTestId("datasets-source-filter"), "hugging_face");
    await user.type(screen.getByTestId("datasets-search"), "t");
    // TinyStories, wikitext-103, OpenWebText-10K (downloading: not deletable), code-parrot.
    expect(shownNames()).toEqual(["TinyStories", "wikitext-103", "OpenWebText-10K", "code-parrot"]);

    const bar = screen.getByTestId("datasets-selection-bar");
    await user.click(within(bar).getByTestId("datasets-select-all"));
    expect(within(bar).getByTestId("datasets-selected-count")).toHaveTextContent("3 selected");

    await user.click(within(bar).getByTestId("datasets-delete-selected"));
    const dialog = screen.getByTestId("delete-dialog");
    expect(within(dialog).getByTestId("delete-dialog-names")).toHaveTextContent("TinyStorieswikitext-103code-parrot");
    await user.click(within(dialog).getByTestId("delete-dialog-confirm"));
    await waitFor(() => expect(backend.callsOf("delete_datasets")).toHaveLength(1));
    expect(backend.callsOf("delete_datasets")[0]?.args).toEqual({ ids: ["tiny", "wiki", "code"], hubFiles: false });
  });

  it("never deletes a selected card that a filter hides", async () => {
    const { user, backend } = await renderPanel(LIST, deletingBackend());
    await user.click(screen.getByTestId("datasets-select"));
    const card = (name: string) =>
      screen.getAllByTestId("dataset-card").find((c) => within(c).getByRole("heading", { level: 4 }).textContent === name)!;
    await user.click(within(card("notes.jsonl")).getByTestId("dataset-select"));
    await user.click(within(card("TinyStories")).getByTestId("dataset-select"));
    const bar = screen.getByTestId("datasets-selection-bar");
    expect(within(bar).getByTestId("datasets-selected-count")).toHaveTextContent("2 selected");

    // Hiding the local file leaves only what is on screen selected.
    await user.selectOptions(screen.getByTestId("datasets-source-filter"), "hugging_face");
    expect(within(bar).getByTestId("datasets-selected-count")).toHaveTextContent("1 selected");
    expect(within(bar).getByTestId("datasets-delete-selected")).toHaveTextContent("Delete 1 dataset");

    await user.click(within(bar).getByTestId("datasets-delete-selected"));
    const dialog = screen.getByTestId("delete-dialog");
    expect(within(dialog).getByTestId("delete-dialog-names")).toHaveTextContent("TinyStories");
    expect(within(dialog).getByTestId("delete-dialog-names")).not.toHaveTextContent("notes.jsonl");
    await user.click(within(dialog).getByTestId("delete-dialog-confirm"));
    await waitFor(() => expect(backend.callsOf("delete_datasets")).toHaveLength(1));
    expect(backend.callsOf("delete_datasets")[0]?.args).toEqual({ ids: ["tiny"], hubFiles: false });
  });
});
