import type { Dataset, Tokenization, Tokenizer } from "../bindings";

/**
 * `text` as a double-quoted Python string literal: backslashes (Windows paths, shares) and
 * quotes escaped, control and line-separator characters written as escapes so the literal
 * stays on one line and means exactly `text`.
 */
export function pythonString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code === 0x2028 || code === 0x2029 || code === 0x85) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The splits a tokenization holds, in the dataset's order. */
export function tokenizationSplits(tz: Tokenization, dataset: Dataset): string[] {
  const written = tz.statistics?.splits.map((s) => s.name) ?? [];
  if (written.length > 0) return written;
  const asked = tz.settings.splits ?? [];
  return asked.length > 0 ? asked : dataset.splits.map((s) => s.name);
}

/** The split snippets read: train when there is one (what SAELens reads by default), else the first. */
export function snippetSplit(splits: string[]): string {
  return splits.includes("train") ? "train" : (splits[0] ?? "train");
}

export type Snippet = { key: "load_from_disk" | "sae_lens" | "load_dataset"; title: string; note: string; code: string };

/**
 * Python that reads a finished tokenization where it is: with `datasets` (memory-mapped, or
 * through its cache) and, for packed rows, with SAELens's training runner.
 */
export function pythonSnippets(tz: Tokenization, path: string, dataset: Dataset, tokenizer: Tokenizer | null): Snippet[] {
  const folder = pythonString(path);
  const split = pythonString(snippetSplit(tokenizationSplits(tz, dataset)));
  const snippets: Snippet[] = [
    {
      key: "load_from_disk",
      title: "datasets: load_from_disk",
      note: "Memory-maps the Arrow files where they are; nothing is copied.",
      code: `from datasets import load_from_disk\n\nds = load_from_disk(${folder})[${split}]`,
    },
  ];
  const packing = tz.settings.packing;
  if (packing) {
    const model = pythonString(tokenizer?.hf_repo_id ?? tokenizer?.name ?? tz.tokenizer_id);
    snippets.push({
      key: "sae_lens",
      title: "SAELens: train an SAE on these rows",
      note: "The model, hook and SAE sizes are yours to choose; the data lines name this tokenization.",
      code: [
        "from datasets import load_from_disk",
        "from sae_lens import LanguageModelSAERunnerConfig, LanguageModelSAETrainingRunner, StandardTrainingSAEConfig",
        "",
        "cfg = LanguageModelSAERunnerConfig(",
        `    model_name=${model},  # the model whose tokenizer made these ids`,
        `    hook_name="blocks.0.hook_resid_pre",  # the activations to train on`,
        `    sae=StandardTrainingSAEConfig(d_in=768, d_sae=16384),  # d_in: the model's width at that hook`,
        `    dataset_path=${folder},`,
        "    is_dataset_tokenized=True,",
        `    context_size=${packing.context_size},`,
        ")",
        `sae = LanguageModelSAETrainingRunner(cfg, override_dataset=load_from_disk(${folder})[${split}]).run()`,
      ].join("\n"),
    });
  }
  snippets.push({
    key: "load_dataset",
    title: "datasets: load_dataset",
    note: "Reads the folder through its README's configs, into the datasets cache.",
    code: `from datasets import load_dataset\n\nds = load_dataset(${folder}, split=${split})`,
  });
  return snippets;
}
