//! Download throughput of the engine's downloader against the loopback Hub emulator, next to
//! `curl` and Python `huggingface_hub` on the same file in the same run — once on raw loopback
//! (CPU-bound) and once behind an emulated 1 Gbit/s link — plus the bytes fetched twice after an
//! interrupted download. Run through `bench/download.sh`.

use mistudio_engine::hub::download::{ByteCounter, Downloader};
use mistudio_engine::hub::{inspect_dataset, HubClient, RemoteFile, RepoKind};
use mistudio_hub_emulator::{EmulatorConfig, HostKind, HubEmulator, RepoFile, RepoSpec};
use sha2::Digest as _;
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

/// Medians over the rounds; the ratio is the median of each round's engine / curl.
struct Rates {
    engine: f64,
    engine_runs: Vec<f64>,
    engine_cpu: f64,
    curl: f64,
    curl_runs: Vec<f64>,
    curl_cpu: f64,
    ratio: f64,
    /// curl followed by `openssl dgst -sha256`.
    verified: f64,
    verified_ratio: f64,
    /// The emulator's CPU seconds per GB served.
    server_cpu: f64,
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

/// CPU time (user + system) of this process and of its waited-for children.
fn cpu_seconds() -> (f64, f64) {
    fn of(who: libc::c_int) -> f64 {
        // SAFETY: getrusage only writes into the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(who, &mut usage) };
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        secs(usage.ru_utime) + secs(usage.ru_stime)
    }
    (of(libc::RUSAGE_SELF), of(libc::RUSAGE_CHILDREN))
}

/// CPU seconds spent so far by the emulator's threads (named `hub-emulator`), so the engine's
/// own share of this process's CPU time can be told apart from the server's.
fn server_cpu_seconds() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks_per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let mut ticks = 0u64;
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        // "tid (comm) state ..." — the name may hold spaces, so split at the last ')'.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        if &stat[open + 1..close] != "hub-emulator" {
            continue;
        }
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the comm.
        ticks += fields
            .get(11)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            + fields
                .get(12)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
    }
    ticks as f64 / ticks_per_sec
}

struct Run {
    mb_per_s: f64,
    /// CPU seconds the client spent per GB received.
    cpu_per_gb: f64,
}

/// The engine's download on a runtime worker, as a job runs in the app.
async fn engine_run(client: &HubClient, files: &[RemoteFile], size: u64, dir: &Path) -> Run {
    let downloader = Downloader::new(client.clone(), dir.to_path_buf());
    let files = files.to_vec();
    let (cpu0, _) = cpu_seconds();
    let served0 = server_cpu_seconds();
    let t = Instant::now();
    tokio::spawn(async move {
        downloader
            .download_all(
                RepoKind::Dataset,
                REPO,
                &files,
                Arc::new(ByteCounter::default()),
                &CancellationToken::new(),
            )
            .await
    })
    .await
    .expect("engine task")
    .expect("engine download");
    let elapsed = t.elapsed();
    let (cpu1, _) = cpu_seconds();
    let served = server_cpu_seconds() - served0;
    let _ = std::fs::remove_dir_all(dir);
    Run {
        mb_per_s: mb_per_s(size, elapsed),
        cpu_per_gb: (cpu1 - cpu0 - served) / (size as f64 / 1e9),
    }
}

/// curl into a file; with `verify_sha256`, then `openssl dgst -sha256` of it — the same work
/// the engine does, done the way a careful shell user would. Also returns the CPU seconds per
/// GB the server spent.
fn curl_run(url: &str, size: u64, out: &Path, verify_sha256: Option<&str>) -> (Run, f64) {
    let (_, child0) = cpu_seconds();
    let served0 = server_cpu_seconds();
    let t = Instant::now();
    let status = Command::new("curl")
        .args(["-sSfL", "-o"])
        .arg(out)
        .arg(url)
        .status()
        .expect("curl");
    assert!(status.success(), "curl failed");
    if let Some(expected) = verify_sha256 {
        let digest = Command::new("openssl")
            .args(["dgst", "-sha256", "-r"])
            .arg(out)
            .output()
            .expect("openssl");
        let digest = String::from_utf8_lossy(&digest.stdout);
        assert!(
            digest.starts_with(expected),
            "curl's file has the wrong sha256"
        );
    }
    let elapsed = t.elapsed();
    let (_, child1) = cpu_seconds();
    let served = server_cpu_seconds() - served0;
    let _ = std::fs::remove_file(out);
    let gb = size as f64 / 1e9;
    (
        Run {
            mb_per_s: mb_per_s(size, elapsed),
            cpu_per_gb: (child1 - child0) / gb,
        },
        served / gb,
    )
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The engine and curl in alternating rounds (the machine's speed drifts, so each round's pair
/// sees the same conditions), then Python once, on the same file from a fresh emulator.
async fn compare(
    body: &[u8],
    bytes_per_sec: Option<u64>,
    rounds: usize,
    work: &Path,
    python: &str,
    tag: &str,
) -> Rates {
    let size = body.len() as u64;
    let (hub, client, files) = start_hub(body, bytes_per_sec).await;
    let url = client.resolve_url(RepoKind::Dataset, REPO, "main", FILE);
    let sha256 = files[0].sha256.clone().expect("an LFS file has a sha256");
    let (mut engine, mut curl, mut verified) = (vec![], vec![], vec![]);
    let (mut ratios, mut verified_ratios, mut served) = (vec![], vec![], vec![]);
    for round in 0..rounds {
        let engine_dir = work.join(format!("engine-{tag}"));
        let curl_out = work.join(format!("curl-{tag}.out"));
        let peers = |served: &mut Vec<f64>| {
            let (c, s) = curl_run(&url, size, &curl_out, None);
            served.push(s);
            let (v, _) = curl_run(&url, size, &curl_out, Some(&sha256));
            (c, v)
        };
        let (e, (c, v)) = if round % 2 == 0 {
            let e = engine_run(&client, &files, size, &engine_dir).await;
            (e, peers(&mut served))
        } else {
            let p = peers(&mut served);
            (engine_run(&client, &files, size, &engine_dir).await, p)
        };
        ratios.push(e.mb_per_s / c.mb_per_s);
        verified_ratios.push(e.mb_per_s / v.mb_per_s);
        engine.push(e);
        curl.push(c);
        verified.push(v.mb_per_s);
    }

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
    let _ = std::fs::remove_dir_all(work.join(format!("py-{tag}")));
    server()
        .spawn(hub.shutdown())
        .await
        .expect("server runtime");
    Rates {
        engine: median(engine.iter().map(|r| r.mb_per_s).collect()),
        engine_runs: engine.iter().map(|r| r.mb_per_s).collect(),
        engine_cpu: median(engine.iter().map(|r| r.cpu_per_gb).collect()),
        curl: median(curl.iter().map(|r| r.mb_per_s).collect()),
        curl_runs: curl.iter().map(|r| r.mb_per_s).collect(),
        curl_cpu: median(curl.iter().map(|r| r.cpu_per_gb).collect()),
        ratio: median(ratios),
        verified: median(verified),
        verified_ratio: median(verified_ratios),
        server_cpu: median(served),
        python,
    }
}

fn print_rates(label: &str, r: &Rates) {
    let runs = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.0}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!();
    println!("{label}");
    println!(
        "{:<36} {:>8} {:>8} {:>9}  runs (MB/s)",
        "client", "MB/s", "vs curl", "CPU s/GB"
    );
    println!(
        "{:<36} {:>8.1} {:>7.0}% {:>9.2}  {}",
        "miStudio engine (sha256 verified)",
        r.engine,
        r.ratio * 100.0,
        r.engine_cpu,
        runs(&r.engine_runs)
    );
    println!(
        "{:<36} {:>8.1} {:>7.0}% {:>9.2}  {}",
        "curl -L (no verification)",
        r.curl,
        100.0,
        r.curl_cpu,
        runs(&r.curl_runs)
    );
    println!(
        "{:<36} {:>8.1} {:>7.0}% {:>9}  engine / this: {:.0}%",
        "curl -L, then openssl sha256",
        r.verified,
        r.verified / r.curl * 100.0,
        "",
        r.verified_ratio * 100.0
    );
    match r.python {
        Some(p) => println!(
            "{:<36} {:>8.1} {:>7.0}%",
            "python huggingface_hub (one run)",
            p,
            p / r.curl * 100.0
        ),
        None => println!("{:<36} {:>8}", "python huggingface_hub", "not run"),
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

    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    // What verification alone costs on this CPU: the engine cannot spend less than curl's CPU
    // time plus this.
    let t = Instant::now();
    let digest = sha2::Sha256::digest(&body);
    let sha256_cpu = t.elapsed().as_secs_f64() / (size as f64 / 1e9);
    std::hint::black_box(digest);
    let loopback = compare(&body, None, rounds, work.path(), &python, "loopback").await;
    let link = compare(&body, Some(125_000_000), 1, work.path(), &python, "link").await;

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
    // On loopback the server, the receiving and the hashing all share this machine's cores:
    // a verifying client cannot go faster than the cores divided by the CPU per GB of the three.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let least = loopback.curl_cpu + sha256_cpu;
    let ceiling = cores / (loopback.server_cpu + least) * 1e3;
    println!(
        "sha256 alone on this CPU: {:.0} MB/s ({sha256_cpu:.2} CPU s/GB). A verifying client needs at least \
         curl's CPU + that = {least:.2} s/GB (the engine spent {:.2}); with the server's {:.2} s/GB on {cores} \
         cores, no verifying client can pass {ceiling:.0} MB/s on this loopback = {:.0}% of curl's median",
        1.0 / sha256_cpu * 1e3,
        loopback.engine_cpu,
        loopback.server_cpu,
        ceiling / loopback.curl * 100.0
    );
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
    println!(
        "target: engine >= 90% of curl (median of {rounds} alternating rounds on loopback); \
         CPU s/GB is the client's own CPU time (the emulator's threads are not counted)"
    );
}
