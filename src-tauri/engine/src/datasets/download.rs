//! The download job: inspect the repo, check the disk, fetch the files (resumable, verified),
//! convert them to the canonical Arrow data, and mark the dataset ready.

use super::budget::RowBudget;
use super::check_disk_space;
use super::plan::{DownloadChoice, DownloadPlan, Planner};
use super::supply::{subset_record, HubSupply};
use crate::error::Result;
use crate::events::{EngineEvent, EventSink};
use crate::hub::cache_layout::write_ref;
use crate::hub::download::{ByteCounter, Downloader};
use crate::hub::file_filter::FileFilter;
use crate::hub::parquet_footer::FooterCache;
use crate::hub::{inspect_dataset, HubClient, RepoKind};
use crate::ingest::IngestSummary;
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
    /// Globs (`hf download`'s semantics) choosing files of the split; none takes them all.
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rows to take of each split: a number, or a share such as "10%".
    #[serde(default)]
    pub rows: Option<String>,
    /// `None` follows the setting.
    #[serde(default)]
    pub keep_hub_files: Option<bool>,
}

/// Stored with the job. Deliberately without the token: job parameters live in SQLite.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DownloadParams {
    pub dataset_id: String,
    pub repo_id: String,
    pub config: Option<String>,
    pub split: Option<String>,
    pub revision: Option<String>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub rows: Option<String>,
    #[serde(default = "keep_by_default")]
    pub keep_hub_files: bool,
}

fn keep_by_default() -> bool {
    true
}

/// The file filter and row budget of a request, checked.
pub fn parse_choice(
    include: &[String],
    exclude: &[String],
    rows: Option<&str>,
    keep_hub_files: bool,
) -> Result<DownloadChoice> {
    Ok(DownloadChoice {
        filter: FileFilter::new(include.to_vec(), exclude.to_vec())?,
        rows: rows.map(RowBudget::parse).transpose()?,
        keep_hub_files,
    })
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

    /// Fetches every file of the plan (whole, or the prefix a row budget needs), a few at once,
    /// reporting bytes and speed.
    async fn fetch_all(
        &self,
        ctx: &JobContext,
        downloader: &Downloader,
        repo_id: &str,
        plan: &DownloadPlan,
    ) -> Result<()> {
        use futures_util::StreamExt;
        let total = plan.total_bytes;
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
        let cancel = ctx.cancellation();
        // Owned items keep the stream's closure free of borrowed arguments, which the Send
        // bound of the job's future cannot express.
        let work: Vec<(crate::hub::RemoteFile, u64)> = plan
            .splits
            .iter()
            .flat_map(|s| s.files.iter().map(|f| (f.file.clone(), f.fetch_bytes)))
            .collect();
        let results: Vec<Result<std::path::PathBuf>> = futures_util::stream::iter(work)
            .map(|(file, end)| {
                let done = done.clone();
                async move {
                    downloader
                        .fetch_prefix(RepoKind::Dataset, repo_id, &file, end, &done, cancel)
                        .await
                }
            })
            .buffer_unordered(downloader.parallel.max(1))
            .collect()
            .await;
        ticker.abort();
        // The first real error wins over the "cancelled" its siblings report.
        let mut first_error: Option<crate::Error> = None;
        for r in results {
            if let Err(e) = r {
                if first_error
                    .as_ref()
                    .is_none_or(|f| f.kind() == crate::ErrorKind::Cancelled)
                {
                    first_error = Some(e);
                }
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        if cancel.is_cancelled() {
            return Err(crate::Error::Cancelled);
        }
        ctx.progress(Progress::Bytes {
            done: done.get(),
            total: Some(total),
            bytes_per_sec: None,
        });
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

        let choice = parse_choice(&p.include, &p.exclude, p.rows.as_deref(), p.keep_hub_files)?;
        let downloader = Arc::new(Downloader::new(client, cache_root.clone()));
        let footers = FooterCache::new(data_root.path());
        let planner = Planner {
            downloader: &downloader,
            footers: &footers,
            data_root: data_root.path(),
        };
        let plan = tokio::select! {
            r = planner.plan(&inspection, &config.name, &splits, &choice, false) => r?,
            _ = ctx.cancellation().cancelled() => return Err(crate::Error::Cancelled),
        };
        check_disk_space(
            &cache_root,
            data_root.path(),
            plan.download_peak_bytes,
            plan.conversion_bytes,
        )?;

        // Kept files of an exact plan are fetched up front, in parallel; the rest are fetched
        // one at a time as the conversion reaches them (and dropped after, if not kept).
        if choice.keep_hub_files && !plan.upper_bound {
            ctx.stage("Downloading");
            self.fetch_all(ctx, &downloader, &p.repo_id, &plan).await?;
        }
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
        let (inputs, supply) = HubSupply::for_plan(
            &plan,
            downloader.clone(),
            &footers,
            choice.keep_hub_files,
            ctx.cancellation().clone(),
        )?;
        let subset_of = {
            let plan = plan.clone();
            let choice = choice.clone();
            move |summary: &IngestSummary| subset_record(&plan, &choice, summary)
        };
        super::convert_and_finish(
            ctx,
            &self.store,
            &data_root,
            &p.dataset_id,
            inputs,
            Some(&inspection.sha),
            source_paths(&plan),
            Some(Box::new(supply)),
            subset_of,
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

fn source_paths(plan: &DownloadPlan) -> Vec<String> {
    let mut paths = Vec::new();
    for split in &plan.splits {
        for f in &split.files {
            paths.push(f.file.path.clone());
        }
    }
    paths
}
