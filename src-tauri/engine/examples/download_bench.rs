//! Download throughput of the engine's downloader against the loopback Hub emulator, next to
//! `curl` and Python `huggingface_hub` on the same file in the same run, plus the bytes fetched
//! again after an interrupted download. Run through `bench/download.sh`.

use mistudio_engine::hub::download::{ByteCounter, Downloader};
use mistudio_engine::hub::{inspect_dataset, HubClient, RepoKind};
use mistudio_hub_emulator::{EmulatorConfig, HostKind, HubEmulator, RepoFile, RepoSpec};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const REPO: &str = "bench/big";
const FILE: &str = "data/train-00000-of-00001.parquet";

fn mb_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let size_mb: usize = std::env::var("BENCH_SIZE_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(512);
    // Incompressible-looking bytes, so no layer can cheat.
    let mut body = vec![0u8; size_mb * 1024 * 1024];
    let mut x: u64 = 0x9E3779B97F4A7C15;
    for chunk in body.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    let size = body.len() as u64;
    let hub = HubEmulator::start(EmulatorConfig::default())
        .await
        .expect("emulator");
    hub.add_repo(RepoSpec::dataset(REPO, vec![RepoFile::new(FILE, body)]));
    let work = tempfile::tempdir().expect("tempdir");
    println!(
        "file: {} MB on the loopback Hub emulator ({} in this process)",
        size / 1_000_000,
        hub.endpoint()
    );

    // 1. The engine.
    let client = HubClient::new(&hub.endpoint(), None).unwrap();
    let inspection = inspect_dataset(&client, REPO, None).await.unwrap();
    let files: Vec<_> = inspection.configs[0]
        .splits
        .iter()
        .flat_map(|s| s.files.clone())
        .collect();
    let engine_cache = work.path().join("engine-cache");
    let downloader = Downloader::new(client.clone(), engine_cache.clone());
    let t = Instant::now();
    downloader
        .download_all(
            RepoKind::Dataset,
            REPO,
            &files,
            Arc::new(ByteCounter::default()),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    let engine_time = t.elapsed();

    // 2. curl, following the redirect to the blob host, writing to a file.
    let url = client.resolve_url(RepoKind::Dataset, REPO, "main", FILE);
    let out = work.path().join("curl.out");
    let t = Instant::now();
    let status = Command::new("curl")
        .args(["-sSfL", "-o"])
        .arg(&out)
        .arg(&url)
        .status()
        .expect("curl");
    let curl_time = t.elapsed();
    assert!(status.success(), "curl failed");

    // 3. Python huggingface_hub, if installed (bench/download.sh installs it).
    let py_cache = work.path().join("py-cache");
    let script = format!(
        "import time,sys\nfrom huggingface_hub import hf_hub_download\nt=time.time()\nhf_hub_download('{REPO}','{FILE}',repo_type='dataset',cache_dir=sys.argv[1])\nprint(time.time()-t)"
    );
    let python = std::env::var("BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let py = Command::new(&python)
        .args(["-c", &script])
        .arg(&py_cache)
        .env("HF_ENDPOINT", hub.endpoint())
        .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        .env("HF_HUB_DISABLE_TELEMETRY", "1")
        .output();
    let py_time = match py {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse::<f64>()
            .ok()
            .map(Duration::from_secs_f64),
        Ok(o) => {
            eprintln!(
                "python huggingface_hub failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            None
        }
        Err(e) => {
            eprintln!("python not run: {e}");
            None
        }
    };

    // 4. Interrupted download: cancel halfway, then resume. What the client received in the
    //    first run and kept on disk, against what the second run asked for and received.
    let resume_cache = work.path().join("resume-cache");
    let resumer = Downloader::new(client.clone(), resume_cache.clone());
    let cancel = CancellationToken::new();
    let received = Arc::new(ByteCounter::default());
    let watcher = {
        let cancel = cancel.clone();
        let received = received.clone();
        tokio::spawn(async move {
            while received.get() < size / 2 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            cancel.cancel();
        })
    };
    let first = resumer
        .download_all(RepoKind::Dataset, REPO, &files, received.clone(), &cancel)
        .await;
    watcher.await.unwrap();
    assert!(
        first.is_err(),
        "the interrupted run should have been cancelled"
    );
    let first_received = received.get();
    let kept: u64 = std::fs::read_dir(resume_cache.join("datasets--bench--big/blobs"))
        .unwrap()
        .flatten()
        .map(|e| e.metadata().unwrap().len())
        .sum();
    hub.clear_requests();
    resumer
        .download_all(
            RepoKind::Dataset,
            REPO,
            &files,
            Arc::new(ByteCounter::default()),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    let second: Vec<_> = hub
        .requests()
        .into_iter()
        .filter(|r| r.host == HostKind::Blob && (r.status == 200 || r.status == 206))
        .collect();
    let second_received: u64 = second.iter().map(|r| r.body_bytes).sum();
    let refetched = (first_received + second_received).saturating_sub(size);

    let engine_rate = mb_per_s(size, engine_time);
    let curl_rate = mb_per_s(size, curl_time);
    println!();
    println!("{:<34} {:>10} {:>10}", "client", "MB/s", "vs curl");
    println!(
        "{:<34} {:>10.1} {:>9.0}%",
        "miStudio engine (verified, sha256)",
        engine_rate,
        engine_rate / curl_rate * 100.0
    );
    println!("{:<34} {:>10.1} {:>9.0}%", "curl -L", curl_rate, 100.0);
    match py_time {
        Some(t) => {
            let r = mb_per_s(size, t);
            println!(
                "{:<34} {:>10.1} {:>9.0}%",
                "python huggingface_hub",
                r,
                r / curl_rate * 100.0
            );
        }
        None => println!("{:<34} {:>10}", "python huggingface_hub", "not run"),
    }
    println!();
    println!(
        "interrupted at {:.0}%: {} bytes received and kept {}; the rerun asked for {:?} and received {} bytes",
        first_received as f64 * 100.0 / size as f64,
        first_received,
        kept,
        second.first().and_then(|r| r.range.clone()),
        second_received
    );
    println!(
        "bytes fetched twice: {} ({:.3}% of the file; target < 1%)",
        refetched,
        refetched as f64 * 100.0 / size as f64
    );
    println!("target: engine >= 90% of curl");
    hub.shutdown().await;
}
