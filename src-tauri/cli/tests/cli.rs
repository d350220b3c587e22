//! The CLI as scripts use it: the real binary, a real database, a temp data folder.

use mistudio_engine::testing::{NewDataset, NewJob, Store};
use mistudio_engine::{ColumnInfo, DatasetSource, DatasetStatus, JobKind, SplitInfo};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn local(&self) -> std::path::PathBuf {
        self.dir.path().join("local")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_mistudio-cli"))
            .args(args)
            .env("MISTUDIO_DATA_DIR", self.dir.path().join("data"))
            .env("MISTUDIO_LOCAL_DIR", self.local())
            // Keep the machine's own settings out of the test.
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env_remove("HF_ENDPOINT")
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> (Option<i32>, Value) {
        let out = self.run(&[&["--json"], args].concat());
        let value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        (out.status.code(), value)
    }

    fn seed(&self) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = Store::open(&self.local().join("mistudio.sqlite"))
                .await
                .unwrap();
            store
                .insert_dataset(&NewDataset {
                    id: "ds_tiny".into(),
                    name: "roneneldan/TinyStories".into(),
                    source: DatasetSource::HuggingFace,
                    hf_repo_id: Some("roneneldan/TinyStories".into()),
                    hf_config: Some("default".into()),
                    hf_split: Some("train".into()),
                    status: DatasetStatus::Processing,
                })
                .await
                .unwrap();
            store
                .mark_dataset_ready(
                    "ds_tiny",
                    &[SplitInfo {
                        name: "train".into(),
                        num_rows: 1200,
                    }],
                    &[ColumnInfo {
                        name: "text".into(),
                        data_type: "string".into(),
                    }],
                    Some("text"),
                    "parquet",
                    1_048_576,
                )
                .await
                .unwrap();
            store
                .insert_job(&NewJob {
                    kind: JobKind::DatasetDownload,
                    target: Some("ds_tiny".into()),
                    params: Value::Null,
                })
                .await
                .unwrap();
            store.close().await;
        });
    }
}

#[test]
fn list_on_a_fresh_machine_is_empty() {
    let sb = Sandbox::new();
    let (code, value) = sb.json(&["list"]);
    assert_eq!(code, Some(0));
    assert_eq!(value, serde_json::json!([]));
    assert!(sb.dir.path().join("data/datasets").is_dir());
    let human = sb.run(&["list"]);
    assert!(String::from_utf8_lossy(&human.stdout).starts_with("No datasets in "));
}

#[test]
fn list_and_show_carry_the_dataset_contract() {
    let sb = Sandbox::new();
    sb.seed();
    let (code, list) = sb.json(&["list"]);
    assert_eq!(code, Some(0));
    let d = &list[0];
    for key in [
        "id",
        "name",
        "source",
        "hf_repo_id",
        "status",
        "num_samples",
        "size_bytes",
        "splits",
        "columns",
        "text_column",
    ] {
        assert!(d.get(key).is_some(), "missing {key} in {d}");
    }
    assert_eq!(d["id"], "ds_tiny");
    assert_eq!(d["source"], "hugging_face");
    assert_eq!(d["status"], "ready");
    assert_eq!(d["num_samples"], 1200);
    assert_eq!(d["splits"][0]["name"], "train");

    let (code, shown) = sb.json(&["show", "ds_tiny"]);
    assert_eq!(code, Some(0));
    assert_eq!(&shown, d);
    let human = String::from_utf8(sb.run(&["show", "ds_tiny"]).stdout).unwrap();
    assert!(human.contains("samples:  1200"), "{human}");
    assert!(human.contains("text: string (text)"), "{human}");
}

#[test]
fn errors_are_json_with_a_kind_and_a_distinct_exit_code() {
    let sb = Sandbox::new();
    let (code, value) = sb.json(&["show", "ds_nothere"]);
    assert_eq!(code, Some(3));
    assert_eq!(value["error"]["kind"], "not_found");
    assert_eq!(
        value["error"]["message"],
        "dataset ds_nothere was not found"
    );

    let (code, value) = sb.json(&["show", "../etc"]);
    assert_eq!(code, Some(2));
    assert_eq!(value["error"]["kind"], "invalid_input");

    let plain = sb.run(&["show", "ds_nothere"]);
    assert_eq!(plain.status.code(), Some(3));
    assert!(plain.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&plain.stderr).trim(),
        "error: dataset ds_nothere was not found"
    );
}

#[test]
fn a_data_dir_that_is_a_file_is_refused_with_the_fix() {
    let sb = Sandbox::new();
    let file = sb.dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    let out = sb.run(&["--json", "--data-dir", file.to_str().unwrap(), "list"]);
    assert_eq!(out.status.code(), Some(2));
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(value["error"]["message"]
        .as_str()
        .unwrap()
        .contains("is a file, not a folder"));
    assert!(!Path::new(&file).is_dir());
}

#[test]
fn jobs_are_listed_and_queued_ones_can_be_cancelled() {
    let sb = Sandbox::new();
    sb.seed();
    let (code, jobs) = sb.json(&["jobs"]);
    assert_eq!(code, Some(0));
    assert_eq!(jobs.as_array().unwrap().len(), 1);
    let job = &jobs[0];
    assert_eq!(job["status"], "queued");
    assert_eq!(job["target"], "ds_tiny");
    assert!(job.get("params").is_none(), "parameters stay internal");

    let id = job["id"].as_str().unwrap();
    let (code, cancelled) = sb.json(&["jobs", "--cancel", id]);
    assert_eq!(code, Some(0));
    assert_eq!(cancelled["status"], "cancelled");
    let (_, jobs) = sb.json(&["jobs"]);
    assert_eq!(jobs[0]["status"], "cancelled");
    let (code, missing) = sb.json(&["jobs", "--cancel", "job_nope"]);
    assert_eq!(code, Some(3));
    assert_eq!(missing["error"]["kind"], "not_found");
}

#[test]
fn import_reads_a_relative_path_and_prints_the_ready_dataset() {
    let sb = Sandbox::new();
    let folder = sb.dir.path().join("work/corpus");
    std::fs::create_dir_all(&folder).unwrap();
    for (split, rows) in [("train", 12), ("validation", 3)] {
        let body: String = (0..rows)
            .map(|i| format!("{{\"text\": \"{split} {i}\"}}\n"))
            .collect();
        std::fs::write(folder.join(format!("{split}.jsonl")), body).unwrap();
    }
    // A path relative to where the command runs, as a person types it.
    let out = Command::new(env!("CARGO_BIN_EXE_mistudio-cli"))
        .args([
            "--json",
            "import",
            "corpus",
            "--name",
            "lab corpus",
            "--progress",
            "none",
        ])
        .current_dir(sb.dir.path().join("work"))
        .env("MISTUDIO_DATA_DIR", sb.dir.path().join("data"))
        .env("MISTUDIO_LOCAL_DIR", sb.local())
        .env("HOME", sb.dir.path())
        .env("XDG_DATA_HOME", sb.dir.path().join("xdg"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ds: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ds["name"], "lab corpus");
    assert_eq!(ds["status"], "ready");
    assert_eq!(ds["source"], "local");
    assert_eq!(ds["num_samples"], 15);
    assert_eq!(ds["splits"][1]["name"], "validation");

    // Another machine (its own database) on the same data folder finds it by rescanning.
    let other = |args: &[&str]| -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_mistudio-cli"))
            .args([&["--json"], args].concat())
            .env("MISTUDIO_DATA_DIR", sb.dir.path().join("data"))
            .env("MISTUDIO_LOCAL_DIR", sb.dir.path().join("laptop-local"))
            .env("HOME", sb.dir.path())
            .env("XDG_DATA_HOME", sb.dir.path().join("xdg"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert_eq!(other(&["list"]), serde_json::json!([]));
    assert_eq!(other(&["rescan"])["added"], serde_json::json!([ds["id"]]));
    assert_eq!(other(&["list"])[0]["num_samples"], 15);

    let (code, err) = sb.json(&["import", "/no/such/place.jsonl"]);
    assert_eq!(code, Some(3), "{err}");
    assert_eq!(err["error"]["kind"], "not_found");
}
