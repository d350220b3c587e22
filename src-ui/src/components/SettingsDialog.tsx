import { useEffect, useId, useRef, useState, type FormEvent, type MouseEvent } from "react";
import { open } from "@tauri-apps/plugin-dialog";
import { FolderOpen } from "lucide-react";
import { commands, type AppError, type Settings } from "../bindings";
import { call } from "../lib/api";
import { parseThreads, validateSettings } from "../lib/settings";
import { useLatestRequest } from "../hooks/useLatestRequest";
import { useBusyAction } from "../hooks/useBusyAction";
import { Button, CloseButton } from "./ui/Button";
import { ErrorBox } from "./ui/ErrorBox";
import { Field } from "./ui/Field";
import { Input } from "./ui/Input";
import { Loading } from "./ui/Loading";

type Props = {
  onClose: () => void;
  /** Called with the settings the backend stored. */
  onSaved: (settings: Settings) => void;
};

export function SettingsDialog({ onClose, onSaved }: Props) {
  const titleId = useId();
  const firstInput = useRef<HTMLInputElement>(null);

  const [original, setOriginal] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<Settings>({ data_root: "", hub_endpoint: "" });
  // Typed text; empty means every core.
  const [threads, setThreads] = useState("");
  const [loadError, setLoadError] = useState<AppError | null>(null);
  const save = useBusyAction();
  const pick = useBusyAction();
  const saving = save.busy;

  const settingsRequest = useLatestRequest();
  useEffect(() => {
    void settingsRequest.run(
      call(commands.getSettings()),
      (settings) => {
        setOriginal(settings);
        setDraft(settings);
        setThreads(settings.tokenize_threads == null ? "" : String(settings.tokenize_threads));
      },
      setLoadError,
    );
  }, [settingsRequest]);

  useEffect(() => {
    if (original) firstInput.current?.focus();
  }, [original]);

  // Escape closes the dialog (unless a save is in flight).
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !saving) {
        e.preventDefault();
        onClose();
      }
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [saving, onClose]);

  const parsedThreads = parseThreads(threads);
  const changed =
    original !== null &&
    (draft.data_root !== original.data_root ||
      draft.hub_endpoint !== original.hub_endpoint ||
      (draft.keep_hub_files ?? true) !== (original.keep_hub_files ?? true) ||
      (parsedThreads.ok && parsedThreads.value !== (original.tokenize_threads ?? null)) ||
      !parsedThreads.ok);
  const validationError = original
    ? (validateSettings(draft) ?? (parsedThreads.ok ? null : parsedThreads.error))
    : null;
  const canSave = changed && !saving && validationError === null;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!canSave || !parsedThreads.ok) return;
    await save.run(async () => {
      const saved = await call(
        commands.updateSettings({
          data_root: draft.data_root.trim(),
          hub_endpoint: draft.hub_endpoint.trim(),
          tokenize_threads: parsedThreads.value,
          keep_hub_files: draft.keep_hub_files ?? true,
        }),
      );
      onSaved(saved);
    });
  };

  const onBackdropMouseDown = (e: MouseEvent<HTMLDivElement>) => {
    if (e.target === e.currentTarget && !saving) onClose();
  };

  const edit = (field: keyof Settings) => (value: string) => {
    setDraft((d) => ({ ...d, [field]: value }));
    save.clearError();
  };

  // The native folder picker; cancelling it leaves the typed path as it is.
  const pickDataRoot = () =>
    pick.run(async () => {
      const current = draft.data_root.trim();
      const picked = await open({
        directory: true,
        multiple: false,
        title: "Choose the data folder",
        ...(current !== "" ? { defaultPath: current } : {}),
      });
      if (typeof picked === "string") edit("data_root")(picked);
    });

  return (
    <div
      className="fixed inset-0 z-50 flex items-center justify-center bg-black/50 p-4"
      onMouseDown={onBackdropMouseDown}
      data-testid="settings-backdrop"
    >
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="flex max-h-[90vh] w-full max-w-xl flex-col rounded-lg bg-slate-900 shadow-xl"
      >
        <div className="flex items-center justify-between border-b border-slate-800 px-6 py-4">
          <h2 id={titleId} className="text-xl font-semibold text-slate-100">
            Settings
          </h2>
          <CloseButton onClick={onClose} disabled={saving} />
        </div>

        <form className="space-y-4 overflow-y-auto p-6" onSubmit={(e) => void onSubmit(e)} noValidate>
          {loadError && <ErrorBox title="Could not load settings" error={loadError} />}
          {!original && !loadError && (
            <Loading>Loading settings…</Loading>
          )}

          <div>
            <Field
              label="Data folder"
              help="Datasets, tokenizations and tokenizers live here; it can be a shared folder. The index and the Hub cache stay on this machine. A folder that already holds a library is adopted as it is."
            >
              {({ id, describedBy }) => (
                <div className="flex gap-2">
                  <Input
                    look="panel"
                    className="min-w-0 flex-1 font-mono text-sm"
                    ref={firstInput}
                    id={id}
                    data-testid="settings-data-root"
                    type="text"
                    spellCheck={false}
                    autoComplete="off"
                    value={draft.data_root}
                    disabled={!original || saving}
                    onChange={(e) => edit("data_root")(e.target.value)}
                    aria-describedby={describedBy}
                  />
                  <Button
                    icon={FolderOpen}
                    onClick={() => void pickDataRoot()}
                    disabled={!original || saving || pick.busy}
                    data-testid="settings-data-root-browse"
                    title="Choose the data folder"
                  >
                    Choose…
                  </Button>
                </div>
              )}
            </Field>
            {pick.error && (
              <ErrorBox className="mt-2" title="Could not open the folder picker" error={pick.error} />
            )}
          </div>

          <Field label="Hugging Face endpoint" help="Leave as https://huggingface.co unless you use a mirror.">
            {({ id, describedBy }) => (
              <Input
                look="panel"
                id={id}
                data-testid="settings-hub-endpoint"
                type="url"
                spellCheck={false}
                autoComplete="off"
                value={draft.hub_endpoint}
                disabled={!original || saving}
                onChange={(e) => edit("hub_endpoint")(e.target.value)}
                aria-describedby={describedBy}
              />
            )}
          </Field>

          <Field
            label="Tokenization threads"
            help="How many cores a tokenization may use. Leave empty to use every core; fewer keeps the machine responsive for other work."
          >
            {({ id, describedBy }) => (
              <Input
                look="panel"
                id={id}
                data-testid="settings-tokenize-threads"
                type="text"
                inputMode="numeric"
                autoComplete="off"
                placeholder={`every core (${navigator.hardwareConcurrency || "all"})`}
                value={threads}
                disabled={!original || saving}
                onChange={(e) => {
                  setThreads(e.target.value);
                  save.clearError();
                }}
                aria-describedby={describedBy}
              />
            )}
          </Field>

          <div>
            <label className="flex items-center gap-2 text-sm text-slate-300">
              <input
                type="checkbox"
                data-testid="settings-keep-hub-files"
                checked={draft.keep_hub_files ?? true}
                disabled={!original || saving}
                onChange={(e) => {
                  const keep = e.target.checked;
                  setDraft((d) => ({ ...d, keep_hub_files: keep }));
                  save.clearError();
                }}
                aria-describedby="settings-keep-hub-files-help"
                className="h-4 w-4 rounded border-slate-700 bg-slate-800 accent-emerald-600"
              />
              Keep raw files in the HF cache after converting
            </label>
            <p id="settings-keep-hub-files-help" className="ml-6 mt-1 text-xs text-slate-500">
              Python tools can then share them. Off, each downloaded file is removed once converted, so a download
              needs room for one file plus the converted data, not two copies of the dataset.
            </p>
          </div>

          {changed && validationError && (
            <p className="text-sm text-yellow-400" data-testid="settings-validation">
              {validationError}
            </p>
          )}
          {save.error && <ErrorBox title="Could not save settings" error={save.error} />}

          <div className="flex justify-end gap-3 pt-2">
            <Button size="lg" onClick={onClose} disabled={saving}>
              Cancel
            </Button>
            <Button type="submit" variant="primary" size="lg" busy={saving} disabled={!canSave}>
              {saving ? "Saving…" : "Save"}
            </Button>
          </div>
        </form>
      </div>
    </div>
  );
}
