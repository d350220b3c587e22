import { useId, useState, type FormEvent, type KeyboardEvent } from "react";
import { Save, Sparkles, Trash2 } from "lucide-react";
import { commands, type Dataset, type TokenizeSettings } from "../../bindings";
import { call } from "../../lib/api";
import { draftFromSettings, saelensDraft, settingsSummary, type SettingsDraft } from "../../lib/tokenize";
import { useTokenizeStore } from "../../store/tokenize";
import { useBusyAction } from "../../hooks/useBusyAction";
import { Button, IconButton, LinkButton } from "../ui/Button";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { FieldError, Help, Label } from "../ui/Field";
import { InlineError } from "../ui/InlineError";
import { Input, SelectBox } from "../ui/Input";

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

/** Built in rather than saved: nothing to delete or overwrite, and the same on every machine. */
const SAELENS_TITLE =
  "SAELens's PretokenizeRunner defaults: packed rows of 128 tokens, BOS at each row and between documents, the tokenizer's special tokens, shuffled with a random seed";

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

  const saelens = saelensDraft(draft, dataset);
  const isSaelens = current === null && JSON.stringify(saelens) === JSON.stringify(draft);
  const applySaelens = () => {
    save.clearError();
    onSelect("");
    onApply(saelens);
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
      <Label htmlFor={selectId}>Preset</Label>
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
        <Button
          variant={isSaelens ? "selected" : "secondary"}
          icon={Sparkles}
          onClick={applySaelens}
          aria-pressed={isSaelens}
          title={SAELENS_TITLE}
          data-testid="preset-saelens"
        >
          SAELens defaults
        </Button>
        <Button
          variant="secondary"
          icon={Save}
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
          Save as preset…
        </Button>
        <IconButton
          bordered
          onClick={() => current && setConfirmDelete(current.name)}
          disabled={!current}
          aria-label={current ? `Delete preset ${current.name}` : "Delete preset"}
          title={current ? `Delete the preset ${current.name}` : "Choose a preset to delete"}
          data-testid="preset-delete"
        >
          <Trash2 className="h-4 w-4" aria-hidden="true" />
        </IconButton>
      </div>
      <Help id={`${selectId}-help`} testId="preset-help">
        {current
          ? `${settingsSummary(current.settings)}${modified ? " — modified since applied" : ""}`
          : isSaelens
            ? "SAELens defaults: packed rows of 128 tokens as SAELens's PretokenizeRunner makes them."
            : "Presets keep settings you reuse across datasets; SAELens defaults sets what SAELens's PretokenizeRunner uses."}
      </Help>
      {loadError && (
        <div className="mt-1 flex items-center gap-2">
          <InlineError error={loadError} testId="preset-load-error" />
          <LinkButton onClick={() => void useTokenizeStore.getState().loadPresets()}>Retry</LinkButton>
        </div>
      )}

      {naming && (
        <form className="mt-3 flex flex-wrap items-start gap-2" onSubmit={(e) => void onSave(e)} noValidate data-testid="preset-save-form">
          <div className="min-w-[16rem] flex-1">
            <label htmlFor={nameId} className="sr-only">
              Preset name
            </label>
            <Input
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
            />
            {nameError ? (
              <FieldError id={`${nameId}-msg`} message={nameError} />
            ) : (
              <Help id={`${nameId}-msg`}>
                {exists ? `Replaces the preset “${trimmed}”.` : "Saved on this machine for every dataset."}
              </Help>
            )}
          </div>
          <Button type="submit" variant="primary" busy={saving} disabled={!canSave} data-testid="preset-save">
            {exists ? "Overwrite" : "Save"}
          </Button>
          <Button variant="secondary" onClick={() => setNaming(false)} disabled={saving}>
            Cancel
          </Button>
        </form>
      )}
      {save.error && <InlineError className="mt-2" error={save.error} testId="preset-error" />}

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
