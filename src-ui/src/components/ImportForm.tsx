import { useId, useImperativeHandle, useRef, useState, type FormEvent, type Ref } from "react";
import { open } from "@tauri-apps/plugin-dialog";
import { FileUp, FolderOpen, HardDriveUpload, Loader } from "lucide-react";
import { commands } from "../bindings";
import { call } from "../lib/api";
import { baseName, importNameFromPath, normalizeImportPath, pickerExtensions } from "../lib/importPath";
import { useDatasetsStore } from "../store/datasets";
import { useBusyAction } from "../hooks/useBusyAction";
import { ErrorBox } from "./ErrorBox";

const inputClass =
  "w-full rounded border border-slate-700 bg-slate-800 px-4 py-2 text-slate-100 placeholder-slate-500 focus:border-transparent focus:outline-none focus:ring-2 focus:ring-emerald-500 disabled:opacity-60";
const labelClass = "mb-2 block text-sm font-medium text-slate-300";
const helpClass = "mt-1 text-xs text-slate-500";
const pickerButton =
  "flex shrink-0 items-center gap-1 rounded border border-slate-700 bg-slate-800 px-3 text-sm text-slate-300 hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-50";

/** What the Datasets panel does with the form when files are dropped on it. */
export type ImportFormHandle = {
  /** Fill the form with the first dropped path and focus the name; never starts the import. */
  fillFromDrop: (paths: string[]) => void;
};

/** The "Import local files" card of the Datasets panel. */
export function ImportForm({ ref }: { ref?: Ref<ImportFormHandle> }) {
  const pathFieldId = useId();
  const nameFieldId = useId();
  const nameRef = useRef<HTMLInputElement>(null);

  const [path, setPath] = useState("");
  // Set when the path came from the folder picker: a folder's name is kept whole.
  const [pathIsFolder, setPathIsFolder] = useState(false);
  const [name, setName] = useState("");
  const [nameEdited, setNameEdited] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const pick = useBusyAction();
  const submit = useBusyAction();
  const picking = pick.busy;
  const submitting = submit.busy;
  // One error at a time: each attempt clears the other's.
  const formError = pick.error
    ? { title: "Could not open the file picker", error: pick.error }
    : submit.error
      ? { title: "Could not start the import", error: submit.error }
      : null;
  const clearErrors = () => {
    pick.clearError();
    submit.clearError();
  };

  const normalizedPath = normalizeImportPath(path);
  // The name follows the path until the user types one of their own.
  const shownName = nameEdited ? name : importNameFromPath(normalizedPath, pathIsFolder);
  const canSubmit = normalizedPath !== "" && !submitting;

  const takePath = (value: string, isFolder: boolean, message: string | null) => {
    setPath(value);
    setPathIsFolder(isFolder);
    setNote(message);
    clearErrors();
  };

  useImperativeHandle(ref, () => ({
    fillFromDrop: (paths) => {
      const first = paths[0];
      // A drop during submission would be wiped when the form clears on success.
      if (first === undefined || submitting) return;
      takePath(first, false, paths.length > 1 ? `Only one file or folder at a time: using ${baseName(first)}` : null);
      nameRef.current?.focus();
    },
  }));

  const choose = async (folder: boolean) => {
    submit.clearError();
    await pick.run(async () => {
      const picked = await open(
        folder
          ? { multiple: false, directory: true, title: "Choose a folder of data files" }
          : {
              multiple: false,
              directory: false,
              title: "Choose a data file",
              filters: [
                { name: "Data files", extensions: pickerExtensions() },
                { name: "All files", extensions: ["*"] },
              ],
            },
      );
      if (typeof picked === "string") takePath(picked, folder, null);
    });
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!canSubmit) return;
    pick.clearError();
    const chosenName = shownName.trim();
    await submit.run(async () => {
      await call(commands.startImport({ path: normalizedPath, name: chosenName === "" ? null : chosenName }));
      setPath("");
      setPathIsFolder(false);
      setName("");
      setNameEdited(false);
      setNote(null);
      // The datasets-changed event also reloads; this shows the card even if it comes late.
      void useDatasetsStore.getState().load();
    });
  };

  return (
    <section
      className="mb-8 rounded-lg border border-slate-800 bg-slate-900/50 p-6"
      aria-labelledby="import-title"
      data-testid="import-form"
    >
      <h3 id="import-title" className="mb-4 text-lg font-semibold text-slate-100">
        Import local files
      </h3>
      <form className="space-y-4" onSubmit={(e) => void onSubmit(e)} noValidate>
        <div>
          <label htmlFor={pathFieldId} className={labelClass}>
            File or folder
          </label>
          <div className="flex flex-wrap gap-2 sm:flex-nowrap">
            <input
              id={pathFieldId}
              data-testid="import-path"
              type="text"
              placeholder="/path/to/data.jsonl or a folder of files"
              spellCheck={false}
              autoComplete="off"
              value={path}
              disabled={submitting}
              onChange={(e) => takePath(e.target.value, false, null)}
              onBlur={() => {
                // Show what will be imported: pasted quotes or a file:// URI become the plain path.
                if (normalizedPath !== path) setPath(normalizedPath);
              }}
              aria-describedby={`${pathFieldId}-help`}
              className={`${inputClass} min-w-0 font-mono text-sm`}
            />
            <button
              type="button"
              data-testid="import-choose-file"
              onClick={() => void choose(false)}
              disabled={picking || submitting}
              className={pickerButton}
            >
              <FileUp className="h-4 w-4" aria-hidden="true" />
              Choose file…
            </button>
            <button
              type="button"
              data-testid="import-choose-folder"
              onClick={() => void choose(true)}
              disabled={picking || submitting}
              className={pickerButton}
            >
              <FolderOpen className="h-4 w-4" aria-hidden="true" />
              Choose folder…
            </button>
          </div>
          <div id={`${pathFieldId}-help`} aria-live="polite">
            {note !== null && (
              <p className="mt-1 text-xs text-amber-300" data-testid="import-note">
                {note}
              </p>
            )}
            <p className={helpClass}>
              Parquet, JSON Lines, JSON, CSV, TSV, text or Arrow, also .gz or .zst; a folder&apos;s files become its
              splits. Type or paste a path, choose one, or drop it on this panel.
            </p>
          </div>
        </div>

        <div>
          <label htmlFor={nameFieldId} className={labelClass}>
            Name
          </label>
          <input
            ref={nameRef}
            id={nameFieldId}
            data-testid="import-name"
            type="text"
            placeholder="The file or folder name"
            autoComplete="off"
            value={shownName}
            disabled={submitting}
            onChange={(e) => {
              setName(e.target.value);
              setNameEdited(true);
              clearErrors();
            }}
            aria-describedby={`${nameFieldId}-help`}
            className={inputClass}
          />
          <p id={`${nameFieldId}-help`} className={helpClass}>
            How the dataset is listed; the files are not renamed
          </p>
        </div>

        {formError && (
          <div data-testid="import-error">
            <ErrorBox title={formError.title} error={formError.error} />
          </div>
        )}

        <button
          type="submit"
          data-testid="import-submit"
          disabled={!canSubmit}
          className="flex w-full items-center justify-center gap-2 rounded bg-emerald-600 px-4 py-2 font-medium text-white transition-colors hover:bg-emerald-700 disabled:cursor-not-allowed disabled:bg-slate-700"
        >
          {submitting ? (
            <Loader className="h-4 w-4 animate-spin" aria-hidden="true" />
          ) : (
            <HardDriveUpload className="h-4 w-4" aria-hidden="true" />
          )}
          {submitting ? "Starting import…" : "Import"}
        </button>
      </form>
    </section>
  );
}
