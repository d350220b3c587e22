import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";
import App from "../App";
import type { Dataset, ImportRequest } from "../bindings";
import { datasetFixture, mockBackend, readyDatasetFixture, type BackendOptions } from "../test/backend";

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

type InvokeSpy = ReturnType<typeof vi.fn>;

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Renders the app on the fake backend and waits until the panel listens for drag-and-drop
 * (the four Tauri drag events are subscribed one after the other; leave is the last).
 */
async function renderPanel(options: BackendOptions = {}) {
  const backend = mockBackend(options);
  // The fake backend handles event subscriptions inside the IPC mock, so they are seen here.
  const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (...args: unknown[]) => unknown } })
    .__TAURI_INTERNALS__;
  const invoke = vi.spyOn(internals, "invoke") as unknown as InvokeSpy;
  const user = userEvent.setup();
  const view = render(<App />);
  const listed = Array.isArray(options.datasets) && options.datasets.length > 0;
  await screen.findByTestId(listed ? "dataset-card" : "datasets-empty");
  await waitFor(() => expect(listenedTo(invoke, "tauri://drag-leave")).toBe(true));
  const form = screen.getByTestId("import-form");
  return {
    backend,
    invoke,
    user,
    view,
    form,
    path: within(form).getByTestId<HTMLInputElement>("import-path"),
    name: within(form).getByTestId<HTMLInputElement>("import-name"),
    submit: within(form).getByTestId("import-submit"),
  };
}

function listenedTo(invoke: InvokeSpy, event: string, cmd = "plugin:event|listen"): boolean {
  return invoke.mock.calls.some(([c, args]) => c === cmd && (args as { event?: string } | undefined)?.event === event);
}

/** What Tauri emits to the webview while files are dragged over it. */
async function drag(type: "enter" | "over" | "drop" | "leave", paths: string[] = []) {
  const position = { x: 200, y: 300 };
  const payload = type === "leave" ? null : type === "over" ? { position } : { paths, position };
  await act(() => emit(`tauri://drag-${type}`, payload));
}

describe("Import local files form", () => {
  it("sits under the download form, styled like it, with Import disabled while empty", async () => {
    const { form, path, name, submit } = await renderPanel();
    expect(within(form).getByRole("heading", { name: "Import local files" })).toBeInTheDocument();
    expect(form).toHaveClass("rounded-lg", "border-slate-800", "bg-slate-900/50", "p-6");
    expect(screen.getByTestId("download-form").compareDocumentPosition(form)).toBe(Node.DOCUMENT_POSITION_FOLLOWING);
    expect(within(form).getByLabelText("File or folder")).toBe(path);
    expect(within(form).getByLabelText("Name")).toBe(name);
    expect(path).toHaveValue("");
    expect(name).toHaveValue("");
    expect(within(form).getByTestId("import-choose-file")).toHaveTextContent("Choose file…");
    expect(within(form).getByTestId("import-choose-folder")).toHaveTextContent("Choose folder…");
    expect(submit).toHaveTextContent("Import");
    expect(submit).toBeDisabled();
    expect(submit).toHaveClass("bg-emerald-600", "disabled:bg-slate-700", "w-full");
    expect(screen.queryByTestId("import-drop-overlay")).not.toBeInTheDocument();
  });

  it("prefills the name from a typed path, keeps an edited one and starts the import with both", async () => {
    let list: Dataset[] = [];
    const { backend, user, path, name, submit } = await renderPanel({
      datasets: () => list,
      startImport: (request) => {
        const created = datasetFixture({
          id: "ds-imp",
          name: request.name ?? "?",
          source: "local",
          hf_repo_id: null,
          status: "queued",
        });
        list = [created];
        return created;
      },
    });

    await user.type(path, "   ");
    expect(submit).toBeDisabled(); // spaces are not a path

    await user.clear(path);
    await user.type(path, "/mnt/share/corpora/wiki.jsonl.gz");
    expect(name).toHaveValue("wiki");
    expect(submit).toBeEnabled();

    await user.clear(name);
    await user.type(name, "Wikipedia 2024");
    // Changing the path no longer touches a name the user typed.
    await user.clear(path);
    await user.type(path, "/mnt/share/corpora/wiki-2024.parquet");
    expect(name).toHaveValue("Wikipedia 2024");

    await user.click(submit);
    await waitFor(() => expect(backend.callsOf("start_import")).toHaveLength(1));
    expect(backend.callsOf("start_import")[0]?.args).toEqual({
      request: { path: "/mnt/share/corpora/wiki-2024.parquet", name: "Wikipedia 2024" } satisfies ImportRequest,
    });

    // The new dataset is listed at once and the form is ready for the next import.
    const card = await screen.findByTestId("dataset-card");
    expect(within(card).getByRole("heading", { name: "Wikipedia 2024" })).toBeInTheDocument();
    expect(card).toHaveTextContent("Source: Local file");
    expect(card).not.toHaveTextContent("HuggingFace");
    expect(path).toHaveValue("");
    expect(name).toHaveValue("");
    expect(submit).toBeDisabled();

    // After clearing, the name follows the path again.
    await user.type(path, "/data/notes.txt");
    expect(name).toHaveValue("notes");
  });

  it("sends the prefilled name, and the plain path for a pasted file:// URI or quoted path", async () => {
    const { backend, user, path, name, submit } = await renderPanel();
    await user.click(path);
    await user.paste("file:///home/me/my%20data/train.csv.zst");
    expect(name).toHaveValue("train");
    await user.tab(); // leaving the field shows the path that will be imported
    expect(path).toHaveValue("/home/me/my data/train.csv.zst");
    await user.click(submit);
    await waitFor(() => expect(backend.callsOf("start_import")).toHaveLength(1));
    expect(backend.callsOf("start_import")[0]?.args).toEqual({
      request: { path: "/home/me/my data/train.csv.zst", name: "train" },
    });

    await user.click(path);
    await user.paste('"/srv/corpus"');
    await user.clear(name); // an emptied name lets the engine use the folder's name
    await user.click(submit);
    await waitFor(() => expect(backend.callsOf("start_import")).toHaveLength(2));
    expect(backend.callsOf("start_import")[1]?.args).toEqual({ request: { path: "/srv/corpus", name: null } });
  });

  it("fills the path from the file and folder pickers", async () => {
    let picked: string | null = null;
    const { backend, user, form, path, name } = await renderPanel({ dialogOpen: () => picked });

    // Cancelling the picker changes nothing.
    await user.click(within(form).getByTestId("import-choose-file"));
    await waitFor(() => expect(backend.callsOf("plugin:dialog|open")).toHaveLength(1));
    expect(path).toHaveValue("");
    const fileOptions = (backend.callsOf("plugin:dialog|open")[0]?.args as { options: Record<string, unknown> }).options;
    expect(fileOptions).toMatchObject({ multiple: false, directory: false });
    const filters = fileOptions.filters as { name: string; extensions: string[] }[];
    expect(filters[0]?.extensions).toEqual(
      expect.arrayContaining(["parquet", "jsonl", "jsonl.gz", "jsonl.zst", "ndjson", "json", "csv", "tsv", "txt", "arrow"]),
    );
    expect(filters[1]).toEqual({ name: "All files", extensions: ["*"] });

    picked = "/home/me/data/tiny.ndjson.gz";
    await user.click(within(form).getByTestId("import-choose-file"));
    await waitFor(() => expect(path).toHaveValue("/home/me/data/tiny.ndjson.gz"));
    expect(name).toHaveValue("tiny");

    // A folder keeps its whole name, dots and all.
    picked = "/mnt/nas/corpus.v2";
    await user.click(within(form).getByTestId("import-choose-folder"));
    await waitFor(() => expect(path).toHaveValue("/mnt/nas/corpus.v2"));
    expect(name).toHaveValue("corpus.v2");
    expect(backend.callsOf("plugin:dialog|open")[2]?.args).toMatchObject({
      options: { multiple: false, directory: true },
    });
  });

  it("shows why the picker could not open", async () => {
    const { user, form } = await renderPanel({
      dialogOpen: () => ({ error: { kind: "internal", message: "no file chooser portal" } }),
    });
    await user.click(within(form).getByTestId("import-choose-folder"));
    const error = await within(form).findByTestId("import-error");
    expect(error).toHaveTextContent("Could not open the file picker");
    expect(within(error).getByTestId("error-message")).toHaveTextContent("no file chooser portal");
  });

  it.each([
    ["not_found", "/data/missing.jsonl (nothing to import there)"],
    ["invalid_input", "/data/docs holds no data files (found README.md); import .parquet, .jsonl, .ndjson or .json files"],
    ["invalid_input", "the path must be absolute: data/wiki.jsonl; give the full path, e.g. /home/you/data/wiki.jsonl"],
  ] as const)("shows the %s error from start_import and keeps the form", async (kind, message) => {
    const { user, form, path, name, submit } = await renderPanel({
      startImport: () => ({ error: { kind, message } }),
    });
    await user.type(path, "/data/missing.jsonl");
    await user.click(submit);

    const error = await within(form).findByTestId("import-error");
    expect(within(error).getByRole("alert")).toHaveTextContent("Could not start the import");
    expect(within(error).getByTestId("error-kind")).toHaveTextContent(kind);
    expect(within(error).getByTestId("error-message")).toHaveTextContent(message);
    expect(path).toHaveValue("/data/missing.jsonl");
    expect(name).toHaveValue("missing");
    expect(submit).toBeEnabled();

    // Editing the form clears the error.
    await user.type(name, "-2");
    expect(within(form).queryByTestId("import-error")).not.toBeInTheDocument();
  });

  it("disables the form while the import is being started", async () => {
    const started = deferred<Dataset>();
    const { backend, user, form, path, name, submit } = await renderPanel({ startImport: () => () => started.promise });
    await user.type(path, "/data/wiki.jsonl");
    await user.click(submit);

    expect(submit).toBeDisabled();
    expect(submit).toHaveTextContent("Starting import…");
    expect(path).toBeDisabled();
    expect(name).toBeDisabled();
    expect(within(form).getByTestId("import-choose-file")).toBeDisabled();
    expect(within(form).getByTestId("import-choose-folder")).toBeDisabled();
    await user.click(submit);
    expect(backend.callsOf("start_import")).toHaveLength(1);

    await act(async () => {
      started.resolve(datasetFixture({ id: "ds-imp", name: "wiki", source: "local", hf_repo_id: null, status: "queued" }));
      await started.promise;
    });
    await waitFor(() => expect(path).toHaveValue(""));
    expect(path).toBeEnabled();
    expect(submit).toHaveTextContent("Import");
    expect(submit).toBeDisabled();
  });
});

describe("Dropping files on the Datasets panel", () => {
  it("shows the overlay while dragging and hides it when the drag leaves", async () => {
    const { backend } = await renderPanel();
    await drag("enter", ["/home/me/wiki.jsonl"]);
    const overlay = screen.getByTestId("import-drop-overlay");
    expect(overlay).toHaveTextContent("Drop a file or folder to import");
    await drag("over");
    expect(screen.getByTestId("import-drop-overlay")).toBeInTheDocument();
    await drag("leave");
    expect(screen.queryByTestId("import-drop-overlay")).not.toBeInTheDocument();

    // A drag can also start with "over" (the enter went to another part of the window).
    await drag("over");
    expect(screen.getByTestId("import-drop-overlay")).toBeInTheDocument();
    await drag("leave");
    expect(backend.callsOf("start_import")).toHaveLength(0);
  });

  it("fills the form with the dropped path and focuses the name, without starting the import", async () => {
    const { backend, user, form, path, name, submit } = await renderPanel();
    await drag("enter", ["/mnt/share/corpus/train.jsonl.gz"]);
    await drag("drop", ["/mnt/share/corpus/train.jsonl.gz"]);

    expect(screen.queryByTestId("import-drop-overlay")).not.toBeInTheDocument();
    expect(path).toHaveValue("/mnt/share/corpus/train.jsonl.gz");
    expect(name).toHaveValue("train");
    expect(name).toHaveFocus();
    expect(within(form).queryByTestId("import-note")).not.toBeInTheDocument();
    expect(backend.callsOf("start_import")).toHaveLength(0);

    await user.click(submit);
    await waitFor(() => expect(backend.callsOf("start_import")).toHaveLength(1));
    expect(backend.callsOf("start_import")[0]?.args).toEqual({
      request: { path: "/mnt/share/corpus/train.jsonl.gz", name: "train" },
    });
  });

  it("uses the first of several dropped paths and says so", async () => {
    const { form, path, name } = await renderPanel();
    await drag("drop", ["/data/first.parquet", "/data/second.parquet", "/data/third"]);
    expect(path).toHaveValue("/data/first.parquet");
    expect(name).toHaveValue("first");
    expect(within(form).getByTestId("import-note")).toHaveTextContent(
      "Only one file or folder at a time: using first.parquet",
    );

    // Typing another path drops the note.
    const user = userEvent.setup();
    await user.clear(path);
    expect(within(form).queryByTestId("import-note")).not.toBeInTheDocument();
  });

  it("ignores drops while a dialog covers the panel", async () => {
    const { user, path } = await renderPanel({ datasets: [readyDatasetFixture()] });
    await user.click(screen.getByTestId("dataset-open"));
    await screen.findByTestId("dataset-modal");
    await drag("enter", ["/data/wiki.jsonl"]);
    expect(screen.queryByTestId("import-drop-overlay")).not.toBeInTheDocument();
    await drag("drop", ["/data/wiki.jsonl"]);
    expect(path).toHaveValue("");
  });

  it("stops listening when the panel goes away", async () => {
    const { invoke, view } = await renderPanel();
    view.unmount();
    await waitFor(() => {
      for (const event of ["enter", "over", "drop", "leave"]) {
        expect(listenedTo(invoke, `tauri://drag-${event}`, "plugin:event|unlisten")).toBe(true);
      }
    });
  });
});
