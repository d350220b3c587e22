//! Download throughput of the engine's downloader against the loopback Hub emulator, next to
//! `curl` and Python `huggingface_hub` on the same file in the same run — once on raw loopback
//! (CPU-bound) and once behind an emulated 1 Gbit/s link — plus the bytes fetched twice after an
//! interrupted download. Run through `bench/download.sh`.

use mistudio_engine::hub::download::{ByteCounter, Downloader};
use mistudio_engine::hub::{inspect_dataset, HubClient, RemoteFile, RepoKind};
use mistudio_hub_emulator::{EmulatorConfig, HostKind, HubEmulator, RepoFile, RepoSpec};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// The emulator runs on its own runtime, as a real server would run in its own process, so
/// the engine does not share its worker threads with the server it measures.
static SERVER: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();

fn server() -> &'static tokio::runtime::Runtime {
    SERVER.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hub-emulator")
            .enable_all()
            .build()
            .expect("server runtime")
    })
}

const REPO: &str = "bench/big";
const FILE: &str = "data/train-00000-of-00001.parquet";

fn mb_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

struct Rates {
    engine: f64,
    curl: f64,
    python: Option<f64>,
}

async fn start_hub(
    body: &[u8],
    bytes_per_sec: Option<u64>,
) -> (HubEmulator, HubClient, Vec<RemoteFile>) {
    let config = EmulatorConfig {
        bytes_per_sec,
        ..EmulatorConfig::default()
    };
    let hub = server()
        .spawn(HubEmulator::start(config))
        .await
        .expect("server runtime")
        .expect("emulator");
    hub.add_repo(RepoSpec::dataset(
        REPO,
        vec![RepoFile::new(FILE, body.to_vec())],
    ));
    let client = HubClient::new(&hub.endpoint(), None).unwrap();
    let inspection = inspect_dataset(&client, REPO, None).await.unwrap();
    let files = inspection.configs[0]
        .splits
        .iter()
        .flat_map(|s| s.files.clone())
        .collect();
    (hub, client, files)
}

/// The engine, curl and Python on the same file from a fresh emulator.
async fn compare(
    body: &[u8],
    bytes_per_sec: Option<u64>,
    work: &Path,
    python: &str,
    tag: &str,
) -> Rates {
    let size = body.len() as u64;
    let (hub, client, files) = start_hub(body, bytes_per_sec).await;

    let downloader = Downloader::new(client.clone(), work.join(format!("engine-{tag}")));
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
    let engine = mb_per_s(size, t.elapsed());

    let url = client.resolve_url(RepoKind::Dataset, REPO, "main", FILE);
    let out = work.join(format!("curl-{tag}.out"));
    let t = Instant::now();
    let status = Command::new("curl")
        .args(["-sSfL", "-o"])
        .arg(&out)
        .arg(&url)
        .status()
        .expect("curl");
    let curl = mb_per_s(size, t.elapsed());
    assert!(status.success(), "curl failed");

    let script = format!(
        "import time,sys\nfrom huggingface_hub import hf_hub_download\nt=time.time()\nhf_hub_download('{REPO}','{FILE}',repo_type='dataset',cache_dir=sys.argv[1])\nprint(time.time()-t)"
    );
    let py = Command::new(python)
        .args(["-c", &script])
        .arg(work.join(format!("py-{tag}")))
        .env("HF_ENDPOINT", hub.endpoint())
        .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        .env("HF_HUB_DISABLE_TELEMETRY", "1")
        .output();
    let python = match py {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse::<f64>()
            .ok()
            .map(|secs| size as f64 / 1e6 / secs),
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
    // Free the disk for the next round.
    for dir in [format!("engine-{tag}"), format!("py-{tag}")] {
        let _ = std::fs::remove_dir_all(work.join(dir));
    }
    let _ = std::fs::remove_file(out);
    server()
        .spawn(hub.shutdown())
        .await
        .expect("server runtime");
    Rates {
        engine,
        curl,
        python,
    }
}

fn print_rates(label: &str, r: &Rates) {
    println!();
    println!("{label}");
    println!("{:<36} {:>10} {:>10}", "client", "MB/s", "vs curl");
    println!(
        "{:<36} {:>10.1} {:>9.0}%",
        "miStudio engine (sha256 verified)",
        r.engine,
        r.engine / r.curl * 100.0
    );
    println!(
        "{:<36} {:>10.1} {:>9.0}%",
        "curl -L (no verification)", r.curl, 100.0
    );
    match r.python {
        Some(p) => println!(
            "{:<36} {:>10.1} {:>9.0}%",
            "python huggingface_hub",
            p,
            p / r.curl * 100.0
        ),
        None => println!("{:<36} {:>10}", "python huggingface_hub", "not run"),
    }
}

#[tokio::main]
async fn main() {
    let size_mb: usize = std::env::var("BENCH_SIZE_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(512);
    // Incompressible-looking bytes, so no layer can cheat.
    let mut body = vec![0u8; size_mb * 1024 * 1024];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for chunk in body.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    let size = body.len() as u64;
    let python = std::env::var("BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    // BENCH_DIR=/dev/shm takes the disk out of the measurement.
    let work = match std::env::var_os("BENCH_DIR") {
        Some(dir) => tempfile::tempdir_in(dir),
        None => tempfile::tempdir(),
    }
    .expect("tempdir");
    println!("writing under {}", work.path().display());
    println!(
        "file: {} MB from the Hub emulator (in this process, on loopback)",
        size / 1_000_000
    );

    let loopback = compare(&body, None, work.path(), &python, "loopback").await;
    let link = compare(&body, Some(125_000_000), work.path(), &python, "link").await;

    // Interrupted download: cancel halfway, then resume. What the client received in the first
    // run and kept on disk, against what the second run asked for and received.
    let (hub, client, files) = start_hub(&body, None).await;
    let cache = work.path().join("resume-cache");
    let resumer = Downloader::new(client, cache.clone());
    let cancel = CancellationToken::new();
    let received = Arc::new(ByteCounter::default());
    let watcher = {
        let (cancel, received) = (cancel.clone(), received.clone());
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
    let kept: u64 = std::fs::read_dir(cache.join("datasets--bench--big/blobs"))
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
    server()
        .spawn(hub.shutdown())
        .await
        .expect("server runtime");

    print_rates(
        "raw loopback (CPU-bound: 2 cores shared by server, client and hashing)",
        &loopback,
    );
    print_rates("emulated 1 Gbit/s link (125 MB/s)", &link);
    println!();
    println!(
        "interrupted at {:.0}%: {first_received} bytes received, {kept} kept; the rerun asked for {:?} and received {second_received}",
        first_received as f64 * 100.0 / size as f64,
        second.first().and_then(|r| r.range.clone()),
    );
    println!(
        "bytes fetched twice: {refetched} ({:.3}% of the file; target < 1%)",
        refetched as f64 * 100.0 / size as f64
    );
    println!("target: engine >= 90% of curl");
}
