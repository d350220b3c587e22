//! Downloads through the engine's real code path against the loopback Hub emulator: success,
//! every failure mode, resume, cancel, verification, the disk check and token hygiene.

use mistudio_engine::datasets::DownloadRequest;
use mistudio_engine::ErrorKind;
use mistudio_engine::{DatasetStatus, JobKind};
use mistudio_hub_emulator::{Faults, HostKind, RepoFile, RepoSpec};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::{jsonl, Lab};

const SECRET: &str = "hf_TestSecretToken1234567890";

fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(all_files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test]
async fn a_dataset_downloads_verified_into_the_hf_cache_and_becomes_ready() {
    let lab = Lab::new().await;
    let train = jsonl(500, 8);
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/stories",
        vec![
            RepoFile::new(
                "README.md",
                "---\nlicense: mit\n---\n\n# Stories\n\nShort generated stories for tests.\n",
            ),
            RepoFile::new("data/train.jsonl", train.clone()),
            RepoFile::new("data/test.jsonl", jsonl(50, 8)),
        ],
    ));
    let ds = lab.download("lab/stories", None, None).await;
    assert_eq!(ds.status, DatasetStatus::Queued);
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(550));
    let names: Vec<_> = ds
        .splits
        .iter()
        .map(|s| (s.name.as_str(), s.num_rows))
        .collect();
    assert_eq!(names, [("train", 500), ("test", 50)]);
    assert_eq!(ds.text_column.as_deref(), Some("text"));
    assert_eq!(
        ds.description.as_deref(),
        Some("Short generated stories for tests.")
    );
    assert_eq!(ds.hf_config.as_deref(), Some("default"));
    assert!(ds.size_bytes.unwrap() > 0);

    // The HF cache layout Python uses: blobs by sha256, snapshot links, a ref for main.
    let repo = lab.cache().join("datasets--lab--stories");
    let commit = std::fs::read_to_string(repo.join("refs/main")).unwrap();
    let snap = repo
        .join("snapshots")
        .join(commit.trim())
        .join("data/train.jsonl");
    assert_eq!(std::fs::read(&snap).unwrap(), train);
    assert!(all_files(&repo.join("blobs"))
        .iter()
        .all(|p| !p.to_string_lossy().ends_with(".incomplete")));
    let manifest = lab
        .dir
        .path()
        .join("data/datasets")
        .join(&ds.id)
        .join("manifest.json");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(manifest).unwrap()).unwrap();
    assert_eq!(manifest["dataset"]["status"], "ready");
}

#[tokio::test]
async fn transient_failures_are_retried_until_the_file_arrives_whole() {
    let lab = Lab::new().await;
    let body = jsonl(3000, 4);
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/flaky",
        vec![RepoFile::new("train.jsonl", body.clone())],
    ));
    lab.hub.set_faults(
        "lab/flaky",
        "train.jsonl",
        Faults {
            rate_limit_first: 1,
            retry_after_secs: 1,
            fail_first_5xx: 2,
            reset_after_bytes: Some(20_000),
            reset_times: 2,
            ..Faults::default()
        },
    );
    let ds = lab.download("lab/flaky", None, None).await;
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(3000));
    let blob_gets: Vec<_> = lab
        .hub
        .requests()
        .into_iter()
        .filter(|r| r.host == HostKind::Blob && r.method == "GET")
        .collect();
    // 1 × 429, 2 × 5xx, 2 resets, then the rest: resumed with Range after each reset.
    assert_eq!(blob_gets.len(), 6, "{blob_gets:?}");
    assert_eq!(blob_gets[4].range.as_deref(), Some("bytes=20000-"));
    assert_eq!(blob_gets[5].range.as_deref(), Some("bytes=40000-"));
    // Bodies of 200/206 answers only: error pages are never written.
    let fetched: u64 = blob_gets
        .iter()
        .filter(|r| r.status == 200 || r.status == 206)
        .map(|r| r.body_bytes)
        .sum();
    assert_eq!(
        fetched,
        body.len() as u64,
        "no byte fetched twice: {blob_gets:?}"
    );
}

#[tokio::test]
async fn corrupt_bytes_are_caught_by_sha256_and_never_kept() {
    let lab = Lab::new().await;
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/corrupt",
        vec![RepoFile::new("train.jsonl", jsonl(300, 4))],
    ));
    lab.hub.set_faults(
        "lab/corrupt",
        "train.jsonl",
        Faults {
            wrong_bytes: true,
            ..Faults::default()
        },
    );
    let ds = lab.download("lab/corrupt", None, None).await;
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Error);
    let err = lab.job_error(&ds.id).await;
    assert_eq!(err.kind, ErrorKind::Corrupt);
    assert!(
        err.message.contains("arrived damaged") && err.message.contains("sha256"),
        "{}",
        err.message
    );
    let left: Vec<_> = all_files(&lab.cache())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("/blobs/"))
        .collect();
    assert!(
        left.iter()
            .all(|p| std::fs::metadata(p).unwrap().len() == 0),
        "{left:?}"
    );
}

#[tokio::test]
async fn missing_repos_revisions_and_splits_name_the_problem() {
    let lab = Lab::new().await;
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/real",
        vec![RepoFile::new("train.jsonl", jsonl(10, 1))],
    ));

    let e = lab
        .engine
        .inspect_dataset_repo("lab/nope", None, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains("lab/nope"), "{e}");

    let e = lab
        .engine
        .inspect_dataset_repo("lab/real", None, Some("v9"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains("revision \"v9\""), "{e}");

    let e = lab
        .engine
        .inspect_dataset_repo("not a repo", None, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);

    let ds = lab.download("lab/real", Some("validation"), None).await;
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Error);
    assert!(ds.error.unwrap().contains("no split \"validation\""));
}

#[tokio::test]
async fn gated_repos_need_a_granted_token_which_never_leaks() {
    let lab = Lab::new().await;
    lab.hub.add_repo(
        RepoSpec::dataset(
            "lab/gated",
            vec![RepoFile::new("train.jsonl", jsonl(100, 2))],
        )
        .gated(),
    );

    let e = lab
        .engine
        .inspect_dataset_repo("lab/gated", None, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Gated);
    assert!(e.to_string().contains("accept its conditions"), "{e}");
    let e = lab
        .engine
        .inspect_dataset_repo("lab/gated", Some(SECRET), None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Gated);
    assert!(e.to_string().contains("has no access"), "{e}");
    assert!(
        !e.to_string().contains(SECRET) && !format!("{e:?}").contains(SECRET),
        "the refusal does not repeat the token"
    );

    lab.hub.grant(SECRET, "lab/gated");
    let inspection = lab
        .engine
        .inspect_dataset_repo("lab/gated", Some(SECRET), None)
        .await
        .unwrap();
    assert!(inspection.gated);
    lab.hub.clear_requests();
    let ds = lab.download("lab/gated", None, Some(SECRET)).await;
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);

    let requests = lab.hub.requests();
    assert!(requests
        .iter()
        .any(|r| r.host == HostKind::Api && r.authorization));
    assert!(
        requests
            .iter()
            .filter(|r| r.host == HostKind::Blob)
            .all(|r| !r.authorization),
        "the token went to the blob host"
    );
    // Nowhere on disk or in events.
    for file in all_files(lab.dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "token found in {}",
            file.display()
        );
    }
    let events = format!("{:?}", lab.events.snapshot());
    assert!(!events.contains(SECRET));
}

#[tokio::test]
async fn cancel_stops_a_download_within_a_second_and_retry_resumes_it() {
    let lab = Lab::new().await;
    let body = jsonl(40_000, 4); // a few MB
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/slow",
        vec![RepoFile::new("train.jsonl", body.clone())],
    ));
    lab.hub.set_faults(
        "lab/slow",
        "train.jsonl",
        Faults {
            bytes_per_sec: Some(400_000),
            ..Faults::default()
        },
    );
    let ds = lab.download("lab/slow", None, None).await;
    lab.wait(&ds.id, &[DatasetStatus::Downloading]).await;
    let store = lab.engine.store();
    let job = loop {
        let job = store
            .latest_job_for_target(&ds.id, JobKind::DatasetDownload)
            .await
            .unwrap()
            .unwrap();
        if matches!(job.progress, Some(mistudio_engine::Progress::Bytes { done, .. }) if done > 200_000)
        {
            break job;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let started = Instant::now();
    let cancelled = lab.engine.cancel_job(&job.id).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "cancel took {:?}",
        started.elapsed()
    );
    assert_eq!(cancelled.status, mistudio_engine::JobStatus::Cancelled);
    assert_eq!(
        lab.engine.get_dataset(&ds.id).await.unwrap().status,
        DatasetStatus::Cancelled
    );
    let partial: u64 = all_files(&lab.cache())
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".incomplete"))
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert!(partial > 200_000, "partial bytes kept: {partial}");

    lab.hub
        .set_faults("lab/slow", "train.jsonl", Faults::default());
    lab.hub.clear_requests();
    lab.engine.retry_dataset(&ds.id).await.unwrap();
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    let blob_gets: Vec<_> = lab
        .hub
        .requests()
        .into_iter()
        .filter(|r| r.host == HostKind::Blob)
        .collect();
    assert_eq!(blob_gets.len(), 1);
    assert!(blob_gets[0].range.as_deref().unwrap().starts_with("bytes="));
    assert!(blob_gets[0].body_bytes <= body.len() as u64 - partial + 1);
}

/// A small tmpfs; unmounted when dropped. Needs root, as CI has.
#[tokio::test]
async fn a_data_root_on_a_tiny_disk_fails_before_any_byte_is_fetched() {
    let tiny = common::TinyFs::mount("1m");
    let lab = Lab::with_data_root(Some(tiny.0.path().join("data"))).await;
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/big",
        vec![RepoFile::new("train.jsonl", jsonl(20_000, 4))],
    ));
    let ds = lab.download("lab/big", None, None).await;
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Error);
    let err = lab.job_error(&ds.id).await;
    assert_eq!(err.kind, ErrorKind::DiskFull);
    assert!(
        err.message.contains("needs") && err.message.contains("free"),
        "{}",
        err.message
    );
    assert!(
        lab.hub.requests().iter().all(|r| r.host == HostKind::Api),
        "a blob was requested"
    );
    assert!(all_files(&lab.cache())
        .iter()
        .all(|p| !p.to_string_lossy().contains("/blobs/")));
    assert!(
        all_files(&tiny.0.path().join("data/datasets")).is_empty(),
        "files left on the tiny disk"
    );
    drop(lab);
}

fn parquet_bytes(texts: &[&str]) -> Vec<u8> {
    use arrow::array::{ArrayRef, StringArray};
    use arrow::record_batch::RecordBatch;
    let batch = RecordBatch::try_from_iter([(
        "text",
        Arc::new(StringArray::from(texts.to_vec())) as ArrayRef,
    )])
    .unwrap();
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    out
}

#[tokio::test]
async fn card_configs_choose_the_files_of_a_config_and_split() {
    let lab = Lab::new().await;
    let card = "---\nconfigs:\n- config_name: en\n  default: true\n  data_files:\n  - split: train\n    path: en/train-*.jsonl\n  - split: test\n    path: en/test.jsonl\n- config_name: fr\n  data_files: fr/*.jsonl\n---\n# Multi\n\nTwo languages.\n";
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/multi",
        vec![
            RepoFile::new("README.md", card),
            RepoFile::new("en/train-0.jsonl", jsonl(30, 1)),
            RepoFile::new("en/train-1.jsonl", jsonl(20, 1)),
            RepoFile::new("en/test.jsonl", jsonl(7, 1)),
            RepoFile::new("fr/all.jsonl", jsonl(11, 1)),
        ],
    ));
    let inspection = lab
        .engine
        .inspect_dataset_repo("lab/multi", None, None)
        .await
        .unwrap();
    assert_eq!(
        inspection.source,
        mistudio_engine::hub::inspect::FilesSource::Card
    );
    let names: Vec<_> = inspection
        .configs
        .iter()
        .map(|c| (c.name.as_str(), c.default))
        .collect();
    assert_eq!(names, [("en", true), ("fr", false)]);
    assert_eq!(inspection.configs[0].splits[0].files.len(), 2);

    let ds = lab
        .engine
        .start_download(&DownloadRequest {
            repo_id: "lab/multi".into(),
            config: Some("en".into()),
            split: Some("test".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(7));
    assert_eq!(ds.name, "lab/multi · test");
    let blob_gets = lab
        .hub
        .requests()
        .into_iter()
        .filter(|r| r.host == HostKind::Blob)
        .count();
    assert_eq!(blob_gets, 1, "only the chosen split's file is fetched");
}

#[tokio::test]
async fn a_script_only_repo_is_read_from_the_parquet_branch() {
    let lab = Lab::new().await;
    lab.hub.add_repo(
        RepoSpec::dataset(
            "lab/scripted",
            vec![RepoFile::new("scripted.py", "# a loading script")],
        )
        .with_branch(
            "refs/convert/parquet",
            vec![
                RepoFile::new(
                    "default/train/0000.parquet",
                    parquet_bytes(&["a", "b", "c"]),
                ),
                RepoFile::new(
                    "default/partial-validation/0000.parquet",
                    parquet_bytes(&["v"]),
                ),
            ],
        ),
    );
    let inspection = lab
        .engine
        .inspect_dataset_repo("lab/scripted", None, None)
        .await
        .unwrap();
    assert_eq!(
        inspection.source,
        mistudio_engine::hub::inspect::FilesSource::ParquetBranch
    );
    let splits: Vec<_> = inspection.configs[0]
        .splits
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(splits, ["train", "validation"]);

    let ds = lab.download("lab/scripted", None, None).await;
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(4));
    assert_eq!(ds.format.as_deref(), Some("parquet"));

    lab.hub.add_repo(RepoSpec::dataset(
        "lab/empty",
        vec![RepoFile::new("scripted.py", "# no data")],
    ));
    let e = lab
        .engine
        .inspect_dataset_repo("lab/empty", None, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("no data files"), "{e}");
}

#[tokio::test]
async fn private_repos_need_a_token_that_can_read_them() {
    let lab = Lab::new().await;
    lab.hub.add_repo(
        RepoSpec::dataset(
            "lab/private",
            vec![RepoFile::new("train.jsonl", jsonl(5, 1))],
        )
        .private(),
    );
    let e = lab
        .engine
        .inspect_dataset_repo("lab/private", None, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains("or it is private"), "{e}");
    lab.hub.grant(SECRET, "lab/private");
    let ds = lab.download("lab/private", None, Some(SECRET)).await;
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(5));
}

/// A link throttled to a trickle (16 KB/s, far below anything a timeout would call dead):
/// the download keeps going, reports a rate near the link's, and arrives whole.
#[tokio::test(flavor = "multi_thread")]
async fn a_trickle_still_arrives_whole_with_its_rate_reported() {
    let lab = Lab::new().await;
    let body = jsonl(600, 2); // about 40 KB: a few seconds at 16 KB/s
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/trickle",
        vec![RepoFile::new("train.jsonl", body.clone())],
    ));
    lab.hub.set_faults(
        "lab/trickle",
        "train.jsonl",
        Faults {
            bytes_per_sec: Some(16_000),
            ..Faults::default()
        },
    );
    let ds = lab.download("lab/trickle", None, None).await;
    let started = std::time::Instant::now();
    let mut rates = Vec::new();
    loop {
        let job = lab
            .engine
            .store()
            .latest_job_for_target(&ds.id, JobKind::DatasetDownload)
            .await
            .unwrap()
            .unwrap();
        if let Some(mistudio_engine::Progress::Bytes {
            bytes_per_sec: Some(rate),
            ..
        }) = job.progress
        {
            rates.push(rate);
        }
        if job.status.is_finished() {
            break;
        }
        assert!(started.elapsed().as_secs() < 60, "the trickle stalled");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(600));
    assert!(
        started.elapsed().as_millis() as u64 >= body.len() as u64 * 1000 / 16_000 / 2,
        "the throttle was in force"
    );
    let last = *rates.last().expect("a rate was reported while it trickled");
    assert!(
        (4_000..=64_000).contains(&last),
        "the reported rate {last} B/s is near the link's 16,000 B/s ({rates:?})"
    );
}

/// The moment a card turns Ready, Delete works: the dataset is ready a moment before its job
/// is closed, and a delete in between waits for the close instead of refusing.
#[tokio::test(flavor = "multi_thread")]
async fn a_dataset_can_be_deleted_the_moment_it_is_ready() {
    let lab = Lab::new().await;
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/quick",
        vec![RepoFile::new("train.jsonl", jsonl(50, 2))],
    ));
    for _ in 0..3 {
        let ds = lab.download("lab/quick", None, None).await;
        let ready = loop {
            let seen = lab.engine.get_dataset(&ds.id).await.unwrap();
            if seen.status == DatasetStatus::Ready || seen.status == DatasetStatus::Error {
                break seen;
            }
            tokio::task::yield_now().await;
        };
        assert_eq!(ready.status, DatasetStatus::Ready, "{:?}", ready.error);
        let report = lab
            .engine
            .delete_datasets(std::slice::from_ref(&ds.id), true)
            .await
            .unwrap();
        assert_eq!(report.deleted, vec![ds.id.clone()]);
    }
}
