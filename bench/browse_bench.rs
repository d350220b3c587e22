//! Browsing latency, run by `bench/browse.sh`, in two roles:
//!
//! - `prepare SRC.parquet REPEAT ROOT`: ingests SRC, repeated REPEAT times, as one split into a
//!   data root under ROOT and registers it in ROOT's own database (not timed);
//! - `measure ROOT REPS COMMON RARE NONE`: pages of 20 rows at seeded random offsets, and the
//!   first page of searches for a common word, a rare word and text that matches nothing,
//!   through the engine's API and through the window's command path (Tauri's IPC layer with
//!   the mock runtime: the JSON arguments in, the command, the JSON reply out). Searches are
//!   measured cold (nothing remembered from an earlier search) and, for the next page, warm.
//!
//! Prints one JSON line per measurement with p50/p95 in milliseconds.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use mistudio_app::AppState;
use mistudio_engine::samples::{forget_recent_selections, SamplesQuery};
use mistudio_engine::testing::NewDataset;
use mistudio_engine::testing::{ingest, SplitInput};
use mistudio_engine::{DatasetSource, DatasetStatus};
use mistudio_engine::{Engine, EngineConfig, Settings};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::Manager;
use tokio_util::sync::CancellationToken;

const DATASET: &str = "ds_bench";

async fn open(root: &Path) -> Engine {
    Engine::open(
        EngineConfig {
            local_dir: root.join("local"),
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
    .expect("opening the engine")
}

async fn prepare(src: PathBuf, repeat: usize, root: PathBuf) {
    let engine = open(&root).await;
    engine
        .store()
        .insert_dataset(&NewDataset {
            id: DATASET.into(),
            name: format!("corpus x{repeat}"),
            source: DatasetSource::Local,
            hf_repo_id: None,
            hf_config: None,
            hf_split: None,
            status: DatasetStatus::Processing,
        })
        .await
        .unwrap();
    let dest = root.join("data/datasets").join(DATASET).join("data");
    let summary = ingest(
        &[SplitInput {
            name: "train".into(),
            files: vec![src; repeat],
            ..Default::default()
        }],
        &dest,
        &CancellationToken::new(),
        &mut |_, _| {},
    )
    .unwrap();
    let size: u64 = std::fs::read_dir(dest.join("train"))
        .unwrap()
        .flatten()
        .map(|e| e.metadata().unwrap().len())
        .sum();
    engine
        .store()
        .mark_dataset_ready(
            DATASET,
            &summary.splits,
            &summary.columns,
            Some("text"),
            "parquet",
            size as i64,
        )
        .await
        .unwrap();
    println!(
        "{}",
        json!({"role": "prepare", "rows": summary.splits[0].num_rows, "bytes": size})
    );
}

/// Seeded, so every run (and the Python peer) reads the same offsets.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| ms[((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len()) - 1];
    (at(0.5), at(0.95))
}

fn report(path: &str, what: &str, ms: Vec<f64>, extra: serde_json::Value) {
    let n = ms.len();
    let (p50, p95) = percentiles(ms);
    let mut v = json!({"path": path, "what": what, "n": n, "p50_ms": p50, "p95_ms": p95});
    if let (Some(o), serde_json::Value::Object(e)) = (v.as_object_mut(), extra) {
        o.extend(e);
    }
    println!("{v}");
}

fn query(offset: u64, search: Option<&str>) -> SamplesQuery {
    SamplesQuery {
        dataset_id: DATASET.into(),
        split: Some("train".into()),
        offset,
        limit: 20,
        search: search.map(str::to_string),
        ..SamplesQuery::default()
    }
}

fn measure(root: PathBuf, reps: usize, words: [(&str, String); 3]) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let engine = Arc::new(rt.block_on(open(&root)));
    let rows = rt
        .block_on(engine.get_dataset(DATASET))
        .unwrap()
        .num_samples
        .unwrap() as u64;

    // The window's path: the same handlers the app registers, behind Tauri's IPC layer.
    let app = mock_builder()
        .invoke_handler(mistudio_app::specta_builder::<tauri::test::MockRuntime>().invoke_handler())
        .build(mock_context(noop_assets()))
        .unwrap();
    app.manage(AppState {
        engine: engine.clone(),
        startup_warning: None,
    });
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let via_window = |q: &SamplesQuery| -> serde_json::Value {
        get_ipc_response(
            &window,
            InvokeRequest {
                cmd: "list_samples".into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(json!({ "query": q })),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .expect("list_samples failed")
        .deserialize::<serde_json::Value>()
        .unwrap()
    };
    let via_engine = |q: &SamplesQuery| -> serde_json::Value {
        serde_json::to_value(rt.block_on(engine.samples(q)).unwrap()).unwrap()
    };

    for (path, call) in [
        (
            "engine",
            &via_engine as &dyn Fn(&SamplesQuery) -> serde_json::Value,
        ),
        ("window", &via_window),
    ] {
        // Pages at random offsets.
        let mut rng = Lcg(42);
        call(&query(0, None));
        let ms = (0..reps)
            .map(|_| {
                let q = query(rng.next(rows - 20), None);
                let t = Instant::now();
                let page = call(&q);
                let took = t.elapsed().as_secs_f64() * 1e3;
                assert_eq!(page["samples"].as_array().unwrap().len(), 20);
                took
            })
            .collect();
        report(path, "page", ms, json!({"rows": rows}));

        for (what, word) in &words {
            let mut cold = Vec::new();
            let mut next = Vec::new();
            let mut total = 0;
            for _ in 0..reps.div_ceil(20).max(3) {
                forget_recent_selections();
                let t = Instant::now();
                let page = call(&query(0, Some(word)));
                cold.push(t.elapsed().as_secs_f64() * 1e3);
                total = page["total"].as_u64().unwrap();
                let t = Instant::now();
                call(&query(20, Some(word)));
                next.push(t.elapsed().as_secs_f64() * 1e3);
            }
            report(
                path,
                &format!("search_{what}"),
                cold,
                json!({"word": word, "matches": total}),
            );
            report(
                path,
                &format!("search_{what}_next_page"),
                next,
                json!({"word": word, "matches": total}),
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("prepare") => {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(prepare(
                PathBuf::from(&args[1]),
                args[2].parse().unwrap(),
                PathBuf::from(&args[3]),
            ));
        }
        Some("measure") => measure(
            PathBuf::from(&args[1]),
            args[2].parse().unwrap(),
            [
                ("common", args[3].clone()),
                ("rare", args[4].clone()),
                ("none", args[5].clone()),
            ],
        ),
        _ => {
            eprintln!(
                "usage: browse_bench prepare SRC.parquet REPEAT ROOT | measure ROOT REPS COMMON RARE NONE"
            );
            std::process::exit(2);
        }
    }
}
