//! The budgeted download benchmark: the first 1 % of a many-shard FineWeb-shaped repo served by
//! the loopback emulator, the engine (`--rows 1%`) next to Python
//! `datasets.load_dataset(..., split="train[:1%]")` in the same run: bytes fetched, requests,
//! wall time. The limit: the engine fetches at most 1.5 × 1 % of the split's bytes plus 8 KiB of
//! footer per shard (a share of a split whose card states no rows reads every footer).
//!
//! `BENCH_PYTHON` names a Python with `datasets`; `BENCH_DUMPS`, `BENCH_SHARDS` (per dump) and
//! `BENCH_ROWS` (per shard) shape the repo (default 4 × 250 × 400: 1,000 shards).

use mistudio_engine::datasets::DownloadRequest;
use mistudio_engine::{DatasetStatus, Engine, EngineConfig, Settings};
use mistudio_hub_emulator::{EmulatorConfig, HostKind, HubEmulator, ShardedRepo};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const REPO: &str = "bench/web";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Bytes the emulator sent (both hosts) and the requests it answered since the last clear.
fn served(hub: &HubEmulator) -> (u64, usize) {
    let requests = hub.requests();
    (
        requests.iter().map(|r| r.body_bytes).sum(),
        requests.iter().filter(|r| r.host == HostKind::Blob).count(),
    )
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

#[tokio::main]
async fn main() {
    let (dumps, shards, rows) = (
        env_usize("BENCH_DUMPS", 4),
        env_usize("BENCH_SHARDS", 250),
        env_usize("BENCH_ROWS", 400),
    );
    let hub = HubEmulator::start(EmulatorConfig::default()).await.unwrap();
    let shape = ShardedRepo::new(dumps, shards, rows).rows_per_group(100);
    let spec = shape.build(REPO, |r| ShardedRepo::filler_text(r, 90));
    let split_bytes: u64 = spec
        .files
        .iter()
        .filter(|f| f.path.ends_with(".parquet"))
        .map(|f| f.bytes.len() as u64)
        .sum();
    hub.add_repo(spec);
    let total_rows = shape.total_rows();
    println!(
        "repo: {} shards in {dumps} dump folders, {total_rows} rows, {:.1} MB of parquet",
        dumps * shards,
        mb(split_bytes)
    );

    let work = tempfile::tempdir().unwrap();
    let engine = Engine::open(
        EngineConfig {
            local_dir: work.path().join("local"),
            settings: Settings {
                data_root: work.path().join("data").to_string_lossy().into_owned(),
                hub_endpoint: hub.endpoint(),
                tokenize_threads: None,
                keep_hub_files: true,
            },
            run_jobs: true,
            hf_cache: Some(work.path().join("hf-cache")),
        },
        Arc::new(mistudio_engine::events::NoEvents),
    )
    .await
    .unwrap();
    hub.clear_requests();
    let t0 = Instant::now();
    let ds = engine
        .start_download(&DownloadRequest {
            repo_id: REPO.into(),
            rows: Some("1%".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let ds = loop {
        let ds = engine.get_dataset(&ds.id).await.unwrap();
        if matches!(ds.status, DatasetStatus::Ready | DatasetStatus::Error) {
            break ds;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let engine_wall = t0.elapsed();
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    let (engine_bytes, engine_requests) = served(&hub);
    engine.shutdown().await;

    let python = std::env::var("BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    hub.clear_requests();
    let py_home = work.path().join("py-hf");
    let t0 = Instant::now();
    let out = Command::new(&python)
        .args([
            "-c",
            "import datasets, sys; ds = datasets.load_dataset(sys.argv[1], split='train[:1%]'); print(len(ds))",
            REPO,
        ])
        .env("HF_ENDPOINT", hub.endpoint())
        .env("HF_HOME", &py_home)
        .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        .env_remove("HF_TOKEN")
        .output();
    let py_wall = t0.elapsed();
    let py = match out {
        Ok(o) if o.status.success() => {
            let rows: u64 = String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse()
                .unwrap_or(0);
            let (bytes, requests) = served(&hub);
            Some((rows, bytes, requests))
        }
        Ok(o) => {
            eprintln!("python failed: {}", String::from_utf8_lossy(&o.stderr));
            None
        }
        Err(e) => {
            eprintln!("python not run: {e}");
            None
        }
    };

    let limit = split_bytes * 3 / 200 + 8 * 1024 * (dumps * shards) as u64;
    println!();
    println!("the first 1 % of the split ({} rows)", total_rows / 100);
    println!(
        "{:<40} {:>9} {:>12} {:>10} {:>9}",
        "", "rows", "MB fetched", "requests", "wall s"
    );
    println!(
        "{:<40} {:>9} {:>12.2} {:>10} {:>9.2}",
        "engine --rows 1%",
        ds.num_samples.unwrap_or(0),
        mb(engine_bytes),
        engine_requests,
        engine_wall.as_secs_f64()
    );
    match py {
        Some((rows, bytes, requests)) => println!(
            "{:<40} {:>9} {:>12.2} {:>10} {:>9.2}",
            "python datasets train[:1%]",
            rows,
            mb(bytes),
            requests,
            py_wall.as_secs_f64()
        ),
        None => println!("{:<40} {:>9}", "python datasets train[:1%]", "not run"),
    }
    println!(
        "{:<40} {:>9} {:>12.2}",
        "limit: 1.5 % of the bytes + 8 KiB a shard",
        "",
        mb(limit)
    );
    let within = engine_bytes <= limit;
    println!(
        "engine fetched {:.2} % of the split's bytes: {}",
        engine_bytes as f64 * 100.0 / split_bytes as f64,
        if within {
            "within the limit"
        } else {
            "OVER THE LIMIT"
        }
    );
    if !within {
        std::process::exit(1);
    }
}
