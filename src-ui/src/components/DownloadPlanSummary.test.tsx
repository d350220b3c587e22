import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App";
import type { DownloadRequest } from "../bindings";
import { mockBackend, planFixture } from "../test/backend";

async function checkedForm(repoId = "HuggingFaceFW/fineweb") {
  const user = userEvent.setup();
  render(<App />);
  await screen.findByTestId("datasets-empty");
  await user.type(screen.getByTestId("download-repo"), repoId);
  await user.click(screen.getByRole("button", { name: "Check" }));
  await waitFor(() => expect(screen.getByTestId("download-config")).toBeEnabled());
  return user;
}

describe("Download form dry run", () => {
  it("shows the plan's files, rows and disk, and asks again as the include globs change", async () => {
    const backend = mockBackend({
      planDownload: (request: DownloadRequest) =>
        (request.include ?? []).length === 0
          ? planFixture({ num_files: 40, num_rows: 2_000_000, download_bytes: 12 * 1024 ** 3 })
          : planFixture({ num_files: 3, num_rows: 150_000, download_bytes: 900 * 1024 ** 2 }),
    });
    const user = await checkedForm();
    expect(await screen.findByTestId("download-plan-files")).toHaveTextContent("40 of 40 files");
    expect(screen.getByTestId("download-plan-disk")).toHaveTextContent("Needs 1.61 GB on disk");
    expect(screen.getByTestId("download-plan-disk")).toHaveTextContent("40 GB free");

    await user.type(screen.getByTestId("download-include"), "data/CC-MAIN-2024-10/*");
    await waitFor(() => expect(screen.getByTestId("download-plan-files")).toHaveTextContent("3 of 40 files"));
    expect(screen.getByTestId("download-plan-files")).toHaveTextContent("150,000 of 2,000,000 rows");
    const last = backend.callsOf("plan_download").at(-1)?.args as { request: DownloadRequest };
    expect(last.request.include).toEqual(["data/CC-MAIN-2024-10/*"]);
    expect(last.request.remember_token).toBe(false);
  });

  it("warns when the disk is too small and shows the engine's message for a bad choice", async () => {
    mockBackend({
      planDownload: (request: DownloadRequest) =>
        request.rows === "abc"
          ? {
              error: {
                kind: "invalid_input",
                message: '--rows "abc" is not a row count; give a number of rows (--rows 100000) or a share of the split (--rows 10%)',
              },
            }
          : planFixture({ free_bytes: 1024 }),
    });
    const user = await checkedForm();
    expect(await screen.findByTestId("download-plan-short")).toHaveTextContent("Not enough space");
    await user.type(screen.getByTestId("download-rows"), "abc");
    expect(await screen.findByTestId("download-plan")).toHaveTextContent("is not a row count");
    expect(screen.queryByTestId("download-plan-files")).not.toBeInTheDocument();
  });

  it("passes the rows, globs and the raw-file choice to start_download", async () => {
    const backend = mockBackend();
    const user = await checkedForm();
    await user.type(screen.getByTestId("download-include"), "data/a/*, data/b/*");
    await user.type(screen.getByTestId("download-exclude"), "*.json");
    await user.type(screen.getByTestId("download-rows"), "10%");
    await user.click(screen.getByTestId("download-drop-raw"));
    await user.click(screen.getByTestId("download-submit"));
    await waitFor(() => expect(backend.callsOf("start_download")).toHaveLength(1));
    const { request } = backend.callsOf("start_download")[0]?.args as { request: DownloadRequest };
    expect(request.include).toEqual(["data/a/*", "data/b/*"]);
    expect(request.exclude).toEqual(["*.json"]);
    expect(request.rows).toBe("10%");
    expect(request.keep_hub_files).toBe(false);
    await waitFor(() => expect(screen.getByTestId("download-rows")).toHaveValue(""));
  });

  it("asks nothing before the repo is checked", async () => {
    const backend = mockBackend();
    const user = userEvent.setup();
    render(<App />);
    await screen.findByTestId("datasets-empty");
    await user.type(screen.getByTestId("download-rows"), "100");
    expect(screen.queryByTestId("download-plan")).not.toBeInTheDocument();
    expect(backend.callsOf("plan_download")).toHaveLength(0);
  });
});
