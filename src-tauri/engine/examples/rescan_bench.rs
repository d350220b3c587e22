//! Rescan of a shared data folder holding N datasets, run by `bench/rescan.sh`:
//! `prepare N ROOT` writes N dataset manifests (as another machine would leave them);
//! `measure ROOT` opens a fresh engine (its own empty database) on ROOT and times the first
//! rescan (every dataset adopted) and a second one (nothing changed). Prints JSON lines.

use mistudio_engine::{Engine, EngineConfig, Settings};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

fn prepare(n: usize, root: PathBuf) {
    for i in 0..n {
        let id = format!("ds_bench{i:05}");
        let dir = root.join("data/datasets").join(&id);
        std::fs::create_dir_all(dir.join("data/train")).unwrap();
        let manifest = serde_json::json!({
            "format_version": 1,
            "dataset": {
                "id": id, "name": format!("shared set {i}"), "source": "local",
                "hf_repo_id": null, "hf_config": null, "hf_split": null, "status": "ready",
                "num_samples": 1000 + i, "size_bytes": 4096 * (i + 1),
                "splits": [{"name": "train", "num_rows": 1000 + i}],
                "columns": [{"name": "text", "data_type": "string"}],
                "text_column": "text", "format": "jsonl", "description": null, "error": null,
                "tokenization_count": 0, "created_at": 1_700_000_000_000i64 + i as i64,
                "updated_at": 1_700_000_000_000i64 + i as i64
            },
            "hub_revision": null,
            "source_files": ["notes.jsonl"]
        });
        std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    }
    println!("{}", serde_json::json!({"role": "prepare", "datasets": n}));
}

async fn measure(root: PathBuf) {
    let local = tempfile::tempdir().unwrap();
    let engine = Engine::open(
        EngineConfig {
            local_dir: local.path().to_path_buf(),
            settings: Settings {
                data_root: root.join("data").to_string_lossy().into_owned(),
                hub_endpoint: "http://127.0.0.1:9".into(),
                tokenize_threads: None,
                keep_hub_files: true,
            },
            run_jobs: false,
            hf_cache: None,
        },
        Arc::new(mistudio_engine::events::NoEvents),
    )
    .await
    .unwrap();
    let mut adopted = 0;
    for role in ["first_rescan", "second_rescan"] {
        let t = Instant::now();
        let report = engine.rescan().await.unwrap();
        adopted += report.added.len();
        let ms = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "{}",
            serde_json::json!({"role": role, "ms": ms, "added": report.added.len(), "updated": report.updated.len()})
        );
    }
    assert_eq!(engine.list_datasets().await.unwrap().len(), adopted);
    engine.shutdown().await;
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("prepare") => prepare(args[1].parse().unwrap(), PathBuf::from(&args[2])),
        Some("measure") => measure(PathBuf::from(&args[1])).await,
        _ => {
            eprintln!("usage: rescan_bench prepare N ROOT | measure ROOT");
            std::process::exit(2);
        }
    }
}
