//! `mistudio-cli tokenizer` / `tokenize` / `stats` as a script runs them: a dataset downloaded
//! from the loopback Hub emulator, tokenized with the real GPT-2 tokenizer, read back by Python,
//! interrupted (cancel, `kill -9`) and rerun to the same bytes, and the Conflict rule.

mod common;
use common::{cli, json, python, run_python, shared, texts, tree, wait_for_progress};

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

/// Writes `cases` as the JSON file a checking script reads, and runs the script on it.
fn check_cases(script: &str, cases: &[serde_json::Value], scratch: &Path) -> serde_json::Value {
    let file = scratch.join(format!("{script}.cases.json"));
    std::fs::write(&file, serde_json::to_vec(cases).unwrap()).unwrap();
    run_python(script, &[file.as_os_str()], scratch)
}

/// A data folder of its own holding one dataset imported from the edge-case corpus that
/// `saelens_packing.py fixture` writes for a tokenizer and a context size: empty documents,
/// documents exactly a context long (and one token either side), documents of several
/// contexts, short ones; splits `train` and `test`.
struct Corpus {
    dir: tempfile::TempDir,
    ds: String,
    /// split -> texts, in order.
    sources: PathBuf,
}

impl Corpus {
    fn new(tokenizer: &Path, context: u32) -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("corpus");
        let sources = dir.path().join("sources.json");
        run_python(
            "saelens_packing.py",
            &[
                "fixture".as_ref(),
                tokenizer.as_os_str(),
                context.to_string().as_ref(),
                folder.as_os_str(),
                sources.as_os_str(),
            ],
            dir.path(),
        );
        let mut corpus = Corpus {
            dir,
            ds: String::new(),
            sources,
        };
        let out = corpus.run(&[
            "--json",
            "import",
            folder.to_str().unwrap(),
            "--progress",
            "none",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        corpus.ds = json(&out)["id"].as_str().unwrap().to_string();
        corpus
    }

    fn run(&self, args: &[&str]) -> Output {
        // Nothing here talks to a Hub.
        cli(self.dir.path(), "http://127.0.0.1:9")
            .args(args)
            .output()
            .unwrap()
    }

    /// `tokenize` with `args`; returns the ready tokenization.
    fn tokenize(&self, tokenizer: &Path, args: &[&str]) -> serde_json::Value {
        let mut cmd = vec![
            "--json",
            "tokenize",
            &self.ds,
            "--tokenizer",
            tokenizer.to_str().unwrap(),
            "--progress",
            "none",
        ];
        cmd.extend(args);
        let out = self.run(&cmd);
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let tz = json(&out);
        assert_eq!(tz["status"], "ready", "{tz}");
        tz
    }

    /// A case for check_tokenized.py.
    fn case(&self, tokenizer: &Path, tz: &serde_json::Value) -> serde_json::Value {
        serde_json::json!({
            "dir": tz["path"],
            "tokenizer": tokenizer,
            "sources": self.sources,
            "settings": tz["settings"],
        })
    }
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
    let sources = lab.dir.path().join("sources.json");
    std::fs::write(&sources, serde_json::to_vec(&lab.splits).unwrap()).unwrap();
    let tokenize = |args: &[&str]| {
        let mut cmd = vec![
            "--json",
            "tokenize",
            &ds,
            "--tokenizer",
            gpt2.to_str().unwrap(),
            "--progress",
            "none",
        ];
        cmd.extend(args);
        lab.run(&cmd)
    };
    let mut cases = Vec::new();
    let mut made = Vec::new();
    for args in [
        &["--max-length", "64"][..],
        &[
            "--pack",
            "128",
            "--begin-batch-token",
            "bos",
            "--sequence-separator-token",
            "eos",
            "--no-shuffle",
        ],
        // Shuffled: the same rows as SAELens's, in another order.
        &["--pack", "128", "--seed", "5"],
    ] {
        let out = tokenize(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let tz = json(&out);
        assert_eq!(tz["status"], "ready");
        let dir = PathBuf::from(tz["path"].as_str().unwrap());
        assert_eq!(dir, output_dir(&lab, &ds, tz["id"].as_str().unwrap()));
        for file in [
            "dataset_dict.json",
            "mistudio.json",
            "sae_lens.json",
            "README.md",
        ] {
            assert!(dir.join(file).is_file(), "{args:?}: no {file}");
        }
        cases.push(serde_json::json!({
            "dir": dir, "tokenizer": gpt2, "sources": sources, "settings": tz["settings"],
        }));
        made.push(tz);
    }
    assert_eq!(made[2]["settings"]["shuffle"], true);
    assert_eq!(made[2]["settings"]["seed"], 5);
    let report = check_cases("check_tokenized.py", &cases, lab.dir.path());
    for (tz, rows) in made.iter().zip(report["cases"].as_array().unwrap()) {
        let total: u64 = rows
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum();
        assert_eq!(Some(total), tz["statistics"]["num_rows"].as_u64());
    }

    // The same settings again, without --replace, are a Conflict that says how to go on; the
    // first release's flags (--bos, --separator) name the same settings as today's.
    for args in [
        &["--max-length", "64"][..],
        &[
            "--pack",
            "128",
            "--bos",
            "--separator",
            "eos",
            "--no-shuffle",
        ],
    ] {
        let out = tokenize(args);
        assert_eq!(out.status.code(), Some(4), "{args:?}");
        assert!(json(&out)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("confirm to replace"));
    }
    // With --replace, the tokenization with those settings is made again, in its place.
    let out = tokenize(&["--max-length", "64", "--replace"]);
    assert!(out.status.success());
    let replaced = json(&out);
    assert_eq!(replaced["id"], made[0]["id"]);
    assert_eq!(replaced["statistics"], made[0]["statistics"]);

    let stats = json(&lab.run(&["--json", "stats", &ds]));
    // The text lengths come first, whatever the tokenizations.
    assert!(stats["text"]["num_rows"].as_u64().unwrap() > 0, "{stats}");
    assert!(
        stats["text"]["chars"]["p90"].as_u64().unwrap() > 0,
        "{stats}"
    );
    let all = stats["tokenizations"].as_array().unwrap();
    assert_eq!(all.len(), 3, "{stats}");
    for t in all {
        let s = &t["statistics"];
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
    // In words, the tokenization says which encoder made it.
    let words = lab.run(&["stats", &ds]);
    let words = String::from_utf8_lossy(&words.stdout);
    assert!(
        words.contains("encoder:          fast byte-level BPE"),
        "{words}"
    );
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

/// The settings every tokenizer is packed with in the equality runs: SAELens's defaults, then
/// each token choice in turn, one document per row, and bare documents.
const PACKINGS: &[&[&str]] = &[
    &[],
    &["--sequence-separator-token", "eos"],
    &[
        "--begin-batch-token",
        "none",
        "--sequence-separator-token",
        "none",
    ],
    &["--begin-sequence-token", "bos"],
    &["--sequence-separator-token", "13"],
    &[
        "--begin-batch-token",
        "eos",
        "--sequence-separator-token",
        "none",
    ],
    &["--disable-concat-sequences"],
    &["--no-special-tokens"],
];

#[test]
fn packed_rows_equal_saelens_packing_row_for_row_on_edge_case_documents() {
    const CONTEXT: u32 = 32;
    let t0 = std::time::Instant::now();
    let mut cases = Vec::new();
    let mut corpora = Vec::new();
    for tokenizer in [
        shared("gpt2-tokenizer.json"),
        shared("llama2"),
        shared("deepseek-v3"),
    ] {
        let corpus = Corpus::new(&tokenizer, CONTEXT);
        for args in PACKINGS {
            let mut all = vec!["--pack", "32", "--no-shuffle"];
            all.extend(*args);
            let tz = corpus.tokenize(&tokenizer, &all);
            assert_eq!(tz["settings"]["shuffle"], false);
            cases.push(corpus.case(&tokenizer, &tz));
        }
        // A context the corpus was not cut for.
        let tz = corpus.tokenize(&tokenizer, &["--pack", "7", "--no-shuffle"]);
        // Byte-level BPE on the fast path (so these rows check it against Python too),
        // Llama-2 (SentencePiece-style, byte fallback) on tokenizers, each saying so.
        let encoder = &tz["statistics"]["encoder"];
        if tokenizer.ends_with("llama2") {
            assert_eq!(encoder["path"], "tokenizers", "{encoder}");
            assert!(encoder["reason"]
                .as_str()
                .unwrap()
                .contains("byte fallback"));
        } else {
            assert_eq!(
                encoder["path"],
                "fast_bpe",
                "{}: {encoder}",
                tokenizer.display()
            );
        }
        cases.push(corpus.case(&tokenizer, &tz));
        corpora.push(corpus);
    }
    let report = check_cases("check_tokenized.py", &cases, corpora[0].dir.path());
    let rows: u64 = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c.as_object().unwrap().values())
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert!(rows > 1_000, "{report}");
    // GPT-2 and Llama-2 in two bytes a token, DeepSeek-V3 (129,280 ids) in four, and Python
    // datasets reads both to the same ids.
    let per_tokenizer = PACKINGS.len() + 1;
    let dtypes = report["input_ids_dtypes"].as_array().unwrap();
    assert_eq!(dtypes.len(), 3 * per_tokenizer, "{report}");
    assert!(
        dtypes[..2 * per_tokenizer].iter().all(|d| d == "uint16"),
        "{report}"
    );
    assert!(
        dtypes[2 * per_tokenizer..].iter().all(|d| d == "uint32"),
        "{report}"
    );
    eprintln!(
        "{} packed tokenizations equal to SAELens's rows ({rows} rows) in {:.1} s",
        cases.len(),
        t0.elapsed().as_secs_f64()
    );
}

/// A folder transformers loads GPT-2 from offline: its tokenizer.json and a config naming the
/// class (whose BOS and EOS are `<|endoftext|>`).
fn gpt2_folder(dir: &Path) -> PathBuf {
    let folder = dir.join("gpt2");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(shared("gpt2-tokenizer.json"), folder.join("tokenizer.json")).unwrap();
    std::fs::write(
        folder.join("tokenizer_config.json"),
        r#"{"tokenizer_class": "GPT2Tokenizer"}"#,
    )
    .unwrap();
    folder
}

/// The documents' ids end to end: rows of 2 with nothing added between them, in order.
const END_TO_END: &[&str] = &[
    "--pack",
    "2",
    "--begin-batch-token",
    "none",
    "--sequence-separator-token",
    "none",
    "--no-shuffle",
];

#[test]
fn packed_documents_are_encoded_as_transformers_encodes_them() {
    let scratch = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    let mut corpora = Vec::new();
    for tokenizer in [
        gpt2_folder(scratch.path()),
        shared("llama2"),
        shared("deepseek-v3"),
    ] {
        let corpus = Corpus::new(&tokenizer, 32);
        let tz = corpus.tokenize(&tokenizer, END_TO_END);
        cases.push(serde_json::json!({
            "dir": tz["path"], "tokenizer": tokenizer, "sources": corpus.sources,
        }));
        corpora.push(corpus);
    }
    let report = check_cases("check_transformers.py", &cases, scratch.path());
    eprintln!("{report}");
    for c in report["cases"].as_array().unwrap() {
        assert_eq!(c["documents"], 70, "{report}");
    }
}

/// Row counts per split, as the tokenization's statistics give them.
fn split_rows(tz: &serde_json::Value) -> serde_json::Value {
    tz["statistics"]["splits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["num_rows"].clone(),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

#[test]
fn a_tokenization_loads_by_its_path_with_every_datasets_loader_and_says_how_it_was_made() {
    let lab = lab(300, 60);
    let ds = lab.dataset();
    let t0 = std::time::Instant::now();
    let tokenize = |args: &[&str]| {
        let mut cmd = vec![
            "--json",
            "tokenize",
            &ds,
            "--tokenizer",
            "lab/gpt2",
            "--progress",
            "none",
        ];
        cmd.extend(args);
        let out = lab.run(&cmd);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        json(&out)
    };
    let common = serde_json::json!({
        "sae_lens_version": "6.54.12",
        "tokenizer_name": "lab/gpt2",
        "original_dataset": "lab/text",
        "original_data_files": null,
        "column_name": "text",
    });
    let with = |extra: serde_json::Value| {
        let mut all = common.clone();
        all.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        all
    };
    let cases = [
        // One split, shuffled with a seed, SAELens's default tokens.
        (
            tokenize(&["--split", "train", "--pack", "64", "--seed", "11"]),
            with(serde_json::json!({
                "original_split": "train", "splits": ["train"], "context_size": 64,
                "shuffled": true, "seed": 11, "begin_batch_token": "bos",
                "begin_sequence_token": null, "sequence_separator_token": "bos",
                "disable_concat_sequences": false, "packed": true,
            })),
        ),
        // Both splits, in order, other tokens, one document per row.
        (
            tokenize(&[
                "--pack",
                "48",
                "--begin-batch-token",
                "none",
                "--begin-sequence-token",
                "eos",
                "--sequence-separator-token",
                "198",
                "--disable-concat-sequences",
                "--no-shuffle",
            ]),
            with(serde_json::json!({
                "original_split": null, "splits": ["train", "test"], "context_size": 48,
                "shuffled": false, "seed": null, "begin_batch_token": null,
                "begin_sequence_token": "eos", "sequence_separator_token": 198,
                "disable_concat_sequences": true, "packed": true,
            })),
        ),
        // Per-sample rows load the same way.
        (
            tokenize(&["--max-length", "40"]),
            with(serde_json::json!({
                "original_split": null, "context_size": 40, "shuffled": false,
                "begin_batch_token": null, "sequence_separator_token": null, "packed": false,
            })),
        ),
    ];
    for (tz, sae_lens) in &cases {
        let expect = serde_json::json!({ "splits": split_rows(tz), "sae_lens": sae_lens });
        let report = run_python(
            "check_loaders.py",
            &[
                tz["path"].as_str().unwrap().as_ref(),
                expect.to_string().as_ref(),
            ],
            lab.dir.path(),
        );
        assert_eq!(report["splits"], expect["splits"]);
    }
    // The Python cache went where it was told, not into the library.
    assert!(lab.dir.path().join("py-datasets-cache").is_dir());
    eprintln!(
        "3 tokenizations loaded three ways in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
}

/// Every file of a tokenization's splits (`<split>/…`): the Arrow files and their metadata.
fn split_files(tz: &serde_json::Value) -> BTreeMap<String, Vec<u8>> {
    tree(Path::new(tz["path"].as_str().unwrap()))
        .into_iter()
        .filter(|(name, _)| name.starts_with("train/") || name.starts_with("test/"))
        .collect()
}

#[test]
fn shuffled_rows_are_the_unshuffled_ones_in_an_order_the_seed_decides() {
    let lab = lab(600, 120);
    let ds = lab.dataset();
    let gpt2 = shared("gpt2-tokenizer.json");
    let sources = lab.dir.path().join("sources.json");
    std::fs::write(&sources, serde_json::to_vec(&lab.splits).unwrap()).unwrap();
    let tokenize = |args: &[&str]| {
        let mut cmd = vec![
            "--json",
            "tokenize",
            &ds,
            "--tokenizer",
            gpt2.to_str().unwrap(),
            "--pack",
            "64",
            "--progress",
            "none",
        ];
        cmd.extend(args);
        let out = lab.run(&cmd);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        json(&out)
    };
    // Packed mode shuffles by default, with a seed of its own, recorded.
    let unseeded = tokenize(&[]);
    assert_eq!(unseeded["settings"]["shuffle"], true);
    let seed = unseeded["settings"]["seed"]
        .as_u64()
        .expect("a recorded seed");
    let sae_lens: serde_json::Value = serde_json::from_slice(
        &std::fs::read(Path::new(unseeded["path"].as_str().unwrap()).join("sae_lens.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(sae_lens["shuffled"], true);
    assert_eq!(sae_lens["seed"], seed);
    let plain = tokenize(&["--no-shuffle"]);
    let seven = tokenize(&["--seed", "7"]);
    let seven_files = split_files(&seven);
    let again = tokenize(&["--seed", "7", "--replace"]);
    assert_eq!(again["id"], seven["id"]);
    assert!(
        split_files(&again) == seven_files,
        "the same seed wrote other bytes"
    );
    let eight = tokenize(&["--seed", "8"]);
    let eight_files = split_files(&eight);
    for split in ["train", "test"] {
        let name = format!("{split}/data-00000-of-00001.arrow");
        assert!(
            eight_files[&name] != seven_files[&name],
            "{split}: seeds 7 and 8 gave the same order"
        );
    }
    assert_eq!(
        plain["statistics"]["num_rows"],
        seven["statistics"]["num_rows"]
    );

    // Each shuffled tokenization holds SAELens's rows, each as often, in another order.
    let cases: Vec<_> = [&plain, &seven, &eight, &unseeded]
        .iter()
        .map(|tz| {
            serde_json::json!({
                "dir": tz["path"], "tokenizer": gpt2, "sources": sources,
                "settings": tz["settings"],
            })
        })
        .collect();
    check_cases("check_tokenized.py", &cases, lab.dir.path());
}

#[test]
fn bad_packing_flags_are_refused_with_the_fix_and_make_nothing() {
    let lab = lab(30, 5);
    let ds = lab.dataset();
    let gpt2 = shared("gpt2-tokenizer.json");
    // (flags, where the message is, what it must say); every one exits 2.
    let cases: &[(&[&str], &str, &[&str])] = &[
        (
            &["--pack", "16", "--begin-batch-token", "sep"],
            "json",
            &[
                "no SEP token",
                "begin-batch",
                "choose another token, a token id or none",
            ],
        ),
        (
            &["--pack", "16", "--sequence-separator-token", "99999999"],
            "json",
            &["99999999", "outside the vocabulary", "0 to 50256"],
        ),
        (
            &["--pack", "1"],
            "json",
            &["context size must be between 2"],
        ),
        (
            &["--pack", "16", "--seed", "3", "--no-shuffle"],
            "stderr",
            &["--seed", "cannot be used with", "--no-shuffle"],
        ),
        (
            &["--pack", "16", "--seed=-1"],
            "stderr",
            &["invalid value '-1'", "--seed"],
        ),
        (
            &["--pack", "16", "--seed", "-1"],
            "stderr",
            &["unexpected argument '-1'"],
        ),
        (
            &["--pack", "16", "--begin-sequence-token", "bogus"],
            "stderr",
            &["expected bos, eos, sep, none or a token id"],
        ),
        (
            &["--sequence-separator-token", "eos"],
            "stderr",
            &["required", "--pack"],
        ),
    ];
    for (flags, place, says) in cases {
        let mut cmd = vec![
            "--json",
            "tokenize",
            &ds,
            "--tokenizer",
            gpt2.to_str().unwrap(),
            "--progress",
            "none",
        ];
        cmd.extend(*flags);
        let out = lab.run(&cmd);
        assert_eq!(out.status.code(), Some(2), "{flags:?}");
        let message = if *place == "json" {
            let v = json(&out);
            assert_eq!(v["error"]["kind"], "invalid_input", "{flags:?}: {v}");
            v["error"]["message"].as_str().unwrap().to_string()
        } else {
            String::from_utf8_lossy(&out.stderr).into_owned()
        };
        for s in *says {
            assert!(message.contains(s), "{flags:?}: {message:?} lacks {s:?}");
        }
        let stats = json(&lab.run(&["--json", "stats", &ds]));
        assert_eq!(stats["tokenizations"], serde_json::json!([]), "{flags:?}");
        let tokenized = lab
            .dir
            .path()
            .join("data/datasets")
            .join(&ds)
            .join("tokenized");
        let left: Vec<_> = std::fs::read_dir(&tokenized)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(left.is_empty(), "{flags:?} left {left:?}");
    }
}

/// Where sae_lens 6.54 changed its packing from earlier releases, on documents that reach
/// those branches: a document whose begin-sequence token did not fit behind the separator gets
/// it at the start of its next row; with one document per row, the begin-batch token stands in
/// for a missing begin-sequence token whatever its id, DeepSeek-V3's BOS of id 0 included.
#[test]
fn the_packing_corner_cases_follow_sae_lens_6_54() {
    let gpt2 = shared("gpt2-tokenizer.json");
    let short_rows = Corpus::new(&gpt2, 16);
    // Rows of 8 with two prefix tokens (separator, then begin-sequence): often only one fits.
    let cut_off = short_rows.tokenize(
        &gpt2,
        &[
            "--pack",
            "8",
            "--begin-sequence-token",
            "30",
            "--sequence-separator-token",
            "eos",
            "--no-shuffle",
        ],
    );
    let deepseek = shared("deepseek-v3");
    let zero_bos = Corpus::new(&deepseek, 16);
    let alone = zero_bos.tokenize(
        &deepseek,
        &["--pack", "16", "--disable-concat-sequences", "--no-shuffle"],
    );
    assert_eq!(
        alone["settings"]["packing"]["begin_batch_token"]["kind"],
        "bos"
    );
    check_cases(
        "check_tokenized.py",
        &[
            short_rows.case(&gpt2, &cut_off),
            zero_bos.case(&deepseek, &alone),
        ],
        short_rows.dir.path(),
    );
    // The begin-sequence token does reach the start of rows (not only the middle).
    let rows: Vec<Vec<u64>> = {
        let dir = Path::new(cut_off["path"].as_str().unwrap()).join("train");
        let out = Command::new(python())
            .arg("-c")
            .arg("import sys, json, datasets; print(json.dumps(datasets.load_from_disk(sys.argv[1]).to_dict()['input_ids']))")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert!(
        rows.iter()
            .any(|r| r[0] == 50256 && r[1] == 30 && r.len() == 8),
        "no row opens with BOS and a carried-over begin-sequence token"
    );
}

/// `sae_lens.json` holds every field of sae_lens 6.54's `PretokenizedDatasetMetadata` (the
/// release it names), as `PretokenizeRunner` writes them.
#[test]
fn sae_lens_json_has_every_field_of_sae_lens_6_54() {
    let gpt2 = shared("gpt2-tokenizer.json");
    let corpus = Corpus::new(&gpt2, 16);
    let tz = corpus.tokenize(&gpt2, &["--pack", "16", "--no-shuffle"]);
    let meta: serde_json::Value = serde_json::from_slice(
        &std::fs::read(Path::new(tz["path"].as_str().unwrap()).join("sae_lens.json")).unwrap(),
    )
    .unwrap();
    let missing: Vec<_> = [
        "sae_lens_version",
        "tokenizer_name",
        "original_dataset",
        "original_dataset_name",
        "original_split",
        "original_data_files",
        "original_column_name",
        "context_size",
        "shuffled",
        "seed",
        "begin_batch_token",
        "begin_sequence_token",
        "sequence_separator_token",
        "disable_concat_sequences",
        "use_chat_formatting",
    ]
    .into_iter()
    .filter(|k| meta.get(k).is_none())
    .collect();
    assert!(
        missing.is_empty(),
        "sae_lens.json lacks {missing:?}: {meta}"
    );
    assert_eq!(meta["original_column_name"], "text");
    assert_eq!(meta["use_chat_formatting"], false);
}
