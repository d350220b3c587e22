import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App";
import { events, type DataLock } from "../bindings";
import {
  datasetFixture,
  lockFixture,
  mockBackend,
  readyDatasetFixture,
  tokenizationFixture,
  tokenizerFixture,
} from "../test/backend";
import { openModal, openTokenization } from "../test/detail";
import { useLocksStore } from "../store/locks";

async function renderApp() {
  const user = userEvent.setup();
  render(<App />);
  const cards = await screen.findAllByTestId("dataset-card");
  return { user, cards };
}

/** The element carrying a disabled button's tooltip (WebKit shows none on the button). */
const tooltipOf = (button: HTMLElement) => button.parentElement?.getAttribute("title");

describe("Datasets busy in another process", () => {
  it("marks the card busy on the holder's machine, with who and since when, and disables Delete", async () => {
    mockBackend({ datasets: [readyDatasetFixture()], dataLocks: [lockFixture()] });
    const { user, cards } = await renderApp();
    const card = cards[0]!;
    const badge = await within(card).findByTestId("dataset-busy");
    expect(badge).toHaveTextContent("Busy on jetson-01");
    expect(badge.getAttribute("title")).toMatch(/^Process 4242 on jetson-01 is tokenizing with gpt2 since .*14:03$/);

    const remove = within(card).getByTestId("dataset-delete");
    expect(remove).toBeDisabled();
    expect(tooltipOf(remove)).toBe("Busy on jetson-01 — wait for it to finish there");
    expect(remove).toHaveAccessibleDescription("Busy on jetson-01 — wait for it to finish there");
    await user.click(remove);
    expect(screen.queryByTestId("delete-dialog")).not.toBeInTheDocument();
    expect(screen.queryByTestId("dataset-modal")).not.toBeInTheDocument();

    // It can still be opened and read.
    await user.click(within(card).getByTestId("dataset-open"));
    expect(await screen.findByTestId("dataset-modal")).toBeInTheDocument();
  });

  it("says another process on this machine when the holder is here", async () => {
    mockBackend({
      datasets: [readyDatasetFixture()],
      dataLocks: [lockFixture({ same_machine: true, host: "lab-box-01", pid: 77, purpose: "importing" })],
    });
    const { cards } = await renderApp();
    const badge = await within(cards[0]!).findByTestId("dataset-busy");
    expect(badge.getAttribute("title")).toMatch(/^Another process on this machine \(process 77\) is importing since /);
    expect(tooltipOf(within(cards[0]!).getByTestId("dataset-delete"))).toBe(
      "Busy in another process on this machine — wait for it to finish",
    );
  });

  it("does not mark a dataset busy for a stale lock or another dataset's lock", async () => {
    mockBackend({
      datasets: [readyDatasetFixture()],
      dataLocks: [
        lockFixture({ stale: "no heartbeat for 12 min; the next job breaks it" }),
        lockFixture({ dataset_id: "ds-other" }),
      ],
    });
    const { cards } = await renderApp();
    await waitFor(() => expect(useLocksStore.getState().locks).toHaveLength(2));
    expect(within(cards[0]!).queryByTestId("dataset-busy")).not.toBeInTheDocument();
    expect(within(cards[0]!).getByTestId("dataset-delete")).toBeEnabled();
  });

  it("shows the badge after locks-changed and clears it when the lock goes", async () => {
    let locks: DataLock[] = [];
    const backend = mockBackend({ datasets: [readyDatasetFixture()], dataLocks: () => locks });
    const { cards } = await renderApp();
    const card = cards[0]!;
    await waitFor(() => expect(backend.callsOf("data_locks")).toHaveLength(1));
    expect(within(card).queryByTestId("dataset-busy")).not.toBeInTheDocument();

    locks = [lockFixture()];
    await act(() => events.locksChanged.emit({}));
    expect(await within(card).findByTestId("dataset-busy")).toHaveTextContent("Busy on jetson-01");
    expect(within(card).getByTestId("dataset-delete")).toBeDisabled();

    locks = [];
    await act(() => events.locksChanged.emit({}));
    await waitFor(() => expect(within(card).queryByTestId("dataset-busy")).not.toBeInTheDocument());
    expect(within(card).getByTestId("dataset-delete")).toBeEnabled();
  });

  it("does not offer Retry of a failed download while another machine holds the dataset", async () => {
    mockBackend({
      datasets: [datasetFixture({ status: "error", error: "network: timed out" })],
      dataLocks: [lockFixture({ purpose: "downloading" })],
    });
    const { cards } = await renderApp();
    await within(cards[0]!).findByTestId("dataset-busy");
    const retry = within(cards[0]!).getByTestId("dataset-retry");
    expect(retry).toBeDisabled();
    expect(tooltipOf(retry)).toBe("Busy on jetson-01 — wait for it to finish there");
  });

  it("leaves a busy dataset out of a bulk delete", async () => {
    const backend = mockBackend({
      datasets: [
        readyDatasetFixture({ id: "a", name: "alpha" }),
        readyDatasetFixture({ id: "b", name: "beta" }),
        readyDatasetFixture({ id: "c", name: "gamma" }),
      ],
      dataLocks: [lockFixture({ dataset_id: "b" })],
    });
    const { user } = await renderApp();
    await screen.findByTestId("dataset-busy");
    await user.click(screen.getByTestId("datasets-select"));
    const bar = screen.getByTestId("datasets-selection-bar");

    const beta = screen.getAllByTestId("dataset-card").find((c) => c.dataset.datasetId === "b")!;
    const box = within(beta).getByTestId("dataset-select");
    expect(box).toBeDisabled();
    expect(box).toHaveAttribute("title", "Busy on jetson-01 — wait for it to finish there");
    // A click on the busy card does not select it.
    await user.click(beta);
    expect(within(bar).getByTestId("datasets-selected-count")).toHaveTextContent("0 selected");

    await user.click(within(bar).getByTestId("datasets-select-all"));
    expect(within(bar).getByTestId("datasets-delete-selected")).toHaveTextContent("Delete 2 datasets");
    expect(box).not.toBeChecked();
    await user.click(within(bar).getByTestId("datasets-delete-selected"));
    const dialog = screen.getByTestId("delete-dialog");
    expect(within(dialog).getByTestId("delete-dialog-names")).not.toHaveTextContent("beta");
    await user.click(within(dialog).getByTestId("delete-dialog-confirm"));
    await waitFor(() => expect(backend.callsOf("delete_datasets")).toHaveLength(1));
    const ids = (backend.callsOf("delete_datasets")[0]?.args as { ids: string[] }).ids;
    expect([...ids].sort()).toEqual(["a", "c"]);
  });

  it("drops a dataset from the selection once it becomes busy", async () => {
    let locks: DataLock[] = [];
    mockBackend({
      datasets: [readyDatasetFixture({ id: "a", name: "alpha" }), readyDatasetFixture({ id: "b", name: "beta" })],
      dataLocks: () => locks,
    });
    const { user } = await renderApp();
    await user.click(screen.getByTestId("datasets-select"));
    const bar = screen.getByTestId("datasets-selection-bar");
    await user.click(within(bar).getByTestId("datasets-select-all"));
    expect(within(bar).getByTestId("datasets-delete-selected")).toHaveTextContent("Delete 2 datasets");

    locks = [lockFixture({ dataset_id: "a" })];
    await act(() => events.locksChanged.emit({}));
    await waitFor(() =>
      expect(within(bar).getByTestId("datasets-delete-selected")).toHaveTextContent("Delete 1 dataset"),
    );
  });
});

describe("The detail view of a busy dataset", () => {
  it("says where it is busy and disables Delete", async () => {
    const { modal } = await openModal({ dataLocks: [lockFixture()] });
    const notice = await within(modal).findByTestId("dataset-busy-notice");
    expect(notice).toHaveTextContent(
      "Busy on jetson-01: tokenizing with gpt2. Tokenizing and deleting wait until it finishes there.",
    );
    const remove = within(modal).getByTestId("dataset-modal-delete");
    expect(remove).toBeDisabled();
    expect(tooltipOf(remove)).toBe("Busy on jetson-01 — wait for it to finish there");
  });

  it("disables starting a tokenization and deleting or retrying tokenizations, until the lock goes", async () => {
    let locks: DataLock[] = [lockFixture()];
    const { tab, modal, user, backend } = await openTokenization({
      tokenizers: [tokenizerFixture()],
      tokenizations: () => [
        tokenizationFixture({ id: "tok_1", status: "ready" }),
        tokenizationFixture({ id: "tok_2", status: "error", error: "disk full", created_at: 1_700_000_300_000 }),
      ],
      dataLocks: () => locks,
    });
    expect(await within(modal).findByTestId("dataset-busy-notice")).toBeInTheDocument();
    const submit = within(tab).getByTestId("tokenize-submit");
    expect(submit).toBeDisabled();
    expect(within(tab).getByTestId("tokenize-submit-help")).toHaveTextContent(
      "Busy on jetson-01 — wait for it to finish there.",
    );
    await waitFor(() => expect(within(tab).getAllByTestId("tokenization-item")).toHaveLength(2));
    for (const button of within(tab).getAllByTestId("tokenization-delete")) {
      expect(button).toBeDisabled();
      expect(tooltipOf(button)).toBe("Busy on jetson-01 — wait for it to finish there");
    }
    expect(within(tab).getByTestId("tokenization-retry")).toBeDisabled();
    await user.click(submit);
    expect(backend.callsOf("start_tokenization")).toHaveLength(0);

    locks = [];
    await act(() => events.locksChanged.emit({}));
    await waitFor(() => expect(within(modal).queryByTestId("dataset-busy-notice")).not.toBeInTheDocument());
    expect(within(tab).getByTestId("tokenize-submit")).toBeEnabled();
    for (const button of within(tab).getAllByTestId("tokenization-delete")) expect(button).toBeEnabled();
    expect(within(tab).getByTestId("tokenization-retry")).toBeEnabled();
    expect(within(modal).getByTestId("dataset-modal-delete")).toBeEnabled();
  });

  it("still shows the engine's refusal when the lock appeared after the window last looked", async () => {
    const { tab, user } = await openTokenization({
      tokenizers: [tokenizerFixture()],
      startTokenization: () => ({
        error: {
          kind: "conflict",
          message:
            "dataset ds-1 is busy on jetson-01 (process 4242, tokenizing with gpt2 for 3 min); wait for it to finish there",
        },
      }),
    });
    const submit = within(tab).getByTestId("tokenize-submit");
    await waitFor(() => expect(submit).toBeEnabled());
    await user.click(submit);
    const error = await within(tab).findByTestId("tokenize-error");
    expect(within(error).getByTestId("error-kind")).toHaveTextContent("conflict");
    expect(within(error).getByTestId("error-message")).toHaveTextContent("busy on jetson-01");
  });
});
