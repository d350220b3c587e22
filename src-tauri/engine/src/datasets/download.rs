//! The download job: inspect the repo, check the disk, fetch the files (resumable, verified),
//! convert them to the canonical Arrow data, and mark the dataset ready.

use super::check_disk_space;
use crate::error::Result;
use crate::events::{EngineEvent, EventSink};
use crate::hub::cache_layout::write_ref;
use crate::hub::download::{ByteCounter, Downloader};
use crate::hub::{inspect_dataset, HubClient, RepoKind};
use crate::ingest::SplitInput;
use crate::jobs::{JobContext, JobHandler};
use crate::library::DataRoot;
use crate::settings::Settings;
use crate::store::JobKind;
use crate::store::{DatasetStatus, Progress, Store};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// What the window's form (or `mistudio-cli download`) asks for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DownloadRequest {
    pub repo_id: String,
    pub config: Option<String>,
    /// `None` downloads every split of the config.
    pub split: Option<String>,
    pub revision: Option<String>,
    /// Used for this download only, unless `remember_token` is set.
    pub token: Option<String>,
    #[serde(default)]
    pub remember_token: bool,
}

/// Stored with the job. Deliberately without the token: job parameters live in SQLite.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DownloadParams {
    pub dataset_id: String,
    pub repo_id: String,
    pub config: Option<String>,
    pub split: Option<String>,
    pub revision: Option<String>,
}

/// Tokens typed into the form, kept in memory only, per dataset, for the life of the process.
#[derive(Default)]
pub struct TokenVault(Mutex<HashMap<String, String>>);

impl TokenVault {
    pub fn put(&self, dataset_id: &str, token: String) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(dataset_id.to_string(), token);
    }
    pub fn get(&self, dataset_id: &str) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(dataset_id)
            .cloned()
    }
    pub fn forget(&self, dataset_id: &str) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(dataset_id);
    }
}

/// Room the canonical (uncompressed Arrow) copy of a file is expected to take: compressed
/// sources expand, plain text stays about the same size. Deliberately generous: running out of
/// disk halfway through a conversion is worse than asking for a little too much up front.
fn converted_size_estimate(path: &str, size: u64) -> u64 {
    let lower = path.to_ascii_lowercase();
    let factor = if lower.ends_with(".gz") || lower.ends_with(".zst") {
        5.0
    } else if lower.ends_with(".parquet") {
        3.0
    } else {
        1.25
    };
    (size as f64 * factor) as u64
}

pub struct DownloadHandler {
    pub store: Store,
    pub state: Arc<RwLock<(Settings, DataRoot)>>,
    pub sink: Arc<dyn EventSink>,
    pub tokens: Arc<TokenVault>,
    /// The HF cache to download into; `None` resolves `HF_HUB_CACHE` / `HF_HOME` at run time.
    pub cache_root: Option<PathBuf>,
    pub locks: Arc<crate::locks::DataLocks>,
}

impl DownloadHandler {
    fn changed(&self, id: &str) {
        self.sink.emit(EngineEvent::DatasetsChanged {
            dataset_ids: vec![id.to_string()],
        });
    }

    async fn set_status(&self, id: &str, status: DatasetStatus, error: Option<&str>) -> Result<()> {
        self.store.set_dataset_status(id, status, error).await?;
        self.changed(id);
        Ok(())
    }

    async fn download(&self, ctx: &JobContext, p: &DownloadParams) -> Result<()> {
        let (settings, data_root) = self.state.read().unwrap_or_else(|e| e.into_inner()).clone();
        let _lock = self
            .locks
            .acquire_patiently(
                &data_root,
                &p.dataset_id,
                "downloading",
                crate::locks::JOB_PATIENCE,
            )
            .await?;
        let token = self
            .tokens
            .get(&p.dataset_id)
            .or_else(|| crate::hub::resolve_token(None));
        let client = HubClient::new(&settings.hub_endpoint, token)?;
        let cache_root = match &self.cache_root {
            Some(root) => root.clone(),
            None => crate::hub::hf_hub_cache()?,
        };

        self.set_status(&p.dataset_id, DatasetStatus::Downloading, None)
            .await?;
        ctx.stage("Inspecting the repository");
        // A slow Hub must not hold a cancel back.
        let inspection = tokio::select! {
            r = inspect_dataset(&client, &p.repo_id, p.revision.as_deref()) => r?,
            _ = ctx.cancellation().cancelled() => return Err(crate::Error::Cancelled),
        };
        let (config, splits) = inspection.select(p.config.as_deref(), p.split.as_deref())?;
        self.store
            .set_dataset_details(
                &p.dataset_id,
                Some(&config.name),
                inspection.description.as_deref(),
            )
            .await?;
        self.changed(&p.dataset_id);

        let files: Vec<_> = splits
            .iter()
            .flat_map(|s| s.files.iter().cloned())
            .collect();
        let total: u64 = files.iter().map(|f| f.size).sum();
        let downloader = Downloader::new(client, cache_root.clone());
        let missing = downloader.missing_bytes(RepoKind::Dataset, &p.repo_id, &files)?;
        let converted_estimate: u64 = files
            .iter()
            .map(|f| converted_size_estimate(&f.path, f.size))
            .sum();
        check_disk_space(&cache_root, data_root.path(), missing, converted_estimate)?;

        ctx.stage("Downloading");
        let done = Arc::new(ByteCounter::default());
        let reporter = ctx.reporter().clone();
        let ticker_done = done.clone();
        let ticker = tokio::spawn(async move {
            // Speed over a sliding window of about five seconds.
            let mut samples: std::collections::VecDeque<(Instant, u64)> = Default::default();
            loop {
                let now = Instant::now();
                let bytes = ticker_done.get();
                samples.push_back((now, bytes));
                while samples.len() > 2 && now.duration_since(samples[0].0) > Duration::from_secs(5)
                {
                    samples.pop_front();
                }
                let rate = samples.front().and_then(|(t0, b0)| {
                    let secs = now.duration_since(*t0).as_secs_f64();
                    (secs >= 0.5).then(|| ((bytes.saturating_sub(*b0)) as f64 / secs) as u64)
                });
                reporter.progress(Progress::Bytes {
                    done: bytes,
                    total: Some(total),
                    bytes_per_sec: rate,
                });
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
        let fetched = downloader
            .download_all(
                RepoKind::Dataset,
                &p.repo_id,
                &files,
                done.clone(),
                ctx.cancellation(),
            )
            .await;
        ticker.abort();
        let paths = fetched?;
        ctx.progress(Progress::Bytes {
            done: done.get(),
            total: Some(total),
            bytes_per_sec: None,
        });
        let revision_name = p.revision.as_deref().unwrap_or("main");
        write_ref(
            &cache_root,
            RepoKind::Dataset,
            &p.repo_id,
            revision_name,
            &inspection.sha,
        )?;

        self.set_status(&p.dataset_id, DatasetStatus::Processing, None)
            .await?;
        let mut inputs: Vec<SplitInput> = Vec::new();
        let mut cursor = 0;
        for split in &splits {
            let n = split.files.len();
            inputs.push(SplitInput {
                name: split.name.clone(),
                files: paths[cursor..cursor + n].to_vec(),
                ..Default::default()
            });
            cursor += n;
        }
        super::convert_and_finish(
            ctx,
            &self.store,
            &data_root,
            &p.dataset_id,
            inputs,
            Some(&inspection.sha),
            files.iter().map(|f| f.path.clone()).collect(),
        )
        .await?;
        self.changed(&p.dataset_id);
        Ok(())
    }
}

#[async_trait]
impl JobHandler for DownloadHandler {
    fn kind(&self) -> JobKind {
        JobKind::DatasetDownload
    }

    fn max_concurrency(&self) -> usize {
        2
    }

    async fn run(&self, ctx: JobContext) -> Result<()> {
        let p: DownloadParams = ctx.params()?;
        let result = self.download(&ctx, &p).await;
        match &result {
            // A typed token is kept only as long as a retry might need it.
            Ok(()) => self.tokens.forget(&p.dataset_id),
            // The runner and the engine record a cancel; an app exit leaves the status for the
            // resumed job to move on.
            Err(e) if e.kind() == crate::ErrorKind::Cancelled || ctx.is_cancelled() => {}
            Err(e) => {
                let _ = self
                    .set_status(&p.dataset_id, DatasetStatus::Error, Some(&e.to_string()))
                    .await;
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::converted_size_estimate;

    #[test]
    fn compressed_sources_are_expected_to_expand() {
        assert_eq!(converted_size_estimate("data/train.parquet", 100), 300);
        assert_eq!(converted_size_estimate("train.jsonl.zst", 100), 500);
        assert_eq!(converted_size_estimate("train.jsonl", 100), 125);
    }
}
