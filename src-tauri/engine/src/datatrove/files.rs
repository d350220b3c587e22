//! `pipeline.json`: everything an export's script reads, and what an adoption checks the
//! output against. User strings live here as data, never in the script.

use super::{ExecutorKind, SPEC_FILE, SPEC_FORMAT, SPEC_VERSION};
use crate::error::{Error, Result};
use crate::tokenize::TokenizeSettings;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub format: String,
    pub format_version: u32,
    pub datatrove_version: String,
    pub made_by: String,
    pub source: SpecSource,
    pub tokenizer: SpecTokenizer,
    /// The tokenization's settings; the context size and the shuffle are the adoption's
    /// defaults (rows are cut when the output is adopted).
    pub settings: TokenizeSettings,
    pub text_column: String,
    /// The data folder as this machine mounts it; the script's `--data-folder` overrides it.
    pub data_root: Option<String>,
    pub batch_size: u32,
    pub splits: Vec<SpecSplit>,
    pub executor_defaults: SpecExecutor,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SpecSource {
    Dataset {
        dataset_id: String,
        dataset_name: String,
    },
    Hub {
        repo_id: String,
        config: String,
        revision: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecTokenizer {
    /// The library's tokenizer (`tk_…`) the export was made with.
    pub id: String,
    pub name: String,
    /// The sha256 of the library's `tokenizer.json`.
    pub sha256: Option<String>,
    /// The exported file, in the folder: `tokenizer-<sha256 prefix>.json`.
    pub file: String,
    pub file_sha256: String,
    /// Bytes per token in datatrove's `.ds` files: 4 past 65,536 ids, else 2.
    pub token_size: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecSplit {
    pub name: String,
    pub input: SpecInput,
    /// Folders relative to the export's, with `/` separators.
    pub output: String,
    pub logs: String,
    pub rows: Option<u64>,
}

/// A split's files, in the order their rows make the split; the script hands them to tasks so
/// that task order is file order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reader", rename_all = "snake_case")]
pub enum SpecInput {
    /// Canonical Arrow IPC files; `folder` is relative to the data folder.
    Ipc {
        folder: String,
        files: Vec<String>,
    },
    /// Files of a Hub repo; `url` is `hf://datasets/<repo>@<commit>`.
    Parquet {
        url: String,
        files: Vec<String>,
    },
    Jsonl {
        url: String,
        files: Vec<String>,
    },
    Csv {
        url: String,
        files: Vec<String>,
    },
}

impl SpecInput {
    pub fn files(&self) -> &[String] {
        match self {
            SpecInput::Ipc { files, .. }
            | SpecInput::Parquet { files, .. }
            | SpecInput::Jsonl { files, .. }
            | SpecInput::Csv { files, .. } => files,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecExecutor {
    pub executor: ExecutorKind,
    pub tasks: u32,
    pub workers: Option<u32>,
    pub partition: Option<String>,
    pub time: String,
    pub cpus_per_task: u32,
    pub mem_per_cpu_gb: f64,
    pub venv: Option<String>,
    pub ray_address: Option<String>,
}

impl Spec {
    pub fn read(dir: &Path) -> Result<Spec> {
        let path = dir.join(SPEC_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::invalid(format!(
                    "{} holds no datatrove export of this app (no {SPEC_FILE}): choose the folder `mistudio-cli datatrove export` (or \"Run on a cluster\") wrote, after its pipeline has run",
                    dir.display()
                )))
            }
            Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
        };
        let spec: Spec = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Corrupt(format!(
                "{} is not a readable export description ({e}): export the pipeline again",
                path.display()
            ))
        })?;
        if spec.format != SPEC_FORMAT || spec.format_version != SPEC_VERSION {
            return Err(Error::invalid(format!(
                "{} is a \"{}\" version {} file, not a version {SPEC_VERSION} export of this app: export the pipeline again",
                path.display(),
                spec.format,
                spec.format_version
            )));
        }
        Ok(spec)
    }
}
