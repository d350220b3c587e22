//! Standalone Hub emulator with a few demo repositories, for end-to-end tests and manual runs.
//!
//! `hub-emulator [--port 8080] [--blob-port 0] [--throttle-kbps N] [--page-size 50] [--corpus PATH]
//! [--tokenizer PATH] [--grant TOKEN:REPO_ID]...`
//!
//! `--web DUMPSxSHARDSxROWS` adds `demo/web`, shaped like FineWeb: DUMPS dump folders of SHARDS
//! parquet shards of ROWS rows each (row groups of 100), declared by card globs, for trying
//! `--include` and `--rows` on a many-shard repo (`--web 4x250x400` makes 1,000 shards).
//!
//! `--grant TOKEN:REPO_ID` (repeatable) lets TOKEN read the gated or private repo REPO_ID, besides
//! the built-in demo token.
//!
//! The first stdout line is always
//! `hub-emulator listening on http://localhost:PORT (blobs on http://127.0.0.1:PORT2)`, so a
//! harness can start it with `--port 0` and read the endpoint from there.

use std::io::Write as _;
use std::process::ExitCode;

use mistudio_hub_emulator::{EmulatorConfig, Faults, HubEmulator, RepoFile, RepoSpec, ShardedRepo};

/// Token granted to the demo gated and private repos.
const DEMO_TOKEN: &str = "hf_emulator_demo_token";

struct Args {
    config: EmulatorConfig,
    corpus: Option<String>,
    /// A real `tokenizer.json`, served as the model repo `demo/gpt2`.
    tokenizer: Option<String>,
    /// Extra `(token, repo_id)` grants from `--grant TOKEN:REPO_ID`.
    grants: Vec<(String, String)>,
    /// `--web DUMPSxSHARDSxROWS`.
    web: Option<(usize, usize, usize)>,
}

fn usage() -> String {
    "usage: hub-emulator [--port N] [--blob-port N] [--throttle-kbps N] [--page-size N] \
     [--corpus PATH] [--tokenizer PATH] [--web DUMPSxSHARDSxROWS] [--grant TOKEN:REPO_ID]..."
        .to_string()
}

fn parse_args() -> Result<Args, String> {
    let mut config = EmulatorConfig {
        api_port: 8080,
        ..EmulatorConfig::default()
    };
    let mut corpus = None;
    let mut tokenizer = None;
    let mut grants = Vec::new();
    let mut web = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(usage());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{}", usage()))?;
        let num = |v: &str| -> Result<u64, String> {
            v.parse()
                .map_err(|_| format!("{flag}: not a number: {v}\n{}", usage()))
        };
        match flag.as_str() {
            "--port" => config.api_port = num(&value)? as u16,
            "--blob-port" => config.blob_port = num(&value)? as u16,
            "--throttle-kbps" => config.bytes_per_sec = Some(num(&value)?.max(1) * 1024),
            "--page-size" => config.tree_page_size = num(&value)?.max(1) as usize,
            "--corpus" => corpus = Some(value),
            "--tokenizer" => tokenizer = Some(value),
            "--web" => {
                let parts: Vec<u64> = value.split('x').map(num).collect::<Result<_, _>>()?;
                match parts[..] {
                    [d, s, r] if d > 0 && s > 0 && r > 0 => {
                        web = Some((d as usize, s as usize, r as usize))
                    }
                    _ => {
                        return Err(format!(
                            "--web: expected DUMPSxSHARDSxROWS such as 4x250x400, got {value}\n{}",
                            usage()
                        ))
                    }
                }
            }
            "--grant" => match value.split_once(':') {
                Some((token, repo)) if !token.is_empty() && !repo.is_empty() => {
                    grants.push((token.to_string(), repo.to_string()));
                }
                _ => {
                    return Err(format!(
                        "--grant: expected TOKEN:REPO_ID, got {value}\n{}",
                        usage()
                    ))
                }
            },
            _ => return Err(format!("unknown flag {flag}\n{}", usage())),
        }
    }
    Ok(Args {
        config,
        corpus,
        tokenizer,
        grants,
        web,
    })
}

fn demo_repos(corpus: Option<Vec<u8>>, tokenizer: Option<Vec<u8>>) -> Vec<RepoSpec> {
    let readme = |title: &str| {
        RepoFile::new(
            "README.md",
            format!("---\nlicense: apache-2.0\n---\n# {title}\n\nServed by the miStudio hub emulator.\n"),
        )
    };
    let jsonl = |n: usize, split: &str| -> String {
        (0..n)
            .map(|i| format!("{{\"text\": \"{split} example number {i}\", \"id\": {i}}}\n"))
            .collect()
    };
    let card = serde_json::json!({"license": "apache-2.0"});
    let mut repos = vec![
        RepoSpec::dataset(
            "demo/tiny-jsonl",
            vec![
                readme("tiny-jsonl"),
                RepoFile::new("data/train.jsonl", jsonl(200, "train")),
                RepoFile::new("data/test.jsonl", jsonl(20, "test")),
            ],
        )
        .with_card_data(card.clone()),
        RepoSpec::dataset(
            "demo/csv",
            vec![
                readme("csv"),
                RepoFile::new(
                    "data.csv",
                    (0..100)
                        .map(|i| format!("{i},\"row {i}\"\n"))
                        .fold("id,text\n".to_string(), |acc, l| acc + &l),
                ),
            ],
        ),
        // Enough files to need several tree pages at the default page size.
        RepoSpec::dataset(
            "demo/many-files",
            std::iter::once(readme("many-files"))
                .chain((0..120).map(|i| {
                    RepoFile::new(format!("shards/part-{i:04}.txt"), format!("shard {i}\n"))
                }))
                .collect(),
        ),
        RepoSpec::dataset(
            "demo/flaky",
            vec![
                readme("flaky"),
                RepoFile::new("data/train.jsonl", jsonl(2000, "train")),
            ],
        ),
        RepoSpec::dataset(
            "demo/gated",
            vec![
                readme("gated"),
                RepoFile::new("data/train.jsonl", jsonl(10, "train")),
            ],
        )
        .gated(),
        RepoSpec::dataset(
            "demo/private",
            vec![
                readme("private"),
                RepoFile::new("data/train.jsonl", jsonl(10, "train")),
            ],
        )
        .private(),
        RepoSpec::model(
            "demo/tiny-model",
            vec![
                readme("tiny-model"),
                RepoFile::new(
                    "config.json",
                    "{\"model_type\": \"demo\", \"hidden_size\": 8}\n",
                ),
                RepoFile::new("tokenizer.json", "{\"version\": \"1.0\"}\n"),
            ],
        ),
    ];
    if let Some(json) = tokenizer {
        repos.push(RepoSpec::model(
            "demo/gpt2",
            vec![
                readme("gpt2"),
                RepoFile::new("config.json", "{\"model_type\": \"gpt2\"}\n"),
                RepoFile::new("tokenizer.json", json),
            ],
        ));
    }
    if let Some(bytes) = corpus {
        let bytes = bytes::Bytes::from(bytes);
        repos.push(
            RepoSpec::dataset(
                "demo/corpus",
                vec![
                    readme("corpus"),
                    RepoFile::new("data/train-00000-of-00001.parquet", bytes.clone()),
                ],
            )
            .with_branch(
                "refs/convert/parquet",
                vec![RepoFile::new("default/train/0000.parquet", bytes)],
            ),
        );
    }
    repos
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let read = |what: &str, path: &Option<String>| match path {
        None => Ok(None),
        Some(path) => std::fs::read(path)
            .map(Some)
            .map_err(|e| eprintln!("hub-emulator: cannot read {what} {path}: {e}")),
    };
    let (Ok(corpus), Ok(tokenizer)) = (
        read("corpus", &args.corpus),
        read("tokenizer", &args.tokenizer),
    ) else {
        return ExitCode::FAILURE;
    };
    let hub = match HubEmulator::start(args.config).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("hub-emulator: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut repos = demo_repos(corpus, tokenizer);
    if let Some((dumps, shards, rows)) = args.web {
        repos.push(
            ShardedRepo::new(dumps, shards, rows)
                .with_dataset_info()
                .build("demo/web", |r| ShardedRepo::filler_text(r, 90)),
        );
    }
    let names: Vec<String> = repos
        .iter()
        .map(|r| format!("{} {}", r.kind.noun(), r.id))
        .collect();
    for r in repos {
        hub.add_repo(r);
    }
    hub.set_faults(
        "demo/flaky",
        "data/train.jsonl",
        Faults {
            rate_limit_first: 1,
            retry_after_secs: 1,
            fail_first_5xx: 1,
            reset_after_bytes: Some(10_000),
            reset_times: 1,
            ..Faults::default()
        },
    );
    hub.grant(DEMO_TOKEN, "demo/gated");
    hub.grant(DEMO_TOKEN, "demo/private");
    for (token, repo) in &args.grants {
        hub.grant(token, repo);
    }

    let mut out = std::io::stdout().lock();
    // The first line is a contract with harnesses that parse it; keep its shape.
    let _ = writeln!(
        out,
        "hub-emulator listening on {} (blobs on {})",
        hub.endpoint(),
        hub.blob_base()
    );
    for n in &names {
        let _ = writeln!(out, "  serving {n}");
    }
    let _ = writeln!(
        out,
        "  token with access to demo/gated and demo/private: {DEMO_TOKEN}"
    );
    for (_, repo) in &args.grants {
        let _ = writeln!(out, "  --grant: a given token has access to {repo}");
    }
    let _ = writeln!(
        out,
        "  demo/flaky data/train.jsonl: one 429, one 500, one reset after 10000 bytes"
    );
    let _ = out.flush();
    drop(out);

    let _ = tokio::signal::ctrl_c().await;
    hub.shutdown().await;
    ExitCode::SUCCESS
}
