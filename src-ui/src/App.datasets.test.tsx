import { act, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import App from "./App";
import { events, type Dataset } from "./bindings";
import { datasetFixture, jobFixture, mockBackend } from "./test/backend";

function cardFor(name: string): HTMLElement {
  const heading = screen.getByRole("heading", { name });
  const card = heading.closest<HTMLElement>('[data-testid="dataset-card"]');
  if (!card) throw new Error(`no card for ${name}`);
  return card;
}

function badgeOf(card: HTMLElement): HTMLElement {
  return within(card).getByTestId("status-badge");
}

describe("Datasets panel", () => {
  it("shows the empty state when list_datasets returns []", async () => {
    const backend = mockBackend({ datasets: [] });
    render(<App />);
    const empty = await screen.findByTestId("datasets-empty");
    expect(empty).toHaveTextContent("No datasets yet");
    expect(empty).toHaveTextContent("Datasets you download or import will appear here.");
    expect(screen.getByTestId("datasets-panel")).toContainElement(empty);
    expect(screen.queryByTestId("dataset-card")).not.toBeInTheDocument();
    expect(screen.queryByText(/Your Datasets/)).not.toBeInTheDocument();
    expect(backend.callsOf("list_datasets")).toHaveLength(1);
  });

  it("shows a loading state until the list arrives", async () => {
    let resolve: (d: Dataset[]) => void = () => undefined;
    mockBackend({ datasets: () => new Promise<Dataset[]>((r) => (resolve = r)) });
    render(<App />);
    expect(await screen.findByText("Loading datasets…")).toBeInTheDocument();
    expect(screen.queryByTestId("datasets-empty")).not.toBeInTheDocument();
    act(() => resolve([]));
    expect(await screen.findByTestId("datasets-empty")).toBeInTheDocument();
    expect(screen.queryByText("Loading datasets…")).not.toBeInTheDocument();
  });

  it("renders one card per dataset with name, source, size, samples and status badge", async () => {
    mockBackend({
      datasets: [
        datasetFixture({ id: "a", name: "roneneldan/TinyStories", status: "downloading" }),
        datasetFixture({
          id: "b",
          name: "wikitext-103",
          hf_repo_id: "Salesforce/wikitext",
          status: "processing",
          size_bytes: 547_998_843,
        }),
        datasetFixture({
          id: "c",
          name: "OpenWebText-10K",
          hf_repo_id: "stas/openwebtext-10k",
          status: "ready",
          size_bytes: 2.3 * 1024 ** 3,
          num_samples: 12345,
          tokenization_count: 2,
        }),
        datasetFixture({
          id: "d",
          name: "private/gated-corpus",
          hf_repo_id: "private/gated-corpus",
          status: "error",
          error: "401 Unauthorized: an access token is required for this gated dataset",
        }),
        datasetFixture({
          id: "e",
          name: "notes.jsonl",
          source: "local",
          hf_repo_id: null,
          status: "queued",
          size_bytes: 0,
        }),
        datasetFixture({ id: "f", name: "going-away", status: "deleting" }),
        datasetFixture({ id: "g", name: "mystery", status: "ingesting" as Dataset["status"] }),
      ],
    });
    render(<App />);

    expect(await screen.findByRole("heading", { name: "Your Datasets (7)" })).toBeInTheDocument();
    expect(screen.getAllByTestId("dataset-card")).toHaveLength(7);

    const downloading = cardFor("roneneldan/TinyStories");
    expect(downloading).toHaveTextContent("Source: HuggingFace • roneneldan/TinyStories");
    expect(badgeOf(downloading)).toHaveTextContent("Downloading");
    expect(badgeOf(downloading)).toHaveClass("text-blue-400");
    expect(within(downloading).getByTestId("status-icon")).toHaveClass("animate-spin");
    expect(downloading).not.toHaveTextContent("Size:");
    expect(downloading).not.toHaveTextContent("Samples:");

    const processing = cardFor("wikitext-103");
    expect(processing).toHaveTextContent("Source: HuggingFace • Salesforce/wikitext");
    expect(processing).toHaveTextContent("Size: 522.61 MB");
    expect(badgeOf(processing)).toHaveTextContent("Processing");
    expect(badgeOf(processing)).toHaveClass("text-yellow-400");

    const ready = cardFor("OpenWebText-10K");
    expect(ready).toHaveTextContent("Size: 2.3 GB");
    expect(ready).toHaveTextContent("Samples: 12,345");
    expect(within(ready).getByText("Tokenized")).toBeInTheDocument();
    expect(badgeOf(ready)).toHaveTextContent("Ready");
    expect(badgeOf(ready)).toHaveClass("text-emerald-400");
    expect(within(downloading).queryByText("Tokenized")).not.toBeInTheDocument();

    const failed = cardFor("private/gated-corpus");
    expect(badgeOf(failed)).toHaveTextContent("Error");
    expect(badgeOf(failed)).toHaveClass("text-red-400");
    expect(within(failed).getByTestId("dataset-error")).toHaveTextContent(
      "401 Unauthorized: an access token is required for this gated dataset",
    );

    const local = cardFor("notes.jsonl");
    expect(local).toHaveTextContent("Source: Local file");
    expect(local).not.toHaveTextContent("Size:"); // 0 bytes is not shown

    // Statuses that are not "ready" must never look ready (no emerald).
    for (const [name, label] of [
      ["notes.jsonl", "Queued"],
      ["going-away", "Deleting"],
      ["mystery", "Ingesting"],
    ] as const) {
      const badge = badgeOf(cardFor(name));
      expect(badge).toHaveTextContent(label);
      expect(badge.className).not.toMatch(/emerald/);
      expect(badge).toHaveClass("text-slate-300");
    }

    // Only the ready card opens the detail view.
    for (const card of screen.getAllByTestId("dataset-card")) {
      if (card === ready) {
        expect(card).toHaveClass("cursor-pointer");
        expect(within(card).getByTestId("dataset-open")).toHaveAccessibleName("OpenWebText-10K");
      } else {
        expect(card.className).not.toMatch(/cursor-pointer/);
        expect(within(card).queryByTestId("dataset-open")).not.toBeInTheDocument();
      }
    }
  });

  it("updates a card's progress bar from job-event and ignores stale events", async () => {
    mockBackend({
      datasets: [datasetFixture({ id: "ds-1", name: "TinyStories", status: "downloading" })],
      jobs: [jobFixture({ target: "ds-1", progress: { unit: "bytes", done: 10, total: 100, bytes_per_sec: null }, updated_at: 1000 })],
    });
    render(<App />);

    const card = await screen.findByTestId("dataset-card");
    const bar = await within(card).findByRole("progressbar");
    expect(bar).toHaveAttribute("aria-valuenow", "10");
    expect(within(card).getByTestId("job-percent")).toHaveTextContent("10%");
    expect(within(card).getByTestId("job-stage")).toHaveTextContent("Downloading");

    await act(() =>
      events.jobEvent.emit({
        job: jobFixture({
          target: "ds-1",
          stage: "verifying_checksums",
          progress: { unit: "count", done: 45, total: 100 },
          updated_at: 2000,
        }),
      }),
    );
    await waitFor(() => expect(within(card).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "45"));
    expect(within(card).getByTestId("job-percent")).toHaveTextContent("45%");
    expect(within(card).getByTestId("job-stage")).toHaveTextContent("Verifying checksums");
    expect(within(card).getByRole("progressbar").firstElementChild).toHaveStyle({ width: "45%" });

    // An event older than the stored job is ignored.
    await act(() =>
      events.jobEvent.emit({
        job: jobFixture({ target: "ds-1", progress: { unit: "bytes", done: 20, total: 100, bytes_per_sec: null }, updated_at: 1500 }),
      }),
    );
    expect(within(card).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "45");

    // Unknown total: no bar.
    await act(() =>
      events.jobEvent.emit({
        job: jobFixture({ target: "ds-1", progress: { unit: "bytes", done: 20, total: null, bytes_per_sec: null }, updated_at: 2500 }),
      }),
    );
    await waitFor(() => expect(within(card).queryByRole("progressbar")).not.toBeInTheDocument());

    // Finished job: the progress disappears.
    await act(() =>
      events.jobEvent.emit({
        job: jobFixture({ target: "ds-1", status: "succeeded", progress: null, updated_at: 3000 }),
      }),
    );
    await waitFor(() => expect(within(card).queryByTestId("job-progress")).not.toBeInTheDocument());
  });

  it("shows no progress for jobs that target another dataset", async () => {
    mockBackend({
      datasets: [datasetFixture({ id: "ds-1", name: "TinyStories" })],
      jobs: [jobFixture({ target: "ds-2" })],
    });
    render(<App />);
    const card = await screen.findByTestId("dataset-card");
    await waitFor(() => expect(screen.getByTestId("machine-status")).toHaveTextContent("lab-box-01"));
    expect(within(card).queryByRole("progressbar")).not.toBeInTheDocument();
  });

  it("reloads the list on datasets-changed", async () => {
    let list: Dataset[] = [];
    const backend = mockBackend({ datasets: () => list });
    render(<App />);
    await screen.findByTestId("datasets-empty");

    list = [datasetFixture({ id: "n1", name: "fresh-dataset" })];
    await act(() => events.datasetsChanged.emit({ dataset_ids: ["n1"] }));

    expect(await screen.findByRole("heading", { name: "fresh-dataset" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Your Datasets (1)" })).toBeInTheDocument();
    expect(screen.queryByTestId("datasets-empty")).not.toBeInTheDocument();
    expect(backend.callsOf("list_datasets")).toHaveLength(2);
  });

  it("shows the error kind and message when list_datasets fails", async () => {
    mockBackend({
      datasets: { error: { kind: "disk_full", message: "No space left on /srv/mistudio/data" } },
    });
    render(<App />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Could not load datasets");
    expect(within(alert).getByTestId("error-kind")).toHaveTextContent("disk_full");
    expect(within(alert).getByTestId("error-message")).toHaveTextContent("No space left on /srv/mistudio/data");
    expect(screen.queryByTestId("datasets-empty")).not.toBeInTheDocument();
    expect(screen.getByTestId("datasets-panel")).toBeInTheDocument();
  });
});
