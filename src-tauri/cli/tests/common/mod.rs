//! What the CLI's tests share.
#![allow(dead_code)] // each test file uses its own part

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The CLI on its own folders under `dir` (data, database, HOME, HF cache), talking to `endpoint`.
pub fn cli(dir: &Path, endpoint: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mistudio-cli"));
    cmd.env("MISTUDIO_DATA_DIR", dir.join("data"))
        .env("MISTUDIO_LOCAL_DIR", dir.join("local"))
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env("HF_HOME", dir.join("hf"))
        .env("HF_ENDPOINT", endpoint)
        .env_remove("HF_TOKEN")
        .env_remove("HF_HUB_CACHE");
    cmd
}

pub fn shared(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name);
    assert!(
        p.exists(),
        "{} is missing: the repository's test data (tests/data/) is incomplete",
        p.display()
    );
    p
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Varied English-like texts, deterministic.
pub fn texts(n: usize, seed: u64) -> Vec<String> {
    const WORDS: &[&str] = &[
        "the",
        "model",
        "learns",
        "sparse",
        "features",
        "of",
        "language",
        "while",
        "a",
        "researcher",
        "reads",
        "activations",
        "from",
        "layer",
        "twelve",
        "and",
        "finds",
        "monosemantic",
        "directions",
        "in",
        "its",
        "residual",
        "stream",
        "naïve",
        "café",
        "东京",
        "🚀",
        "—",
        "\"quoted\"",
        "numbers",
        "1234",
        "3.14159",
        "\n",
        "dictionary",
        "learning",
    ];
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let len = 5 + (x >> 33) as usize % 300;
            (0..len)
                .map(|_| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    WORDS[(x >> 35) as usize % WORDS.len()]
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Waits until the running tokenization has written `min_samples`, reading `--progress json`.
pub fn wait_for_progress(child: &mut std::process::Child, min_samples: u64) {
    let stderr = child.stderr.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        assert!(Instant::now() < deadline, "no progress in time");
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
            if v["progress"]["unit"] == "samples"
                && v["progress"]["done"].as_u64().unwrap_or(0) >= min_samples
            {
                return;
            }
        }
    }
    panic!("the tokenization ended before it was interrupted");
}

/// Every file under `dir`, relative path → bytes (empty when `dir` is missing).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The Python that has `datasets`, `pyarrow`, `tokenizers`, `transformers` and `datatrove` (scripts/test
/// makes one).
pub fn python() -> String {
    std::env::var("MISTUDIO_PYTHON").unwrap_or_else(|_| {
        panic!(
            "set MISTUDIO_PYTHON to a Python with datasets, pyarrow, tokenizers and \
             transformers; scripts/test creates one and sets it"
        )
    })
}

/// Runs `tests/python/<script>` with `args` (offline, with `scratch` as its datasets cache) and
/// returns the JSON line it prints; a failing script fails the test with what it said.
pub fn run_python(script: &str, args: &[&std::ffi::OsStr], scratch: &Path) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/python")
        .join(script);
    let out = Command::new(python())
        .arg(path)
        .args(args)
        .env("HF_HUB_OFFLINE", "1")
        .env("HF_DATASETS_OFFLINE", "1")
        .env("HF_HOME", scratch.join("py-hf"))
        .env("HF_DATASETS_CACHE", scratch.join("py-datasets-cache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script} disagrees: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    let report: serde_json::Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}): {stdout}"));
    assert_eq!(report["ok"], true, "{report}");
    report
}
