import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { describe, expect, it } from "vitest";
import App from "../App";
import { rescanSummary } from "../hooks/useRescan";
import { mockBackend } from "../test/backend";

const rescans = (calls: { cmd: string }[]) => calls.filter((c) => c.cmd === "rescan").length;

describe("rescanning the data folder", () => {
  it("rescans from the button, even with no datasets, and says what it found", async () => {
    const backend = mockBackend({
      datasets: [],
      rescan: () => ({ added: ["ds_a", "ds_b"], updated: [], removed: ["ds_c"] }),
    });
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("datasets-empty");
    await user.click(screen.getByTestId("datasets-rescan"));
    await waitFor(() =>
      expect(screen.getByTestId("datasets-rescan-status")).toHaveTextContent("Data folder rescanned: 2 added, 1 removed"),
    );
    expect(rescans(backend.calls)).toBe(1);
  });

  it("shows why a rescan failed and retries", async () => {
    let fail = true;
    mockBackend({
      rescan: () =>
        fail ? { error: { kind: "invalid_input", message: "/mnt/share: permission denied" } } : { added: [], updated: [], removed: [] },
    });
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByTestId("datasets-rescan"));
    expect(await screen.findByText(/permission denied/)).toBeInTheDocument();
    fail = false;
    await user.click(screen.getByRole("button", { name: /retry/i }));
    await waitFor(() => expect(screen.getByTestId("datasets-rescan-status")).toHaveTextContent("Up to date"));
    expect(screen.queryByText(/permission denied/)).not.toBeInTheDocument();
  });

  it("rescans when the window regains focus, at most once in a while", async () => {
    const backend = mockBackend({ datasets: [] });
    render(<App />);
    await screen.findByTestId("datasets-empty");
    await emit("tauri://focus", null);
    await waitFor(() => expect(rescans(backend.calls)).toBe(1));
    await emit("tauri://focus", null);
    await emit("tauri://blur", null);
    await new Promise((r) => setTimeout(r, 50));
    expect(rescans(backend.calls)).toBe(1);
  });

  it("summarises a report in words", () => {
    expect(rescanSummary({ added: [], updated: [], removed: [] })).toBe("Up to date with the data folder");
    expect(rescanSummary({ added: [], updated: ["x"], removed: [] })).toBe("Data folder rescanned: 1 updated");
  });
});
