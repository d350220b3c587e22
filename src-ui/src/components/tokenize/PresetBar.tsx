import { useId, useState, type FormEvent, type KeyboardEvent } from "react";
import { Loader, Save, Trash2 } from "lucide-react";
import { commands, type Dataset, type TokenizeSettings } from "../../bindings";
import { call } from "../../lib/api";
import { draftFromSettings, settingsSummary, type SettingsDraft } from "../../lib/tokenize";
import { useTokenizeStore } from "../../store/tokenize";
import { useBusyAction } from "../../hooks/useBusyAction";
import { ConfirmDialog } from "../ConfirmDialog";
import { helpClass, iconButton, InlineAppError, labelClass, modalInput, secondaryButton, SelectBox } from "../detail/controls";

type Props = {
  dataset: Dataset;
  draft: SettingsDraft;
  /** The current settings, or null while the form has errors (nothing to save then). */
  settings: TokenizeSettings | null;
  /** The preset last applied or saved ("" for none). */
  selected: string;
  onSelect: (name: string) => void;
  onApply: (draft: SettingsDraft) => void;
};

const PRESET_NAME_MAX = 80;

/** Named settings: apply one, save the current settings under a name, delete one. */
export function PresetBar({ dataset, draft, settings, selected, onSelect, onApply }: Props) {
  const selectId = useId();
  const nameId = useId();
  const presets = useTokenizeStore((s) => s.presets);
  const loaded = useTokenizeStore((s) => s.presetsLoaded);
  const loadError = useTokenizeStore((s) => s.presetsError);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const save = useBusyAction();
  const saving = save.busy;
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);

  const current = presets.find((p) => p.name === selected) ?? null;
  const modified =
    current !== null && JSON.stringify(draftFromSettings(current.settings, dataset)) !== JSON.stringify(draft);

  const apply = (value: string) => {
    save.clearError();
    onSelect(value);
    const preset = presets.find((p) => p.name === value);
    if (preset) onApply(draftFromSettings(preset.settings, dataset));
  };

  const trimmed = name.trim();
  const nameError =
    trimmed.length > PRESET_NAME_MAX ? `A preset name has at most ${PRESET_NAME_MAX} characters.` : null;
  const exists = presets.some((p) => p.name === trimmed);
  const canSave = settings !== null && trimmed !== "" && nameError === null && !saving;

  const onSave = async (e: FormEvent) => {
    e.preventDefault();
    if (!canSave || settings === null) return;
    await save.run(async () => {
      const list = await call(commands.saveTokenizePreset(trimmed, settings));
      useTokenizeStore.getState().setPresets(list);
      onSelect(trimmed);
      setNaming(false);
      setName("");
    });
  };

  const remove = async (presetName: string) => {
    const list = await call(commands.deleteTokenizePreset(presetName));
    useTokenizeStore.getState().setPresets(list);
    if (selected === presetName) onSelect("");
    setConfirmDelete(null);
  };

  const onNameKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Escape" && !saving) {
      e.preventDefault();
      setNaming(false);
    }
  };

  return (
    <div data-testid="preset-bar">
      <label htmlFor={selectId} className={labelClass}>
        Preset
      </label>
      <div className="flex flex-wrap items-start gap-2">
        <div className="min-w-[16rem] flex-1">
          <SelectBox
            id={selectId}
            data-testid="preset-select"
            value={current ? current.name : ""}
            disabled={!loaded}
            onChange={(e) => apply(e.target.value)}
            aria-describedby={`${selectId}-help`}
          >
            <option value="">{!loaded ? "Loading presets…" : presets.length === 0 ? "No saved presets" : "Choose a preset…"}</option>
            {presets.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </SelectBox>
        </div>
        <button
          type="button"
          className={secondaryButton}
          onClick={() => {
            setNaming((v) => !v);
            setName(current?.name ?? "");
            save.clearError();
          }}
          disabled={settings === null}
          aria-expanded={naming}
          title={settings === null ? "Fix the settings first" : "Save the current settings under a name"}
          data-testid="preset-save-open"
        >
          <Save className="h-4 w-4" aria-hidden="true" />
          Save as preset…
        </button>
        <button
          type="button"
          className={`${iconButton} border border-slate-700`}
          onClick={() => current && setConfirmDelete(current.name)}
          disabled={!current}
          aria-label={current ? `Delete preset ${current.name}` : "Delete preset"}
          title={current ? `Delete the preset ${current.name}` : "Choose a preset to delete"}
          data-testid="preset-delete"
        >
          <Trash2 className="h-4 w-4" aria-hidden="true" />
        </button>
      </div>
      <p id={`${selectId}-help`} className={helpClass} data-testid="preset-help">
        {current
          ? `${settingsSummary(current.settings)}${modified ? " — modified since applied" : ""}`
          : "Presets keep settings you reuse across datasets."}
      </p>
      {loadError && (
        <div className="mt-1 flex items-center gap-2">
          <InlineAppError error={loadError} testId="preset-load-error" />
          <button type="button" className="text-xs text-slate-300 underline" onClick={() => void useTokenizeStore.getState().loadPresets()}>
            Retry
          </button>
        </div>
      )}

      {naming && (
        <form className="mt-3 flex flex-wrap items-start gap-2" onSubmit={(e) => void onSave(e)} noValidate data-testid="preset-save-form">
          <div className="min-w-[16rem] flex-1">
            <label htmlFor={nameId} className="sr-only">
              Preset name
            </label>
            <input
              id={nameId}
              type="text"
              autoFocus
              data-testid="preset-name"
              placeholder="Preset name, e.g. SAE 1024 packed"
              value={name}
              maxLength={PRESET_NAME_MAX + 20}
              disabled={saving}
              onChange={(e) => {
                setName(e.target.value);
                save.clearError();
              }}
              onKeyDown={onNameKeyDown}
              aria-invalid={nameError !== null}
              aria-describedby={`${nameId}-msg`}
              className={modalInput}
            />
            <p id={`${nameId}-msg`} className={nameError ? "mt-1 text-xs text-red-400" : helpClass}>
              {nameError ?? (exists ? `Replaces the preset “${trimmed}”.` : "Saved on this machine for every dataset.")}
            </p>
          </div>
          <button
            type="submit"
            disabled={!canSave}
            data-testid="preset-save"
            className="inline-flex items-center gap-1.5 rounded bg-emerald-600 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 disabled:cursor-not-allowed disabled:bg-slate-700 disabled:text-slate-400"
          >
            {saving && <Loader className="h-4 w-4 animate-spin" aria-hidden="true" />}
            {exists ? "Overwrite" : "Save"}
          </button>
          <button type="button" className={secondaryButton} onClick={() => setNaming(false)} disabled={saving}>
            Cancel
          </button>
        </form>
      )}
      {save.error && <InlineAppError className="mt-2" error={save.error} testId="preset-error" />}

      {confirmDelete && (
        <ConfirmDialog
          title="Delete preset?"
          confirmLabel="Delete"
          busyLabel="Deleting…"
          danger
          onConfirm={() => remove(confirmDelete)}
          onCancel={() => setConfirmDelete(null)}
          testId="preset-delete-confirm"
        >
          <p>
            The preset <strong className="text-slate-100">{confirmDelete}</strong> will be removed. Tokenizations made
            with it keep their settings.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
