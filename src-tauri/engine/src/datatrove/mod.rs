//! The bridge to Hugging Face's datatrove, for corpora one machine cannot tokenize: an export
//! writes a self-contained pipeline folder (a script pinned to one datatrove version, its data
//! as JSON, the tokenizer file, a README) that runs on local processes, Slurm or Ray; an
//! adoption reads what that run wrote back as a tokenization of the dataset.
//!
//! Folder layout, shared by both directions:
//! ```text
//! DIR/pipeline.py            the same bytes for every export: it reads everything from
//! DIR/pipeline.json          this file, so no user string is ever code
//! DIR/tokenizer-<sha>.json   the tokenizer as this app encodes, the document frame included
//! DIR/README.md
//! DIR/output/<i>/            split i: run.json (the run's tasks), then datatrove's
//!                            <rank:05d>_unshuffled.ds, .ds.index, .ds.metadata per task
//! DIR/logs/<i>/              datatrove's logging folder (completions/<rank:05d>, stats)
//! ```

mod adopt;
mod export;
mod files;
mod output;
mod readme;
#[cfg(test)]
mod tests;

pub use adopt::{adopted_settings, run_adopted_pass, AdoptOptions};
pub use export::{check_expressible, write_export, ExportPlan, ExportSplitInput};
pub(crate) use files::{SpecInput, SpecSource};
pub use output::{check_output, CheckedOutput, DatatroveOutput, OutputSplit};

use serde::{Deserialize, Serialize};

/// The datatrove release exports are written for (the one the test venv installs).
pub const DATATROVE_VERSION: &str = "0.10.1";
pub const SPEC_FILE: &str = "pipeline.json";
pub const SCRIPT_FILE: &str = "pipeline.py";
pub const SPEC_FORMAT: &str = "mistudio-datatrove-export";
pub const SPEC_VERSION: u32 = 1;
/// Written by the script in each split's output folder before the run starts.
pub const RUN_FILE: &str = "run.json";

/// Where datatrove runs the pipeline's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ExecutorKind {
    /// Processes on the machine that runs the script.
    #[default]
    Local,
    /// A Slurm cluster: the script submits job arrays and returns.
    Slurm,
    /// A Ray cluster (`ray start --head` and workers), joined by address.
    Ray,
}

impl ExecutorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutorKind::Local => "local",
            ExecutorKind::Slurm => "slurm",
            ExecutorKind::Ray => "ray",
        }
    }
}

/// The defaults the script runs with; each is also a command-line option of the script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExecutorOptions {
    pub executor: ExecutorKind,
    /// Tasks per split; datatrove gives each task whole input files.
    pub tasks: u32,
    /// Tasks running at once; `None` runs them all at once (local) or leaves it to the
    /// scheduler.
    pub workers: Option<u32>,
    /// Slurm: the partition.
    pub partition: Option<String>,
    /// Slurm: the time limit per job, `HH:MM:SS`.
    pub time: String,
    /// Slurm and Ray: CPUs per task.
    pub cpus_per_task: u32,
    /// Slurm and Ray: memory per CPU, in GB.
    pub mem_per_cpu_gb: f64,
    /// Ray: the cluster's address (`None`: `RAY_ADDRESS`, else a cluster of this machine).
    pub ray_address: Option<String>,
}

impl Default for ExecutorOptions {
    fn default() -> Self {
        ExecutorOptions {
            executor: ExecutorKind::Local,
            tasks: 4,
            workers: None,
            partition: None,
            time: "04:00:00".into(),
            cpus_per_task: 1,
            mem_per_cpu_gb: 2.0,
            ray_address: None,
        }
    }
}

/// What an export reads: a dataset of the data folder, or a Hub repo read in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ExportSource {
    Dataset {
        dataset_id: String,
    },
    /// Read by datatrove from `hf://datasets/…` at the listed commit; nothing is downloaded.
    Hub {
        repo_id: String,
        config: Option<String>,
        split: Option<String>,
        revision: Option<String>,
        #[serde(default)]
        include: Vec<String>,
        #[serde(default)]
        exclude: Vec<String>,
        /// Lists a gated or private repo now; never written to the folder (the cluster
        /// uses its own `HF_TOKEN`).
        #[serde(default)]
        token: Option<String>,
    },
}

/// One split's input as the export found it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportedSplit {
    pub name: String,
    pub files: u32,
    pub rows: Option<u64>,
}

/// A written export: where it is and how to run it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatatroveExport {
    pub folder: String,
    /// The command that runs it with the chosen executor, from any folder.
    pub command: String,
    pub splits: Vec<ExportedSplit>,
    pub datatrove_version: String,
    /// The most tasks that get work: datatrove gives each task whole files.
    pub max_useful_tasks: u32,
}
