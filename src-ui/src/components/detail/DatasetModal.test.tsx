import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../../App";
import { events } from "../../bindings";
import {
  datasetFixture,
  mockBackend,
  readyDatasetFixture,
  statisticsFixture,
  tokenizationFixture,
  tokenizerFixture,
} from "../../test/backend";
import { openModal } from "../../test/detail";

describe("Dataset detail modal", () => {
  it("opens from a ready card with the real name, size and sample count", async () => {
    const { modal } = await openModal();
    expect(modal).toHaveAttribute("role", "dialog");
    expect(modal).toHaveAttribute("aria-modal", "true");
    expect(screen.getByRole("dialog", { name: "TinyStories" })).toBe(modal);
    expect(within(modal).getByTestId("dataset-modal-subtitle")).toHaveTextContent("2.3 GB • 10,000 samples");
    expect(modal).toHaveClass("max-w-6xl", "bg-slate-900", "max-h-[90vh]");
    // Only the panels that exist are tabs; the modal starts on Overview.
    const tabs = within(modal).getAllByRole("tab");
    expect(tabs.map((t) => t.textContent)).toEqual(["Overview", "Samples", "Tokenization", "Statistics"]);
    expect(within(modal).getByRole("tab", { name: "Overview" })).toHaveAttribute("aria-selected", "true");
    expect(within(modal).getByRole("button", { name: "Close" })).toHaveFocus();
  });

  it("shows the dataset's real values on Overview", async () => {
    const { modal } = await openModal({}, readyDatasetFixture({ tokenization_count: 2, created_at: Date.UTC(2026, 2, 3, 12, 0) }));
    const overview = within(modal).getByTestId("overview-tab");
    expect(within(overview).getByTestId("overview-source")).toHaveTextContent("HuggingFace");
    expect(within(overview).getByTestId("overview-repository")).toHaveTextContent(
      "roneneldan/TinyStories · config default · all splits",
    );
    expect(within(overview).getByTestId("overview-format")).toHaveTextContent("JSON Lines");
    expect(within(overview).getByTestId("overview-status")).toHaveTextContent("Ready");
    expect(within(overview).getByTestId("overview-size")).toHaveTextContent("2.3 GB");
    expect(within(overview).getByTestId("overview-samples")).toHaveTextContent("10,000");
    expect(within(overview).getByTestId("overview-created")).toHaveTextContent("2026");
    expect(within(overview).getByTestId("overview-description")).toHaveTextContent(
      "Short stories for small language models.",
    );
    const splits = within(overview).getAllByTestId("overview-split");
    expect(splits.map((s) => s.textContent)).toEqual(["train9,000rows · 90% of total", "test1,000rows · 10% of total"]);
    const columns = within(overview).getAllByTestId("overview-column");
    expect(columns).toHaveLength(3);
    expect(columns[0]).toHaveTextContent("textstringtext column");
    expect(columns[1]).toHaveTextContent("idint64");
    expect(columns[1]).not.toHaveTextContent("text column");
    expect(within(overview).getByTestId("overview-tokenizations")).toHaveTextContent("2");
  });

  it("leaves out the description when the dataset has none and says when it has no tokenizations", async () => {
    const { modal, user } = await openModal({}, readyDatasetFixture({ description: null }));
    expect(within(modal).queryByTestId("overview-description")).not.toBeInTheDocument();
    const tokenizations = within(modal).getByTestId("overview-tokenizations");
    expect(tokenizations).toHaveTextContent("0");
    await user.click(within(tokenizations).getByRole("button", { name: "Tokenize this dataset" }));
    expect(within(modal).getByRole("tab", { name: "Tokenization" })).toHaveAttribute("aria-selected", "true");
  });

  it("uses the latest ready tokenization for the average length", async () => {
    const { modal } = await openModal({
      tokenizers: [tokenizerFixture()],
      tokenizations: () => [tokenizationFixture({ statistics: statisticsFixture() })],
    });
    await waitFor(() => expect(within(modal).getByTestId("overview-tab")).toHaveTextContent("523.4"));
    expect(within(modal).getByTestId("overview-tab")).toHaveTextContent("tokens per sample (openai-community/gpt2)");
  });

  it("closes with Escape and gives focus back to the card", async () => {
    const { user } = await openModal();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("dataset-modal")).not.toBeInTheDocument());
    expect(screen.getByTestId("dataset-open")).toHaveFocus();
  });

  it("closes with a click on the backdrop but not with a click inside", async () => {
    const { user, modal } = await openModal();
    await user.click(within(modal).getByTestId("overview-tab"));
    expect(screen.getByTestId("dataset-modal")).toBeInTheDocument();
    // A drag that starts inside and ends on the backdrop does not close it.
    fireEvent.mouseDown(within(modal).getByTestId("overview-tab"));
    fireEvent.click(screen.getByTestId("dataset-modal-backdrop"));
    expect(screen.getByTestId("dataset-modal")).toBeInTheDocument();

    await user.click(screen.getByTestId("dataset-modal-backdrop"));
    await waitFor(() => expect(screen.queryByTestId("dataset-modal")).not.toBeInTheDocument());
  });

  it("closes with the X button and opens from the keyboard", async () => {
    const { user } = await openModal();
    await user.click(screen.getByRole("button", { name: "Close" }));
    expect(screen.queryByTestId("dataset-modal")).not.toBeInTheDocument();

    screen.getByTestId("dataset-open").focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByTestId("dataset-modal")).toBeInTheDocument();
  });

  it("moves between tabs with the arrow keys", async () => {
    const { user, modal } = await openModal();
    within(modal).getByRole("tab", { name: "Overview" }).focus();
    await user.keyboard("{ArrowRight}");
    expect(within(modal).getByRole("tab", { name: "Samples" })).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowRight}");
    const tokenization = within(modal).getByRole("tab", { name: "Tokenization" });
    expect(tokenization).toHaveAttribute("aria-selected", "true");
    expect(tokenization).toHaveFocus();
    expect(within(modal).getByTestId("tokenization-tab")).toBeVisible();
    await user.keyboard("{End}{Home}");
    expect(within(modal).getByRole("tab", { name: "Overview" })).toHaveAttribute("aria-selected", "true");
  });

  it("does not open cards that are not ready", async () => {
    mockBackend({
      datasets: [
        datasetFixture({ id: "a", name: "busy", status: "downloading" }),
        datasetFixture({ id: "b", name: "broken", status: "error", error: "network: timed out" }),
      ],
    });
    const user = userEvent.setup();
    render(<App />);
    const cards = await screen.findAllByTestId("dataset-card");
    for (const card of cards) await user.click(card);
    expect(screen.queryByTestId("dataset-modal")).not.toBeInTheDocument();
  });

  it("closes when the dataset stops being ready and follows live changes", async () => {
    let list = [readyDatasetFixture()];
    mockBackend({ datasets: () => list });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("dataset-card"));
    const modal = await screen.findByTestId("dataset-modal");

    list = [readyDatasetFixture({ num_samples: 12_000 })];
    await act(() => events.datasetsChanged.emit({ dataset_ids: ["ds-1"] }));
    await waitFor(() => expect(within(modal).getByTestId("dataset-modal-subtitle")).toHaveTextContent("12,000 samples"));

    list = [readyDatasetFixture({ status: "deleting" })];
    await act(() => events.datasetsChanged.emit({ dataset_ids: ["ds-1"] }));
    await waitFor(() => expect(screen.queryByTestId("dataset-modal")).not.toBeInTheDocument());
  });
});

describe("Dataset detail modal focus", () => {
  it("keeps Tab inside the dialog", async () => {
    const { user, modal } = await openModal();
    const close = within(modal).getByRole("button", { name: "Close" });
    expect(close).toHaveFocus();
    await user.tab({ shift: true });
    expect(modal).toContainElement(document.activeElement as HTMLElement);
    expect(document.activeElement).not.toBe(close);
    await user.tab();
    expect(close).toHaveFocus();
  });
});
