//! Import throughput, run by `bench/import.sh`: `ingest FILE OUT` converts one input file into
//! canonical Arrow data exactly as the import job does (streaming, batch-bounded memory) and
//! prints one JSON line: input bytes, seconds, MB/s of input, rows, peak RSS.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use mistudio_engine::testing::{ingest, SplitInput};
use std::path::PathBuf;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

fn peak_rss_mb() -> f64 {
    // SAFETY: getrusage only writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0 // kilobytes on Linux
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 3 || args[0] != "ingest" {
        eprintln!("usage: import_bench ingest FILE OUT");
        std::process::exit(2);
    }
    let (file, out) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    let bytes = std::fs::metadata(&file).unwrap().len();
    let started = Instant::now();
    let summary = ingest(
        &[SplitInput {
            name: "train".into(),
            files: vec![file.clone()],
            ..Default::default()
        }],
        &out,
        &CancellationToken::new(),
        &mut |_, _| {},
    )
    .unwrap();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "tool": "mistudio",
            "format": summary.format,
            "bytes": bytes,
            "seconds": secs,
            "mb_per_s": bytes as f64 / 1e6 / secs,
            "rows": summary.splits.iter().map(|s| s.num_rows).sum::<i64>(),
            "peak_rss_mb": peak_rss_mb(),
        })
    );
}
