//! What the engine's integration tests share: an engine on a temp folder, wired to a loopback
//! Hub emulator.
#![allow(dead_code)] // each test file uses its own part

use mistudio_engine::datasets::DownloadRequest;
use mistudio_engine::events::CollectedEvents;
use mistudio_engine::{Dataset, Engine, EngineConfig, Settings};
use mistudio_engine::{DatasetStatus, JobKind};
use mistudio_hub_emulator::{EmulatorConfig, HubEmulator, RepoFile, RepoSpec};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn jsonl(rows: usize, width: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..rows {
        let text = format!("story {i} ").repeat(width);
        out.extend_from_slice(format!("{{\"id\": {i}, \"text\": \"{text}\"}}\n").as_bytes());
    }
    out
}

pub struct Lab {
    pub dir: tempfile::TempDir,
    pub hub: HubEmulator,
    pub engine: Engine,
    pub events: Arc<CollectedEvents>,
}

impl Lab {
    pub async fn new() -> Lab {
        Lab::with_data_root(None).await
    }

    pub async fn with_data_root(data_root: Option<PathBuf>) -> Lab {
        Lab::with_roots(data_root, None).await
    }

    /// A lab whose data folder and HF cache lie where given (default: in the lab's folder).
    pub async fn with_roots(data_root: Option<PathBuf>, hf_cache: Option<PathBuf>) -> Lab {
        let dir = tempfile::tempdir().unwrap();
        let hub = HubEmulator::start(EmulatorConfig::default()).await.unwrap();
        let events = Arc::new(CollectedEvents::default());
        let engine = Engine::open(
            EngineConfig {
                local_dir: dir.path().join("local"),
                settings: Settings {
                    data_root: data_root
                        .unwrap_or_else(|| dir.path().join("data"))
                        .to_string_lossy()
                        .into_owned(),
                    hub_endpoint: hub.endpoint(),
                    tokenize_threads: None,
                    keep_hub_files: true,
                },
                run_jobs: true,
                hf_cache: Some(hf_cache.unwrap_or_else(|| dir.path().join("hf-cache"))),
            },
            events.clone(),
        )
        .await
        .unwrap();
        Lab {
            dir,
            hub,
            engine,
            events,
        }
    }

    pub fn cache(&self) -> PathBuf {
        self.dir.path().join("hf-cache")
    }

    pub async fn download(&self, repo: &str, split: Option<&str>, token: Option<&str>) -> Dataset {
        self.engine
            .start_download(&DownloadRequest {
                repo_id: repo.into(),
                split: split.map(str::to_string),
                token: token.map(str::to_string),
                ..Default::default()
            })
            .await
            .unwrap()
    }

    pub async fn wait(&self, id: &str, until: &[DatasetStatus]) -> Dataset {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ds = self.engine.get_dataset(id).await.unwrap();
            if until.contains(&ds.status) {
                return ds;
            }
            assert!(
                Instant::now() < deadline,
                "dataset stuck in {:?}",
                ds.status
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn finish(&self, id: &str) -> Dataset {
        self.wait(
            id,
            &[
                DatasetStatus::Ready,
                DatasetStatus::Error,
                DatasetStatus::Cancelled,
            ],
        )
        .await
    }

    pub async fn job_error(&self, id: &str) -> mistudio_engine::AppError {
        let job = self
            .engine
            .store()
            .latest_job_for_target(id, JobKind::DatasetDownload)
            .await
            .unwrap()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut job = job;
        while !job.status.is_finished() {
            assert!(Instant::now() < deadline);
            tokio::time::sleep(Duration::from_millis(20)).await;
            job = self.engine.store().get_job(&job.id).await.unwrap();
        }
        job.error.expect("the job failed with an error")
    }
}

pub fn gpt2_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/gpt2-tokenizer.json")
}

pub fn corpus(rows: usize) -> Vec<u8> {
    (0..rows)
        .map(|i| {
            serde_json::json!({ "text": format!("Document {i}: {}", "a sentence about sparse features. ".repeat(1 + i % 40)) })
                .to_string()
                + "\n"
        })
        .collect::<String>()
        .into_bytes()
}

pub async fn ready_dataset(lab: &Lab, rows: usize) -> String {
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/docs",
        vec![RepoFile::new("data/train.jsonl", corpus(rows))],
    ));
    let ds = lab.download("lab/docs", None, None).await;
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    ds.id
}

/// The shared GPT-2 `tokenizer.json` in the lab's library (added once, then reused).
pub async fn gpt2(lab: &Lab) -> mistudio_engine::Tokenizer {
    lab.engine
        .resolve_tokenizer(gpt2_path().to_str().unwrap(), None)
        .await
        .unwrap()
}

/// Tokenizes a dataset with the default settings and waits until the job ends.
pub async fn tokenize_default(
    lab: &Lab,
    dataset_id: &str,
    tokenizer_id: &str,
) -> mistudio_engine::Tokenization {
    tokenize_with(
        lab,
        dataset_id,
        tokenizer_id,
        mistudio_engine::tokenize::TokenizeSettings::default(),
    )
    .await
}

pub async fn tokenize_with(
    lab: &Lab,
    dataset_id: &str,
    tokenizer_id: &str,
    settings: mistudio_engine::tokenize::TokenizeSettings,
) -> mistudio_engine::Tokenization {
    let tz = lab
        .engine
        .start_tokenization(&mistudio_engine::TokenizeRequest {
            dataset_id: dataset_id.to_string(),
            tokenizer_id: tokenizer_id.to_string(),
            settings,
            replace: false,
        })
        .await
        .unwrap();
    wait_tokenization(lab, &tz.id).await
}

pub async fn wait_tokenization(lab: &Lab, id: &str) -> mistudio_engine::Tokenization {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let tz = lab.engine.get_tokenization(id).await.unwrap();
        if !tz.status.is_active() {
            return tz;
        }
        assert!(
            Instant::now() < deadline,
            "tokenization stuck in {:?}",
            tz.status
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A tmpfs of a given size mounted on a temp folder (needs root, as CI has): a disk that fills.
pub struct TinyFs(pub tempfile::TempDir);

impl TinyFs {
    pub fn mount(size: &str) -> TinyFs {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("running mount");
        assert!(
            status.success(),
            "mounting a tmpfs failed: this test needs root (CI runs as root)"
        );
        TinyFs(dir)
    }
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}
