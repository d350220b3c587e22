//! miStudio Datasets engine: everything the app does, with no dependency on Tauri.
//! The window shell and the CLI are two front doors to [`Engine`], whose operations live in
//! `api/` by capability. The modules below it are the engine's own: the database (`store`),
//! the job runner (`jobs`), the data folder's locks (`locks`) and the format readers
//! (`ingest`) are not public; only the types the facade returns are re-exported here.

mod api;
pub mod browse;
pub mod datasets;
pub mod datatrove;
mod deleting;
pub mod error;
pub mod events;
pub mod hub;
mod ingest;
mod jobs;
mod library;
mod locks;
pub mod paths;
pub mod rescan;
pub mod samples;
pub mod settings;
mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod time;
pub mod tokenize;
pub mod watch;

pub use api::{DatatroveAdoptRequest, DatatroveExportRequest, MachineStatus, TokenizeRequest};
pub use deleting::DeleteReport;
pub use error::{AppError, Error, ErrorKind, Result};
pub use events::{EngineEvent, EventSink};
pub use locks::DataLock;
pub use settings::Settings;
pub use store::{
    ColumnInfo, Dataset, DatasetSource, DatasetStatus, DatasetSubset, Job, JobKind, JobStatus,
    Progress, SplitInfo, SubsetSplit, Tokenization, TokenizationStatus, Tokenizer,
};
pub use time::now_ms;

use jobs::JobRunner;
use library::DataRoot;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use store::Store;

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

    fn data_root(&self) -> DataRoot {
        self.state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone()
    }

    fn hub_client(&self, token: Option<&str>) -> Result<hub::HubClient> {
        hub::HubClient::new(&self.settings().hub_endpoint, hub::resolve_token(token))
    }

    fn runner(&self) -> Result<&JobRunner> {
        self.runner.as_ref().ok_or_else(|| {
            Error::Conflict("this process does not run jobs; start the job from the window or with `mistudio-cli`".into())
        })
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
                keep_hub_files: true,
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
            keep_hub_files: true,
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
            keep_hub_files: true,
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
