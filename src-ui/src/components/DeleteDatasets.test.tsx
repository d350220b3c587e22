import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App";
import type { Dataset } from "../bindings";
import { datasetFixture, jobFixture, mockBackend, readyDatasetFixture, type BackendOptions } from "../test/backend";
import { openModal } from "../test/detail";

const MB = 1024 ** 2;

/** A backend whose list follows deletions, like the engine's. */
function withList(initial: Dataset[], options: BackendOptions = {}) {
  let list = initial;
  const backend = mockBackend({
    datasets: () => list,
    deleteDatasets: (ids) => {
      list = list.filter((d) => !ids.includes(d.id));
      return { deleted: ids, freed_bytes: 0 };
    },
    ...options,
  });
  return backend;
}

describe("Deleting datasets", () => {
  it("deletes one ready dataset from its card after confirming, without the Hub files", async () => {
    const backend = withList([readyDatasetFixture({ size_bytes: 3 * MB })]);
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole("button", { name: "Delete TinyStories" }));
    const dialog = screen.getByTestId("delete-dialog");
    // The modal did not open behind it.
    expect(screen.queryByTestId("dataset-modal")).not.toBeInTheDocument();
    expect(within(dialog).getByTestId("delete-dialog-names")).toHaveTextContent("TinyStories");
    expect(within(dialog).getByTestId("delete-dialog-size")).toHaveTextContent("3 MB on disk");
    expect(within(dialog).getByTestId("delete-dialog-hub-files")).not.toBeChecked();
    await user.click(within(dialog).getByTestId("delete-dialog-confirm"));
    await waitFor(() => expect(screen.queryByTestId("delete-dialog")).not.toBeInTheDocument());
    expect(backend.callsOf("delete_datasets")[0]?.args).toEqual({ ids: ["ds-1"], hubFiles: false });
    expect(await screen.findByTestId("datasets-empty")).toBeInTheDocument();
  });

  it("offers the Hub files only for Hub datasets and deletes a failed download too", async () => {
    const backend = withList([
      datasetFixture({ id: "bad", name: "broken/repo", status: "error", error: "network: timed out" }),
      datasetFixture({ id: "loc", name: "notes.jsonl", source: "local", hf_repo_id: null, status: "ready" }),
    ]);
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole("button", { name: "Delete notes.jsonl" }));
    expect(within(screen.getByTestId("delete-dialog")).queryByTestId("delete-dialog-hub-files")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("delete-dialog-cancel"));
    expect(backend.callsOf("delete_datasets")).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Delete broken/repo" }));
    await user.click(screen.getByTestId("delete-dialog-hub-files"));
    await user.click(screen.getByTestId("delete-dialog-confirm"));
    await waitFor(() => expect(backend.callsOf("delete_datasets")[0]?.args).toEqual({ ids: ["bad"], hubFiles: true }));
  });

  it("offers no Delete on a card whose download is running", async () => {
    withList([datasetFixture({ status: "downloading" })], { jobs: [jobFixture()] });
    render(<App />);
    await screen.findByTestId("job-progress");
    expect(screen.queryByTestId("dataset-delete")).not.toBeInTheDocument();
  });

  it("shows the engine's refusal and keeps the dialog open", async () => {
    withList([readyDatasetFixture()], {
      deleteDatasets: () => ({ error: { kind: "conflict", message: "a tokenization job is using TinyStories" } }),
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole("button", { name: "Delete TinyStories" }));
    await user.click(screen.getByTestId("delete-dialog-confirm"));
    const dialog = screen.getByTestId("delete-dialog");
    expect(await within(dialog).findByTestId("error-kind")).toHaveTextContent("conflict");
    expect(within(dialog).getByTestId("error-message")).toHaveTextContent("a tokenization job is using TinyStories");
    expect(screen.getByTestId("dataset-card")).toBeInTheDocument();
  });

  it("deletes from the detail modal and closes it", async () => {
    const { user, modal, backend } = await openModal({
      deleteDatasets: (ids) => ({ deleted: ids, freed_bytes: 10 }),
    });
    await user.click(within(modal).getByTestId("dataset-modal-delete"));
    const dialog = screen.getByTestId("delete-dialog");
    expect(dialog).toHaveTextContent("TinyStories");
    // Escape closes only the question.
    await user.keyboard("{Escape}");
    expect(screen.queryByTestId("delete-dialog")).not.toBeInTheDocument();
    expect(screen.getByTestId("dataset-modal")).toBeInTheDocument();
    await user.click(within(modal).getByTestId("dataset-modal-delete"));
    await user.click(screen.getByTestId("delete-dialog-confirm"));
    await waitFor(() => expect(screen.queryByTestId("dataset-modal")).not.toBeInTheDocument());
    expect(backend.callsOf("delete_datasets")[0]?.args).toEqual({ ids: ["ds-1"], hubFiles: false });
  });

  it("selects several datasets and deletes them together", async () => {
    const backend = withList(
      [
        readyDatasetFixture({ id: "a", name: "alpha", size_bytes: 1 * MB }),
        readyDatasetFixture({ id: "b", name: "beta", size_bytes: 2 * MB }),
        datasetFixture({ id: "c", name: "gamma", status: "downloading" }),
      ],
      { jobs: [jobFixture({ target: "c" })] },
    );
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("datasets-select"));
    const bar = screen.getByTestId("datasets-selection-bar");
    expect(within(bar).getByTestId("datasets-delete-selected")).toBeDisabled();
    // A click on a card selects it instead of opening it.
    await user.click(screen.getAllByTestId("dataset-card")[0]!);
    expect(screen.queryByTestId("dataset-modal")).not.toBeInTheDocument();
    expect(within(bar).getByTestId("datasets-delete-selected")).toHaveTextContent("Delete 1 dataset");
    await user.click(within(bar).getByTestId("datasets-select-all"));
    expect(within(bar).getByTestId("datasets-delete-selected")).toHaveTextContent("Delete 2 datasets");
    const boxes = screen.getAllByTestId("dataset-select");
    expect(boxes[2]).toBeDisabled();
    expect(boxes[2]).not.toBeChecked();

    await user.click(within(bar).getByTestId("datasets-delete-selected"));
    const dialog = screen.getByTestId("delete-dialog");
    expect(within(dialog).getByTestId("delete-dialog-names")).toHaveTextContent("alphabeta");
    expect(within(dialog).getByTestId("delete-dialog-size")).toHaveTextContent("3 MB on disk");
    await user.click(within(dialog).getByTestId("delete-dialog-confirm"));
    await waitFor(() => expect(screen.getAllByTestId("dataset-card")).toHaveLength(1));
    expect(backend.callsOf("delete_datasets")[0]?.args).toEqual({ ids: ["a", "b"], hubFiles: false });
    expect(screen.queryByTestId("datasets-selection-bar")).not.toBeInTheDocument();
  });

  it("leaves select mode with Cancel", async () => {
    withList([readyDatasetFixture()]);
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("datasets-select"));
    await user.click(screen.getByTestId("datasets-select-cancel"));
    expect(screen.queryByTestId("dataset-select")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("dataset-card"));
    expect(await screen.findByTestId("dataset-modal")).toBeInTheDocument();
  });
});
