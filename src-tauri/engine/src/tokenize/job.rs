//! The tokenize job: one streaming pass from the canonical data to a `save_to_disk` folder with
//! its statistics. The output is built in `<tok_id>.partial` and renamed into place only when
//! complete; an interrupted run starts that folder over, so a rerun writes the same bytes.

use super::handoff::{write_handoff, Origin};
use super::output::write_json;
use super::pipeline::{self, PassProgress, SplitSource};
use super::registry::load_tokenizer_for_pass;
use crate::error::{Error, Result};
use crate::events::{EngineEvent, EventSink};
use crate::jobs::{JobContext, JobHandler};
use crate::library::DataRoot;
use crate::settings::Settings;
use crate::store::JobKind;
use crate::store::{Progress, Store, TokenizationStatus};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

pub const MISTUDIO_FILE: &str = "mistudio.json";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenizeParams {
    pub tokenization_id: String,
    /// An export folder whose datatrove output is adopted instead of encoding the dataset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datatrove_output: Option<PathBuf>,
}

pub struct TokenizeHandler {
    pub store: Store,
    pub state: Arc<RwLock<(Settings, DataRoot)>>,
    pub sink: Arc<dyn EventSink>,
    pub locks: Arc<crate::locks::DataLocks>,
}

pub fn partial_dir(out: &Path) -> PathBuf {
    out.with_extension("partial")
}

/// The threads to encode with: the setting, else every core.
pub fn thread_budget(settings: &Settings) -> usize {
    settings
        .tokenize_threads
        .map(|t| t as usize)
        .filter(|t| *t > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

impl TokenizeHandler {
    fn changed(&self, dataset_id: &str) {
        self.sink.emit(EngineEvent::TokenizationsChanged {
            dataset_id: dataset_id.to_string(),
        });
        // The dataset's card counts its tokenizations.
        self.sink.emit(EngineEvent::DatasetsChanged {
            dataset_ids: vec![dataset_id.to_string()],
        });
    }

    async fn tokenize(&self, ctx: &JobContext, p: &TokenizeParams) -> Result<()> {
        let (settings, root) = self.state.read().unwrap_or_else(|e| e.into_inner()).clone();
        let tz = self.store.get_tokenization(&p.tokenization_id).await?;
        let dataset = self.store.get_dataset(&tz.dataset_id).await?;
        let tokenizer_row = self.store.get_tokenizer(&tz.tokenizer_id).await?;
        // Another machine sharing the folder may be tokenizing the same dataset.
        let _lock = self
            .locks
            .acquire_patiently(
                &root,
                &dataset.id,
                &format!("tokenizing with {}", tokenizer_row.name),
                crate::locks::JOB_PATIENCE,
            )
            .await?;
        // The stage first, so the window never shows a processing tokenization without one.
        ctx.stage("Loading the tokenizer");
        self.store
            .set_tokenization_status(&tz.id, TokenizationStatus::Processing, None)
            .await?;
        self.changed(&dataset.id);

        let tokenizer = load_tokenizer_for_pass(&root, &tokenizer_row)?;
        let resolved = tz.settings.resolve(&tokenizer, &dataset)?;
        let data_dir = root.dataset_dir(&dataset.id)?.join("data");
        let sources: Vec<SplitSource> = resolved
            .splits
            .iter()
            .map(|s| SplitSource {
                name: s.clone(),
                dir: data_dir.join(s),
            })
            .collect();
        let total: u64 = dataset
            .splits
            .iter()
            .filter(|s| resolved.splits.contains(&s.name))
            .map(|s| s.num_rows.max(0) as u64)
            .sum();
        let out = root.tokenization_dir(&dataset.id, &tz.id)?;
        let partial = partial_dir(&out);
        if partial.exists() {
            std::fs::remove_dir_all(&partial)
                .map_err(|e| Error::io(format!("clearing {}", partial.display()), e))?;
        }
        std::fs::create_dir_all(&partial)
            .map_err(|e| Error::io(format!("creating {}", partial.display()), e))?;

        let split_names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
        let column = resolved.text_column.clone();
        let settings_json = serde_json::to_string(&tz.settings)
            .map_err(|e| Error::Internal(format!("serialising settings: {e}")))?;
        let fingerprint_base = pipeline::fingerprint(&[
            &dataset.id,
            tokenizer_row.sha256.as_deref().unwrap_or(&tokenizer_row.id),
            &settings_json,
        ]);
        let threads = thread_budget(&settings);
        ctx.reporter().report(
            "Tokenizing",
            Progress::Samples {
                done: 0,
                total: Some(total),
                tokens: 0,
                samples_per_sec: None,
                tokens_per_sec: None,
            },
        );
        let adopted = match &p.datatrove_output {
            Some(dir) => {
                ctx.stage("Checking the datatrove output");
                let output = crate::datatrove::check_output(dir)?;
                if output.spec.tokenizer.id != tokenizer_row.id {
                    return Err(Error::invalid(format!(
                        "{} was exported with {}, not {}",
                        dir.display(),
                        output.spec.tokenizer.name,
                        tokenizer_row.name
                    )));
                }
                let names: Vec<&str> = output.splits.iter().map(|s| s.name.as_str()).collect();
                if names
                    != resolved
                        .splits
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                {
                    return Err(Error::invalid(format!(
                        "{} holds the splits {}, and this tokenization asks for {}",
                        dir.display(),
                        names.join(", "),
                        resolved.splits.join(", ")
                    )));
                }
                Some(output)
            }
            None => None,
        };
        let encoder = match &adopted {
            Some(o) => super::fast::Encoder::Datatrove {
                version: o.spec.datatrove_version.clone(),
                tasks: o.tasks,
                folder: o.dir.to_string_lossy().into_owned(),
            },
            None => tokenizer.encoder.clone(),
        };
        let reporter = ctx.reporter().clone();
        let partial_for_pass = partial.clone();
        let tokenizer_for_pass = tokenizer.clone();
        let data_dirs: Vec<PathBuf> = sources.iter().map(|s| s.dir.clone()).collect();
        let pass = ctx
            .run_blocking(move |cancel, _| {
                let started = Instant::now();
                let report = move |done: PassProgress| {
                    let secs = started.elapsed().as_secs_f64();
                    let rate = |n: u64| (secs > 0.5).then(|| (n as f64 / secs) as u64);
                    reporter.progress(Progress::Samples {
                        done: done.samples,
                        total: Some(total),
                        tokens: done.tokens,
                        samples_per_sec: rate(done.samples),
                        tokens_per_sec: rate(done.tokens),
                    });
                };
                match &adopted {
                    Some(output) => crate::datatrove::run_adopted_pass(
                        &tokenizer_for_pass,
                        &resolved,
                        output,
                        &data_dirs,
                        &partial_for_pass,
                        &fingerprint_base,
                        &cancel,
                        &report,
                    ),
                    None => pipeline::run(
                        &tokenizer_for_pass,
                        &resolved,
                        &sources,
                        &partial_for_pass,
                        threads,
                        &fingerprint_base,
                        &cancel,
                        &report,
                    ),
                }
            })
            .await?;
        let mut pass = pass;
        pass.statistics.encoder = Some(encoder);

        ctx.stage("Finishing");
        let manifest = serde_json::json!({
            "format_version": 1,
            "tokenization_id": tz.id,
            "dataset_id": dataset.id,
            "tokenizer": {
                "id": tokenizer_row.id,
                "name": tokenizer_row.name,
                "hf_repo_id": tokenizer_row.hf_repo_id,
                "hf_revision": tokenizer_row.hf_revision,
                "sha256": tokenizer_row.sha256,
                "vocab_size": tokenizer.info.vocab_size,
                "special_tokens": tokenizer.info.special_tokens,
            },
            "settings": tz.settings,
            "layout": "dataset_dict",
            "splits": split_names,
            "statistics": pass.statistics,
        });
        write_json(&partial.join(MISTUDIO_FILE), &manifest)?;
        let origin = Origin {
            dataset: dataset.hf_repo_id.as_deref().unwrap_or(&dataset.name),
            config: dataset.hf_config.as_deref(),
            tokenizer: tokenizer_row
                .hf_repo_id
                .as_deref()
                .unwrap_or(&tokenizer_row.name),
            column: &column,
            splits: &split_names,
        };
        write_handoff(&partial, &tz.settings, &origin)?;
        replace_dir(&partial, &out)?;
        self.store
            .finish_tokenization(&tz.id, &pass.statistics, pass.bytes)
            .await?;
        self.changed(&dataset.id);
        Ok(())
    }
}

/// Moves a complete folder into place, replacing what was there.
fn replace_dir(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        let old = to.with_extension("old");
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(to, &old)
            .map_err(|e| Error::io(format!("replacing {}", to.display()), e))?;
        std::fs::rename(from, to)
            .map_err(|e| Error::io(format!("replacing {}", to.display()), e))?;
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(from, to)
            .map_err(|e| Error::io(format!("finishing {}", to.display()), e))?;
    }
    Ok(())
}

#[async_trait]
impl JobHandler for TokenizeHandler {
    fn kind(&self) -> JobKind {
        JobKind::DatasetTokenize
    }

    async fn run(&self, ctx: JobContext) -> Result<()> {
        let p: TokenizeParams = ctx.params()?;
        let result = self.tokenize(&ctx, &p).await;
        if let Err(e) = &result {
            let root = self
                .state
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .1
                .clone();
            if let Ok(tz) = self.store.get_tokenization(&p.tokenization_id).await {
                if let Ok(out) = root.tokenization_dir(&tz.dataset_id, &tz.id) {
                    let _ = std::fs::remove_dir_all(partial_dir(&out));
                }
                if matches!(e, Error::Cancelled) && ctx.is_app_stopping() {
                    // Queued again by the runner: the next start begins the pass over.
                    return result;
                }
                if matches!(e, Error::Cancelled) {
                    // A cancelled tokenization is withdrawn: nothing of it stays.
                    if let Ok(out) = root.tokenization_dir(&tz.dataset_id, &tz.id) {
                        let _ = std::fs::remove_dir_all(out);
                    }
                    let _ = self.store.delete_tokenization(&tz.id).await;
                } else {
                    let _ = self
                        .store
                        .set_tokenization_status(
                            &tz.id,
                            TokenizationStatus::Error,
                            Some(&e.to_string()),
                        )
                        .await;
                }
                self.changed(&tz.dataset_id);
            }
        }
        result
    }
}
