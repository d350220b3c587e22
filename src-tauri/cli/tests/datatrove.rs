//! `mistudio-cli datatrove export | adopt`: an exported pipeline run for real by datatrove's
//! local executor (several tasks, two workers), adopted, and checked against an independent
//! computation in Python; a run killed with `kill -9` and resumed; partial or foreign outputs
//! and bad export settings refused with nothing registered; hostile names kept out of code.

mod common;
use common::{cli, json, python, run_python, shared, tree};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Rows per canonical file, so the shared corpus makes six files: datatrove gives each task
/// whole files, and these tests need several tasks with work.
const FILE_ROWS: &str = "20000";

struct Lab {
    dir: tempfile::TempDir,
    data: PathBuf,
}

impl Lab {
    fn new() -> Lab {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        Lab { dir, data }
    }

    fn cli(&self) -> Command {
        let mut c = cli(self.dir.path(), "http://127.0.0.1:9");
        c.env("MISTUDIO_DATA_DIR", &self.data)
            .env("MISTUDIO_CANONICAL_FILE_ROWS", FILE_ROWS);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cli().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        json(&out)
    }

    fn import(&self, path: &Path, name: &str) -> String {
        let ds = self.ok(&[
            "import",
            path.to_str().unwrap(),
            "--name",
            name,
            "--progress",
            "none",
        ]);
        ds["id"].as_str().unwrap().to_string()
    }

    fn export(&self, ds: &str, tokenizer: &Path, out: &Path, extra: &[&str]) -> serde_json::Value {
        let mut args = vec![
            "datatrove",
            "export",
            ds,
            "--tokenizer",
            tokenizer.to_str().unwrap(),
            "--pack",
            "256",
            "--no-shuffle",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.ok(&args)
    }

    fn tokenizations(&self, ds: &str) -> Vec<serde_json::Value> {
        self.ok(&["tokenization", "list", ds])
            .as_array()
            .unwrap()
            .clone()
    }
}

/// Runs an export's script with datatrove's local executor.
fn run_pipeline(export: &Path, tasks: &str) {
    let out = pipeline_command(export, tasks, "2").output().unwrap();
    assert!(
        out.status.success(),
        "the pipeline failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pipeline_command(export: &Path, tasks: &str, workers: &str) -> Command {
    let mut c = Command::new(python());
    c.arg(export.join("pipeline.py"))
        .args([
            "--executor",
            "local",
            "--tasks",
            tasks,
            "--workers",
            workers,
        ])
        .env("HF_HUB_OFFLINE", "1");
    c
}

fn check_in_python(lab: &Lab, tz: &serde_json::Value, tokenizer: serde_json::Value, eos: u32) {
    let case = serde_json::json!({
        "dir": tz["path"],
        "texts": shared("corpus.parquet"),
        "column": "text",
        "tokenizer": tokenizer,
        "eos": eos,
        "context": 256,
    });
    let file = lab.dir.path().join("case.json");
    std::fs::write(&file, serde_json::to_vec(&case).unwrap()).unwrap();
    let report = run_python("check_datatrove.py", &[file.as_os_str()], lab.dir.path());
    assert!(report["rows"].as_u64().unwrap() > 1000, "{report}");
}

#[test]
fn an_exported_pipeline_runs_on_datatrove_and_adopts_to_the_independent_windows() {
    let lab = Lab::new();
    let ds = lab.import(&shared("corpus.parquet"), "corpus");
    let cases = [
        (
            "gpt2",
            shared("gpt2-tokenizer.json"),
            serde_json::json!({"kind": "tokenizers", "file": shared("gpt2-tokenizer.json")}),
            50256,
        ),
        (
            "llama2",
            shared("llama2"),
            serde_json::json!({"kind": "transformers", "folder": shared("llama2")}),
            2,
        ),
    ];
    for (name, tokenizer, reference, eos) in cases {
        let export = lab.dir.path().join(format!("export-{name}"));
        let written = lab.export(&ds, &tokenizer, &export, &["--tasks", "3"]);
        assert_eq!(written["splits"][0]["files"], 6, "{written}");
        assert!(written["command"].as_str().unwrap().contains("--tasks 3"));
        run_pipeline(&export, "3");
        let checked = lab.ok(&["datatrove", "check", &ds, export.to_str().unwrap()]);
        assert_eq!(checked["tasks"], 3);
        assert_eq!(checked["splits"][0]["documents"], 134_310);
        let tz = lab.ok(&[
            "datatrove",
            "adopt",
            &ds,
            export.to_str().unwrap(),
            "--progress",
            "none",
        ]);
        assert_eq!(tz["status"], "ready", "{tz}");
        check_in_python(&lab, &tz, reference, eos);

        // The app's own pass with the same settings writes the same rows: the export keeps
        // the dataset's order and encodes as the app does.
        let own = lab.ok(&[
            "tokenize",
            &ds,
            "--tokenizer",
            tokenizer.to_str().unwrap(),
            "--pack",
            "256",
            "--begin-batch-token",
            "none",
            "--sequence-separator-token",
            "none",
            "--document-end-token",
            "eos",
            "--no-shuffle",
            "--progress",
            "none",
        ]);
        let rows = |tz: &serde_json::Value| {
            tree(&Path::new(tz["path"].as_str().unwrap()).join("train"))
                .into_iter()
                .filter(|(name, _)| name.ends_with(".arrow"))
                .collect::<Vec<_>>()
        };
        assert_eq!(rows(&tz), rows(&own), "{name}: adopted and own rows differ");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn partial_or_foreign_outputs_are_refused_and_register_nothing() {
    let lab = Lab::new();
    let ds = lab.import(&shared("corpus.parquet"), "corpus");
    let export = lab.dir.path().join("export");
    lab.export(
        &ds,
        &shared("gpt2-tokenizer.json"),
        &export,
        &["--tasks", "2"],
    );
    run_pipeline(&export, "2");
    let other = lab.import(&shared("corpus.parquet"), "corpus again");

    let rank1 = |d: &Path, ext: &str| d.join(format!("output/0/00001_unshuffled.ds{ext}"));
    type Damage<'a> = Box<dyn Fn(&Path) + 'a>;
    let cases: Vec<(&str, Damage, &str, &str)> = vec![
        (
            "truncated",
            Box::new(|d| {
                let f = rank1(d, "");
                let len = std::fs::metadata(&f).unwrap().len();
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(&f)
                    .unwrap()
                    .set_len(len - 100)
                    .unwrap();
            }),
            &ds,
            "shorter than its index",
        ),
        (
            "missing rank",
            Box::new(|d| {
                for ext in ["", ".index", ".metadata"] {
                    std::fs::remove_file(rank1(d, ext)).unwrap();
                }
            }),
            &ds,
            "is missing",
        ),
        (
            "another tokenizer",
            Box::new(|d| {
                std::fs::write(rank1(d, ".metadata"), "meta-llama/Llama-2-7b-hf|2\n1\n1 T").unwrap()
            }),
            &ds,
            "another tokenizer",
        ),
        (
            "empty folder",
            Box::new(|d| {
                std::fs::remove_dir_all(d).unwrap();
                std::fs::create_dir(d).unwrap();
            }),
            &ds,
            "holds no datatrove export",
        ),
        (
            "another dataset",
            Box::new(|_| {}),
            &other,
            "not corpus again",
        ),
    ];
    for (what, damage, target, expected) in cases {
        let copy = lab
            .dir
            .path()
            .join(format!("copy-{}", what.replace(' ', "-")));
        copy_dir(&export, &copy);
        damage(&copy);
        let out = lab.run(&[
            "datatrove",
            "adopt",
            target,
            copy.to_str().unwrap(),
            "--progress",
            "none",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{what} was adopted");
        let expected = if what == "another dataset" {
            "this output was exported from the dataset corpus".to_string()
        } else {
            expected.to_string()
        };
        assert!(stderr.contains(&expected), "{what}: {stderr}");
        for d in [&ds, &other] {
            assert!(
                lab.tokenizations(d).is_empty(),
                "{what} registered a tokenization"
            );
            let folder = lab.data.join("datasets").join(d).join("tokenized");
            assert!(
                std::fs::read_dir(&folder).map_or(true, |mut e| e.next().is_none()),
                "{what} left files in {}",
                folder.display()
            );
        }
    }
}

#[test]
fn bad_export_input_gets_a_clear_error_and_writes_nothing() {
    let lab = Lab::new();
    let ds = lab.import(&shared("corpus.parquet"), "corpus");
    let gpt2 = shared("gpt2-tokenizer.json");
    let out = lab.dir.path().join("export");
    let busy = lab.dir.path().join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "mine").unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["datatrove", "export"];
        all.extend_from_slice(args);
        lab.run(&all)
    };
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec![
                "ds_00000000000000000000000000000000",
                "--tokenizer",
                gpt2.to_str().unwrap(),
                "--pack",
                "256",
                "--out",
                out.to_str().unwrap(),
            ],
            3,
            "not found",
        ),
        (
            vec![
                &ds,
                "--tokenizer",
                gpt2.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            2,
            "per-sample rows",
        ),
        (
            vec![
                &ds,
                "--tokenizer",
                gpt2.to_str().unwrap(),
                "--pack",
                "256",
                "--sequence-separator-token",
                "bos",
                "--out",
                out.to_str().unwrap(),
            ],
            2,
            "separator",
        ),
        (
            vec![
                &ds,
                "--tokenizer",
                gpt2.to_str().unwrap(),
                "--pack",
                "256",
                "--begin-batch-token",
                "bos",
                "--out",
                out.to_str().unwrap(),
            ],
            2,
            "begin-batch",
        ),
        (
            vec![
                &ds,
                "--tokenizer",
                gpt2.to_str().unwrap(),
                "--pack",
                "256",
                "--min-tokens",
                "5",
                "--out",
                out.to_str().unwrap(),
            ],
            2,
            "token filters",
        ),
        (
            vec![
                &ds,
                "--tokenizer",
                gpt2.to_str().unwrap(),
                "--pack",
                "256",
                "--executor",
                "slurm",
                "--out",
                out.to_str().unwrap(),
            ],
            2,
            "partition",
        ),
        (
            vec![
                &ds,
                "--tokenizer",
                gpt2.to_str().unwrap(),
                "--pack",
                "256",
                "--out",
                busy.to_str().unwrap(),
            ],
            4,
            "is not empty",
        ),
    ];
    for (args, code, expected) in cases {
        let result = run(&args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
    assert_eq!(std::fs::read(busy.join("notes.txt")).unwrap(), b"mine");
}
