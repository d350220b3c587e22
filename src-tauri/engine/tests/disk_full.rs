//! A data folder on a small disk that fills up while a job writes (a tmpfs of a few MB, so
//! the test needs root, as CI has): the job fails with DiskFull naming the problem, nothing
//! half-written is marked ready, what was there before stays usable, and once space is freed
//! the retry finishes with the same bytes an unhindered run writes.

mod common;
use common::{corpus, Lab, TinyFs};
use mistudio_engine::samples::SamplesQuery;
use mistudio_engine::tokenize::{Packing, TokenizeSettings};
use mistudio_engine::ErrorKind;
use mistudio_engine::{DatasetStatus, TokenizationStatus};
use mistudio_hub_emulator::{Faults, RepoFile, RepoSpec};
use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir`, relative path → bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn free_bytes(path: &Path) -> u64 {
    mistudio_engine::datasets::free_bytes(path).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disk_that_fills_during_a_download_fails_cleanly_and_the_retry_matches() {
    let body = corpus(6_000);
    // An unhindered run on a normal disk, for the bytes to compare with.
    let reference = {
        let lab = Lab::new().await;
        lab.hub.add_repo(RepoSpec::dataset(
            "lab/docs",
            vec![RepoFile::new("data/train.jsonl", body.clone())],
        ));
        let ds = lab.download("lab/docs", None, None).await;
        let ds = lab.finish(&ds.id).await;
        assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
        tree(
            &lab.dir
                .path()
                .join("data/datasets")
                .join(&ds.id)
                .join("data"),
        )
    };

    let tiny = TinyFs::mount("24m");
    let lab = Lab::with_data_root(Some(tiny.0.path().join("data"))).await;
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/docs",
        vec![RepoFile::new("data/train.jsonl", body.clone())],
    ));
    // A slow body, so the disk can fill after the space check passed and before the rows land.
    lab.hub.set_faults(
        "lab/docs",
        "data/train.jsonl",
        Faults {
            bytes_per_sec: Some(4_000_000),
            ..Faults::default()
        },
    );
    let ds = lab.download("lab/docs", None, None).await;
    lab.wait(&ds.id, &[DatasetStatus::Downloading]).await;
    // Something else on the machine takes nearly all the space.
    let filler = tiny.0.path().join("filler");
    let leave = 256 * 1024;
    let take = free_bytes(tiny.0.path()).saturating_sub(leave);
    std::fs::write(&filler, vec![7u8; take as usize]).unwrap();

    let failed = lab.finish(&ds.id).await;
    assert_eq!(failed.status, DatasetStatus::Error);
    let err = lab.job_error(&ds.id).await;
    assert_eq!(err.kind, ErrorKind::DiskFull, "{}", err.message);
    assert!(
        failed
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("space")
            || err.message.contains("space"),
        "the error names the problem: {}",
        err.message
    );
    let data_dir = tiny.0.path().join("data/datasets").join(&ds.id);
    assert!(
        !data_dir.join("manifest.json").exists(),
        "a failed dataset has no manifest"
    );
    assert!(
        !data_dir.join("data").exists(),
        "no half-written canonical data stays: {:?}",
        tree(&data_dir).keys().collect::<Vec<_>>()
    );

    std::fs::remove_file(&filler).unwrap();
    lab.engine.retry_dataset(&ds.id).await.unwrap();
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(6_000));
    assert_eq!(
        tree(&data_dir.join("data")),
        reference,
        "the retry wrote other bytes"
    );
    drop(lab);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disk_that_fills_during_a_tokenization_leaves_the_dataset_usable() {
    disk_fills_during(TokenizeSettings::default()).await;
}

/// The shuffle spools every row before writing it out: the disk fills twice as fast, and
/// the spool goes with the partial folder.
#[tokio::test(flavor = "multi_thread")]
async fn a_disk_that_fills_during_a_shuffled_tokenization_leaves_the_dataset_usable() {
    disk_fills_during(TokenizeSettings {
        packing: Some(Packing::saelens(128)),
        shuffle: true,
        seed: Some(3),
        ..TokenizeSettings::default()
    })
    .await;
}

async fn disk_fills_during(settings: TokenizeSettings) {
    // Room for GPT-2's file and its cached fast vocabulary besides the data.
    let tiny = TinyFs::mount("40m");
    let lab = Lab::with_data_root(Some(tiny.0.path().join("data"))).await;
    let ds = common::ready_dataset(&lab, 6_000).await;
    let tk = common::gpt2(&lab).await;
    let before = free_bytes(tiny.0.path());
    // Leave less room than the token ids need.
    let filler = tiny.0.path().join("filler");
    let take = before.saturating_sub(1024 * 1024);
    std::fs::write(&filler, vec![7u8; take as usize]).unwrap();

    let tz = common::tokenize_with(&lab, &ds, &tk.id, settings.clone()).await;
    assert_eq!(tz.status, TokenizationStatus::Error);
    let message = tz.error.clone().unwrap_or_default();
    assert!(
        message.contains("space") || message.contains("full"),
        "{message}"
    );
    // The tokenization is marked failed a moment before the runner closes its job.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while lab.engine.tokenization_job(&tz.id).await.unwrap().is_some() {
        assert!(std::time::Instant::now() < deadline, "the job never ended");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let jobs = lab.engine.list_jobs().await.unwrap();
    let failed = jobs
        .iter()
        .find(|j| j.target.as_deref() == Some(tz.id.as_str()))
        .unwrap();
    assert_eq!(failed.error.as_ref().unwrap().kind, ErrorKind::DiskFull);
    let out = tiny
        .0
        .path()
        .join("data/datasets")
        .join(&ds)
        .join("tokenized")
        .join(&tz.id);
    assert!(!out.exists(), "no tokenization folder for a failed pass");
    assert!(
        !out.with_extension("partial").exists(),
        "the partial folder is gone"
    );
    assert!(
        !tiny
            .0
            .path()
            .join("data/locks")
            .join(format!("{ds}.lock"))
            .exists(),
        "the lock is released"
    );

    // The tokenizer's cached fast vocabulary did not fit either: no half-written file of it.
    let tokenizer_dir = tiny.0.path().join("data/tokenizers").join(&tk.id);
    for entry in std::fs::read_dir(&tokenizer_dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp-"), "a temp file stays: {name}");
    }

    // The dataset itself is untouched and readable.
    let dataset = lab.engine.get_dataset(&ds).await.unwrap();
    assert_eq!(dataset.status, DatasetStatus::Ready);
    let page = lab
        .engine
        .samples(&SamplesQuery {
            dataset_id: ds.clone(),
            offset: 5_999,
            limit: 1,
            ..SamplesQuery::default()
        })
        .await
        .unwrap();
    assert!(page.samples[0].fields["text"]
        .as_str()
        .unwrap()
        .starts_with("Document 5999:"));

    // Space freed: the same request runs to the end.
    std::fs::remove_file(&filler).unwrap();
    let again = common::tokenize_with(&lab, &ds, &tk.id, settings).await;
    assert_eq!(again.status, TokenizationStatus::Ready, "{:?}", again.error);
    drop(lab);
}

/// Bytes in use on the file system holding `path`.
fn used_bytes(path: &Path) -> u64 {
    fs4::total_space(path).unwrap() - fs4::available_space(path).unwrap()
}

#[tokio::test]
async fn without_kept_hub_files_the_disk_never_holds_two_copies() {
    use mistudio_engine::datasets::DownloadRequest;
    use mistudio_hub_emulator::ShardedRepo;
    let tiny = TinyFs::mount("48m");
    let lab = Lab::with_roots(
        Some(tiny.0.path().join("data")),
        Some(tiny.0.path().join("hf")),
    )
    .await;
    let spec = ShardedRepo::new(1, 12, 500).build("lab/web", |r| ShardedRepo::filler_text(r, 90));
    let shards: Vec<(String, u64)> = spec
        .files
        .iter()
        .filter(|f| f.path.ends_with(".parquet"))
        .map(|f| (f.path.clone(), f.bytes.len() as u64))
        .collect();
    lab.hub.add_repo(spec);
    for (path, _) in &shards {
        lab.hub.set_faults(
            "lab/web",
            path,
            Faults {
                bytes_per_sec: Some(8_000_000),
                ..Faults::default()
            },
        );
    }
    let raw: u64 = shards.iter().map(|(_, n)| n).sum();
    let largest = shards.iter().map(|(_, n)| *n).max().unwrap();

    let disk = tiny.0.path().to_path_buf();
    let baseline = used_bytes(&disk);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let (disk, stop) = (disk.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut peak = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                peak = peak.max(used_bytes(&disk));
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            peak
        })
    };
    let ds = lab
        .engine
        .start_download(&DownloadRequest {
            repo_id: "lab/web".into(),
            keep_hub_files: Some(false),
            ..Default::default()
        })
        .await
        .unwrap();
    let ds = lab.finish(&ds.id).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let peak = sampler.join().unwrap() - baseline;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(6000));
    let data = ds.size_bytes.unwrap() as u64;
    let blobs = tiny.0.path().join("hf/datasets--lab--web/blobs");
    let left: Vec<_> = std::fs::read_dir(&blobs)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    eprintln!(
        "peak {peak} bytes on the disk: converted data {data}, largest raw file {largest}, all raw files {raw}"
    );
    // One raw file beside the converted data (and a little for folders, the database of the
    // manifest and file system rounding), never the raw files and the data together.
    assert!(
        peak < data + raw,
        "peak {peak} held two copies ({data} + {raw})"
    );
    assert!(
        peak <= data + largest + 1_000_000,
        "peak {peak} is more than the data ({data}) and one file ({largest})"
    );
}
