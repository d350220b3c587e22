import { useId, useState } from "react";
import { open } from "@tauri-apps/plugin-dialog";
import { FileUp, Globe, Trash2 } from "lucide-react";
import { commands, type AppError, type Tokenizer } from "../../bindings";
import { call, toAppError } from "../../lib/api";
import { formatCount } from "../../lib/format";
import { specialTokenList, visiblePiece } from "../../lib/tokenize";
import { useTokenizeStore } from "../../store/tokenize";
import { useBusyAction } from "../../hooks/useBusyAction";
import { Button, IconButton } from "../ui/Button";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { ErrorBox } from "../ui/ErrorBox";
import { helpClass, Label } from "../ui/Field";
import { InlineError } from "../ui/InlineError";
import { SelectBox } from "../ui/Input";
import { AddTokenizerHub } from "./AddTokenizerHub";

type Props = {
  tokenizers: Tokenizer[];
  loaded: boolean;
  selected: Tokenizer | null;
  onSelect: (id: string) => void;
};

function optionText(t: Tokenizer): string {
  return t.vocab_size !== null ? `${t.name} — ${formatCount(t.vocab_size)} tokens` : t.name;
}

function originText(t: Tokenizer): string {
  if (t.hf_repo_id) {
    const rev = t.hf_revision ? `@${t.hf_revision.length > 12 ? t.hf_revision.slice(0, 12) : t.hf_revision}` : "";
    return `Hub model ${t.hf_repo_id}${rev}`;
  }
  return t.file_name ? `File ${t.file_name}` : "Local file";
}

function SpecialChips({ tokenizer }: { tokenizer: Tokenizer }) {
  const tokens = specialTokenList(tokenizer);
  if (tokens.length === 0) {
    return <span className="text-xs text-slate-500">No BOS, EOS, SEP, pad or unknown token declared</span>;
  }
  return (
    <ul className="flex flex-wrap gap-1.5" aria-label="Special tokens" data-testid="tokenizer-special-tokens">
      {tokens.map((t) => (
        <li
          key={t.role}
          title={`${t.role} token ${t.id}: ${JSON.stringify(t.content)}`}
          className="rounded border border-emerald-500/30 bg-emerald-500/10 px-2 py-0.5 font-mono text-xs text-emerald-300"
        >
          <span className="font-sans text-emerald-400/80">{t.role}</span> {visiblePiece(t.content)}
        </li>
      ))}
    </ul>
  );
}

/** The tokenizer library: a picker, adding from the Hub or a file, and deleting. */
export function TokenizerPicker({ tokenizers, loaded, selected, onSelect }: Props) {
  const selectId = useId();
  const error = useTokenizeStore((s) => s.tokenizersError);
  const [hubOpen, setHubOpen] = useState(false);
  const pickFile = useBusyAction();
  const addFile = useBusyAction();
  // The file picker's failure and the engine's refusal of the file show in the same place.
  const fileError = pickFile.error ?? addFile.error;
  const [confirmDelete, setConfirmDelete] = useState<Tokenizer | null>(null);
  const [deleteError, setDeleteError] = useState<AppError | null>(null);

  const added = async (t: Tokenizer) => {
    await useTokenizeStore.getState().loadTokenizers();
    onSelect(t.id);
  };

  const addFromFile = async () => {
    addFile.clearError();
    setDeleteError(null);
    const picked = await pickFile.run(() =>
      open({
        multiple: false,
        directory: false,
        title: "Choose a tokenizer.json",
        filters: [{ name: "Tokenizer", extensions: ["json"] }],
      }),
    );
    if (typeof picked !== "string") return;
    await addFile.run(async () => {
      const t = await call(commands.addTokenizerFile(picked, null));
      await added(t);
    });
  };

  const deleteTokenizer = async (t: Tokenizer) => {
    try {
      await call(commands.deleteTokenizer(t.id));
    } catch (e) {
      // The engine refuses while tokenizations use it; its message says which to delete.
      setDeleteError(toAppError(e));
      setConfirmDelete(null);
      return;
    }
    setConfirmDelete(null);
    await useTokenizeStore.getState().loadTokenizers();
  };

  const empty = loaded && tokenizers.length === 0;

  return (
    <div data-testid="tokenizer-picker">
      <Label htmlFor={selectId}>Tokenizer</Label>
      <div className="flex flex-wrap items-start gap-2">
        <div className="min-w-[16rem] flex-1">
          <SelectBox
            id={selectId}
            data-testid="tokenizer-select"
            value={selected?.id ?? ""}
            disabled={!loaded || empty}
            onChange={(e) => {
              onSelect(e.target.value);
              setDeleteError(null);
            }}
            aria-describedby={`${selectId}-help`}
          >
            {!loaded ? (
              <option value="">Loading tokenizers…</option>
            ) : empty ? (
              <option value="">No tokenizers yet</option>
            ) : (
              tokenizers.map((t) => (
                <option key={t.id} value={t.id}>
                  {optionText(t)}
                </option>
              ))
            )}
          </SelectBox>
        </div>
        <Button
          variant="secondary"
          icon={Globe}
          onClick={() => setHubOpen((v) => !v)}
          aria-expanded={hubOpen}
          data-testid="tokenizer-add-hub"
        >
          Add from Hub
        </Button>
        <Button
          variant="secondary"
          icon={FileUp}
          busy={addFile.busy}
          onClick={() => void addFromFile()}
          disabled={addFile.busy}
          data-testid="tokenizer-add-file"
        >
          {addFile.busy ? "Adding…" : "Add from file"}
        </Button>
        <IconButton
          bordered
          onClick={() => {
            setDeleteError(null);
            if (selected) setConfirmDelete(selected);
          }}
          disabled={!selected}
          aria-label={selected ? `Delete tokenizer ${selected.name}` : "Delete tokenizer"}
          title={selected ? `Delete ${selected.name} from the library` : "No tokenizer chosen"}
          data-testid="tokenizer-delete"
        >
          <Trash2 className="h-4 w-4" aria-hidden="true" />
        </IconButton>
      </div>

      <div id={`${selectId}-help`} className={`${helpClass} space-y-1`}>
        {selected ? (
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1" data-testid="tokenizer-details">
            <span>{originText(selected)}</span>
            <SpecialChips tokenizer={selected} />
          </div>
        ) : empty ? (
          <span data-testid="tokenizer-empty">
            Add a tokenizer from a Hub model repo (e.g. openai-community/gpt2) or a tokenizer.json file.
          </span>
        ) : null}
      </div>

      {error && (
        <ErrorBox
          className="mt-2"
          title="Could not load the tokenizers"
          error={error}
          onRetry={() => void useTokenizeStore.getState().loadTokenizers()}
        />
      )}
      {fileError && <InlineError className="mt-2" error={fileError} testId="tokenizer-file-error" />}
      {deleteError && <InlineError className="mt-2" error={deleteError} testId="tokenizer-delete-error" />}

      {hubOpen && (
        <AddTokenizerHub
          onAdded={async (t) => {
            setHubOpen(false);
            await added(t);
          }}
          onCancel={() => setHubOpen(false)}
        />
      )}

      {confirmDelete && (
        <ConfirmDialog
          title="Delete tokenizer?"
          confirmLabel="Delete"
          busyLabel="Deleting…"
          danger
          onConfirm={() => deleteTokenizer(confirmDelete)}
          onCancel={() => setConfirmDelete(null)}
          testId="tokenizer-delete-confirm"
        >
          <p>
            <strong className="text-slate-100">{confirmDelete.name}</strong> will be removed from the tokenizer library.
            Tokenizations made with it must be deleted first.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
