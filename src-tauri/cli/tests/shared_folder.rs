//! Two machines on one data folder, as two processes with their own local databases (the
//! Jetson and a laptop): they take turns on a dataset through the lock files in the folder,
//! and a lock left by a `kill -9` is recovered by the next run.

mod common;
use common::{json, shared, texts, wait_for_progress};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

struct Folder {
    dir: tempfile::TempDir,
}

impl Folder {
    /// A shared data folder holding one imported dataset of `rows` texts, made by the Jetson
    /// and adopted by the laptop's rescan. Returns the dataset id.
    fn with_dataset(rows: usize) -> (Folder, String) {
        let folder = Folder {
            dir: tempfile::tempdir().unwrap(),
        };
        let file = folder.dir.path().join("corpus.jsonl");
        let body: String = texts(rows, 11)
            .iter()
            .map(|t| serde_json::json!({ "text": t }).to_string() + "\n")
            .collect();
        std::fs::write(&file, body).unwrap();
        let out = folder.run("jetson", &["--json", "import", file.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let ds = json(&out)["id"].as_str().unwrap().to_string();
        let out = folder.run("laptop", &["--json", "rescan"]);
        assert!(json(&out)["added"]
            .as_array()
            .unwrap()
            .contains(&ds.as_str().into()));
        (folder, ds)
    }

    /// The CLI as run on `machine`: the shared data folder, its own database and Hub cache.
    fn cli(&self, machine: &str) -> Command {
        let mut cmd = common::cli(self.dir.path(), "http://127.0.0.1:9");
        cmd.env(
            "MISTUDIO_LOCAL_DIR",
            self.dir.path().join(machine).join("local"),
        )
        .env("HF_HOME", self.dir.path().join(machine).join("hf"));
        cmd
    }

    fn run(&self, machine: &str, args: &[&str]) -> Output {
        self.cli(machine).args(args).output().unwrap()
    }

    fn lock_file(&self, ds: &str) -> PathBuf {
        self.dir
            .path()
            .join("data/locks")
            .join(format!("{ds}.lock"))
    }
}

fn tokenize_args(ds: &str) -> Vec<String> {
    let gpt2 = shared("gpt2-tokenizer.json");
    [
        "--json",
        "tokenize",
        ds,
        "--tokenizer",
        gpt2.to_str().unwrap(),
        "--max-length",
        "128",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn hostname() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// Asserts `out` is the busy refusal naming this host and the holder's process.
fn assert_busy(out: &Output, holder_pid: Option<u32>) {
    assert_eq!(out.status.code(), Some(4), "a Conflict exits 4");
    let error = &json(out)["error"];
    assert_eq!(error["kind"], "conflict");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("busy on {}", hostname())),
        "{message}"
    );
    if let Some(pid) = holder_pid {
        assert!(message.contains(&format!("process {pid}")), "{message}");
    }
}

#[test]
fn two_machines_tokenizing_one_dataset_at_once_take_turns() {
    let (folder, ds) = Folder::with_dataset(20_000);
    let args = tokenize_args(&ds);
    let spawn = |machine: &str| {
        folder
            .cli(machine)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let jetson = spawn("jetson");
    let laptop = spawn("laptop");
    let jetson = jetson.wait_with_output().unwrap();
    let laptop = laptop.wait_with_output().unwrap();
    let (winner, loser, loser_name) = match (jetson.status.success(), laptop.status.success()) {
        (true, false) => (jetson, laptop, "laptop"),
        (false, true) => (laptop, jetson, "jetson"),
        (a, b) => panic!(
            "exactly one should run; jetson succeeded: {a}, laptop succeeded: {b}\njetson: {}\nlaptop: {}",
            String::from_utf8_lossy(&jetson.stdout),
            String::from_utf8_lossy(&laptop.stdout)
        ),
    };
    assert_eq!(json(&winner)["status"], "ready");
    assert_busy(&loser, None);
    assert!(
        !folder.lock_file(&ds).exists(),
        "the winner released its lock"
    );

    // Once the other is done, the refused machine runs the same request.
    let again = folder.run(
        loser_name,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert_eq!(json(&again)["status"], "ready");
    assert!(!folder.lock_file(&ds).exists());

    // Deleted on the Jetson, gone from the laptop after its rescan, tokenizations included.
    let out = folder.run("jetson", &["--json", "delete", &ds, "--yes"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report = json(&folder.run("laptop", &["--json", "rescan"]));
    assert!(
        report["removed"]
            .as_array()
            .unwrap()
            .contains(&ds.as_str().into()),
        "{report}"
    );
    let gone = folder.run("laptop", &["--json", "show", &ds]);
    assert_eq!(gone.status.code(), Some(3), "not found exits 3");
    assert_eq!(json(&gone)["error"]["kind"], "not_found");
    let listed = json(&folder.run("laptop", &["--json", "list"]));
    assert_eq!(listed, serde_json::json!([]));
}

#[test]
fn a_lock_left_by_kill_9_is_recovered_by_the_next_run() {
    let (folder, ds) = Folder::with_dataset(20_000);
    let args = tokenize_args(&ds);
    let mut with_progress: Vec<&str> = args.iter().map(String::as_str).collect();
    with_progress.extend(["--progress", "json"]);
    let kill_mid_run = |extra: &[&str]| {
        let mut child = folder
            .cli("jetson")
            .args(&with_progress)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for_progress(&mut child, 2_000);
        let pid = child.id();
        child.kill().unwrap(); // SIGKILL: nothing is cleaned up
        child.wait().unwrap();
        pid
    };

    let killed = kill_mid_run(&[]);
    let lock: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.lock_file(&ds)).unwrap()).unwrap();
    assert_eq!(lock["pid"], killed, "the killed job's lock stays behind");
    assert_eq!(lock["host"], hostname());
    assert!(lock["purpose"]
        .as_str()
        .unwrap()
        .starts_with("tokenizing with"));

    // The laptop cannot know the process is gone: the fresh lock keeps it out.
    let seen = json(&folder.run("laptop", &["--json", "locks"]));
    assert_eq!(seen[0]["dataset_id"], ds.as_str());
    assert_eq!(seen[0]["stale"], serde_json::Value::Null);
    let refused = folder.run(
        "laptop",
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_busy(&refused, Some(killed));

    // The Jetson sees its own dead process and breaks the lock; the interrupted job resumes.
    let seen = json(&folder.run("jetson", &["--json", "locks"]));
    assert!(
        seen[0]["stale"]
            .as_str()
            .unwrap()
            .contains(&format!("process {killed}")),
        "{seen}"
    );
    let out = folder.run("jetson", &with_progress);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!folder.lock_file(&ds).exists());

    // Killed again, and this time the Jetson never comes back: once the lock has been silent
    // past the timeout, the laptop breaks it and runs. (The silence is simulated by aging the
    // lock; waiting two minutes in a test would prove nothing more.)
    let killed = kill_mid_run(&["--replace"]);
    age_lock(&folder.lock_file(&ds), Duration::from_secs(10 * 60));
    let seen = json(&folder.run("laptop", &["--json", "locks"]));
    assert!(
        seen[0]["stale"].as_str().unwrap().contains("no heartbeat"),
        "{seen}"
    );
    let out = folder.run(
        "laptop",
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(
        out.status.success(),
        "the laptop recovers the lock of process {killed}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json(&out)["status"], "ready");
    assert!(!folder.lock_file(&ds).exists());
    let leftovers: Vec<_> = std::fs::read_dir(folder.dir.path().join("data/locks"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        leftovers.is_empty(),
        "nothing is left in locks/: {leftovers:?}"
    );
}

/// The ids of `tokenization list` on `machine`, sorted.
fn listed_tokenizations(folder: &Folder, machine: &str, ds: &str) -> Vec<String> {
    let out = folder.run(machine, &["--json", "tokenization", "list", ds]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut ids: Vec<String> = json(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn two_tokenizations_with_one_tokenizer_are_seen_by_the_other_machine_and_deleted_one_by_one() {
    let (folder, ds) = Folder::with_dataset(2_000);
    let gpt2 = shared("gpt2-tokenizer.json");
    let tokenize = |context: &str| {
        let out = folder.run(
            "jetson",
            &[
                "--json",
                "tokenize",
                &ds,
                "--tokenizer",
                gpt2.to_str().unwrap(),
                "--pack",
                context,
                "--progress",
                "none",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        json(&out)
    };
    let short = tokenize("128");
    let long = tokenize("256");
    assert_eq!(short["tokenizer_id"], long["tokenizer_id"]);
    assert_ne!(short["id"], long["id"]);
    let mut both = vec![
        short["id"].as_str().unwrap().to_string(),
        long["id"].as_str().unwrap().to_string(),
    ];
    both.sort();
    assert_eq!(listed_tokenizations(&folder, "jetson", &ds), both);
    let report = json(&folder.run("laptop", &["--json", "rescan"]));
    let mut added: Vec<String> = report["added"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| {
            v.as_str()
                .filter(|id| id.starts_with("tok_"))
                .map(String::from)
        })
        .collect();
    added.sort();
    assert_eq!(added, both, "{report}");
    assert_eq!(listed_tokenizations(&folder, "laptop", &ds), both);
    let stats = json(&folder.run("laptop", &["--json", "stats", &ds]));
    let contexts: Vec<_> = stats["tokenizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["settings"]["packing"]["context_size"].as_u64().unwrap())
        .collect();
    assert_eq!(contexts.len(), 2, "{stats}");
    assert!(
        contexts.contains(&128) && contexts.contains(&256),
        "{stats}"
    );

    // Deleted on the laptop one at a time: the other stays, on both machines.
    let out = folder.run(
        "laptop",
        &[
            "--json",
            "tokenization",
            "delete",
            short["id"].as_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!Path::new(short["path"].as_str().unwrap()).exists());
    assert!(Path::new(long["path"].as_str().unwrap())
        .join("dataset_dict.json")
        .is_file());
    let only_long = vec![long["id"].as_str().unwrap().to_string()];
    assert_eq!(listed_tokenizations(&folder, "laptop", &ds), only_long);
    let report = json(&folder.run("jetson", &["--json", "rescan"]));
    assert!(
        report["removed"].as_array().unwrap().contains(&short["id"]),
        "{report}"
    );
    assert_eq!(listed_tokenizations(&folder, "jetson", &ds), only_long);
    let out = folder.run(
        "jetson",
        &[
            "--json",
            "tokenization",
            "delete",
            long["id"].as_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    assert!(listed_tokenizations(&folder, "jetson", &ds).is_empty());
    json(&folder.run("laptop", &["--json", "rescan"]));
    assert!(listed_tokenizations(&folder, "laptop", &ds).is_empty());
    // The dataset itself stays.
    let shown = json(&folder.run("laptop", &["--json", "show", &ds]));
    assert_eq!(shown["status"], "ready");
    // A tokenization that is gone is not found.
    let out = folder.run(
        "jetson",
        &[
            "--json",
            "tokenization",
            "delete",
            long["id"].as_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(3));
}

/// Makes a lock look as if its holder has been silent for `age`.
fn age_lock(path: &Path, age: Duration) {
    let then = SystemTime::now() - age;
    let mut lock: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let ms = then
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    lock["heartbeat_at"] = ms.into();
    std::fs::write(path, serde_json::to_vec(&lock).unwrap()).unwrap();
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(then)
        .unwrap();
}

/// The other machine already knows one tokenization of a dataset when a second one with the
/// same tokenizer appears: its next rescan adopts that one too.
#[test]
fn a_later_rescan_adopts_a_second_tokenization_with_a_known_tokenizer() {
    let (folder, ds) = Folder::with_dataset(500);
    let gpt2 = shared("gpt2-tokenizer.json");
    let tokenize = |context: &str| {
        let out = folder.run(
            "jetson",
            &[
                "--json",
                "tokenize",
                &ds,
                "--tokenizer",
                gpt2.to_str().unwrap(),
                "--pack",
                context,
                "--progress",
                "none",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        json(&out)["id"].as_str().unwrap().to_string()
    };
    let first = tokenize("128");
    json(&folder.run("laptop", &["--json", "rescan"]));
    assert_eq!(
        listed_tokenizations(&folder, "laptop", &ds),
        vec![first.clone()]
    );
    let second = tokenize("256");
    let report = json(&folder.run("laptop", &["--json", "rescan"]));
    let mut both = vec![first, second];
    both.sort();
    assert_eq!(
        listed_tokenizations(&folder, "laptop", &ds),
        both,
        "the laptop's rescan: {report}"
    );
}
