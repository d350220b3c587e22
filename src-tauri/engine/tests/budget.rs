//! Big datasets on a small disk, through the real download path against the emulator's
//! FineWeb-shaped repo: the dry run, `--include`/`--exclude`, row budgets that fetch only the
//! shards and row groups they need, reuse by a later download, `--no-keep-hub-files`.

use arrow::array::AsArray;
use mistudio_engine::datasets::{DownloadPlan, DownloadRequest};
use mistudio_engine::{Dataset, DatasetStatus, ErrorKind};
use mistudio_hub_emulator::{Faults, HostKind, LoggedRequest, RepoSpec, ShardedRepo};
use sha2::Digest;
use std::path::Path;

mod common;
use common::Lab;

const REPO: &str = "lab/web";

/// 2 dumps × 5 shards × 200 rows, row groups of 50: 2,000 rows in 10 files.
fn web() -> (ShardedRepo, RepoSpec) {
    let shape = ShardedRepo::new(2, 5, 200).rows_per_group(50);
    let spec = shape.build(REPO, web_text);
    (shape, spec)
}

fn web_text(row: u64) -> String {
    ShardedRepo::filler_text(row, 90)
}

fn request(rows: Option<&str>) -> DownloadRequest {
    DownloadRequest {
        repo_id: REPO.into(),
        rows: rows.map(str::to_string),
        ..Default::default()
    }
}

/// The blob requests per shard path: (range header) — footers, whole files and prefixes.
fn blob_requests(lab: &Lab, spec: &RepoSpec) -> Vec<(String, Option<String>)> {
    let by_sha: Vec<(String, String)> = spec
        .files
        .iter()
        .map(|f| (hex(&f.bytes), f.path.clone()))
        .collect();
    lab.hub
        .requests()
        .into_iter()
        .filter(|r: &LoggedRequest| r.host == HostKind::Blob && r.method == "GET")
        .map(|r| {
            let path = by_sha
                .iter()
                .find(|(sha, _)| r.path.contains(sha.as_str()))
                .map(|(_, p)| p.clone())
                .unwrap_or(r.path.clone());
            (path, r.range)
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A footer read: a bounded range that ends at the file's last byte.
fn is_footer_read(range: &Option<String>, size: usize) -> bool {
    range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(a, b)| {
            b == (size - 1).to_string() && a.parse::<usize>().is_ok_and(|a| a > 0)
        })
}

fn size_of(spec: &RepoSpec, path: &str) -> usize {
    spec.files
        .iter()
        .find(|f| f.path == path)
        .unwrap()
        .bytes
        .len()
}

/// The data fetched (not footers), per shard path.
fn data_fetches(lab: &Lab, spec: &RepoSpec) -> Vec<(String, Option<String>)> {
    blob_requests(lab, spec)
        .into_iter()
        .filter(|(p, r)| !is_footer_read(r, size_of(spec, p)))
        .collect()
}

fn ids(lab: &Lab, ds: &Dataset) -> Vec<String> {
    let dir = lab
        .dir
        .path()
        .join("data/datasets")
        .join(&ds.id)
        .join("data/train");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let reader =
            arrow::ipc::reader::FileReader::try_new(std::fs::File::open(f).unwrap(), None).unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let col = batch.column_by_name("id").unwrap().as_string::<i32>();
            out.extend(col.iter().map(|v| v.unwrap().to_string()));
        }
    }
    out
}

fn expected_ids(rows: std::ops::Range<u64>) -> Vec<String> {
    rows.map(ShardedRepo::row_id).collect()
}

fn blobs(lab: &Lab) -> Vec<std::path::PathBuf> {
    let dir = lab.cache().join("datasets--lab--web").join("blobs");
    match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => vec![],
    }
}

async fn ready(lab: &Lab, request: &DownloadRequest) -> Dataset {
    let ds = lab.engine.start_download(request).await.unwrap();
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    ds
}

#[tokio::test]
async fn the_dry_run_reports_files_bytes_and_rows_and_leaves_no_trace() {
    let lab = Lab::new().await;
    let (shape, spec) = web();
    let total_bytes: u64 = spec
        .files
        .iter()
        .filter(|f| f.path.ends_with(".parquet"))
        .map(|f| f.bytes.len() as u64)
        .sum();
    lab.hub.add_repo(spec.clone());

    let plan: DownloadPlan = lab.engine.plan_download(&request(None)).await.unwrap();
    assert_eq!(plan.num_files, 10);
    assert_eq!(plan.total_bytes, total_bytes);
    assert_eq!(plan.num_rows, Some(shape.total_rows()));
    assert_eq!(plan.download_bytes, total_bytes);
    assert!(plan.needed_bytes >= plan.download_bytes + plan.conversion_bytes);
    assert!(plan.free_bytes.is_some_and(|f| f > 0));
    assert!(!plan.subset);
    // Only footers were read: one bounded tail read per shard, no data.
    let reads = blob_requests(&lab, &spec);
    assert_eq!(reads.len(), 10, "{reads:?}");
    assert!(data_fetches(&lab, &spec).is_empty(), "{reads:?}");
    assert!(lab.engine.list_datasets().await.unwrap().is_empty());
    assert!(blobs(&lab).is_empty());

    // A second dry run is answered from the footer cache.
    lab.hub.clear_requests();
    let again = lab
        .engine
        .plan_download(&request(Some("10%")))
        .await
        .unwrap();
    assert_eq!(again.num_rows, Some(200));
    assert_eq!(again.num_files, 1);
    assert!(again.subset);
    assert!(blob_requests(&lab, &spec).is_empty());

    // One dump by its config, rows from the card's dataset_info: no footer at all.
    let lab = Lab::new().await;
    let shape = ShardedRepo::new(2, 5, 200)
        .rows_per_group(50)
        .with_dataset_info();
    let spec = shape.build(REPO, |r| format!("document {r}"));
    lab.hub.add_repo(spec.clone());
    let plan = lab
        .engine
        .plan_download(&DownloadRequest {
            config: Some(shape.dumps[1].clone()),
            ..request(None)
        })
        .await
        .unwrap();
    assert_eq!(plan.num_files, 5);
    assert_eq!(plan.num_rows, Some(1000));
    assert!(blob_requests(&lab, &spec).is_empty());
}

#[tokio::test]
async fn include_and_exclude_pick_exactly_the_matching_files() {
    let lab = Lab::new().await;
    let (shape, spec) = web();
    lab.hub.add_repo(spec.clone());
    let req = DownloadRequest {
        include: vec![format!("data/{}/", shape.dumps[1])],
        exclude: vec!["*/001_*".into(), "*003_00000.parquet".into()],
        ..request(None)
    };
    let plan = lab.engine.plan_download(&req).await.unwrap();
    let planned: Vec<&str> = plan.splits[0]
        .files
        .iter()
        .map(|f| f.file.path.as_str())
        .collect();
    let want: Vec<String> = [0, 2, 4].iter().map(|&s| shape.shard_path(1, s)).collect();
    assert_eq!(planned, want);

    lab.hub.clear_requests();
    let ds = ready(&lab, &req).await;
    assert_eq!(ds.num_samples, Some(600));
    let fetched: Vec<String> = data_fetches(&lab, &spec)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    let mut sorted = fetched.clone();
    sorted.sort();
    assert_eq!(sorted, want);
    let subset = ds.subset.expect("a filtered download is a subset");
    assert_eq!(subset.splits[0].files, want);
    assert_eq!(subset.splits[0].of_files, 10);
    assert_eq!(subset.include, req.include);
}

#[tokio::test]
async fn a_row_budget_takes_the_first_rows_and_fetches_only_the_row_groups_holding_them() {
    let lab = Lab::new().await;
    let (shape, spec) = web();
    lab.hub.add_repo(spec.clone());
    let ds = ready(&lab, &request(Some("430"))).await;
    assert_eq!(ds.num_samples, Some(430));
    assert_eq!(ids(&lab, &ds), expected_ids(0..430));

    // Shards 0 and 1 whole, then the first row groups of shard 2 (430 = 200 + 200 + 30: one
    // group of 50 rows), nothing of the rest.
    let fetches = data_fetches(&lab, &spec);
    let paths: Vec<&str> = fetches.iter().map(|(p, _)| p.as_str()).collect();
    let s = |i| shape.shard_path(0, i);
    assert_eq!(paths.len(), 3, "{fetches:?}");
    assert!(paths.contains(&s(0).as_str()) && paths.contains(&s(1).as_str()));
    let (_, prefix_range) = fetches.iter().find(|(p, _)| *p == s(2)).unwrap();
    let end: usize = prefix_range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes=0-"))
        .and_then(|e| e.parse().ok())
        .expect("the boundary shard is fetched as a prefix");
    assert!(end + 1 < size_of(&spec, &s(2)) / 2, "{end}");
    // Footers of the three shards only: no listing or metadata read per file beyond them.
    assert_eq!(blob_requests(&lab, &spec).len(), 6);

    let subset = ds.subset.expect("a budgeted download is a subset");
    assert_eq!(subset.rows_budget.as_deref(), Some("430"));
    assert_eq!(subset.splits[0].rows, 430);
    assert_eq!(subset.splits[0].partial_files, vec![s(2)]);
    assert_eq!(subset.splits[0].files, vec![s(0), s(1), s(2)]);

    // A later download of more reuses what is there: shard 2 resumes where its prefix ended.
    lab.hub.clear_requests();
    let more = ready(&lab, &request(Some("650"))).await;
    assert_eq!(ids(&lab, &more), expected_ids(0..650));
    let fetches = data_fetches(&lab, &spec);
    let paths: Vec<&str> = fetches.iter().map(|(p, _)| p.as_str()).collect();
    assert!(
        !paths.contains(&s(0).as_str()) && !paths.contains(&s(1).as_str()),
        "{fetches:?}"
    );
    let (_, resumed) = fetches.iter().find(|(p, _)| *p == s(2)).unwrap();
    assert!(
        resumed
            .as_deref()
            .is_some_and(|r| r.starts_with(&format!("bytes={}-", end + 1))),
        "{resumed:?}"
    );
}

/// Rate limits, 5xx and a connection reset on the shards a budget reads — on their footers
/// and on their data, the boundary shard's prefix included — end in the same rows.
#[tokio::test]
async fn a_budgeted_download_rides_out_faults_on_footers_and_prefixes() {
    let lab = Lab::new().await;
    let (shape, spec) = web();
    lab.hub.add_repo(spec);
    for shard in 0..3 {
        lab.hub.set_faults(
            REPO,
            &shape.shard_path(0, shard),
            Faults {
                rate_limit_first: 1,
                retry_after_secs: 0,
                fail_first_5xx: 1,
                reset_after_bytes: Some(1_000),
                reset_times: 2,
                ..Faults::default()
            },
        );
    }
    let ds = ready(&lab, &request(Some("430"))).await;
    assert_eq!(ids(&lab, &ds), expected_ids(0..430));
    assert_eq!(
        ds.subset.unwrap().splits[0].partial_files,
        vec![shape.shard_path(0, 2)]
    );
}

#[tokio::test]
async fn a_share_of_the_split_and_a_budget_past_its_end() {
    let lab = Lab::new().await;
    let (shape, spec) = web();
    lab.hub.add_repo(spec.clone());
    let ds = ready(&lab, &request(Some("10%"))).await;
    assert_eq!(ds.num_samples, Some(200));
    assert_eq!(ids(&lab, &ds), expected_ids(0..200));
    let fetched: Vec<String> = data_fetches(&lab, &spec)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(fetched, vec![shape.shard_path(0, 0)]);
    assert_eq!(ds.subset.unwrap().splits[0].of_rows, Some(2000));

    let all = ready(&lab, &request(Some("1000000"))).await;
    assert_eq!(all.num_samples, Some(2000));
    assert_eq!(ids(&lab, &all), expected_ids(0..2000));
    assert_eq!(
        all.subset, None,
        "a budget past the end takes the whole split"
    );
}

#[tokio::test]
async fn without_kept_hub_files_no_blob_of_the_dataset_stays_in_the_cache() {
    let lab = Lab::new().await;
    let (_, spec) = web();
    lab.hub.add_repo(spec);
    let ds = ready(
        &lab,
        &DownloadRequest {
            keep_hub_files: Some(false),
            ..request(Some("430"))
        },
    )
    .await;
    assert_eq!(ds.num_samples, Some(430));
    assert_eq!(ids(&lab, &ds), expected_ids(0..430));
    assert!(blobs(&lab).is_empty(), "{:?}", blobs(&lab));
    let snapshots = lab.cache().join("datasets--lab--web").join("snapshots");
    let links: Vec<_> = walk(&snapshots)
        .into_iter()
        .filter(|p| p.is_symlink())
        .collect();
    assert!(links.is_empty(), "{links:?}");

    let whole = ready(
        &lab,
        &DownloadRequest {
            keep_hub_files: Some(false),
            ..request(None)
        },
    )
    .await;
    assert_eq!(whole.num_samples, Some(2000));
    assert!(blobs(&lab).is_empty());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() && !p.is_symlink() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test]
async fn bad_budgets_and_globs_are_refused_before_anything_is_registered() {
    let lab = Lab::new().await;
    let (_, spec) = web();
    lab.hub.add_repo(spec);
    for (rows, says) in [
        ("0", "takes no rows"),
        ("150%", "at most 100%"),
        ("abc", "not a row count"),
    ] {
        let e = lab
            .engine
            .start_download(&request(Some(rows)))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.to_string().contains(says), "{rows}: {e}");
        let e = lab
            .engine
            .plan_download(&request(Some(rows)))
            .await
            .unwrap_err();
        assert!(e.to_string().contains(says), "{rows}: {e}");
    }
    let nothing = DownloadRequest {
        include: vec!["data/CC-MAIN-1999-01/*".into()],
        ..request(None)
    };
    let e = lab.engine.start_download(&nothing).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let msg = e.to_string();
    assert!(
        msg.contains("matches --include") && msg.contains("data/CC-MAIN-2013-20/000_00000.parquet"),
        "{msg}"
    );
    assert!(lab.engine.plan_download(&nothing).await.is_err());
    assert!(lab.engine.list_datasets().await.unwrap().is_empty());
    assert!(blobs(&lab).is_empty());
}
