import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App";
import { events, type Dataset, type Job } from "../bindings";
import { datasetFixture, jobFixture, mockBackend } from "../test/backend";

const MB = 1024 ** 2;

function downloadJob(over: Partial<Job> = {}): Job {
  return jobFixture({
    id: "job-7",
    kind: "dataset.download",
    target: "ds-1",
    stage: "downloading_files",
    progress: { unit: "bytes", done: 10 * MB, total: 120 * MB, bytes_per_sec: null },
    updated_at: 1000,
    ...over,
  });
}

async function renderCard() {
  const user = userEvent.setup();
  render(<App />);
  const card = await screen.findByTestId("dataset-card");
  return { user, card };
}

describe("Dataset card downloads", () => {
  it("shows stage, percentage, bytes, speed and time left from job events", async () => {
    mockBackend({
      datasets: [datasetFixture({ id: "ds-1", name: "TinyStories", status: "downloading" })],
      jobs: [downloadJob()],
    });
    const { card } = await renderCard();
    await waitFor(() => expect(within(card).getByTestId("job-transfer")).toHaveTextContent("10.0 MB / 120.0 MB"));
    // No rate yet: no speed and no ETA.
    expect(within(card).getByTestId("job-transfer")).not.toHaveTextContent("/s");
    expect(within(card).getByTestId("job-transfer")).not.toHaveTextContent("left");

    await act(() =>
      events.jobEvent.emit({
        job: downloadJob({
          progress: { unit: "bytes", done: 45.2 * MB, total: 120 * MB, bytes_per_sec: 12.3 * MB },
          updated_at: 2000,
        }),
      }),
    );
    await waitFor(() =>
      expect(within(card).getByTestId("job-transfer")).toHaveTextContent("45.2 MB / 120.0 MB • 12.3 MB/s • 6 s left"),
    );
    expect(within(card).getByTestId("job-stage")).toHaveTextContent("Downloading files");
    expect(within(card).getByTestId("job-percent")).toHaveTextContent("37%");
    expect(within(card).getByRole("progressbar")).toHaveAttribute("aria-valuenow", "37");

    await act(() =>
      events.jobEvent.emit({
        job: downloadJob({
          progress: { unit: "bytes", done: 60 * MB, total: 120 * MB, bytes_per_sec: 0 },
          updated_at: 3000,
        }),
      }),
    );
    await waitFor(() => expect(within(card).getByTestId("job-transfer")).toHaveTextContent(/^60\.0 MB \/ 120\.0 MB$/));

    await act(() =>
      events.jobEvent.emit({
        job: downloadJob({
          progress: { unit: "bytes", done: 60 * MB, total: 120 * MB, bytes_per_sec: 0.5 * MB },
          updated_at: 4000,
        }),
      }),
    );
    await waitFor(() => expect(within(card).getByTestId("job-transfer")).toHaveTextContent("512.0 KB/s • 2 min left"));
  });

  it("Cancel calls cancel_job with the job id and is disabled while it runs", async () => {
    let finish: (job: Job) => void = () => undefined;
    const backend = mockBackend({
      datasets: [datasetFixture({ id: "ds-1", name: "TinyStories", status: "downloading" })],
      jobs: [downloadJob()],
      cancelJob: () => () => new Promise<Job>((r) => (finish = r)),
    });
    const { user, card } = await renderCard();
    const cancel = await within(card).findByTestId("dataset-cancel");
    expect(cancel).toHaveTextContent("Cancel");

    await user.click(cancel);
    await waitFor(() => expect(backend.callsOf("cancel_job")).toHaveLength(1));
    expect(backend.callsOf("cancel_job")[0]?.args).toEqual({ id: "job-7" });
    expect(cancel).toBeDisabled();
    await user.click(cancel);
    expect(backend.callsOf("cancel_job")).toHaveLength(1);

    act(() => finish(downloadJob({ status: "cancelled", progress: null, updated_at: 5000 })));
    // The stopped job replaces the running one: progress and Cancel go away.
    await waitFor(() => expect(within(card).queryByTestId("job-progress")).not.toBeInTheDocument());
    expect(within(card).queryByTestId("dataset-cancel")).not.toBeInTheDocument();
  });

  it("shows a cancel_job failure inline and lets the user try again", async () => {
    const backend = mockBackend({
      datasets: [datasetFixture({ id: "ds-1", name: "TinyStories", status: "downloading" })],
      jobs: [downloadJob({ status: "queued", stage: null, progress: null })],
      cancelJob: () => ({ error: { kind: "not_found", message: "no job job-7" } }),
    });
    const { user, card } = await renderCard();
    expect(await within(card).findByTestId("job-stage")).toHaveTextContent("Queued");
    await user.click(within(card).getByTestId("dataset-cancel"));
    const error = await within(card).findByTestId("dataset-cancel-error");
    expect(error).toHaveTextContent("not_found: no job job-7");
    expect(within(card).getByTestId("dataset-cancel")).toBeEnabled();
    expect(backend.callsOf("cancel_job")).toHaveLength(1);
  });

  it("Retry calls retry_dataset for an errored dataset and reloads the list", async () => {
    let list: Dataset[] = [
      datasetFixture({
        id: "ds-err",
        name: "private/gated-corpus",
        status: "error",
        error: "gated: accept the conditions on the dataset page",
      }),
    ];
    const backend = mockBackend({
      datasets: () => list,
      retryDataset: (id) => {
        list = [datasetFixture({ id, name: "private/gated-corpus", status: "queued", error: null })];
        return list[0] as Dataset;
      },
    });
    const { user, card } = await renderCard();
    expect(within(card).getByTestId("dataset-error")).toHaveTextContent("accept the conditions");
    expect(within(card).queryByTestId("dataset-cancel")).not.toBeInTheDocument();

    await user.click(within(card).getByTestId("dataset-retry"));
    await waitFor(() => expect(backend.callsOf("retry_dataset")).toHaveLength(1));
    expect(backend.callsOf("retry_dataset")[0]?.args).toEqual({ id: "ds-err" });
    await waitFor(() =>
      expect(within(screen.getByTestId("dataset-card")).getByTestId("status-badge")).toHaveTextContent("Queued"),
    );
    expect(screen.queryByTestId("dataset-retry")).not.toBeInTheDocument();
    expect(screen.queryByTestId("dataset-error")).not.toBeInTheDocument();
  });

  it("offers Retry for a cancelled dataset, shows its failure, and not for ready ones", async () => {
    mockBackend({
      datasets: [
        datasetFixture({ id: "ds-c", name: "stopped", status: "cancelled" }),
        datasetFixture({ id: "ds-r", name: "done", status: "ready" }),
      ],
      retryDataset: () => ({ error: { kind: "disk_full", message: "No space left on device" } }),
    });
    const user = userEvent.setup();
    render(<App />);
    const stopped = (await screen.findByRole("heading", { name: "stopped" })).closest("article");
    const done = screen.getByRole("heading", { name: "done" }).closest("article");
    if (!stopped || !done) throw new Error("cards missing");
    expect(within(done).queryByTestId("dataset-retry")).not.toBeInTheDocument();
    expect(stopped).toHaveTextContent("Download cancelled");

    await user.click(within(stopped).getByTestId("dataset-retry"));
    expect(await within(stopped).findByTestId("dataset-retry-error")).toHaveTextContent(
      "disk_full: No space left on device",
    );
    expect(within(stopped).getByTestId("dataset-retry")).toBeEnabled();
  });

  it("reads right for a local import: its stages and bytes, no repo id, Retry when it failed or was cancelled", async () => {
    let list: Dataset[] = [
      datasetFixture({ id: "ds-imp", name: "wiki", source: "local", hf_repo_id: null, hf_split: null, status: "processing" }),
      datasetFixture({ id: "ds-bad", name: "broken", source: "local", hf_repo_id: null, hf_split: null, status: "error", error: "corrupt: line 3 of /data/broken.jsonl is not JSON" }),
      datasetFixture({ id: "ds-stop", name: "stopped-import", source: "local", hf_repo_id: null, hf_split: null, status: "cancelled" }),
    ];
    const backend = mockBackend({
      datasets: () => list,
      jobs: [
        jobFixture({
          id: "job-imp",
          kind: "dataset.import",
          target: "ds-imp",
          stage: "Converting to Arrow",
          progress: { unit: "bytes", done: 30 * MB, total: 60 * MB, bytes_per_sec: null },
        }),
      ],
      retryDataset: (id) => {
        list = list.map((d) => (d.id === id ? { ...d, status: "queued", error: null } : d));
        return list.find((d) => d.id === id) ?? datasetFixture({ id });
      },
    });
    const user = userEvent.setup();
    render(<App />);
    const cardOf = async (name: string) => {
      const card = (await screen.findByRole("heading", { name })).closest("article");
      if (!card) throw new Error(`no card for ${name}`);
      return card;
    };

    const running = await cardOf("wiki");
    expect(running).toHaveTextContent("Source: Local file");
    expect(running).not.toHaveTextContent("HuggingFace");
    await waitFor(() => expect(within(running).getByTestId("job-stage")).toHaveTextContent("Converting to Arrow"));
    expect(within(running).getByTestId("job-percent")).toHaveTextContent("50%");
    expect(within(running).getByTestId("job-transfer")).toHaveTextContent("30.0 MB / 60.0 MB");

    expect(await cardOf("stopped-import")).toHaveTextContent("Import cancelled");

    const failed = await cardOf("broken");
    expect(within(failed).getByTestId("dataset-error")).toHaveTextContent("line 3 of /data/broken.jsonl is not JSON");
    await user.click(within(failed).getByTestId("dataset-retry"));
    await waitFor(() => expect(backend.callsOf("retry_dataset")).toHaveLength(1));
    expect(backend.callsOf("retry_dataset")[0]?.args).toEqual({ id: "ds-bad" });
    await waitFor(() => expect(within(failed).getByTestId("status-badge")).toHaveTextContent("Queued"));
  });
});

describe("Dataset card subsets", () => {
  it("marks a subset with a badge describing it, and a whole dataset with none", async () => {
    mockBackend({
      datasets: [
        datasetFixture({
          id: "ds-sub",
          name: "HuggingFaceFW/fineweb · train",
          status: "ready",
          num_samples: 1000,
          subset: {
            rows_budget: "1000",
            include: ["data/CC-MAIN-2024-10/*"],
            exclude: [],
            splits: [
              {
                name: "train",
                rows: 1000,
                of_rows: 2_000_000,
                files: ["data/CC-MAIN-2024-10/000_00000.parquet"],
                of_files: 40,
                partial_files: ["data/CC-MAIN-2024-10/000_00000.parquet"],
              },
            ],
          },
        }),
        datasetFixture({ id: "ds-whole", name: "roneneldan/TinyStories", status: "ready", subset: null }),
      ],
    });
    render(<App />);
    const cards = await screen.findAllByTestId("dataset-card");
    const sub = cards.find((c) => within(c).queryByText("HuggingFaceFW/fineweb · train"));
    const whole = cards.find((c) => within(c).queryByText("roneneldan/TinyStories"));
    const badge = within(sub!).getByTestId("dataset-subset");
    expect(badge).toHaveTextContent("subset");
    expect(badge).toHaveAttribute(
      "title",
      "train: 1,000 of 2,000,000 rows · 1 of 40 files, 1 read in part (--rows 1000 --include data/CC-MAIN-2024-10/*)",
    );
    expect(within(whole!).queryByTestId("dataset-subset")).not.toBeInTheDocument();
  });
});

