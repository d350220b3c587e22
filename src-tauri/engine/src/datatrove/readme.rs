//! The README of an export folder: what it reads, how to run it on each executor, where the
//! output goes and how it comes back.

use super::export::shell_quote;
use super::files::{Spec, SpecInput, SpecSource};
use super::{DATATROVE_VERSION, SCRIPT_FILE};
use std::path::Path;

/// A user string shown inside a Markdown code span, on one line.
fn code(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let fence = if one_line.contains('`') { "`` " } else { "`" };
    let close = if one_line.contains('`') { " ``" } else { "`" };
    format!("{fence}{}{close}", one_line.replace("``", "` `"))
}

pub fn readme(spec: &Spec, out: &Path) -> String {
    let script = shell_quote(&out.join(SCRIPT_FILE).to_string_lossy());
    let source = match &spec.source {
        SpecSource::Dataset { dataset_name, .. } => format!(
            "the dataset {} of the miStudio data folder (its canonical Arrow files)",
            code(dataset_name)
        ),
        SpecSource::Hub {
            repo_id,
            config,
            revision,
        } => format!(
            "the Hub repo {} (config {}, commit {}), read in place from `hf://datasets/…`",
            code(repo_id),
            code(config),
            code(revision)
        ),
    };
    let splits: Vec<String> = spec
        .splits
        .iter()
        .map(|s| {
            format!(
                "- split {}: {} file{} → `{}/`",
                code(&s.name),
                s.input.files().len(),
                if s.input.files().len() == 1 { "" } else { "s" },
                s.output
            )
        })
        .collect();
    let reads_data_folder = spec
        .splits
        .iter()
        .any(|s| matches!(s.input, SpecInput::Ipc { .. }));
    let data_folder = if reads_data_folder {
        "The tasks read the data folder where it is mounted on this machine. On machines that mount it \
elsewhere, add `--data-folder /path/to/the/data/folder`.\n"
    } else {
        "The tasks read the Hub directly: on a cluster, set `HF_TOKEN` for a gated or private repo \
(the token is never written to this folder), and `HF_ENDPOINT` for a mirror.\n"
    };
    let d = spec.executor_defaults.tasks;
    format!(
        "# Tokenize with datatrove\n\
\n\
Written by {made_by}. It tokenizes {source} with {tokenizer} into datatrove's token files, \
which miStudio Datasets then adopts as a tokenization of the dataset.\n\
\n\
{splits}\n\
\n\
## Install\n\
\n\
```sh\n\
python3 -m venv venv && . venv/bin/activate\n\
pip install 'datatrove=={DATATROVE_VERSION}' pyarrow tokenizers   # add ray for the Ray executor\n\
```\n\
\n\
The script refuses any other datatrove version: its output format is what the adoption checks.\n\
\n\
## Run\n\
\n\
Local processes (`--workers` at once, default all tasks):\n\
\n\
```sh\n\
python3 {script} --executor local --tasks {d} --workers 2\n\
```\n\
\n\
Slurm (the script submits one job array per split and returns; `--venv` is the virtualenv the \
jobs activate, by default the one running the script):\n\
\n\
```sh\n\
python3 {script} --executor slurm --tasks {d} --partition PARTITION --time 04:00:00 --cpus-per-task 1 --mem-per-cpu-gb 2\n\
```\n\
\n\
Ray (`ray start --head` on one machine, `ray start --address HEAD:6379` on the others):\n\
\n\
```sh\n\
python3 {script} --executor ray --tasks {d} --ray-address HEAD:6379 --cpus-per-task 1\n\
```\n\
\n\
{data_folder}\
\n\
Each task reads whole input files, so more tasks than files leaves some idle. Tokens go to \
`output/<split>/<task>_unshuffled.ds` with `.ds.index` (document ends) and `.ds.metadata`; \
datatrove's logs, statistics and completion markers go to `logs/<split>/`. The folder must be \
on storage every task can write (a shared file system on a cluster).\n\
\n\
**Stopped?** Run the same command again: datatrove skips the tasks it finished \
(`logs/<split>/completions/`) and redoes the others. Keep `--tasks` as it was; the script \
refuses another number.\n\
\n\
## Bring it back\n\
\n\
Copy (or leave) this folder where the app's machine can read it, then:\n\
\n\
```sh\n\
mistudio-cli datatrove adopt DATASET_ID {out} --pack 1024\n\
```\n\
\n\
or the Tokenization tab's \"Adopt a datatrove output…\". Rows are consecutive windows of the \
context size over the stream, in task order (which is the dataset's order); the remainder \
is dropped. The adoption checks every task's files first and refuses a partial output.\n",
        made_by = spec.made_by,
        tokenizer = code(&spec.tokenizer.name),
        splits = splits.join("\n"),
        out = shell_quote(&out.to_string_lossy()),
    )
}
