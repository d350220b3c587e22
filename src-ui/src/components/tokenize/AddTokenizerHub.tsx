import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { Loader, Plus } from "lucide-react";
import { commands, type Tokenizer } from "../../bindings";
import { call } from "../../lib/api";
import { validateRepoId } from "../../lib/repoId";
import { useBusyAction } from "../../hooks/useBusyAction";
import { ErrorBox } from "../ErrorBox";
import { Field, modalInput, secondaryButton, tile } from "../detail/controls";

type Props = {
  onAdded: (tokenizer: Tokenizer) => Promise<void> | void;
  onCancel: () => void;
};

/** Fetches a model repo's tokenizer.json from the Hub into the library. */
export function AddTokenizerHub({ onAdded, onCancel }: Props) {
  const titleId = useId();
  const repoRef = useRef<HTMLInputElement>(null);
  const [repoId, setRepoId] = useState("");
  const [revision, setRevision] = useState("");
  const [token, setToken] = useState("");
  const add = useBusyAction();
  const busy = add.busy;

  useEffect(() => {
    repoRef.current?.focus();
  }, []);

  const repo = repoId.trim();
  const repoError = repo === "" ? null : validateRepoId(repo);
  const canAdd = repo !== "" && repoError === null && !busy;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!canAdd) return;
    const rev = revision.trim();
    const tok = token.trim();
    await add.run(async () => {
      const t = await call(commands.addTokenizerHub(repo, rev === "" ? null : rev, tok === "" ? null : tok));
      setToken("");
      await onAdded(t);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    // Escape folds this form away instead of closing the whole dialog.
    if (e.key === "Escape" && !busy) {
      e.preventDefault();
      onCancel();
    }
  };

  return (
    <form
      className={`${tile} mt-3 space-y-3 border border-slate-700`}
      onSubmit={(e) => void onSubmit(e)}
      onKeyDown={onKeyDown}
      aria-labelledby={titleId}
      data-testid="tokenizer-hub-form"
      noValidate
    >
      <h4 id={titleId} className="text-sm font-semibold text-slate-200">
        Add a tokenizer from a Hub model repo
      </h4>
      <Field
        label="Model repository"
        help="The repo's tokenizer.json is fetched and checked, e.g. openai-community/gpt2"
        error={repoError ?? undefined}
        testId="tokenizer-hub-repo"
      >
        {({ id, describedBy, invalid }) => (
          <input
            ref={repoRef}
            id={id}
            type="text"
            data-testid="tokenizer-hub-repo"
            placeholder="owner/model-name"
            spellCheck={false}
            autoComplete="off"
            value={repoId}
            disabled={busy}
            onChange={(e) => {
              setRepoId(e.target.value);
              add.clearError();
            }}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            className={modalInput}
          />
        )}
      </Field>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <Field label="Revision (optional)" help="A branch, tag or commit; the main branch if empty">
          {({ id, describedBy }) => (
            <input
              id={id}
              type="text"
              data-testid="tokenizer-hub-revision"
              placeholder="main"
              spellCheck={false}
              autoComplete="off"
              value={revision}
              disabled={busy}
              onChange={(e) => setRevision(e.target.value)}
              aria-describedby={describedBy}
              className={modalInput}
            />
          )}
        </Field>
        <Field label="Access Token (optional)" help="For gated or private models; used for this request only">
          {({ id, describedBy }) => (
            <input
              id={id}
              type="password"
              data-testid="tokenizer-hub-token"
              placeholder="hf_..."
              spellCheck={false}
              autoComplete="off"
              value={token}
              disabled={busy}
              onChange={(e) => setToken(e.target.value)}
              aria-describedby={describedBy}
              className={`${modalInput} font-mono text-sm`}
            />
          )}
        </Field>
      </div>
      {add.error && (
        <div data-testid="tokenizer-hub-error">
          <ErrorBox title={`Could not add ${repo || "the tokenizer"}`} error={add.error} />
        </div>
      )}
      <div className="flex justify-end gap-2">
        <button type="button" className={secondaryButton} onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button
          type="submit"
          disabled={!canAdd}
          data-testid="tokenizer-hub-submit"
          className="inline-flex items-center gap-1.5 rounded bg-emerald-600 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 disabled:cursor-not-allowed disabled:bg-slate-700 disabled:text-slate-400"
        >
          {busy ? (
            <Loader className="h-4 w-4 animate-spin" aria-hidden="true" />
          ) : (
            <Plus className="h-4 w-4" aria-hidden="true" />
          )}
          {busy ? "Fetching…" : "Add tokenizer"}
        </button>
      </div>
    </form>
  );
}
