use super::export::{check_expressible, exported_tokenizer, run_command, shell_quote};
use super::files::{Spec, SpecExecutor, SpecInput, SpecSource, SpecSplit, SpecTokenizer};
use super::output::check_output;
use super::*;
use crate::tokenize::tests::{gpt2, gpt2_with_template, texts, tokenizer_from_data};
use crate::tokenize::{LoadedTokenizer, Packing, PackingToken, TokenizeSettings};
use std::path::Path;

fn datatrove_settings(document_end: PackingToken, special: bool) -> TokenizeSettings {
    TokenizeSettings {
        packing: Some(Packing {
            context_size: 128,
            begin_batch_token: PackingToken::None,
            begin_sequence_token: PackingToken::None,
            sequence_separator_token: PackingToken::None,
            disable_concat_sequences: false,
            document_end_token: document_end,
        }),
        add_special_tokens: special,
        ..TokenizeSettings::default()
    }
}

type SettingsEdit = dyn Fn(&mut TokenizeSettings);

#[test]
fn settings_datatrove_cannot_run_exactly_are_refused_with_the_reason() {
    let tok = gpt2();
    let base = datatrove_settings(PackingToken::Eos, true);
    assert!(check_expressible(&base, &tok).is_ok());
    let with = |f: &SettingsEdit| {
        let mut s = base.clone();
        f(&mut s);
        check_expressible(&s, &tok).unwrap_err().to_string()
    };
    let cases: [(&SettingsEdit, &str); 6] = [
        (&|s| s.packing = None, "per-sample rows"),
        (
            &|s| s.packing.as_mut().unwrap().begin_batch_token = PackingToken::Bos,
            "begin-batch",
        ),
        (
            &|s| s.packing.as_mut().unwrap().begin_sequence_token = PackingToken::Bos,
            "begin-sequence",
        ),
        (
            &|s| s.packing.as_mut().unwrap().sequence_separator_token = PackingToken::Eos,
            "document-end token",
        ),
        (
            &|s| s.packing.as_mut().unwrap().disable_concat_sequences = true,
            "one document per row",
        ),
        (&|s| s.min_tokens = Some(3), "token filters"),
    ];
    for (change, reason) in cases {
        let message = with(change);
        assert!(message.contains("datatrove"), "{message}");
        assert!(message.contains(reason), "{reason}: {message}");
    }
    // Llama-2 frames each document with BOS: an empty text would be a document here and none
    // in datatrove, unless a document-end token makes empty texts nothing on both sides.
    let llama2 = tokenizer_from_data("llama2");
    let bare = datatrove_settings(PackingToken::None, true);
    let message = check_expressible(&bare, &llama2).unwrap_err().to_string();
    assert!(message.contains("empty text"), "{message}");
    assert!(check_expressible(&bare, &gpt2()).is_ok());
    assert!(check_expressible(&datatrove_settings(PackingToken::None, false), &llama2).is_ok());
}

/// The exported file, loaded as datatrove loads it, gives the pass's ids with the document's
/// frame and end token, on texts with every awkward case.
#[test]
fn the_exported_tokenizer_encodes_as_the_pass_does() {
    let tokenizers: Vec<(&str, LoadedTokenizer)> = vec![
        ("gpt2", gpt2()),
        ("gpt2 with a template", gpt2_with_template()),
        ("llama2", tokenizer_from_data("llama2")),
        ("deepseek-v3", tokenizer_from_data("deepseek-v3")),
    ];
    for (name, tok) in &tokenizers {
        for (end, special) in [
            (PackingToken::Eos, true),
            (PackingToken::Eos, false),
            (PackingToken::Id(7), true),
            (PackingToken::None, false),
        ] {
            let resolved = datatrove_settings(end, special).validate(tok).unwrap();
            let json = exported_tokenizer(tok, &resolved).unwrap();
            let reloaded: tokenizers::Tokenizer = json.parse().unwrap();
            assert!(reloaded.get_truncation().is_none() && reloaded.get_padding().is_none());
            for text in texts().iter().filter(|t| !t.is_empty()) {
                let want = resolved
                    .packing_tokens
                    .finish_document(text, tok.document_ids(text, special).unwrap());
                let got = reloaded.encode(text.as_str(), true).unwrap();
                assert_eq!(
                    got.get_ids(),
                    want.as_slice(),
                    "{name} ({end:?}, special {special}) on {text:?}"
                );
            }
        }
    }
    // Llama-2 as transformers rebuilds it: one BOS, and " Hello" without a stray "▁".
    let llama2 = &tokenizers[2].1;
    let resolved = datatrove_settings(PackingToken::Eos, true)
        .validate(llama2)
        .unwrap();
    let reloaded: tokenizers::Tokenizer = exported_tokenizer(llama2, &resolved)
        .unwrap()
        .parse()
        .unwrap();
    let ids = reloaded.encode(" Hello", true).unwrap().get_ids().to_vec();
    assert_eq!(ids.first(), Some(&1));
    assert_eq!(ids.last(), Some(&2));
    assert_eq!(ids.len(), 3, "{ids:?}");
}

#[test]
fn the_script_is_the_same_for_every_export_and_holds_no_user_string() {
    let script = include_str!("pipeline.py");
    // Everything it uses comes from pipeline.json, read as data.
    assert!(script.contains("json.load"));
    for construct in [
        "eval(",
        "exec(",
        "format_map",
        "%s\" %",
        "subprocess",
        "os.system",
    ] {
        assert!(!script.contains(construct), "the script uses {construct}");
    }
}

#[test]
fn commands_quote_what_a_shell_would_read() {
    assert_eq!(shell_quote("/data/exports/run-1"), "/data/exports/run-1");
    assert_eq!(shell_quote("it's here"), r"'it'\''s here'");
    assert_eq!(shell_quote("$(touch x)"), "'$(touch x)'");
    assert_eq!(shell_quote(""), "''");
    let cmd = run_command(
        Path::new("/tmp/a b"),
        &ExecutorOptions {
            executor: ExecutorKind::Slurm,
            partition: Some("gpu;rm -rf /".into()),
            ..ExecutorOptions::default()
        },
    );
    assert_eq!(
        cmd,
        "python3 '/tmp/a b/pipeline.py' --executor slurm --tasks 4 --partition 'gpu;rm -rf /' --time 04:00:00 --cpus-per-task 1"
    );
}

/// A finished run as datatrove writes it, for the checks: `docs` per task.
fn fake_run(dir: &Path, docs: &[Vec<Vec<u16>>]) -> Spec {
    let spec = Spec {
        format: SPEC_FORMAT.into(),
        format_version: SPEC_VERSION,
        datatrove_version: DATATROVE_VERSION.into(),
        made_by: "test".into(),
        source: SpecSource::Dataset {
            dataset_id: "ds_1".into(),
            dataset_name: "corpus".into(),
        },
        tokenizer: SpecTokenizer {
            id: "tk_1".into(),
            name: "gpt2".into(),
            sha256: None,
            file: "tokenizer-0123456789abcdef.json".into(),
            file_sha256: "00".into(),
            token_size: 2,
        },
        settings: datatrove_settings(PackingToken::Eos, true),
        text_column: "text".into(),
        data_root: None,
        batch_size: 1000,
        splits: vec![SpecSplit {
            name: "train".into(),
            input: SpecInput::Ipc {
                folder: "datasets/ds_1/data/train".into(),
                files: vec!["data-00000.arrow".into()],
            },
            output: "output/0".into(),
            logs: "logs/0".into(),
            rows: None,
        }],
        executor_defaults: SpecExecutor {
            executor: ExecutorKind::Local,
            tasks: docs.len() as u32,
            workers: None,
            partition: None,
            time: "01:00:00".into(),
            cpus_per_task: 1,
            mem_per_cpu_gb: 2.0,
            venv: None,
            ray_address: None,
        },
    };
    std::fs::write(dir.join(SPEC_FILE), serde_json::to_vec(&spec).unwrap()).unwrap();
    let out = dir.join("output/0");
    let done = dir.join("logs/0/completions");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&done).unwrap();
    std::fs::write(
        out.join(RUN_FILE),
        format!("{{\"tasks\": {}, \"split\": \"train\"}}", docs.len()),
    )
    .unwrap();
    for (rank, rank_docs) in docs.iter().enumerate() {
        let base = out.join(format!("{rank:05}_unshuffled.ds"));
        let (mut tokens, mut index, mut end) = (Vec::new(), Vec::new(), 0u64);
        for d in rank_docs {
            tokens.extend(d.iter().flat_map(|t| t.to_le_bytes()));
            end += d.len() as u64;
            index.extend(end.to_le_bytes());
        }
        std::fs::write(&base, tokens).unwrap();
        std::fs::write(base.with_extension("ds.index"), index).unwrap();
        std::fs::write(
            base.with_extension("ds.metadata"),
            format!("/cluster/exports/run/tokenizer-0123456789abcdef.json|2\n{end}\n{end} T"),
        )
        .unwrap();
        std::fs::write(done.join(format!("{rank:05}")), "").unwrap();
    }
    spec
}

fn two_tasks() -> Vec<Vec<Vec<u16>>> {
    vec![
        vec![vec![10, 11, 50256], vec![12, 50256]],
        vec![vec![13, 14, 15, 50256]],
    ]
}

#[test]
fn a_finished_output_is_read_task_by_task() {
    let dir = tempfile::tempdir().unwrap();
    fake_run(dir.path(), &two_tasks());
    let checked = check_output(dir.path()).unwrap();
    assert_eq!(checked.tasks, 2);
    assert_eq!(checked.splits[0].documents, 3);
    assert_eq!(checked.splits[0].tokens, 9);
    let summary = checked.summary();
    assert_eq!(summary.dataset_id.as_deref(), Some("ds_1"));
    assert_eq!(summary.context_size, Some(128));
}

#[test]
fn a_partial_or_inconsistent_output_is_refused_with_what_is_wrong() {
    fn rank1(dir: &Path, ext: &str) -> std::path::PathBuf {
        dir.join(format!("output/0/00001_unshuffled.ds{ext}"))
    }
    type Damage = fn(&Path);
    let cases: Vec<(Damage, &str)> = vec![
        (
            |d| {
                let f = rank1(d, "");
                let bytes = std::fs::read(&f).unwrap();
                std::fs::write(&f, &bytes[..bytes.len() - 2]).unwrap();
            },
            "shorter than its index",
        ),
        (
            |d| {
                let f = rank1(d, "");
                let mut bytes = std::fs::read(&f).unwrap();
                bytes.extend([1, 0]);
                std::fs::write(&f, bytes).unwrap();
            },
            "longer than its index",
        ),
        (
            |d| std::fs::remove_file(rank1(d, "")).unwrap(),
            "is missing",
        ),
        (
            |d| std::fs::remove_file(d.join("logs/0/completions/00001")).unwrap(),
            "has not finished",
        ),
        (
            |d| std::fs::write(rank1(d, ".metadata"), "gpt2|2\n4\n4 T").unwrap(),
            "another tokenizer",
        ),
        (
            |d| {
                std::fs::write(
                    rank1(d, ".metadata"),
                    "/x/tokenizer-0123456789abcdef.json|4\n4\n4 T",
                )
                .unwrap()
            },
            "bytes each",
        ),
        (
            |d| std::fs::write(rank1(d, ".index"), [1u8, 2, 3]).unwrap(),
            "not a whole number",
        ),
        (
            |d| {
                let index: Vec<u8> = [3u64, 2].iter().flat_map(|e| e.to_le_bytes()).collect();
                std::fs::write(rank1(d, ".index"), index).unwrap();
            },
            "go backwards",
        ),
        (
            |d| {
                std::fs::write(d.join("output/0/00002_unshuffled.ds"), [0u8; 2]).unwrap();
            },
            "mixes two runs",
        ),
        (
            |d| std::fs::remove_file(d.join("output/0").join(RUN_FILE)).unwrap(),
            "has not been run",
        ),
        (
            |d| std::fs::remove_file(d.join(SPEC_FILE)).unwrap(),
            "holds no datatrove export",
        ),
        (
            |d| std::fs::write(d.join(SPEC_FILE), b"{\"format\": 1").unwrap(),
            "not a readable export",
        ),
    ];
    for (damage, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        fake_run(dir.path(), &two_tasks());
        damage(dir.path());
        let message = check_output(dir.path()).unwrap_err().to_string();
        assert!(message.contains(expected), "{expected}: {message}");
    }
    let empty = tempfile::tempdir().unwrap();
    let message = check_output(empty.path()).unwrap_err().to_string();
    assert!(message.contains("holds no datatrove export"), "{message}");
}
