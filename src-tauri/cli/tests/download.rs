//! `mistudio-cli download` as a script runs it, against the loopback Hub emulator: a `kill -9`
//! mid-file, then a rerun that fetches only the missing bytes.

mod common;
use common::cli;

use mistudio_hub_emulator::{
    EmulatorConfig, Faults, HostKind, HubEmulator, RepoFile, RepoSpec, ShardedRepo,
};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn incomplete_bytes(cache: &Path) -> u64 {
    let blobs = cache.join("datasets--lab--big/blobs");
    std::fs::read_dir(blobs)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".incomplete"))
                .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn a_killed_download_resumes_where_it_stopped_and_ends_byte_identical() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let hub = rt
        .block_on(HubEmulator::start(EmulatorConfig::default()))
        .unwrap();
    let mut body = Vec::new();
    let mut i = 0;
    while body.len() < 3_000_000 {
        body.extend_from_slice(
            format!("{{\"text\": \"document {i} of the resumable corpus\"}}\n").as_bytes(),
        );
        i += 1;
    }
    hub.add_repo(RepoSpec::dataset(
        "lab/big",
        vec![RepoFile::new("data/train.jsonl", body.clone())],
    ));
    hub.set_faults(
        "lab/big",
        "data/train.jsonl",
        Faults {
            bytes_per_sec: Some(1_000_000),
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("hf/hub");

    let mut first = cli(dir.path(), &hub.endpoint())
        .args(["--json", "download", "lab/big", "--progress", "none"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while incomplete_bytes(&cache) < 1_000_000 {
        assert!(Instant::now() < deadline, "the first run never got going");
        assert!(
            first.try_wait().unwrap().is_none(),
            "the first run ended early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().unwrap(); // SIGKILL: no cleanup of any kind
    first.wait().unwrap();
    let kept = incomplete_bytes(&cache);
    assert!(kept >= 1_000_000 && kept < body.len() as u64, "kept {kept}");

    hub.set_faults("lab/big", "data/train.jsonl", Faults::default());
    hub.clear_requests();
    let out = cli(dir.path(), &hub.endpoint())
        .args(["--json", "download", "lab/big", "--progress", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rerun failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let dataset: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(dataset["status"], "ready");
    assert_eq!(dataset["num_samples"], i);
    let progress_lines = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with('{') && l.contains("\"job\""))
        .count();
    assert!(
        progress_lines >= 2,
        "progress JSON lines on stderr: {progress_lines}"
    );

    let blob_gets: Vec<_> = hub
        .requests()
        .into_iter()
        .filter(|r| r.host == HostKind::Blob && r.method == "GET")
        .collect();
    assert_eq!(blob_gets.len(), 1, "{blob_gets:?}");
    assert_eq!(
        blob_gets[0].range.as_deref(),
        Some(format!("bytes={kept}-").as_str())
    );
    assert_eq!(
        blob_gets[0].body_bytes,
        body.len() as u64 - kept,
        "only the missing bytes were fetched"
    );

    let commit = std::fs::read_to_string(cache.join("datasets--lab--big/refs/main")).unwrap();
    let snapshot: PathBuf = cache
        .join("datasets--lab--big/snapshots")
        .join(commit.trim())
        .join("data/train.jsonl");
    let on_disk = std::fs::read(snapshot).unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(&on_disk)),
        hex::encode(Sha256::digest(&body))
    );
    assert_eq!(on_disk, body);
    rt.block_on(hub.shutdown());
}

#[test]
fn download_errors_are_json_with_the_kind() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let hub = rt
        .block_on(HubEmulator::start(EmulatorConfig::default()))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &hub.endpoint())
        .args(["--json", "download", "lab/missing", "--progress", "none"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "not_found");
    let out = cli(dir.path(), &hub.endpoint())
        .args(["--json", "download", "bad id"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    rt.block_on(hub.shutdown());
}

#[test]
fn a_dry_run_prints_the_plan_and_changes_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let hub = rt
        .block_on(HubEmulator::start(EmulatorConfig::default()))
        .unwrap();
    let shape = ShardedRepo::new(2, 3, 300).rows_per_group(100);
    let spec = shape.build("lab/web", |r| ShardedRepo::filler_text(r, 40));
    let shard_bytes: u64 = spec
        .files
        .iter()
        .filter(|f| f.path.starts_with(&format!("data/{}/", shape.dumps[1])))
        .map(|f| f.bytes.len() as u64)
        .sum();
    hub.add_repo(spec);
    let dir = tempfile::tempdir().unwrap();
    let include = format!("data/{}/*", shape.dumps[1]);
    let out = cli(dir.path(), &hub.endpoint())
        .args([
            "--json",
            "download",
            "lab/web",
            "--include",
            &include,
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["num_files"], 3);
    assert_eq!(plan["total_bytes"], shard_bytes);
    assert_eq!(plan["num_rows"], 900);
    assert!(plan["needed_bytes"].as_u64().unwrap() > shard_bytes);
    assert!(plan["free_bytes"].as_u64().unwrap() > 0);
    // In words, without --json; and nothing was registered or fetched.
    let out = cli(dir.path(), &hub.endpoint())
        .args(["download", "lab/web", "--rows", "150", "--dry-run"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("150 rows"), "{text}");
    assert!(
        text.contains("first 2 row groups") && text.contains("Dry run"),
        "{text}"
    );
    let list = cli(dir.path(), &hub.endpoint())
        .args(["--json", "list"])
        .output()
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&list.stdout).unwrap(),
        serde_json::json!([])
    );
    let blobs: Vec<_> = files_under(&dir.path().join("hf"))
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("/blobs/"))
        .collect();
    assert!(blobs.is_empty(), "{blobs:?}");
    // Bad budgets: exit code 2 and a message naming the fix.
    for rows in ["0", "150%", "abc"] {
        let out = cli(dir.path(), &hub.endpoint())
            .args(["--json", "download", "lab/web", "--rows", rows, "--dry-run"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{rows}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(
            v["error"]["message"].as_str().unwrap().contains("--rows"),
            "{v}"
        );
    }
    rt.block_on(hub.shutdown());
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn the_token_reaches_neither_logs_nor_files() {
    const SECRET: &str = "hf_NeverLogMe0123456789abcdef";
    let rt = tokio::runtime::Runtime::new().unwrap();
    let hub = rt
        .block_on(HubEmulator::start(EmulatorConfig::default()))
        .unwrap();
    hub.add_repo(
        RepoSpec::dataset(
            "lab/gated",
            vec![RepoFile::new(
                "train.jsonl",
                "{\"text\": \"members only\"}\n".repeat(2000),
            )],
        )
        .gated(),
    );
    hub.grant(SECRET, "lab/gated");
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path(), &hub.endpoint())
        .args([
            "--json",
            "download",
            "lab/gated",
            "--token",
            SECRET,
            "--progress",
            "json",
        ])
        .env("MISTUDIO_LOG", "trace")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("TRACE") || stderr.contains("DEBUG"),
        "the log was not verbose"
    );
    assert!(!stderr.contains(SECRET), "the token is in the log");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET));
    for file in files_under(dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "token in {}",
            file.display()
        );
    }
    assert!(hub
        .requests()
        .iter()
        .filter(|r| r.host == HostKind::Blob)
        .all(|r| !r.authorization));
    rt.block_on(hub.shutdown());
}
