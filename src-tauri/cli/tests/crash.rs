//! The crash suite: `kill -9` at seeded random points of a download, an import and a
//! tokenization, many trials each. After each kill the same CLI command is run again on the same
//! folders and must finish with the bytes of an uninterrupted reference run, a database that
//! passes SQLite's integrity and foreign-key checks, and, once the dataset is deleted, nothing of
//! it left behind.
//!
//! The import's trials found that a kill between its dataset row and its job left a dataset
//! "queued" forever, and that a rerun imported a second copy; both are fixed (one transaction;
//! the CLI follows the unfinished import of the same path), so every kind is idempotent now.
//!
//! `MISTUDIO_CRASH_TRIALS` sets the trials per kind (default 4); `MISTUDIO_CRASH_SEED` the first
//! trial's seed (trial `i` uses seed + i), so `MISTUDIO_CRASH_SEED=<seed> MISTUDIO_CRASH_TRIALS=1`
//! replays the trial a failure names.

mod common;
use common::{cli, json, shared, texts, tree};

use mistudio_hub_emulator::{EmulatorConfig, Faults, HubEmulator, RepoFile, RepoSpec, ShardedRepo};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A rerun takes a few seconds; one that has not ended after this hangs.
const RERUN_LIMIT: Duration = Duration::from_secs(120);

fn trials() -> u64 {
    std::env::var("MISTUDIO_CRASH_TRIALS")
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("MISTUDIO_CRASH_TRIALS={v:?} is not a number"))
        })
        .unwrap_or(4)
}

fn base_seed(default: u64) -> u64 {
    std::env::var("MISTUDIO_CRASH_SEED")
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("MISTUDIO_CRASH_SEED={v:?} is not a number"))
        })
        .unwrap_or(default)
}

/// The LCG of `texts()`: deterministic, so a seed replays its kill point.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({:?}): {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every path (files and folders) under `dir`.
fn paths_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            out.push(p.clone());
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            }
        }
    }
    out
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Asserts two trees are the same files with the same bytes.
fn assert_same_tree(want: &BTreeMap<String, Vec<u8>>, got: &BTreeMap<String, Vec<u8>>, ctx: &str) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{ctx}: not the same files as the reference"
    );
    for (name, bytes) in want {
        if got[name] != *bytes && name.ends_with(".json") {
            panic!(
                "{ctx}: {name} differs from the reference:\n{}\nreference:\n{}",
                String::from_utf8_lossy(&got[name]),
                String::from_utf8_lossy(bytes)
            );
        }
        assert!(
            got[name] == *bytes,
            "{ctx}: {name} differs from the reference (sha256 {} vs {})",
            sha(&got[name]),
            sha(bytes)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The database, read-only.

fn db_path(dir: &Path) -> PathBuf {
    dir.join("local/mistudio.sqlite")
}

fn with_db<T>(dir: &Path, f: impl AsyncFnOnce(&mut sqlx::SqliteConnection) -> T) -> T {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::ConnectOptions;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Read-write, as the next engine opens it: a process killed mid-transaction (before
        // the database is in WAL mode, during its first migration) leaves a hot rollback
        // journal that only a writer may roll back; a read-only open fails on it.
        let mut conn = SqliteConnectOptions::new()
            .filename(db_path(dir))
            .connect()
            .await
            .unwrap_or_else(|e| panic!("opening {}: {e}", db_path(dir).display()));
        let out = f(&mut conn).await;
        use sqlx::Connection;
        conn.close().await.unwrap();
        out
    })
}

/// `PRAGMA integrity_check` says "ok" and `PRAGMA foreign_key_check` finds nothing.
fn assert_db_sound(dir: &Path, ctx: &str) {
    let (integrity, fk) = with_db(dir, async |conn| {
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
        let fk: Vec<(String, Option<i64>, String)> =
            sqlx::query_as("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        (integrity, fk)
    });
    assert_eq!(integrity, vec!["ok".to_string()], "{ctx}: integrity_check");
    assert!(fk.is_empty(), "{ctx}: foreign_key_check: {fk:?}");
}

/// Whether the database exists with its tables (a run killed as it started may have left an
/// empty file, which the next engine migrates).
fn has_tables(dir: &Path) -> bool {
    db_path(dir).exists()
        && with_db(dir, async |conn| {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('datasets', 'jobs')",
            )
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            n == 2
        })
}

/// Runs `cmd` to the end, failing the test if it has not ended within `limit`.
fn output_within(mut cmd: std::process::Command, limit: Duration, ctx: &str) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            let until = Instant::now() + limit;
            while Instant::now() < until {
                if done.load(Ordering::SeqCst) {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            // Still running: stop it (by its own pid) so that the test can report the hang.
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            true
        })
    };
    let out = child.wait_with_output().unwrap();
    done.store(true, Ordering::SeqCst);
    let hung = watchdog.join().unwrap();
    assert!(
        !hung,
        "{ctx}: did not finish within {} s (stopped); stderr: {}",
        limit.as_secs(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn dataset_ids(dir: &Path) -> Vec<String> {
    if !has_tables(dir) {
        return Vec::new();
    }
    with_db(dir, async |conn| {
        sqlx::query_scalar("SELECT id FROM datasets ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    })
}

fn tokenization_ids(dir: &Path, ds: &str) -> Vec<String> {
    let ds = ds.to_string();
    with_db(dir, async move |conn| {
        sqlx::query_scalar("SELECT id FROM tokenizations WHERE dataset_id = ?")
            .bind(ds)
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    })
}

/// Rows of datasets, tokenizations and jobs that mention any of `ids`.
fn rows_mentioning(dir: &Path, ids: &[String]) -> Vec<String> {
    let ids = ids.to_vec();
    with_db(dir, async move |conn| {
        let mut found = Vec::new();
        for id in &ids {
            let like = format!("%{id}%");
            for (table, sql) in [
                (
                    "datasets",
                    "SELECT id FROM datasets WHERE id = ?1 OR local_path LIKE ?2",
                ),
                (
                    "tokenizations",
                    "SELECT id FROM tokenizations WHERE id = ?1 OR dataset_id = ?1 OR settings LIKE ?2",
                ),
                (
                    "jobs",
                    "SELECT id FROM jobs WHERE target = ?1 OR params LIKE ?2",
                ),
            ] {
                let rows: Vec<String> = sqlx::query_scalar(sql)
                    .bind(id)
                    .bind(&like)
                    .fetch_all(&mut *conn)
                    .await
                    .unwrap();
                found.extend(rows.into_iter().map(|r| format!("{table}:{r} ({id})")));
            }
        }
        found
    })
}

/// Temp files a crashed or finished run may have left: `*.tmp-*`, `*.partial`, `*.incomplete`.
fn stray_temp_files(dir: &Path) -> Vec<PathBuf> {
    paths_under(dir)
        .into_iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.contains(".tmp-") || name.ends_with(".partial") || name.ends_with(".incomplete")
        })
        .collect()
}

/// Deletes the datasets with their Hub files and checks that nothing of them remains.
fn delete_and_check_gone(dir: &Path, endpoint: &str, ids: &[String], ctx: &str) {
    let mut mentioned = ids.to_vec();
    for ds in ids {
        mentioned.extend(tokenization_ids(dir, ds));
    }
    let mut args = vec!["--json", "delete"];
    args.extend(ids.iter().map(String::as_str));
    args.extend(["--yes", "--hub-files"]);
    let out = cli(dir, endpoint).args(&args).output().unwrap();
    ok(&out, &format!("{ctx}: delete"));
    let data = dir.join("data");
    for ds in ids {
        assert!(
            !data.join("datasets").join(ds).exists(),
            "{ctx}: the folder of {ds} survived the delete"
        );
        assert!(
            !data.join("locks").join(format!("{ds}.lock")).exists(),
            "{ctx}: the lock of {ds} survived the delete"
        );
    }
    let rows = rows_mentioning(dir, &mentioned);
    assert!(rows.is_empty(), "{ctx}: rows survived the delete: {rows:?}");
    let strays: Vec<_> = stray_temp_files(&data)
        .into_iter()
        .chain(stray_temp_files(&dir.join("hf")))
        .collect();
    assert!(strays.is_empty(), "{ctx}: temp files left: {strays:?}");
    assert_db_sound(dir, &format!("{ctx}, after the delete"));
}

// ---------------------------------------------------------------------------------------------
// Killing at a random point.

/// Starts `cmd` (which asks for `--progress json`), kills it with SIGKILL at a point drawn from
/// `rng` (half the trials a delay within `span`, half a fraction of the reported progress), and
/// returns whether the process was still running when the kill landed, and where that was.
fn run_and_kill(mut cmd: std::process::Command, rng: &mut Rng, span: Duration) -> (bool, String) {
    let mut child: Child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let permille = Arc::new(AtomicU64::new(0));
    let stage = Arc::new(std::sync::Mutex::new(String::from("starting")));
    let eof = Arc::new(AtomicBool::new(false));
    let reader = {
        let (permille, stage, eof) = (permille.clone(), stage.clone(), eof.clone());
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                if let Some(s) = v["stage"].as_str() {
                    *stage.lock().unwrap() = s.to_string();
                }
                let done = v["progress"]["done"].as_u64().unwrap_or(0);
                if let Some(total) = v["progress"]["total"].as_u64().filter(|t| *t > 0) {
                    permille.store(done * 1000 / total, Ordering::SeqCst);
                }
            }
            eof.store(true, Ordering::SeqCst);
        })
    };
    let by_progress = rng.below(2) == 1;
    let point = if by_progress {
        let target = rng.below(1000);
        let extra = rng.below(50);
        let deadline = Instant::now() + Duration::from_secs(120);
        while permille.load(Ordering::SeqCst) < target
            && !eof.load(Ordering::SeqCst)
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(extra));
        format!("at {}‰ of progress + {extra} ms", target)
    } else {
        // A share of the span rather than milliseconds, so a seed replays the same point of
        // the run on a faster or slower machine.
        let share = rng.below(1000);
        let ms = span.as_millis() as u64 * share / 1000;
        let until = Instant::now() + Duration::from_millis(ms);
        while Instant::now() < until && !eof.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        format!("after {ms} ms ({share}‰ of {} ms)", span.as_millis())
    };
    // Its stderr closes only as it exits: a kill after that did not land mid-run.
    let running = child.try_wait().unwrap().is_none() && !eof.load(Ordering::SeqCst);
    child.kill().unwrap(); // SIGKILL: no cleanup of any kind
    child.wait().unwrap();
    reader.join().unwrap();
    let at = format!("{point} (stage {:?})", stage.lock().unwrap());
    (running, at)
}

struct Tally {
    kind: &'static str,
    trials: u64,
    landed: u64,
    resumed: u64,
    /// Kills that came after the killed run's job had finished (while the process wound down).
    already_done: u64,
    /// Import reruns that made a dataset of their own beside the killed one they finished.
    second_dataset: u64,
}

impl Tally {
    fn print(&self) {
        eprintln!(
            "crash suite, {}: {} trials, {} kills landed mid-run ({} after the job had finished), \
             {} reruns resumed the killed job{}",
            self.kind,
            self.trials,
            self.landed,
            self.already_done,
            self.resumed,
            if self.second_dataset > 0 {
                format!(
                    ", {} of them beside a new dataset of their own",
                    self.second_dataset
                )
            } else {
                String::new()
            }
        );
    }
}

fn jsonl(texts: &[String]) -> Vec<u8> {
    texts
        .iter()
        .map(|t| serde_json::json!({ "text": t }).to_string() + "\n")
        .collect::<String>()
        .into_bytes()
}

/// The files of each blob of a Hub repo in the HF cache under `dir`, name → sha256 of the bytes.
fn cache_blobs(dir: &Path, repo_folder: &str) -> BTreeMap<String, String> {
    tree(&dir.join("hf/hub").join(repo_folder).join("blobs"))
        .into_iter()
        .map(|(name, bytes)| (name, sha(&bytes)))
        .collect()
}

fn fresh_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Relative name → bytes.
type Files = BTreeMap<String, Vec<u8>>;

/// One kind of job under the crash suite: the command, how to read its outcome, what to compare.
struct Crash<'a> {
    kind: &'static str,
    seed: u64,
    endpoint: &'a str,
    /// The command, with `--progress json`.
    args: &'a dyn Fn(&Path) -> Vec<String>,
    /// The bytes that must match the reference: relative name → bytes, from the run's output.
    canonical: &'a dyn Fn(&Path, &serde_json::Value) -> Files,
    /// Whether a rerun of the command carries on with the killed run's job (download,
    /// tokenize) rather than starting one of its own (import).
    idempotent: bool,
}

impl Crash<'_> {
    fn run_to_end(&self, dir: &Path) -> (serde_json::Value, Duration) {
        let args = (self.args)(dir);
        let t0 = Instant::now();
        let out = cli(dir, self.endpoint).args(&args).output().unwrap();
        let took = t0.elapsed();
        ok(&out, &format!("{} reference", self.kind));
        (json(&out), took)
    }

    fn run(&self) {
        // Uninterrupted, twice: the canonical bytes are the same from one run to the next.
        let reference_dir = fresh_dir();
        let (first, took) = self.run_to_end(reference_dir.path());
        let reference = (self.canonical)(reference_dir.path(), &first);
        assert!(!reference.is_empty(), "{}: no canonical files", self.kind);
        let again_dir = fresh_dir();
        let (second, took_again) = self.run_to_end(again_dir.path());
        assert_same_tree(
            &reference,
            &(self.canonical)(again_dir.path(), &second),
            &format!("{}: a second uninterrupted run", self.kind),
        );
        let ds = first["id"].as_str().unwrap().to_string();
        delete_and_check_gone(
            reference_dir.path(),
            self.endpoint,
            &[ds],
            &format!("{} reference", self.kind),
        );
        let span = (took + took_again) / 2 * 6 / 5;
        eprintln!(
            "crash suite, {}: an uninterrupted run takes {:.2} s; kills within {:.2} s",
            self.kind,
            took.as_secs_f64(),
            span.as_secs_f64()
        );

        let mut tally = Tally {
            kind: self.kind,
            trials: trials(),
            landed: 0,
            resumed: 0,
            already_done: 0,
            second_dataset: 0,
        };
        for i in 0..tally.trials {
            let seed = self.seed.wrapping_add(i);
            let mut rng = Rng::new(seed);
            let dir = fresh_dir();
            let dir = dir.path();
            let mut cmd = cli(dir, self.endpoint);
            cmd.args((self.args)(dir));
            let started = unix_ms();
            let (landed, at) = run_and_kill(cmd, &mut rng, span);
            let ctx = format!(
                "{} trial {i} (replay: MISTUDIO_CRASH_SEED={seed} MISTUDIO_CRASH_TRIALS=1), killed {at}",
                self.kind
            );
            tally.landed += landed as u64;
            let before = dataset_statuses(dir);
            if db_path(dir).exists() {
                assert_db_sound(dir, &format!("{ctx}, right after the kill"));
            }
            let unfinished: Vec<String> = before
                .iter()
                .filter(|(_, status)| status != "ready")
                .map(|(id, _)| id.clone())
                .collect();
            tally.already_done += (landed && job_finished_since(dir, started)) as u64;

            let mut rerun = cli(dir, self.endpoint);
            rerun.args((self.args)(dir));
            let out = output_within(rerun, RERUN_LIMIT, &format!("{ctx}: the rerun"));
            ok(&out, &format!("{ctx}: the rerun"));
            let v = json(&out);
            assert_eq!(v["status"], "ready", "{ctx}");
            let ds = v["id"].as_str().unwrap().to_string();
            let after = dataset_ids(dir);
            let state = db_state(dir);
            assert!(after.contains(&ds), "{ctx}: {state}");
            if self.idempotent {
                // A download the kill interrupted is the one the rerun carries on with.
                if !unfinished.is_empty() {
                    assert_eq!(
                        unfinished,
                        vec![ds.clone()],
                        "{ctx}: the rerun did not carry on with the killed run's dataset; {state}"
                    );
                    tally.resumed += 1;
                }
            } else if !unfinished.is_empty() {
                // An import is not idempotent: the rerun makes a dataset of its own, and the one
                // the kill interrupted, re-queued when the rerun's engine opened, is finished too.
                tally.resumed += 1;
                tally.second_dataset += 1;
            }
            // Any other dataset is the killed run's, and must have ended ready, to the same
            // bytes: nothing half-made may stay behind.
            let mut others = Vec::new();
            for other in after.iter().filter(|id| **id != ds) {
                assert!(
                    before.iter().any(|(id, _)| id == other),
                    "{ctx}: {other} came from nowhere; {state}"
                );
                let shown = json(
                    &cli(dir, self.endpoint)
                        .args(["--json", "show", other])
                        .output()
                        .unwrap(),
                );
                assert_eq!(
                    shown["status"], "ready",
                    "{ctx}: the killed run's {other} was left unfinished; {state}"
                );
                assert_same_tree(
                    &reference,
                    &(self.canonical)(dir, &shown),
                    &format!("{ctx}, the killed run's {other}"),
                );
                others.push(other.clone());
            }
            assert_same_tree(&reference, &(self.canonical)(dir, &v), &ctx);
            let strays: Vec<_> = stray_temp_files(&dir.join("data"))
                .into_iter()
                .chain(stray_temp_files(&dir.join("hf")))
                .collect();
            assert!(
                strays.is_empty(),
                "{ctx}: temp files left after the rerun: {strays:?}"
            );
            assert_db_sound(dir, &format!("{ctx}, after the rerun"));
            let mut all = vec![ds];
            all.extend(others);
            delete_and_check_gone(dir, self.endpoint, &all, &ctx);
        }
        tally.print();
    }
}

fn dataset_statuses(dir: &Path) -> Vec<(String, String)> {
    if !has_tables(dir) {
        return Vec::new();
    }
    with_db(dir, async |conn| {
        sqlx::query_as("SELECT id, status FROM datasets ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    })
}

fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Whether a job succeeded since `since` (unix ms): the killed run had finished its work.
fn job_finished_since(dir: &Path, since: i64) -> bool {
    if !has_tables(dir) {
        return false;
    }
    with_db(dir, async move |conn| {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM jobs WHERE status = 'succeeded' AND finished_at >= ?",
        )
        .bind(since)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        n > 0
    })
}

fn active_tokenization_ids(dir: &Path) -> Vec<String> {
    with_db(dir, async |conn| {
        sqlx::query_scalar(
            "SELECT id FROM tokenizations WHERE status IN ('queued', 'processing') ORDER BY id",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    })
}

fn all_tokenization_ids(dir: &Path) -> Vec<String> {
    if !has_tables(dir) {
        return Vec::new();
    }
    with_db(dir, async |conn| {
        sqlx::query_scalar("SELECT id FROM tokenizations ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    })
}

fn hub() -> (tokio::runtime::Runtime, HubEmulator) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let hub = rt
        .block_on(HubEmulator::start(EmulatorConfig::default()))
        .unwrap();
    (rt, hub)
}

/// The dataset's converted data files, `data/datasets/<ds>/data/**`.
fn dataset_data(dir: &Path, ds: &str) -> BTreeMap<String, Vec<u8>> {
    tree(&dir.join("data/datasets").join(ds).join("data"))
}

#[test]
fn a_download_killed_anywhere_reruns_to_the_reference_bytes() {
    let (rt, hub) = hub();
    let files = [
        ("data/train.jsonl", texts(2_400, 11)),
        ("data/test.jsonl", texts(600, 12)),
    ];
    hub.add_repo(RepoSpec::dataset(
        "lab/crash",
        files
            .iter()
            .map(|(name, t)| RepoFile::new(*name, jsonl(t)))
            .collect(),
    ));
    for (name, _) in &files {
        hub.set_faults(
            "lab/crash",
            name,
            Faults {
                bytes_per_sec: Some(2_000_000),
                ..Faults::default()
            },
        );
    }
    let endpoint = hub.endpoint();
    let args = |_: &Path| {
        ["--json", "download", "lab/crash", "--progress", "json"]
            .map(String::from)
            .to_vec()
    };
    let canonical = |dir: &Path, v: &serde_json::Value| {
        let mut files = dataset_data(dir, v["id"].as_str().unwrap());
        for (name, sha) in cache_blobs(dir, "datasets--lab--crash") {
            files.insert(format!("hf blob {name}"), sha.into_bytes());
        }
        files
    };
    Crash {
        kind: "download",
        idempotent: true,
        seed: base_seed(1_000),
        endpoint: &endpoint,
        args: &args,
        canonical: &canonical,
    }
    .run();
    rt.block_on(hub.shutdown());
}

/// A row budget read in part from parquet row groups, without kept Hub files: a kill anywhere
/// (mid-shard, mid-prefix, mid-conversion, between a conversion and the removal of its file)
/// reruns to the same rows, and the HF cache ends with no blob of the dataset.
#[test]
fn a_budgeted_download_without_kept_files_killed_anywhere_reruns_to_the_reference_bytes() {
    let (rt, hub) = hub();
    let shape = ShardedRepo::new(2, 3, 400).rows_per_group(100);
    let spec = shape.build("lab/web", |r| texts(1, r)[0].clone());
    let shards: Vec<String> = spec
        .files
        .iter()
        .map(|f| f.path.clone())
        .filter(|p| p.ends_with(".parquet"))
        .collect();
    hub.add_repo(spec);
    for path in &shards {
        hub.set_faults(
            "lab/web",
            path,
            Faults {
                bytes_per_sec: Some(1_000_000),
                ..Faults::default()
            },
        );
    }
    let endpoint = hub.endpoint();
    let args = |_: &Path| {
        [
            "--json",
            "download",
            "lab/web",
            "--rows",
            "1150",
            "--no-keep-hub-files",
            "--progress",
            "json",
        ]
        .map(String::from)
        .to_vec()
    };
    let canonical = |dir: &Path, v: &serde_json::Value| {
        assert_eq!(v["num_samples"], 1150, "{v}");
        let mut files = dataset_data(dir, v["id"].as_str().unwrap());
        let left = cache_blobs(dir, "datasets--lab--web");
        assert!(left.is_empty(), "blobs kept without kept files: {left:?}");
        files.insert("subset".into(), v["subset"].to_string().into_bytes());
        files
    };
    Crash {
        kind: "download --rows --no-keep-hub-files",
        idempotent: true,
        seed: base_seed(7_000),
        endpoint: &endpoint,
        args: &args,
        canonical: &canonical,
    }
    .run();
    rt.block_on(hub.shutdown());
}

#[test]
fn a_tokenization_killed_anywhere_reruns_to_the_reference_bytes() {
    tokenization_crash("tokenize", &["--max-length", "256"], 3_000);
}

/// Packed and shuffled: the rows go through the shuffle's spool before they are written, so a
/// kill can land in the packing, the spool or the writing; the seed is recorded before the
/// pass starts, so the rerun writes the same order.
#[test]
fn a_shuffled_packed_tokenization_killed_anywhere_reruns_to_the_reference_bytes() {
    tokenization_crash(
        "tokenize --pack --seed",
        &["--pack", "256", "--seed", "1234"],
        5_000,
    );
}

/// The crash suite for `tokenize` with `settings`: each trial's kill and rerun must end in the
/// uninterrupted run's files, byte for byte.
fn tokenization_crash(kind: &'static str, settings: &[&str], default_seed: u64) {
    let (rt, hub) = hub();
    let files = [
        ("data/train.jsonl", texts(6_000, 1)),
        ("data/test.jsonl", texts(500, 2)),
    ];
    hub.add_repo(RepoSpec::dataset(
        "lab/text",
        files
            .iter()
            .map(|(name, t)| RepoFile::new(*name, jsonl(t)))
            .collect(),
    ));
    let endpoint = hub.endpoint();
    let gpt2 = shared("gpt2-tokenizer.json").to_string_lossy().into_owned();
    // One dataset for every trial: the files' fingerprint derives from the dataset's id, so the
    // same bytes are only expected of the same dataset. Each run replaces the last tokenization.
    let lab = fresh_dir();
    let dir = lab.path();
    let out = cli(dir, &endpoint)
        .args(["--json", "download", "lab/text", "--progress", "none"])
        .output()
        .unwrap();
    ok(&out, "the download before tokenizing");
    let ds = json(&out)["id"].as_str().unwrap().to_string();
    let mut args = vec!["--json", "tokenize", &ds, "--tokenizer", &gpt2];
    args.extend(settings);
    args.extend(["--replace", "--progress", "json"]);
    let args = &args;
    let tokenized = dir.join("data/datasets").join(&ds).join("tokenized");
    // Every file of the tokenization's folder; its own id, new with each replacement, masked.
    let canonical = |v: &serde_json::Value| {
        let tok = v["id"].as_str().unwrap();
        tree(&tokenized.join(tok))
            .into_iter()
            .map(|(name, bytes)| (name, mask(&bytes, &[(tok, "<tok>")])))
            .collect::<BTreeMap<_, _>>()
    };
    let run_to_end = || {
        let t0 = Instant::now();
        let out = cli(dir, &endpoint).args(args).output().unwrap();
        let took = t0.elapsed();
        ok(&out, &format!("{kind} reference"));
        (json(&out), took)
    };

    // Uninterrupted, twice: nothing in the folder embeds time, so everything is compared.
    let (first, took) = run_to_end();
    let reference = canonical(&first);
    assert!(reference.contains_key("train/data-00000-of-00001.arrow"));
    assert!(reference.contains_key("mistudio.json"));
    let (second, took_again) = run_to_end();
    assert_same_tree(
        &reference,
        &canonical(&second),
        &format!("{kind}: a second uninterrupted run"),
    );
    let span = (took + took_again) / 2 * 6 / 5;
    eprintln!(
        "crash suite, {kind}: an uninterrupted run takes {:.2} s; kills within {:.2} s",
        took.as_secs_f64(),
        span.as_secs_f64()
    );

    let mut tally = Tally {
        kind,
        trials: trials(),
        landed: 0,
        resumed: 0,
        already_done: 0,
        second_dataset: 0,
    };
    let base = base_seed(default_seed);
    for i in 0..tally.trials {
        let seed = base.wrapping_add(i);
        let mut rng = Rng::new(seed);
        let mut cmd = cli(dir, &endpoint);
        cmd.args(args);
        let started = unix_ms();
        let (landed, at) = run_and_kill(cmd, &mut rng, span);
        let ctx = format!(
            "{kind} trial {i} (replay: MISTUDIO_CRASH_SEED={seed} MISTUDIO_CRASH_TRIALS=1), killed {at}"
        );
        tally.landed += landed as u64;
        tally.already_done += (landed && job_finished_since(dir, started)) as u64;
        let before = all_tokenization_ids(dir);
        let active_before = active_tokenization_ids(dir);
        assert_db_sound(dir, &format!("{ctx}, right after the kill"));

        let mut rerun = cli(dir, &endpoint);
        rerun.args(args);
        let out = output_within(rerun, RERUN_LIMIT, &format!("{ctx}: the rerun"));
        ok(&out, &format!("{ctx}: the rerun"));
        let v = json(&out);
        assert_eq!(v["status"], "ready", "{ctx}");
        let tok = v["id"].as_str().unwrap().to_string();
        // The rerun carried on with the tokenization the killed run had left unfinished.
        if landed && active_before.contains(&tok) {
            tally.resumed += 1;
        }
        assert_eq!(dataset_ids(dir), vec![ds.clone()], "{ctx}");
        assert_eq!(
            all_tokenization_ids(dir),
            vec![tok.clone()],
            "{ctx}: the tokenizations after the rerun (before it: {before:?}); {}",
            db_state(dir)
        );
        let folders: Vec<String> = std::fs::read_dir(&tokenized)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(folders, vec![tok.clone()], "{ctx}: the tokenized folder");
        assert_same_tree(&reference, &canonical(&v), &ctx);
        let strays = stray_temp_files(&dir.join("data"));
        assert!(
            strays.is_empty(),
            "{ctx}: temp files left after the rerun: {strays:?}"
        );
        assert_db_sound(dir, &format!("{ctx}, after the rerun"));
    }
    tally.print();
    delete_and_check_gone(dir, &endpoint, &[ds], &format!("{kind}, the end"));
    rt.block_on(hub.shutdown());
}

/// `bytes` with each id replaced by its placeholder: the ids are new in every folder.
fn mask(bytes: &[u8], ids: &[(&str, &str)]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for (id, with) in ids {
        let (id, with) = (id.as_bytes(), with.as_bytes());
        let mut next = Vec::with_capacity(out.len());
        let mut i = 0;
        while i < out.len() {
            if out[i..].starts_with(id) {
                next.extend_from_slice(with);
                i += id.len();
            } else {
                next.push(out[i]);
                i += 1;
            }
        }
        out = next;
    }
    out
}

/// The datasets' and jobs' statuses, for a failure message.
fn db_state(dir: &Path) -> String {
    with_db(dir, async |conn| {
        let datasets: Vec<(String, String)> =
            sqlx::query_as("SELECT id, status FROM datasets ORDER BY created_at")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        let jobs: Vec<(String, String, Option<String>, String, i64)> = sqlx::query_as(
            "SELECT id, kind, target, status, attempts FROM jobs ORDER BY created_at",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        format!("datasets {datasets:?}, jobs {jobs:?}")
    })
}

#[test]
fn an_import_killed_anywhere_reruns_to_the_reference_bytes() {
    let (rt, hub) = hub();
    let endpoint = hub.endpoint();
    let source = fresh_dir();
    std::fs::write(source.path().join("train.jsonl"), jsonl(&texts(40_000, 21))).unwrap();
    std::fs::write(source.path().join("test.jsonl"), jsonl(&texts(8_000, 22))).unwrap();
    let src = source.path().to_string_lossy().into_owned();
    let args = |_: &Path| {
        vec![
            "--json".to_string(),
            "import".to_string(),
            src.clone(),
            "--name".to_string(),
            "crash".to_string(),
            "--progress".to_string(),
            "json".to_string(),
        ]
    };
    let canonical =
        |dir: &Path, v: &serde_json::Value| dataset_data(dir, v["id"].as_str().unwrap());
    Crash {
        kind: "import",
        idempotent: true,
        seed: base_seed(2_000),
        endpoint: &endpoint,
        args: &args,
        canonical: &canonical,
    }
    .run();
    rt.block_on(hub.shutdown());
}
