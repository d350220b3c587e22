//! Tokenization throughput, run by `bench/tokenize.sh`, in three roles so that each measurement
//! is its own process with its own peak RSS:
//!
//! - `prepare SRC.parquet REPEAT DIR`: ingests SRC, repeated REPEAT times, into canonical data
//!   (not timed: the benchmark's input is an already ingested dataset);
//! - `raw DIR TOKENIZER`: the `tokenizers` crate alone on the same texts, all in memory, with
//!   `encode_batch` and `encode_batch_fast` on every core;
//! - `pass DIR TOKENIZER OUT`: the engine's tokenization pass (the one the job runs): canonical
//!   Arrow in, `save_to_disk` Arrow + statistics out.
//!
//! Each prints one JSON line: tokens, seconds, tokens per second, peak RSS.

use arrow::array::Array;

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

fn load(tokenizer: &Path) -> LoadedTokenizer {
    LoadedTokenizer::from_bytes("gpt2", &std::fs::read(tokenizer).unwrap(), None).unwrap()
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
            let mut results = serde_json::Map::new();
            let mut fast = (0u64, 0f64);
            for (name, fast_mode) in [("encode_batch", false), ("encode_batch_fast", true)] {
                let t = Instant::now();
                let mut tokens = 0u64;
                for chunk in texts.chunks(1000) {
                    let batch: Vec<&str> = chunk.iter().map(String::as_str).collect();
                    let encs = if fast_mode {
                        tok.encode_batch_fast(batch, true)
                    } else {
                        tok.encode_batch(batch, true)
                    }
                    .unwrap();
                    tokens += encs.iter().map(|e| e.len() as u64).sum::<u64>();
                }
                let secs = t.elapsed().as_secs_f64();
                results.insert(
                    format!("{name}_tokens_per_sec"),
                    (tokens as f64 / secs).into(),
                );
                fast = (tokens, secs);
            }
            report("raw", fast.0, fast.1, serde_json::Value::Object(results));
        }
        Some("pass") => {
            let (dir, tokenizer, out) = (
                PathBuf::from(&args[1]),
                PathBuf::from(&args[2]),
                PathBuf::from(&args[3]),
            );
            let tok = load(&tokenizer);
            let mode = args.get(4).map_or("per-sample", String::as_str);
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
                serde_json::json!({"rows": pass.statistics.num_rows, "bytes": pass.bytes, "mode": mode}),
            );
        }
        _ => {
            eprintln!("usage: tokenize_bench prepare SRC REPEAT DIR | raw DIR TOKENIZER | pass DIR TOKENIZER OUT [per-sample|packed|shuffled]");
            std::process::exit(2);
        }
    }
}
