//! `mistudio-cli tokenizer` / `tokenize` / `stats` as a script runs them: a dataset downloaded
//! from the loopback Hub emulator, tokenized with the real GPT-2 tokenizer, read back by Python,
//! interrupted (cancel, `kill -9`) and rerun to the same bytes, and the Conflict rule.

mod common;
use common::{cli, json, shared, texts, tree, wait_for_progress};

use mistudio_hub_emulator::{EmulatorConfig, HubEmulator, RepoFile, RepoSpec};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

struct Lab {
    _rt: tokio::runtime::Runtime,
    hub: HubEmulator,
    dir: tempfile::TempDir,
    splits: BTreeMap<String, Vec<String>>,
}

impl Lab {
    fn cli(&self) -> Command {
        cli(self.dir.path(), &self.hub.endpoint())
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cli().args(args).output().unwrap()
    }

    /// Downloads the lab's dataset; returns its id.
    fn dataset(&self) -> String {
        let out = self.run(&["--json", "download", "lab/text", "--progress", "none"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        json(&out)["id"].as_str().unwrap().to_string()
    }
}

fn lab(train: usize, test: usize) -> Lab {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let hub = rt
        .block_on(HubEmulator::start(EmulatorConfig::default()))
        .unwrap();
    let mut splits = BTreeMap::new();
    splits.insert("train".to_string(), texts(train, 1));
    splits.insert("test".to_string(), texts(test, 2));
    let files = splits
        .iter()
        .map(|(name, texts)| {
            let body: String = texts
                .iter()
                .map(|t| serde_json::json!({ "text": t }).to_string() + "\n")
                .collect();
            RepoFile::new(format!("data/{name}.jsonl"), body)
        })
        .collect();
    hub.add_repo(RepoSpec::dataset("lab/text", files));
    let gpt2 = std::fs::read(shared("gpt2-tokenizer.json")).unwrap();
    hub.add_repo(RepoSpec::model(
        "lab/gpt2",
        vec![RepoFile::new("tokenizer.json", gpt2)],
    ));
    hub.add_repo(RepoSpec::model(
        "lab/no-tokenizer",
        vec![RepoFile::new("config.json", "{}")],
    ));
    Lab {
        _rt: rt,
        hub,
        dir: tempfile::tempdir().unwrap(),
        splits,
    }
}

fn output_dir(lab: &Lab, ds: &str, tok: &str) -> PathBuf {
    lab.dir
        .path()
        .join("data/datasets")
        .join(ds)
        .join("tokenized")
        .join(tok)
}

/// The Python that has `datasets`, `pyarrow` and `tokenizers` (scripts/test makes one).
fn python() -> String {
    std::env::var("MISTUDIO_PYTHON").unwrap_or_else(|_| {
        panic!(
            "set MISTUDIO_PYTHON to a Python with datasets, pyarrow and tokenizers; \
             scripts/test creates one and sets it"
        )
    })
}

#[test]
fn tokenizers_are_added_from_a_file_or_the_hub_with_clear_errors() {
    let lab = lab(10, 2);
    let gpt2 = shared("gpt2-tokenizer.json");
    let out = lab.run(&["--json", "tokenizer", "add", gpt2.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let t = json(&out);
    assert_eq!(t["vocab_size"], 50257);
    assert_eq!(t["name"], "gpt2");
    assert_eq!(t["special_tokens"]["eos"]["id"], 50256);
    assert!(t["special_tokens"]["pad"].is_null());

    let again = lab.run(&["--json", "tokenizer", "add", gpt2.to_str().unwrap()]);
    assert_eq!(
        again.status.code(),
        Some(4),
        "the same file twice is a conflict"
    );
    assert!(json(&again)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("already in the library"));

    let broken = lab.dir.path().join("tokenizer.json");
    std::fs::write(&broken, "{\"version\": \"1.0\", \"truncated").unwrap();
    let out = lab.run(&["--json", "tokenizer", "add", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a usable tokenizer.json"));

    let out = lab.run(&["--json", "tokenizer", "add", "lab/no-tokenizer"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("tokenizer.json"));

    // The Hub copy has the same bytes as the file: also a conflict, so remove the file one.
    let list = json(&lab.run(&["--json", "tokenizer", "list"]));
    let id = list[0]["id"].as_str().unwrap().to_string();
    assert!(lab.run(&["tokenizer", "delete", &id]).status.success());
    let out = lab.run(&["--json", "tokenizer", "add", "lab/gpt2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let t = json(&out);
    assert_eq!(t["hf_repo_id"], "lab/gpt2");
    assert!(t["hf_revision"].as_str().is_some_and(|r| r.len() == 40));
    // Fetched into the HF cache layout, like any download.
    assert!(lab
        .dir
        .path()
        .join("hf/hub/models--lab--gpt2/snapshots")
        .is_dir());
}

#[test]
fn a_tokenization_is_read_by_python_with_the_same_ids_and_the_conflict_rule_holds() {
    let lab = lab(600, 120);
    let ds = lab.dataset();
    let gpt2 = shared("gpt2-tokenizer.json");
    let gpt2 = gpt2.to_str().unwrap();
    for (args, settings) in [
        (
            vec!["--max-length", "64"],
            serde_json::json!({"truncation": true, "max_length": 64, "add_special_tokens": true}),
        ),
        (
            vec!["--pack", "128", "--bos", "--separator", "eos"],
            serde_json::json!({"packing": {"context_size": 128, "bos_per_row": true, "separator": {"kind": "eos"}}}),
        ),
    ] {
        let mut cmd = vec!["--json", "tokenize", &ds, "--tokenizer", gpt2, "--replace"];
        cmd.extend(&args);
        cmd.extend(["--progress", "none"]);
        let out = lab.run(&cmd);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let tz = json(&out);
        assert_eq!(tz["status"], "ready");
        let dir = output_dir(&lab, &ds, tz["id"].as_str().unwrap());
        assert!(dir.join("dataset_dict.json").is_file());
        assert!(dir.join("mistudio.json").is_file());

        let sources = lab.dir.path().join("sources.json");
        std::fs::write(&sources, serde_json::to_vec(&lab.splits).unwrap()).unwrap();
        let py = Command::new(python())
            .arg(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/python/check_tokenized.py"),
            )
            .arg(&dir)
            .arg(gpt2)
            .arg(&sources)
            .arg(settings.to_string())
            .output()
            .unwrap();
        assert!(
            py.status.success(),
            "Python disagrees: {}{}",
            String::from_utf8_lossy(&py.stdout),
            String::from_utf8_lossy(&py.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&py.stdout).unwrap();
        assert_eq!(report["ok"], true);
        assert_eq!(
            Some(report["rows"].as_u64().unwrap()),
            tz["statistics"]["num_rows"].as_u64()
        );
    }

    // Without --replace, a finished pair is a Conflict that says how to go on.
    let out = lab.run(&[
        "--json",
        "tokenize",
        &ds,
        "--tokenizer",
        gpt2,
        "--progress",
        "none",
    ]);
    assert_eq!(out.status.code(), Some(4));
    assert!(json(&out)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("confirm to replace"));

    let stats = json(&lab.run(&["--json", "stats", &ds]));
    // The text lengths come first, whatever the tokenizations.
    assert!(stats["text"]["num_rows"].as_u64().unwrap() > 0, "{stats}");
    assert!(
        stats["text"]["chars"]["p90"].as_u64().unwrap() > 0,
        "{stats}"
    );
    let s = &stats["tokenizations"][0]["statistics"];
    for key in [
        "num_tokens",
        "num_samples",
        "seq_len",
        "histogram",
        "truncated",
        "padding_overhead",
        "unique_tokens",
    ] {
        assert!(!s[key].is_null(), "stats lack {key}: {s}");
    }
    assert_eq!(s["num_samples"], 720);
}

/// Starts the CLI with `args` (which ask for `--progress json`) and returns it once the
/// tokenization has written `min_samples`.
fn start_and_wait_for_progress(lab: &Lab, args: &[&str], min_samples: u64) -> std::process::Child {
    let mut child = lab
        .cli()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_progress(&mut child, min_samples);
    child
}

#[test]
fn an_interrupted_tokenization_reruns_to_the_same_bytes() {
    let lab = lab(24_000, 1_000);
    let ds = lab.dataset();
    let gpt2 = shared("gpt2-tokenizer.json");
    let gpt2 = gpt2.to_str().unwrap();
    let args = [
        "--json",
        "tokenize",
        &ds,
        "--tokenizer",
        gpt2,
        "--max-length",
        "256",
        "--progress",
        "json",
    ];

    // Uninterrupted, for reference.
    let out = lab.run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let tz = json(&out);
    let tok_id = tz["id"].as_str().unwrap().to_string();
    let reference = tree(&output_dir(&lab, &ds, &tok_id));
    assert!(reference.contains_key("train/data-00000-of-00001.arrow"));

    // kill -9 mid-pass: the rerun starts over and writes the same bytes.
    let mut replace = args.to_vec();
    replace.push("--replace");
    let mut child = start_and_wait_for_progress(&lab, &replace, 2_000);
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = output_dir(&lab, &ds, &tok_id).with_extension("partial");
    assert!(partial.is_dir(), "the killed run left its partial folder");
    let listed = json(&lab.run(&["--json", "show", &ds]));
    assert_eq!(listed["status"], "ready", "the dataset itself is untouched");

    let out = lab.run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        json(&out)["id"],
        tok_id.as_str(),
        "the rerun resumed the same tokenization"
    );
    assert!(!partial.exists());
    let rerun = tree(&output_dir(&lab, &ds, &tok_id));
    assert_eq!(
        rerun.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &reference {
        assert!(
            rerun[name] == *bytes,
            "{name} differs after kill -9 and rerun"
        );
    }

    // Ctrl-C: the CLI cancels the job, the tokenization is withdrawn with its files, and a
    // rerun makes a new one with the same data.
    let mut child = start_and_wait_for_progress(&lab, &replace, 2_000);
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "a cancelled run exits 130");
    let remaining = json(&lab.run(&["--json", "stats", &ds]));
    assert_eq!(
        remaining["tokenizations"],
        serde_json::json!([]),
        "the cancelled tokenization is gone: {remaining}"
    );
    assert!(!output_dir(&lab, &ds, &tok_id).exists());
    let out = lab.run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let new_id = json(&out)["id"].as_str().unwrap().to_string();
    let again = tree(&output_dir(&lab, &ds, &new_id));
    for (name, bytes) in &reference {
        if name == "mistudio.json" {
            // It names the tokenization, whose id is new; the rest is the same.
            let strip = |b: &[u8]| {
                let mut v: serde_json::Value = serde_json::from_slice(b).unwrap();
                v.as_object_mut().unwrap().remove("tokenization_id");
                v
            };
            assert_eq!(strip(&again[name]), strip(bytes));
        } else {
            assert!(
                again[name] == *bytes,
                "{name} differs after a cancel and rerun"
            );
        }
    }
}

#[test]
fn samples_are_paged_and_searched_from_the_cli() {
    let lab = lab(600, 120);
    let ds = lab.dataset();
    let page = json(&lab.run(&[
        "--json", "samples", &ds, "--split", "test", "--offset", "110", "--limit", "20",
    ]));
    assert_eq!(page["total"], 120);
    let samples = page["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 10);
    assert_eq!(samples[0]["index"], 110);
    assert_eq!(
        samples[0]["fields"]["text"],
        lab.splits["test"][110].as_str()
    );

    let want = lab
        .splits
        .values()
        .flatten()
        .filter(|t| t.to_lowercase().contains("東京"))
        .count();
    let found = json(&lab.run(&["--json", "samples", &ds, "--search", "東京", "--limit", "5"]));
    assert_eq!(found["total"], want as u64);
    assert!(found["samples"].as_array().unwrap().len() <= 5);

    let human = lab.run(&["samples", &ds, "--limit", "2"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.starts_with("rows 1–2 of 720"), "{text}");
    let missing = lab.run(&["--json", "samples", &ds, "--split", "validation"]);
    assert_eq!(missing.status.code(), Some(3));
}

#[test]
fn delete_asks_unless_told_and_removes_the_dataset() {
    let lab = lab(30, 5);
    let ds = lab.dataset();
    let refused = lab.run(&["--json", "delete", &ds]);
    assert_eq!(refused.status.code(), Some(2), "no terminal, no --yes");
    assert!(json(&refused)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("--yes"));
    let out = lab.run(&["--json", "delete", &ds, "--yes", "--hub-files"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json(&out)["deleted"][0], ds.as_str());
    assert!(!lab.dir.path().join("data/datasets").join(&ds).exists());
    let gone = lab.run(&["--json", "show", &ds]);
    assert_eq!(gone.status.code(), Some(3));
}
