//! The facade's datatrove bridge: exporting a tokenization as a datatrove pipeline folder, and
//! adopting what its run wrote as a tokenization of the dataset.

use crate::datasets::DownloadRequest;
use crate::datatrove::{
    self, AdoptOptions, CheckedOutput, DatatroveExport, DatatroveOutput, ExecutorOptions,
    ExportPlan, ExportSource, ExportSplitInput, SpecInput, SpecSource,
};
use crate::error::{Error, Result};
use crate::library::validate_id;
use crate::store::{Dataset, DatasetStatus, Tokenization};
use crate::tokenize::{registry, source::split_files, TokenizeSettings};
use crate::{Engine, TokenizeRequest};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What "Run on a cluster (datatrove)…" (or `mistudio-cli datatrove export`) asks for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatatroveExportRequest {
    pub source: ExportSource,
    pub tokenizer_id: String,
    pub settings: TokenizeSettings,
    /// A new or empty folder, absolute.
    pub out_dir: String,
    pub executor: ExecutorOptions,
}

/// What "Adopt a datatrove output…" (or `mistudio-cli datatrove adopt`) asks for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatatroveAdoptRequest {
    pub dataset_id: String,
    /// The export folder the pipeline ran in.
    pub folder: String,
    pub options: AdoptOptions,
    /// Replace a finished tokenization with the same tokenizer and settings.
    #[serde(default)]
    pub replace: bool,
}

fn absolute(path: &str, what: &str) -> Result<PathBuf> {
    let p = Path::new(path.trim());
    if path.trim().is_empty() || !p.is_absolute() {
        return Err(Error::invalid(format!(
            "the {what} {path:?} is not an absolute path: choose it with the picker or give its full path"
        )));
    }
    Ok(p.to_path_buf())
}

fn is_string_column(dataset: &Dataset, column: &str) -> bool {
    dataset.columns.iter().any(|c| {
        c.name == column
            && matches!(
                c.data_type.as_str(),
                "string" | "large_string" | "string_view"
            )
    })
}

/// datatrove's reader for a Hub file, by its name.
fn hub_reader(path: &str) -> Option<&'static str> {
    let p = path.to_ascii_lowercase();
    let stem = [".gz", ".zst", ".bz2"]
        .iter()
        .find_map(|c| p.strip_suffix(c))
        .unwrap_or(&p);
    if p.ends_with(".parquet") {
        Some("parquet")
    } else if stem.ends_with(".jsonl") || stem.ends_with(".json") {
        Some("jsonl")
    } else if stem.ends_with(".csv") {
        Some("csv")
    } else {
        None
    }
}

impl Engine {
    /// Writes a datatrove pipeline folder for the request; nothing is registered.
    pub async fn export_datatrove(
        &self,
        request: &DatatroveExportRequest,
    ) -> Result<DatatroveExport> {
        let out = absolute(&request.out_dir, "export folder")?;
        validate_id(&request.tokenizer_id, "tk")?;
        let tokenizer_row = self.store.get_tokenizer(&request.tokenizer_id).await?;
        let root = self.data_root();
        let loaded = {
            let (root, row) = (root.clone(), tokenizer_row.clone());
            tokio::task::spawn_blocking(move || registry::load_tokenizer(&root, &row))
                .await
                .map_err(|e| Error::Internal(format!("loading the tokenizer crashed: {e}")))??
        };
        let (source, resolved, splits, data_root) = match &request.source {
            ExportSource::Dataset { dataset_id } => {
                validate_id(dataset_id, "ds")?;
                let dataset = self.store.get_dataset(dataset_id).await?;
                if dataset.status != DatasetStatus::Ready {
                    return Err(Error::Conflict(format!(
                        "{} is not ready (it is {:?}); wait for it to become ready",
                        dataset.name, dataset.status
                    )));
                }
                let resolved = request.settings.resolve(&loaded, &dataset)?;
                if !is_string_column(&dataset, &resolved.text_column) {
                    return Err(Error::invalid(format!(
                        "column \"{}\" is not a plain string column, and datatrove reads only text as it is stored (this app renders chat turns itself): choose a string column",
                        resolved.text_column
                    )));
                }
                let data_dir = root.dataset_dir(&dataset.id)?.join("data");
                let mut splits = Vec::new();
                for name in &resolved.splits {
                    let dir = data_dir.join(name);
                    let files: Vec<String> = split_files(&dir)?
                        .iter()
                        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
                        .collect();
                    if files.is_empty() {
                        return Err(Error::invalid(format!(
                            "split \"{name}\" of {} has no data files to read",
                            dataset.name
                        )));
                    }
                    let folder = dir
                        .strip_prefix(root.path())
                        .map_err(|_| Error::Internal("a split outside the data folder".into()))?
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/");
                    let rows = dataset
                        .splits
                        .iter()
                        .find(|s| &s.name == name)
                        .map(|s| s.num_rows.max(0) as u64);
                    splits.push(ExportSplitInput {
                        name: name.clone(),
                        input: SpecInput::Ipc { folder, files },
                        rows,
                    });
                }
                let source = SpecSource::Dataset {
                    dataset_id: dataset.id.clone(),
                    dataset_name: dataset.name.clone(),
                };
                (source, resolved, splits, Some(root.path().to_path_buf()))
            }
            ExportSource::Hub {
                repo_id,
                config,
                split,
                revision,
                include,
                exclude,
                token,
            } => {
                let plan = self
                    .plan_download(&DownloadRequest {
                        repo_id: repo_id.trim().to_string(),
                        config: config.clone(),
                        split: split.clone(),
                        revision: revision.clone(),
                        token: token.clone(),
                        remember_token: false,
                        include: include.clone(),
                        exclude: exclude.clone(),
                        rows: None,
                        keep_hub_files: None,
                    })
                    .await?;
                let mut settings = request.settings.clone();
                settings.text_column = Some(
                    settings
                        .text_column
                        .clone()
                        .filter(|c| !c.trim().is_empty())
                        .unwrap_or_else(|| "text".into()),
                );
                let mut resolved = settings.validate(&loaded)?;
                resolved.splits = plan.splits.iter().map(|s| s.name.clone()).collect();
                let url = format!(
                    "hf://datasets/{}@{}",
                    plan.repo_id,
                    plan.revision.replace('/', "%2F")
                );
                let mut splits = Vec::new();
                for s in &plan.splits {
                    let files: Vec<String> = s.files.iter().map(|f| f.file.path.clone()).collect();
                    let readers: Vec<Option<&str>> = files.iter().map(|f| hub_reader(f)).collect();
                    let reader = match readers.first() {
                        Some(Some(r)) if readers.iter().all(|x| x == &Some(*r)) => *r,
                        _ => {
                            return Err(Error::invalid(format!(
                                "split \"{}\" of {} is stored as {}, which datatrove's parquet, jsonl and csv readers do not all read alike: download the dataset and export it from the data folder",
                                s.name,
                                plan.repo_id,
                                files.join(", ")
                            )))
                        }
                    };
                    let input = match reader {
                        "parquet" => SpecInput::Parquet {
                            url: url.clone(),
                            files,
                        },
                        "jsonl" => SpecInput::Jsonl {
                            url: url.clone(),
                            files,
                        },
                        _ => SpecInput::Csv {
                            url: url.clone(),
                            files,
                        },
                    };
                    splits.push(ExportSplitInput {
                        name: s.name.clone(),
                        input,
                        rows: s.num_rows,
                    });
                }
                let source = SpecSource::Hub {
                    repo_id: plan.repo_id.clone(),
                    config: plan.config.clone(),
                    revision: plan.revision.clone(),
                };
                // Set here, so that the adoption's settings name the column read.
                resolved.settings = settings;
                (source, resolved, splits, None)
            }
        };
        let settings = resolved.settings.clone();
        let executor = request.executor.clone();
        let tokenizer_id = tokenizer_row.id.clone();
        let sha = tokenizer_row.sha256.clone();
        tokio::task::spawn_blocking(move || {
            let plan = ExportPlan {
                source,
                tokenizer_id: &tokenizer_id,
                tokenizer_sha256: sha.as_deref(),
                settings: &settings,
                resolved: &resolved,
                splits,
                data_root: data_root.as_deref(),
                executor: &executor,
            };
            datatrove::write_export(&plan, &loaded, &out)
        })
        .await
        .map_err(|e| Error::Internal(format!("writing the export crashed: {e}")))?
    }

    /// Checks a run's output against the export and the dataset, writing nothing.
    async fn checked_output(&self, dataset_id: &str, folder: &str) -> Result<CheckedOutput> {
        validate_id(dataset_id, "ds")?;
        let dir = absolute(folder, "datatrove output folder")?;
        let dataset = self.store.get_dataset(dataset_id).await?;
        let output = tokio::task::spawn_blocking(move || datatrove::check_output(&dir))
            .await
            .map_err(|e| Error::Internal(format!("checking the output crashed: {e}")))??;
        match &output.spec.source {
            SpecSource::Dataset {
                dataset_id: from,
                dataset_name,
            } if from != &dataset.id => {
                return Err(Error::invalid(format!(
                    "this output was exported from the dataset {dataset_name} ({from}), not {}: adopt it into that dataset",
                    dataset.name
                )))
            }
            SpecSource::Hub {
                repo_id, config, ..
            } if dataset.hf_repo_id.as_deref() != Some(repo_id.as_str())
                || dataset.hf_config.as_deref().is_some_and(|c| c != config) =>
            {
                return Err(Error::invalid(format!(
                    "this output was read from the Hub repo {repo_id} ({config}), and {} is not a download of it: adopt it into a dataset downloaded from that repo",
                    dataset.name
                )))
            }
            _ => {}
        }
        let tokenizer = match self.store.get_tokenizer(&output.spec.tokenizer.id).await {
            Ok(t) => t,
            Err(Error::NotFound { .. }) => {
                return Err(Error::invalid(format!(
                    "the tokenizer this output was made with ({}, {}) is no longer in the library: add it again, then export anew",
                    output.spec.tokenizer.name, output.spec.tokenizer.id
                )))
            }
            Err(e) => return Err(e),
        };
        if tokenizer.sha256 != output.spec.tokenizer.sha256 {
            return Err(Error::invalid(format!(
                "{} in the library is not the file this output was exported with: export again",
                tokenizer.name
            )));
        }
        Ok(output)
    }

    /// What an output holds (splits, tasks, documents, tokens), after every check an adoption
    /// makes; nothing is written.
    pub async fn check_datatrove_output(
        &self,
        dataset_id: &str,
        folder: &str,
    ) -> Result<DatatroveOutput> {
        Ok(self.checked_output(dataset_id, folder).await?.summary())
    }

    /// Registers the output as a tokenization of the dataset and queues the pass that writes
    /// it; an adoption of the same output and settings still under way (after a crash, say) is
    /// returned instead of started again.
    pub async fn adopt_datatrove_output(
        &self,
        request: &DatatroveAdoptRequest,
    ) -> Result<Tokenization> {
        let output = self
            .checked_output(&request.dataset_id, &request.folder)
            .await?;
        let settings = datatrove::adopted_settings(&output.spec, &request.options)?;
        let tokenize = TokenizeRequest {
            dataset_id: request.dataset_id.clone(),
            tokenizer_id: output.spec.tokenizer.id.clone(),
            settings,
            replace: request.replace,
        };
        let existing = self
            .store
            .find_tokenizations(&tokenize.dataset_id, &tokenize.tokenizer_id)
            .await?
            .into_iter()
            .find(|t| t.settings.made_as(&tokenize.settings));
        if let Some(tz) = existing {
            if let Some(job) = self.tokenization_job(&tz.id).await? {
                let same_folder = job
                    .params
                    .get("datatrove_output")
                    .and_then(|v| v.as_str())
                    .is_some_and(|f| Path::new(f) == output.dir);
                if same_folder {
                    return self.get_tokenization(&tz.id).await;
                }
            }
        }
        self.queue_tokenization(&tokenize, Some(output.dir.clone()))
            .await
    }
}
