//! Tokenization throughput, run by `bench/tokenize.sh`, in three roles so that each measurement
//! is its own process with its own peak RSS:
//!
//! - `prepare SRC.parquet REPEAT DIR`: ingests SRC, repeated REPEAT times, into canonical data
//!   (not timed: the benchmark's input is an already ingested dataset);
//! - `raw DIR TOKENIZER`: the `tokenizers` crate alone on the same texts, all in memory, with
//!   `encode_batch_fast` on every core;
//! - `fast DIR TOKENIZER CACHE`: the fast path's encoder alone (the `bpe` crate behind the
//!   pre-tokenization DFAs) on the same texts in memory, on every core: the limit of the pass;
//!   then, untimed, every text's ids compared with `tokenizers`' own;
//! - `pass DIR TOKENIZER OUT CACHE [MODE]`: the engine's tokenization pass (the one the job
//!   runs): canonical Arrow in, `save_to_disk` Arrow + statistics out, on the fast path when the
//!   tokenizer allows (`MISTUDIO_ENCODER=tokenizers` forces the reference); CACHE keeps the fast
//!   vocabulary.
//!
//! Each prints one JSON line: tokens, seconds, tokens per second, peak RSS.

use arrow::array::Array;
use rayon::prelude::*;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use mistudio_engine::testing::{ingest, SplitInput};
use mistudio_engine::tokenize::pipeline::{self, PassProgress, SplitSource};
use mistudio_engine::tokenize::source::{read_text_batches, split_files};
use mistudio_engine::tokenize::{LoadedTokenizer, Packing, TokenizeSettings};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tokio_util::sync::CancellationToken;

fn peak_rss_mb() -> f64 {
    // SAFETY: getrusage only writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0 // kilobytes on Linux
}

fn load(tokenizer: &Path, cache: &Path) -> LoadedTokenizer {
    let json = std::fs::read(tokenizer).unwrap();
    let mut tok = LoadedTokenizer::from_bytes("gpt2", &json, None).unwrap();
    std::fs::create_dir_all(cache).unwrap();
    tok.attach_fast_path(&json, cache);
    tok
}

fn texts(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for file in split_files(&dir.join("train")).unwrap() {
        read_text_batches(&file, "text", |batch| {
            for i in 0..batch.len() {
                out.push(if batch.is_null(i) {
                    String::new()
                } else {
                    batch.value(i).to_string()
                });
            }
            Ok(())
        })
        .unwrap();
    }
    out
}

fn report(role: &str, tokens: u64, secs: f64, extra: serde_json::Value) {
    let mut v = serde_json::json!({
        "role": role,
        "tokens": tokens,
        "seconds": secs,
        "tokens_per_sec": tokens as f64 / secs,
        "peak_rss_mb": peak_rss_mb(),
    });
    if let (Some(o), serde_json::Value::Object(e)) = (v.as_object_mut(), extra) {
        o.extend(e);
    }
    println!("{v}");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("prepare") => {
            let (src, repeat, dir) = (
                PathBuf::from(&args[1]),
                args[2].parse::<usize>().unwrap(),
                PathBuf::from(&args[3]),
            );
            let inputs = vec![SplitInput {
                name: "train".into(),
                files: vec![src; repeat],
                ..Default::default()
            }];
            let summary = ingest(&inputs, &dir, &CancellationToken::new(), &mut |_, _| {}).unwrap();
            let rows: i64 = summary.splits.iter().map(|s| s.num_rows).sum();
            println!("{}", serde_json::json!({"role": "prepare", "rows": rows}));
        }
        Some("raw") => {
            let (dir, tokenizer) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
            // The crate as it comes (its default word cache), not the engine's configuration.
            let tok = tokenizers::Tokenizer::from_file(&tokenizer).unwrap();
            let texts = texts(&dir);
            let t = Instant::now();
            let mut tokens = 0u64;
            for chunk in texts.chunks(1000) {
                let batch: Vec<&str> = chunk.iter().map(String::as_str).collect();
                let encs = tok.encode_batch_fast(batch, true).unwrap();
                tokens += encs.iter().map(|e| e.len() as u64).sum::<u64>();
            }
            let secs = t.elapsed().as_secs_f64();
            report("raw", tokens, secs, serde_json::json!({}));
        }
        Some("fast") => {
            let (dir, tokenizer, cache) = (
                PathBuf::from(&args[1]),
                PathBuf::from(&args[2]),
                PathBuf::from(&args[3]),
            );
            let tok = load(&tokenizer, &cache);
            assert!(
                tok.fast.is_some(),
                "the benchmark's tokenizer takes the fast path"
            );
            let texts = texts(&dir);
            let t = Instant::now();
            let tokens: u64 = texts
                .par_iter()
                .with_max_len(256)
                .map(|text| tok.document_ids(text, false).unwrap().len() as u64)
                .sum();
            let secs = t.elapsed().as_secs_f64();
            // Untimed: every text's ids against tokenizers'.
            let mut differ = 0u64;
            for chunk in texts.chunks(1000) {
                let batch: Vec<&str> = chunk.iter().map(String::as_str).collect();
                let reference = tok.raw.encode_batch_fast(batch, false).unwrap();
                for (text, r) in chunk.iter().zip(reference) {
                    differ += u64::from(tok.document_ids(text, false).unwrap() != r.get_ids());
                }
            }
            report(
                "fast",
                tokens,
                secs,
                serde_json::json!({"texts": texts.len(), "texts_with_other_ids": differ}),
            );
        }
        Some("pass") => {
            let (dir, tokenizer, out, cache) = (
                PathBuf::from(&args[1]),
                PathBuf::from(&args[2]),
                PathBuf::from(&args[3]),
                PathBuf::from(&args[4]),
            );
            let tok = load(&tokenizer, &cache);
            let mode = args.get(5).map_or("per-sample", String::as_str);
            let per_sample = TokenizeSettings {
                text_column: Some("text".into()),
                truncation: false,
                ..TokenizeSettings::default()
            };
            // SAELens's defaults at context 128, in source order or shuffled.
            let packed = |shuffle: bool| TokenizeSettings {
                packing: Some(Packing::saelens(128)),
                shuffle,
                seed: shuffle.then_some(42),
                ..per_sample.clone()
            };
            let settings = match mode {
                "per-sample" => per_sample.clone(),
                "packed" => packed(false),
                "shuffled" => packed(true),
                other => {
                    eprintln!("pass MODE is per-sample, packed or shuffled, not {other}");
                    std::process::exit(2);
                }
            };
            let mut resolved = settings.validate(&tok).unwrap();
            resolved.text_column = "text".into();
            resolved.splits = vec!["train".into()];
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let t = Instant::now();
            let pass = pipeline::run(
                &tok,
                &resolved,
                &[SplitSource {
                    name: "train".into(),
                    dir: dir.join("train"),
                }],
                &out,
                threads,
                "bench",
                &CancellationToken::new(),
                &|_: PassProgress| {},
            )
            .unwrap();
            let secs = t.elapsed().as_secs_f64();
            report(
                "pass",
                pass.statistics.num_tokens,
                secs,
                serde_json::json!({
                    "rows": pass.statistics.num_rows,
                    "bytes": pass.bytes,
                    "mode": mode,
                    "encoder": tok.encoder.label(),
                }),
            );
        }
        _ => {
            eprintln!("usage: tokenize_bench prepare SRC REPEAT DIR | raw DIR TOKENIZER | fast DIR TOKENIZER CACHE | pass DIR TOKENIZER OUT CACHE [per-sample|packed|shuffled]");
            std::process::exit(2);
        }
    }
}
