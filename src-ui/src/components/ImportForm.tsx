import { useId, useImperativeHandle, useRef, useState, type FormEvent, type Ref } from "react";
import { open } from "@tauri-apps/plugin-dialog";
import { FileUp, FolderOpen, HardDriveUpload } from "lucide-react";
import { commands } from "../bindings";
import { call } from "../lib/api";
import { baseName, importNameFromPath, normalizeImportPath, pickerExtensions } from "../lib/importPath";
import { useDatasetsStore } from "../store/datasets";
import { useBusyAction } from "../hooks/useBusyAction";
import { Button } from "./ui/Button";
import { FormCard } from "./ui/FormCard";
import { Field, Help, Label } from "./ui/Field";
import { Input } from "./ui/Input";

/** What the Datasets panel does with the form when files are dropped on it. */
export type ImportFormHandle = {
  /** Fill the form with the first dropped path and focus the name; never starts the import. */
  fillFromDrop: (paths: string[]) => void;
};

/** The "Import local files" card of the Datasets panel. */
export function ImportForm({ ref }: { ref?: Ref<ImportFormHandle> }) {
  const pathFieldId = useId();
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
    <FormCard
      title="Import local files"
      testId="import-form"
      onSubmit={(e) => void onSubmit(e)}
      failure={formError}
      failureTestId="import-error"
      submit={{
        label: submitting ? "Starting import…" : "Import",
        icon: HardDriveUpload,
        busy: submitting,
        disabled: !canSubmit,
        testId: "import-submit",
      }}
    >
      <div>
        <Label htmlFor={pathFieldId}>File or folder</Label>
        <div className="flex flex-wrap gap-2 sm:flex-nowrap">
          <Input
            look="panel"
            className="min-w-0 font-mono text-sm"
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
          />
          <Button
            variant="outline"
            icon={FileUp}
            data-testid="import-choose-file"
            onClick={() => void choose(false)}
            disabled={picking || submitting}
          >
            Choose file…
          </Button>
          <Button
            variant="outline"
            icon={FolderOpen}
            data-testid="import-choose-folder"
            onClick={() => void choose(true)}
            disabled={picking || submitting}
          >
            Choose folder…
          </Button>
        </div>
        <div id={`${pathFieldId}-help`} aria-live="polite">
          {note !== null && (
            <p className="mt-1 text-xs text-amber-300" data-testid="import-note">
              {note}
            </p>
          )}
          <Help>
            Parquet, JSON Lines, JSON, CSV, TSV, text or Arrow, also .gz or .zst; a folder&apos;s files become its
            splits. Type or paste a path, choose one, or drop it on this panel.
          </Help>
        </div>
      </div>

      <Field label="Name" help="How the dataset is listed; the files are not renamed">
        {({ id, describedBy }) => (
          <Input
            look="panel"
            ref={nameRef}
            id={id}
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
            aria-describedby={describedBy}
          />
        )}
      </Field>
    </FormCard>
  );
}
