import type { Dataset, Tokenization, Tokenizer } from "../../bindings";
import { pythonSnippets, tokenizationSplits } from "../../lib/python";
import { CopyButton } from "../ui/CopyButton";
import { tile } from "../ui/surfaces";

type Props = {
  id: string;
  dataset: Dataset;
  tokenization: Tokenization;
  /** The folder on disk (the engine's `path`). */
  path: string;
  tokenizer: Tokenizer | null;
};

/** How to read a finished tokenization from Python where it lies: its folder and snippets to copy. */
export function UseInPython({ id, dataset, tokenization, path, tokenizer }: Props) {
  const snippets = pythonSnippets(tokenization, path, dataset, tokenizer);
  const splits = tokenizationSplits(tokenization, dataset);
  return (
    <section id={id} className={`${tile} mt-3 space-y-4`} aria-label="Use in Python" data-testid="use-in-python">
      <div>
        <div className="flex items-center justify-between gap-3">
          <p className="text-sm font-medium text-slate-300">Folder</p>
          <CopyButton text={path} label="Copy the folder path" testId="python-path-copy" />
        </div>
        <p className="mt-1 break-all font-mono text-xs text-slate-200" data-testid="python-path">
          {path}
        </p>
        <p className="mt-1 text-xs text-slate-500" data-testid="python-splits">
          {splits.length === 1 ? `Split ${splits[0]}` : `Splits ${splits.join(", ")}`} · Python reads the files
          in place, as long as this folder stays where it is
        </p>
      </div>
      {tokenization.settings.packing === null && (
        <p className="text-xs text-slate-500" data-testid="python-no-sae-lens">
          SAELens trains on packed rows of one length: tokenize in packed mode for an SAE.
        </p>
      )}
      {snippets.map((s) => (
        <div key={s.key} data-testid={`python-snippet-${s.key}`}>
          <div className="flex items-center justify-between gap-3">
            <div className="min-w-0">
              <p className="text-sm font-medium text-slate-300">{s.title}</p>
              <p className="text-xs text-slate-500">{s.note}</p>
            </div>
            <CopyButton text={s.code} label={`Copy the ${s.title} snippet`} testId={`python-copy-${s.key}`} />
          </div>
          <pre className="mt-2 overflow-x-auto rounded bg-slate-950 p-3 font-mono text-xs text-slate-200">
            <code data-testid={`python-code-${s.key}`}>{s.code}</code>
          </pre>
        </div>
      ))}
    </section>
  );
}
