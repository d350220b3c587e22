import { useEffect, useEffectEvent, useId, useRef, useState, type FormEvent } from "react";
import { Download, Loader, Search } from "lucide-react";
import { commands, type AppError, type ConfigInfo, type DownloadRequest, type RepoInspection } from "../bindings";
import { call } from "../lib/api";
import { formatBytes } from "../lib/format";
import { validateRepoId } from "../lib/repoId";
import { useDatasetsStore } from "../store/datasets";
import { useLatestRequest } from "../hooks/useLatestRequest";
import { useBusyAction } from "../hooks/useBusyAction";
import { Button } from "./ui/Button";
import { FormCard } from "./ui/FormCard";
import { Field, FieldError, Help, Label } from "./ui/Field";
import { InlineError } from "./ui/InlineError";
import { Input, SelectBox } from "./ui/Input";
import { DownloadPlanSummary } from "./DownloadPlanSummary";
import { parseGlobs } from "../lib/globs";

/** Wait this long after the last keystroke before inspecting the repo. */
export const INSPECT_DEBOUNCE_MS = 600;

/** The result of the last inspection, for the repo id it was asked for. */
type Inspection =
  | { state: "idle" }
  | { state: "checking"; repoId: string }
  | { state: "ok"; repoId: string; data: RepoInspection }
  | { state: "error"; repoId: string; token: string | null; error: AppError };

const IDLE: Inspection = { state: "idle" };

function defaultConfig(data: RepoInspection): ConfigInfo | null {
  return data.configs.find((c) => c.default) ?? data.configs[0] ?? null;
}

function inspectionSummary(data: RepoInspection): string {
  const n = data.configs.length;
  const parts = [`${n} ${n === 1 ? "config" : "configs"}`, data.source.replace(/_/g, " ")];
  if (data.gated) parts.push("gated");
  if (data.private) parts.push("private");
  return parts.join(" • ");
}

function InspectionLine({ inspection }: { inspection: Inspection }) {
  if (inspection.state === "idle") return null;
  if (inspection.state === "checking") {
    return (
      <p className="mt-1 flex items-center gap-1 text-xs text-slate-400" data-testid="download-inspection">
        <Loader className="h-3 w-3 animate-spin" aria-hidden="true" />
        Checking…
      </p>
    );
  }
  if (inspection.state === "error") {
    // The status area is a live region already: no alert on top of it.
    return (
      <InlineError
        className="mt-1"
        alert={false}
        error={inspection.error}
        testId="download-inspection"
        kindTestId="download-inspection-kind"
      />
    );
  }
  const { data } = inspection;
  return (
    <div className="mt-1 text-xs text-slate-400" data-testid="download-inspection">
      <p>{inspectionSummary(data)}</p>
      {data.description && (
        <p className="line-clamp-2 text-slate-500" title={data.description}>
          {data.description}
        </p>
      )}
    </div>
  );
}

/** The "Download from HuggingFace" card at the top of the Datasets panel. */
export function DownloadForm() {
  const repoFieldId = useId();
  const rememberId = useId();

  const [repoId, setRepoId] = useState("");
  const [token, setToken] = useState("");
  const [rememberToken, setRememberToken] = useState(false);
  const [inspection, setInspection] = useState<Inspection>(IDLE);
  const [config, setConfig] = useState<string | null>(null);
  /** "" means all splits. */
  const [split, setSplit] = useState("");
  const [include, setInclude] = useState("");
  const [exclude, setExclude] = useState("");
  const [rows, setRows] = useState("");
  /** Off follows the setting (which keeps them unless changed). */
  const [dropRawFiles, setDropRawFiles] = useState(false);
  const submit = useBusyAction();
  const submitting = submit.busy;

  // A later repo id (or token) wins: an older inspection's answer is dropped.
  const inspectRequest = useLatestRequest();
  // Repo id + token of the last inspection asked for, so blur/debounce don't repeat it.
  const lastInspectKey = useRef<string | null>(null);

  const repo = repoId.trim();
  const tokenValue = token.trim();
  const repoError = repo === "" ? null : validateRepoId(repo);
  const repoValid = repo !== "" && repoError === null;

  const inspected = inspection.state === "ok" && inspection.repoId === repo ? inspection.data : null;
  const chosenConfig = inspected?.configs.find((c) => c.name === config) ?? null;
  const checking = inspection.state === "checking";
  // The Hub already refused this repo with this token (gated, no access, missing): a download
  // would only fail the same way. A new token (or repo id) lifts it.
  const refusedByHub =
    inspection.state === "error" &&
    inspection.repoId === repo &&
    inspection.token === (tokenValue === "" ? null : tokenValue) &&
    (["gated", "auth", "not_found"] as const).some((k) => k === inspection.error.kind);
  const canSubmit = repoValid && !submitting && !refusedByHub;

  const tokenOrNull = tokenValue === "" ? null : tokenValue;
  const request = (tok: string | null): DownloadRequest => ({
    repo_id: repo,
    config: inspected ? config : null,
    split: inspected && chosenConfig && split !== "" ? split : null,
    revision: null,
    token: tok,
    remember_token: tok !== null && rememberToken,
    include: parseGlobs(include),
    exclude: parseGlobs(exclude),
    rows: rows.trim() === "" ? null : rows.trim(),
    keep_hub_files: dropRawFiles ? false : null,
  });
  // The dry run needs the repo's configs first; it never remembers the token.
  const planned = inspected && !submitting ? { ...request(tokenOrNull), remember_token: false } : null;

  const inspect = (force: boolean) => {
    if (!repoValid) return;
    const tok = tokenValue === "" ? null : tokenValue;
    const key = `${repo}\n${tok ?? ""}`;
    if (!force && key === lastInspectKey.current) return;
    lastInspectKey.current = key;
    const asked = repo;
    setInspection({ state: "checking", repoId: asked });
    void inspectRequest.run(
      call(commands.inspectDatasetRepo(asked, tok, null)),
      (data) => {
        setInspection({ state: "ok", repoId: asked, data });
        // Keep the choices the repo still has (e.g. re-checked with a token);
        // the pickers are disabled while checking, so `config`/`split` are current.
        const keep = data.configs.find((c) => c.name === config) ?? null;
        setConfig(keep ? keep.name : (defaultConfig(data)?.name ?? null));
        setSplit(keep?.splits.some((s) => s.name === split) ? split : "");
      },
      (error) => setInspection({ state: "error", repoId: asked, token: tok, error }),
    );
  };

  const onDebounced = useEffectEvent(() => inspect(false));
  useEffect(() => {
    if (!repoValid) return;
    const timer = setTimeout(onDebounced, INSPECT_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [repo, tokenValue, repoValid]);

  /** Forget the inspection and everything chosen from it. */
  const resetInspection = () => {
    inspectRequest.drop();
    lastInspectKey.current = null;
    setInspection(IDLE);
    setConfig(null);
    setSplit("");
  };

  const onRepoChange = (value: string) => {
    if (value.trim() !== repo) resetInspection();
    setRepoId(value);
    submit.clearError();
  };

  const onTokenChange = (value: string) => {
    setToken(value);
    if (value.trim() === "") setRememberToken(false);
    submit.clearError();
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!canSubmit) return;
    await submit.run(async () => {
      await call(commands.startDownload(request(tokenOrNull)));
      resetInspection();
      setRepoId("");
      setToken("");
      setRememberToken(false);
      setInclude("");
      setExclude("");
      setRows("");
      setDropRawFiles(false);
      void useDatasetsStore.getState().load();
    });
  };

  const pickersHelp = inspected ? null : "Check the repository to choose";

  return (
    <FormCard
      title="Download from HuggingFace"
      testId="download-form"
      onSubmit={(e) => void onSubmit(e)}
      failure={submit.error && { title: "Could not start the download", error: submit.error }}
      failureTestId="download-error"
      submit={{
        label: submitting ? "Starting download…" : "Download Dataset",
        icon: Download,
        busy: submitting,
        disabled: !canSubmit,
        testId: "download-submit",
      }}
    >
      <div>
        <Label htmlFor={repoFieldId}>Repository ID</Label>
        <div className="flex gap-2">
          <Input
            look="panel"
            id={repoFieldId}
            data-testid="download-repo"
            type="text"
            placeholder="username/dataset-name"
            spellCheck={false}
            autoComplete="off"
            value={repoId}
            disabled={submitting}
            onChange={(e) => onRepoChange(e.target.value)}
            onBlur={() => inspect(false)}
            aria-invalid={repoError !== null}
            aria-describedby={`${repoFieldId}-status`}
          />
          <Button
            variant="outline"
            icon={Search}
            onClick={() => inspect(true)}
            disabled={!repoValid || checking || submitting}
          >
            Check
          </Button>
        </div>
        {/* Space kept for the status line, so the blur that starts an inspection does not move
            the Download button out from under a click. */}
        <div id={`${repoFieldId}-status`} aria-live="polite" className="min-h-5">
          {repoError !== null ? (
            <FieldError message={repoError} testId="download-repo-validation" />
          ) : (
            inspection.state !== "idle" && inspection.repoId === repo && <InspectionLine inspection={inspection} />
          )}
        </div>
      </div>

      <div>
        <Field label="Access Token (optional)" help="Required for private or gated datasets">
          {({ id, describedBy }) => (
            <Input
              look="panel"
              className="font-mono text-sm"
              id={id}
              data-testid="download-token"
              type="password"
              placeholder="hf_..."
              spellCheck={false}
              autoComplete="off"
              value={token}
              disabled={submitting}
              onChange={(e) => onTokenChange(e.target.value)}
              onBlur={() => inspect(false)}
              aria-describedby={describedBy}
            />
          )}
        </Field>
        {tokenValue !== "" && (
          <div className="mt-2">
            <label className="flex items-center gap-2 text-sm text-slate-300">
              <input
                id={rememberId}
                type="checkbox"
                data-testid="download-remember-token"
                checked={rememberToken}
                disabled={submitting}
                onChange={(e) => setRememberToken(e.target.checked)}
                aria-describedby={`${rememberId}-help`}
                className="h-4 w-4 rounded border-slate-700 bg-slate-800 accent-emerald-600"
              />
              Remember this token on this machine
            </label>
            <Help id={`${rememberId}-help`} className="ml-6">
              Saved where huggingface-cli keeps it, readable only by you
            </Help>
          </div>
        )}
      </div>

      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <Field label="Split" help={pickersHelp ?? "Dataset split to download"}>
          {({ id, describedBy }) => (
            <SelectBox
              look="panel"
              id={id}
              data-testid="download-split"
              value={inspected ? split : ""}
              disabled={!inspected || !chosenConfig || submitting}
              onChange={(e) => setSplit(e.target.value)}
              aria-describedby={describedBy}
            >
              <option value="">All splits</option>
              {chosenConfig?.splits.map((s) => (
                <option key={s.name} value={s.name}>
                  {`${s.name} — ${formatBytes(s.size_bytes)}`}
                </option>
              ))}
            </SelectBox>
          )}
        </Field>
        <Field label="Config" help={pickersHelp ?? "Dataset configuration"}>
          {({ id, describedBy }) => (
            <SelectBox
              look="panel"
              id={id}
              data-testid="download-config"
              value={inspected ? (config ?? "") : ""}
              disabled={!inspected || inspected.configs.length === 0 || submitting}
              onChange={(e) => {
                setConfig(e.target.value);
                setSplit("");
              }}
              aria-describedby={describedBy}
            >
              {!inspected || inspected.configs.length === 0 ? (
                <option value="">{inspected ? "No configs found" : "—"}</option>
              ) : (
                inspected.configs.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.default && c.name !== "default" ? `${c.name} (default)` : c.name}
                  </option>
                ))
              )}
            </SelectBox>
          )}
        </Field>
      </div>

      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <Field label="Include files (optional)" help="Globs on the repo path, one per line; * also matches /">
          {({ id, describedBy }) => (
            <textarea
              id={id}
              data-testid="download-include"
              rows={2}
              spellCheck={false}
              placeholder="data/CC-MAIN-2024-10/*"
              value={include}
              disabled={submitting}
              onChange={(e) => setInclude(e.target.value)}
              aria-describedby={describedBy}
              className="w-full rounded border border-slate-700 bg-slate-900 px-3 py-2 font-mono text-sm text-slate-100"
            />
          )}
        </Field>
        <Field label="Exclude files (optional)" help="Left out after the include globs">
          {({ id, describedBy }) => (
            <textarea
              id={id}
              data-testid="download-exclude"
              rows={2}
              spellCheck={false}
              placeholder="*.json"
              value={exclude}
              disabled={submitting}
              onChange={(e) => setExclude(e.target.value)}
              aria-describedby={describedBy}
              className="w-full rounded border border-slate-700 bg-slate-900 px-3 py-2 font-mono text-sm text-slate-100"
            />
          )}
        </Field>
        <Field
          label="Rows per split (optional)"
          help="The first rows in file order, e.g. 2000000 or 10%; only the files holding them are fetched"
        >
          {({ id, describedBy }) => (
            <Input
              look="panel"
              id={id}
              data-testid="download-rows"
              type="text"
              autoComplete="off"
              placeholder="every row"
              value={rows}
              disabled={submitting}
              onChange={(e) => setRows(e.target.value)}
              aria-describedby={describedBy}
            />
          )}
        </Field>
        <label className="flex items-center gap-2 self-center text-sm text-slate-300">
          <input
            type="checkbox"
            data-testid="download-drop-raw"
            checked={dropRawFiles}
            disabled={submitting}
            onChange={(e) => setDropRawFiles(e.target.checked)}
            className="h-4 w-4 rounded border-slate-700 bg-slate-800 accent-emerald-600"
          />
          Remove raw files from the HF cache once converted
        </label>
      </div>

      {/* Two lines kept for the summary, for the same reason. */}
      <div aria-live="polite" className="min-h-8">
        <DownloadPlanSummary request={planned} />
      </div>
    </FormCard>
  );
}
