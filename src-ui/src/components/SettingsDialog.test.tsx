import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App";
import type { Settings } from "../bindings";
import { machineFixture, mockBackend } from "../test/backend";

async function openSettings() {
  const user = userEvent.setup();
  render(<App />);
  await screen.findByTestId("datasets-empty");
  await user.click(screen.getByRole("button", { name: "Settings" }));
  const dialog = await screen.findByRole("dialog", { name: "Settings" });
  const dataFolder = within(dialog).getByLabelText("Data folder");
  await waitFor(() => expect(dataFolder).toHaveValue("/srv/mistudio/data"));
  return {
    user,
    dialog,
    dataFolder,
    endpoint: within(dialog).getByLabelText("Hugging Face endpoint"),
    save: within(dialog).getByRole("button", { name: "Save" }),
  };
}

describe("Settings dialog", () => {
  it("is a labelled modal that loads the current settings", async () => {
    const backend = mockBackend();
    const { dialog, dataFolder, endpoint, save } = await openSettings();
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(dataFolder).toHaveAccessibleDescription(
      "Datasets, tokenizations and tokenizers live here; it can be a shared folder. The index and the Hub cache stay on this machine. A folder that already holds a library is adopted as it is.",
    );
    expect(endpoint).toHaveValue("https://huggingface.co");
    expect(endpoint).toHaveAccessibleDescription("Leave as https://huggingface.co unless you use a mirror.");
    expect(save).toBeDisabled(); // unchanged
    expect(backend.callsOf("get_settings")).toHaveLength(1);
  });

  it("saves the edited values via update_settings, closes and refreshes machine status", async () => {
    const backend = mockBackend({
      machine: () =>
        backend.callsOf("update_settings").length > 0
          ? machineFixture({ data_root: "/mnt/shared/mistudio", free_bytes: 1024 ** 4 })
          : machineFixture(),
    });
    const { user, dataFolder, endpoint, save } = await openSettings();

    await user.clear(dataFolder);
    await user.type(dataFolder, "/mnt/shared/mistudio");
    await user.clear(endpoint);
    await user.type(endpoint, "https://hf-mirror.example.org");
    expect(save).toBeEnabled();
    const machineCallsBefore = backend.callsOf("machine_status").length;
    await user.click(save);

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    const updates = backend.callsOf("update_settings");
    expect(updates).toHaveLength(1);
    expect(updates[0]?.args).toEqual({
      settings: {
        data_root: "/mnt/shared/mistudio",
        hub_endpoint: "https://hf-mirror.example.org",
        tokenize_threads: null,
        keep_hub_files: true,
      } satisfies Settings,
    });
    await waitFor(() => expect(screen.getByTestId("machine-status")).toHaveTextContent("1 TB free"));
    expect(backend.callsOf("machine_status").length).toBeGreaterThan(machineCallsBefore);
    expect(screen.getByRole("button", { name: "Settings" })).toHaveFocus();
  });

  it("shows an invalid_input error returned by the backend and stays open", async () => {
    mockBackend({
      updateSettings: () => ({
        error: { kind: "invalid_input", message: "Data folder /nope does not exist or is not writable" },
      }),
    });
    const { user, dialog, dataFolder, save } = await openSettings();
    await user.clear(dataFolder);
    await user.type(dataFolder, "/nope");
    await user.click(save);

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("invalid_input");
    expect(alert).toHaveTextContent("Data folder /nope does not exist or is not writable");
    expect(screen.getByRole("dialog")).toBeInTheDocument();
    expect(dataFolder).toHaveValue("/nope");
    expect(save).toBeEnabled(); // can retry
  });

  it("rejects an endpoint that is not http(s) before calling the backend", async () => {
    const backend = mockBackend();
    const { user, dialog, endpoint, save } = await openSettings();
    await user.clear(endpoint);
    await user.type(endpoint, "ftp://mirror.example.org");
    expect(within(dialog).getByTestId("settings-validation")).toHaveTextContent(
      "must start with http:// or https://",
    );
    expect(save).toBeDisabled();
    await user.type(endpoint, "{Enter}");
    expect(backend.callsOf("update_settings")).toHaveLength(0);
  });

  it("closes on Escape without saving", async () => {
    const backend = mockBackend();
    const { user, dataFolder } = await openSettings();
    await user.type(dataFolder, "-changed");
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(backend.callsOf("update_settings")).toHaveLength(0);
  });

  it("closes with the X button and with a backdrop click, but not a click inside", async () => {
    mockBackend();
    const first = await openSettings();
    await first.user.click(within(first.dialog).getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();

    await first.user.click(screen.getByRole("button", { name: "Settings" }));
    const dialog = await screen.findByRole("dialog");
    await first.user.click(within(dialog).getByText("Data folder"));
    expect(screen.getByRole("dialog")).toBeInTheDocument();
    await first.user.click(screen.getByTestId("settings-backdrop"));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("shows the error when settings cannot be loaded", async () => {
    mockBackend({ settings: { error: { kind: "corrupt", message: "settings.json is not valid JSON" } } });
    const user = userEvent.setup();
    render(<App />);
    await user.click(screen.getByRole("button", { name: "Settings" }));
    const dialog = await screen.findByRole("dialog");
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("corrupt");
    expect(alert).toHaveTextContent("settings.json is not valid JSON");
    expect(within(dialog).getByRole("button", { name: "Save" })).toBeDisabled();
  });

  it("fills the data folder from the folder picker, and a cancelled pick keeps it", async () => {
    let picked: string | null = null;
    const backend = mockBackend({ dialogOpen: () => picked });
    const { user, dialog, dataFolder, save } = await openSettings();
    const browse = within(dialog).getByTestId("settings-data-root-browse");
    expect(browse).toHaveTextContent("Choose…");

    // Cancelled: nothing changes.
    await user.click(browse);
    await waitFor(() => expect(backend.callsOf("plugin:dialog|open")).toHaveLength(1));
    await waitFor(() => expect(browse).toBeEnabled());
    expect(dataFolder).toHaveValue("/srv/mistudio/data");
    expect(save).toBeDisabled();
    expect(backend.callsOf("plugin:dialog|open")[0]?.args).toMatchObject({
      options: {
        directory: true,
        multiple: false,
        title: "Choose the data folder",
        defaultPath: "/srv/mistudio/data",
      },
    });

    picked = "/mnt/nas/mistudio";
    await user.click(browse);
    await waitFor(() => expect(dataFolder).toHaveValue("/mnt/nas/mistudio"));
    expect(save).toBeEnabled();

    // Typing still works after a pick, and an emptied field opens the picker without a start folder.
    await user.clear(dataFolder);
    picked = null;
    await user.click(browse);
    await waitFor(() => expect(backend.callsOf("plugin:dialog|open")).toHaveLength(3));
    const third = (backend.callsOf("plugin:dialog|open")[2]?.args as { options: Record<string, unknown> }).options;
    expect(third.defaultPath).toBeUndefined();
    expect(dataFolder).toHaveValue("");
    await user.type(dataFolder, "/data/typed");
    await user.click(save);
    await waitFor(() => expect(backend.callsOf("update_settings")).toHaveLength(1));
    expect(backend.callsOf("update_settings")[0]?.args).toMatchObject({ settings: { data_root: "/data/typed" } });
  });

  it("shows why the folder picker could not open", async () => {
    mockBackend({ dialogOpen: () => ({ error: { kind: "internal", message: "no file chooser portal" } }) });
    const { user, dialog, dataFolder } = await openSettings();
    await user.click(within(dialog).getByTestId("settings-data-root-browse"));
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("Could not open the folder picker");
    expect(alert).toHaveTextContent("no file chooser portal");
    expect(dataFolder).toHaveValue("/srv/mistudio/data");
  });

  it("sets the tokenization thread budget, refusing what is not a count", async () => {
    const backend = mockBackend();
    const { user, dialog, save } = await openSettings();
    const threads = within(dialog).getByLabelText("Tokenization threads");
    expect(threads).toHaveValue("");
    await user.type(threads, "0");
    expect(save).toBeDisabled();
    expect(within(dialog).getByTestId("settings-validation")).toHaveTextContent("from 1 to 1024");
    await user.clear(threads);
    await user.type(threads, "3");
    expect(save).toBeEnabled();
    await user.click(save);
    await waitFor(() => expect(backend.callsOf("update_settings")).toHaveLength(1));
    expect(backend.callsOf("update_settings")[0]?.args).toEqual({
      settings: { data_root: "/srv/mistudio/data", hub_endpoint: "https://huggingface.co", tokenize_threads: 3, keep_hub_files: true },
    });
  });

  it("turns off keeping raw files in the HF cache", async () => {
    const backend = mockBackend();
    const { user, dialog, save } = await openSettings();
    const keep = within(dialog).getByTestId("settings-keep-hub-files");
    expect(keep).toBeChecked();
    expect(save).toBeDisabled();
    await user.click(keep);
    expect(save).toBeEnabled();
    await user.click(save);
    await waitFor(() => expect(backend.callsOf("update_settings")).toHaveLength(1));
    const { settings } = backend.callsOf("update_settings")[0]?.args as { settings: { keep_hub_files: boolean } };
    expect(settings.keep_hub_files).toBe(false);
  });
});
