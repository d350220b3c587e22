//! miStudio Datasets engine: everything the app does, with no dependency on Tauri.
//! The window shell and the CLI are two front doors to [`Engine`].

pub mod browse;
pub mod datasets;
mod deleting;
pub mod error;
pub mod events;
pub mod hub;
pub mod ingest;
pub mod jobs;
pub mod library;
pub mod locks;
pub mod paths;
pub mod rescan;
pub mod samples;
pub mod settings;
pub mod store;
mod time;
pub mod tokenize;
mod tokenizing;
pub mod watch;

pub use deleting::DeleteReport;
pub use error::{AppError, Error, ErrorKind, Result};
pub use events::{EngineEvent, EventSink};
pub use settings::Settings;
pub use store::{Dataset, Job, JobStatus, Progress, Store};
pub use time::now_ms;
pub use tokenizing::TokenizeRequest;

use jobs::JobRunner;
use library::DataRoot;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// Where the engine keeps things on this machine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Machine-local folder for the database and the runner lock.
    pub local_dir: PathBuf,
    pub settings: Settings,
    /// Whether this process runs jobs. The window does; a read-only CLI command does not,
    /// so it can run next to the window.
    pub run_jobs: bool,
    /// The Hugging Face cache for downloads; `None` follows `HF_HUB_CACHE` / `HF_HOME` like
    /// Python does.
    pub hf_cache: Option<PathBuf>,
}

/// This machine at a glance, for the window's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MachineStatus {
    pub hostname: String,
    pub data_root: String,
    pub free_bytes: Option<u64>,
    pub total_bytes: Option<u64>,
    pub jobs_running: i64,
    pub jobs_queued: i64,
    /// Something the person should know about this machine's setup (filled in by the host).
    pub warning: Option<String>,
}

pub struct Engine {
    store: Store,
    runner: Option<JobRunner>,
    sink: Arc<dyn EventSink>,
    state: Arc<RwLock<(Settings, DataRoot)>>,
    tokens: Arc<datasets::TokenVault>,
    hf_cache: Option<PathBuf>,
    locks: Arc<locks::DataLocks>,
    /// Refreshes the lock files this process holds while it lives.
    heartbeat: tokio::task::JoinHandle<()>,
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.heartbeat.abort();
    }
}

impl Engine {
    pub async fn open(config: EngineConfig, sink: Arc<dyn EventSink>) -> Result<Engine> {
        let settings = config.settings.validated()?;
        let data_root = DataRoot::prepare(&settings.data_root_path())?;
        let store = Store::open(&config.local_dir.join(paths::DATABASE_FILE)).await?;
        let state = Arc::new(RwLock::new((settings.clone(), data_root)));
        let tokens = Arc::new(datasets::TokenVault::default());
        let locks = locks::DataLocks::new(&config.local_dir)?;
        let runner = if config.run_jobs {
            Some(
                JobRunner::builder(store.clone(), sink.clone())
                    .handler(datasets::DownloadHandler {
                        store: store.clone(),
                        state: state.clone(),
                        sink: sink.clone(),
                        tokens: tokens.clone(),
                        cache_root: config.hf_cache.clone(),
                        locks: locks.clone(),
                    })
                    .handler(datasets::ImportHandler {
                        store: store.clone(),
                        state: state.clone(),
                        sink: sink.clone(),
                        locks: locks.clone(),
                    })
                    .handler(tokenize::TokenizeHandler {
                        store: store.clone(),
                        state: state.clone(),
                        sink: sink.clone(),
                        locks: locks.clone(),
                    })
                    .start(&config.local_dir.join(paths::RUNNER_LOCK_FILE))
                    .await?,
            )
        } else {
            None
        };
        tracing::info!(data_root = %settings.data_root, local_dir = %config.local_dir.display(), "engine open");
        let heartbeat = tokio::spawn({
            let locks = locks.clone();
            async move {
                loop {
                    tokio::time::sleep(locks::HEARTBEAT_INTERVAL).await;
                    let locks = locks.clone();
                    let _ = tokio::task::spawn_blocking(move || locks.heartbeat()).await;
                }
            }
        });
        Ok(Engine {
            store,
            runner,
            sink,
            state,
            tokens,
            hf_cache: config.hf_cache,
            locks,
            heartbeat,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> Settings {
        self.state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clone()
    }

    fn data_root(&self) -> DataRoot {
        self.state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }

    /// Validates and applies new settings. Moving the data folder waits until no job runs,
    /// because a running job writes into the old one.
    pub async fn update_settings(&self, new: &Settings) -> Result<Settings> {
        let new = new.validated()?;
        let current = self.settings();
        let mut data_root = self.data_root();
        if new.data_root != current.data_root {
            let busy = self.store.count_jobs(JobStatus::Running).await?
                + self.store.count_jobs(JobStatus::Queued).await?;
            if busy > 0 {
                return Err(Error::Conflict(format!(
                    "{busy} job(s) are queued or running in the current data folder; wait for them or cancel them, then change the folder"
                )));
            }
            data_root = DataRoot::prepare(&new.data_root_path())?;
        }
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = (new.clone(), data_root);
        if new.data_root != current.data_root {
            self.sink.emit(EngineEvent::DatasetsChanged {
                dataset_ids: vec![],
            });
        }
        Ok(new)
    }

    pub async fn list_datasets(&self) -> Result<Vec<Dataset>> {
        self.store.list_datasets().await
    }

    pub async fn get_dataset(&self, id: &str) -> Result<Dataset> {
        library::validate_id(id, "ds")?;
        self.store.get_dataset(id).await
    }

    pub async fn list_jobs(&self) -> Result<Vec<Job>> {
        self.store.list_jobs(200).await
    }

    /// Cancels a job and marks the dataset it was working on as cancelled.
    pub async fn cancel_job(&self, id: &str) -> Result<Job> {
        let job = self.cancel_job_only(id).await?;
        if job.status == JobStatus::Cancelled {
            if let Some(target) = job.target.as_deref().filter(|t| t.starts_with("ds_")) {
                if let Ok(ds) = self.store.get_dataset(target).await {
                    if matches!(
                        ds.status,
                        store::DatasetStatus::Queued
                            | store::DatasetStatus::Downloading
                            | store::DatasetStatus::Processing
                    ) {
                        self.store
                            .set_dataset_status(target, store::DatasetStatus::Cancelled, None)
                            .await?;
                        self.sink.emit(EngineEvent::DatasetsChanged {
                            dataset_ids: vec![target.to_string()],
                        });
                    }
                }
            }
        }
        Ok(job)
    }

    async fn cancel_job_only(&self, id: &str) -> Result<Job> {
        match &self.runner {
            Some(runner) => runner.cancel(id).await,
            None => {
                let job = self.store.get_job(id).await?;
                if job.status.is_finished() || self.store.cancel_queued_job(id).await? {
                    return self.store.get_job(id).await;
                }
                Err(Error::Conflict(format!(
                    "job {id} is running in the miStudio Datasets window; cancel it there"
                )))
            }
        }
    }

    fn hub_client(&self, token: Option<&str>) -> Result<hub::HubClient> {
        hub::HubClient::new(&self.settings().hub_endpoint, hub::resolve_token(token))
    }

    /// Lists the configs and splits of a dataset repo, with sizes, before downloading.
    pub async fn inspect_dataset_repo(
        &self,
        repo_id: &str,
        token: Option<&str>,
        revision: Option<&str>,
    ) -> Result<hub::RepoInspection> {
        hub::validate_repo_id(repo_id)?;
        let revision = revision.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = revision {
            hub::validate_revision(r)?;
        }
        hub::inspect_dataset(&self.hub_client(token)?, repo_id, revision).await
    }

    /// Queues a job that works on dataset `id` and tells the window the dataset changed.
    async fn queue_dataset_job(
        &self,
        kind: &str,
        id: &str,
        params: serde_json::Value,
    ) -> Result<Job> {
        let job = self
            .runner()?
            .enqueue(store::NewJob {
                kind: kind.into(),
                target: Some(id.to_string()),
                params,
            })
            .await?;
        self.sink.emit(EngineEvent::DatasetsChanged {
            dataset_ids: vec![id.to_string()],
        });
        Ok(job)
    }

    /// Registers a new dataset together with the job that makes it (one transaction) and
    /// tells the window.
    async fn queue_new_dataset(
        &self,
        dataset: &store::NewDataset,
        kind: &str,
        params: &impl Serialize,
    ) -> Result<(Dataset, Job)> {
        let queued = self
            .runner()?
            .enqueue_with_dataset(
                dataset,
                store::NewJob {
                    kind: kind.into(),
                    target: Some(dataset.id.clone()),
                    params: Self::job_params(params)?,
                },
            )
            .await?;
        self.sink.emit(EngineEvent::DatasetsChanged {
            dataset_ids: vec![dataset.id.clone()],
        });
        Ok(queued)
    }

    fn job_params(params: &impl Serialize) -> Result<serde_json::Value> {
        serde_json::to_value(params).map_err(|e| Error::Internal(e.to_string()))
    }

    fn runner(&self) -> Result<&JobRunner> {
        self.runner.as_ref().ok_or_else(|| {
            Error::Conflict("this process does not run jobs; start the job from the window or with `mistudio-cli`".into())
        })
    }

    /// The unfinished download of the same repo, config and split, with its job, if any: a
    /// second request attaches to it instead of fetching the same bytes twice.
    pub async fn unfinished_download(
        &self,
        request: &datasets::DownloadRequest,
    ) -> Result<Option<(Dataset, Job)>> {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        for ds in self.store.list_datasets().await? {
            let same = ds.hf_repo_id.as_deref() == Some(request.repo_id.as_str())
                && ds.hf_split == clean(&request.split)
                && (clean(&request.config).is_none() || ds.hf_config == clean(&request.config));
            if !same {
                continue;
            }
            if let Some(job) = self
                .store
                .unfinished_jobs_for_target(&ds.id)
                .await?
                .into_iter()
                .next()
            {
                return Ok(Some((ds, job)));
            }
        }
        Ok(None)
    }

    /// The unfinished import of the same file or folder, if any (a CLI run again after it was
    /// killed follows it instead of importing a second copy).
    pub async fn unfinished_import(&self, path: &std::path::Path) -> Result<Option<Dataset>> {
        let Ok(path) = std::fs::canonicalize(path) else {
            return Ok(None);
        };
        for job in self.store.list_jobs(500).await? {
            if job.kind != datasets::IMPORT_JOB || job.status.is_finished() {
                continue;
            }
            let Ok(params) = serde_json::from_value::<datasets::ImportParams>(job.params) else {
                continue;
            };
            if std::path::Path::new(&params.path) == path {
                return self.store.get_dataset(&params.dataset_id).await.map(Some);
            }
        }
        Ok(None)
    }

    /// Registers the dataset and queues its download; progress arrives as job events.
    pub async fn start_download(&self, request: &datasets::DownloadRequest) -> Result<Dataset> {
        hub::validate_repo_id(&request.repo_id)?;
        // A process that runs no jobs refuses before anything is registered.
        self.runner()?;
        if let Some((ds, _)) = self.unfinished_download(request).await? {
            return Err(Error::Conflict(format!(
                "{} is already being downloaded (dataset {}); wait for it or cancel it first",
                request.repo_id, ds.id
            )));
        }
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let (config, split, revision) = (
            clean(&request.config),
            clean(&request.split),
            clean(&request.revision),
        );
        if let Some(r) = &revision {
            hub::validate_revision(r)?;
        }
        let token = clean(&request.token);
        if request.remember_token {
            let token = token.as_deref().ok_or_else(|| {
                Error::invalid("\"remember the token\" needs a token in the Access Token field")
            })?;
            hub::remember_token(token)?;
        }
        let id = library::new_id("ds");
        let name = match &split {
            Some(split) => format!("{} · {split}", request.repo_id),
            None => request.repo_id.clone(),
        };
        let new_dataset = store::NewDataset {
            id: id.clone(),
            name,
            source: store::DatasetSource::HuggingFace,
            hf_repo_id: Some(request.repo_id.clone()),
            hf_config: config.clone(),
            hf_split: split.clone(),
            status: store::DatasetStatus::Queued,
        };
        // Kept before the job exists, so the job finds it; forgotten if nothing is queued.
        if let Some(token) = token {
            self.tokens.put(&id, token);
        }
        let params = datasets::DownloadParams {
            dataset_id: id.clone(),
            repo_id: request.repo_id.clone(),
            config,
            split,
            revision,
        };
        let (dataset, job) = self
            .queue_new_dataset(&new_dataset, datasets::DOWNLOAD_JOB, &params)
            .await
            .inspect_err(|_| self.tokens.forget(&id))?;
        tracing::info!(dataset = %dataset.id, job = %job.id, repo = %request.repo_id, "download queued");
        Ok(dataset)
    }

    /// Registers a dataset for a local file or folder and queues its import; returns at once.
    /// The files are checked (they exist, some are data) before anything is registered.
    pub async fn start_import(&self, request: &datasets::ImportRequest) -> Result<Dataset> {
        // A process that runs no jobs refuses before anything is registered.
        self.runner()?;
        let raw = request.path.trim();
        if raw.is_empty() {
            return Err(Error::invalid("choose a file or a folder to import"));
        }
        let path = std::path::Path::new(raw);
        if !path.is_absolute() {
            return Err(Error::invalid(format!(
                "\"{raw}\" is not an absolute path; choose the file or folder with the picker"
            )));
        }
        let root = self.data_root().path().to_path_buf();
        let (path, plan) = {
            let path = path.to_path_buf();
            tokio::task::spawn_blocking(move || -> Result<_> {
                let path = std::fs::canonicalize(&path).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        Error::not_found(format!("{} (nothing to import there)", path.display()))
                    } else {
                        Error::io(format!("reading {}", path.display()), e)
                    }
                })?;
                // The data folder is ours: importing from inside it would read what it writes.
                if path.starts_with(std::fs::canonicalize(&root).unwrap_or(root)) {
                    return Err(Error::invalid(format!(
                        "{} is inside the data folder; import files from elsewhere",
                        path.display()
                    )));
                }
                let plan = datasets::plan_import(&path)?;
                Ok((path, plan))
            })
            .await
            .map_err(|e| Error::Internal(format!("checking the files crashed: {e}")))??
        };
        let name = match request
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(n) => datasets::validate_name(n)?,
            None => datasets::default_name(&path),
        };
        let id = library::new_id("ds");
        let new_dataset = store::NewDataset {
            id: id.clone(),
            name,
            source: store::DatasetSource::Local,
            hf_repo_id: None,
            hf_config: None,
            hf_split: None,
            status: store::DatasetStatus::Queued,
        };
        let params = datasets::ImportParams {
            dataset_id: id.clone(),
            path: path.to_string_lossy().into_owned(),
        };
        let (dataset, job) = self
            .queue_new_dataset(&new_dataset, datasets::IMPORT_JOB, &params)
            .await?;
        tracing::info!(dataset = %dataset.id, job = %job.id, files = plan.source_files.len(), "import queued");
        Ok(dataset)
    }

    /// Queues the download or import of a failed or cancelled dataset again; fetched bytes
    /// are reused.
    pub async fn retry_dataset(&self, id: &str) -> Result<Dataset> {
        library::validate_id(id, "ds")?;
        // A process that runs no jobs refuses before anything is registered.
        self.runner()?;
        let dataset = self.store.get_dataset(id).await?;
        if !matches!(
            dataset.status,
            store::DatasetStatus::Error | store::DatasetStatus::Cancelled
        ) {
            return Err(Error::Conflict(
                format!(
                    "dataset {id} is {:?}; only a failed or cancelled download can be retried",
                    dataset.status
                )
                .to_lowercase(),
            ));
        }
        let mut last = None;
        for kind in [datasets::DOWNLOAD_JOB, datasets::IMPORT_JOB] {
            if let Some(job) = self.store.latest_job_for_target(id, kind).await? {
                last = Some(job);
                break;
            }
        }
        let last = last.ok_or_else(|| {
            Error::Conflict(format!("dataset {id} has no download or import to retry"))
        })?;
        let dataset = self
            .store
            .set_dataset_status(id, store::DatasetStatus::Queued, None)
            .await?;
        self.queue_dataset_job(&last.kind, id, last.params).await?;
        Ok(dataset)
    }

    pub async fn machine_status(&self) -> Result<MachineStatus> {
        let data_root = self.data_root();
        let space = {
            let root = data_root.clone();
            tokio::task::spawn_blocking(move || root.disk_space())
                .await
                .ok()
                .flatten()
        };
        Ok(MachineStatus {
            hostname: gethostname::gethostname().to_string_lossy().into_owned(),
            data_root: data_root.path().to_string_lossy().into_owned(),
            free_bytes: space.map(|s| s.0),
            total_bytes: space.map(|s| s.1),
            jobs_running: self.store.count_jobs(JobStatus::Running).await?,
            jobs_queued: self.store.count_jobs(JobStatus::Queued).await?,
            warning: None,
        })
    }

    /// Locks other processes hold in the data folder (another machine sharing it, or another
    /// miStudio process here): the datasets they are busy with.
    pub async fn data_locks(&self) -> Result<Vec<locks::DataLock>> {
        let (locks, root) = (self.locks.clone(), self.data_root());
        tokio::task::spawn_blocking(move || locks.others(&root))
            .await
            .map_err(|e| Error::Internal(format!("listing locks crashed: {e}")))
    }

    /// Interrupts running jobs (they resume on the next start) and closes the database.
    pub async fn shutdown(&self) {
        if let Some(runner) = &self.runner {
            runner.shutdown().await;
        }
        self.heartbeat.abort();
        self.store.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::CollectedEvents;

    fn config(dir: &std::path::Path, run_jobs: bool) -> EngineConfig {
        EngineConfig {
            local_dir: dir.join("local"),
            settings: Settings {
                data_root: dir.join("data").to_string_lossy().into_owned(),
                hub_endpoint: settings::DEFAULT_HUB_ENDPOINT.into(),
                tokenize_threads: None,
            },
            run_jobs,
            hf_cache: Some(dir.join("hf-cache")),
        }
    }

    #[tokio::test]
    async fn an_engine_opens_on_a_fresh_machine() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(config(dir.path(), true), Arc::new(events::NoEvents))
            .await
            .unwrap();
        assert!(engine.list_datasets().await.unwrap().is_empty());
        assert!(dir.path().join("local/mistudio.sqlite").is_file());
        assert!(dir.path().join("data/datasets").is_dir());
        let status = engine.machine_status().await.unwrap();
        assert!(!status.hostname.is_empty());
        assert!(status.free_bytes.is_some());
        assert_eq!(status.jobs_running, 0);
        engine.shutdown().await;
    }

    #[tokio::test]
    async fn only_one_process_runs_jobs_but_readers_can_open_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = Engine::open(config(dir.path(), true), Arc::new(events::NoEvents))
            .await
            .unwrap();
        let second = Engine::open(config(dir.path(), true), Arc::new(events::NoEvents)).await;
        assert_eq!(second.err().map(|e| e.kind()), Some(ErrorKind::Conflict));
        let reader = Engine::open(config(dir.path(), false), Arc::new(events::NoEvents))
            .await
            .unwrap();
        assert!(reader.list_jobs().await.unwrap().is_empty());
        first.shutdown().await;
    }

    #[tokio::test]
    async fn settings_changes_move_the_data_root_and_reject_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let sink = Arc::new(CollectedEvents::default());
        let engine = Engine::open(config(dir.path(), true), sink.clone())
            .await
            .unwrap();
        let moved = dir.path().join("elsewhere");
        let new = Settings {
            data_root: format!("{}/", moved.display()),
            hub_endpoint: "http://127.0.0.1:8080/".into(),
            tokenize_threads: None,
        };
        let applied = engine.update_settings(&new).await.unwrap();
        assert_eq!(applied.data_root, moved.to_string_lossy());
        assert_eq!(applied.hub_endpoint, "http://127.0.0.1:8080");
        assert!(moved.join("datasets").is_dir());
        assert_eq!(
            engine.machine_status().await.unwrap().data_root,
            moved.to_string_lossy()
        );
        assert!(sink
            .take()
            .iter()
            .any(|e| matches!(e, EngineEvent::DatasetsChanged { .. })));

        let file = dir.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let bad = Settings {
            data_root: file.to_string_lossy().into_owned(),
            hub_endpoint: "https://huggingface.co".into(),
            tokenize_threads: None,
        };
        let e = engine.update_settings(&bad).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(
            engine.settings(),
            applied,
            "a rejected change changes nothing"
        );
        engine.shutdown().await;
    }

    #[tokio::test]
    async fn bad_ids_are_invalid_input_not_lookups() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(config(dir.path(), false), Arc::new(events::NoEvents))
            .await
            .unwrap();
        let e = engine.get_dataset("../../etc/passwd").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        let e = engine.get_dataset("ds_missing").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.to_string(), "dataset ds_missing was not found");
    }
}
