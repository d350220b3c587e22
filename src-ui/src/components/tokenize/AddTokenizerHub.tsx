import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { Plus } from "lucide-react";
import { commands, type Tokenizer } from "../../bindings";
import { call } from "../../lib/api";
import { validateRepoId } from "../../lib/repoId";
import { useBusyAction } from "../../hooks/useBusyAction";
import { Button } from "../ui/Button";
import { ErrorBox } from "../ui/ErrorBox";
import { Field } from "../ui/Field";
import { Input } from "../ui/Input";
import { tile } from "../ui/surfaces";

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
          <Input
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
          />
        )}
      </Field>
      <div className="grid grid-cols-1 gap-3 md:grid-cols-2">
        <Field label="Revision (optional)" help="A branch, tag or commit; the main branch if empty">
          {({ id, describedBy }) => (
            <Input
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
            />
          )}
        </Field>
        <Field label="Access Token (optional)" help="For gated or private models; used for this request only">
          {({ id, describedBy }) => (
            <Input
              className="font-mono text-sm"
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
        <Button variant="secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" icon={Plus} busy={busy} disabled={!canAdd} data-testid="tokenizer-hub-submit">
          {busy ? "Fetching…" : "Add tokenizer"}
        </Button>
      </div>
    </form>
  );
}
