//! Commands through Tauri's IPC layer (tauri::test's mock runtime), against a real engine on a
//! temp SQLite file: what the window receives, including the typed error value.

use mistudio_app::AppState;
use mistudio_engine::testing::NewDataset;
use mistudio_engine::{DatasetSource, DatasetStatus};
use mistudio_engine::{Engine, EngineConfig, Settings};
use serde_json::{json, Value};
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

struct Harness {
    _dir: tempfile::TempDir,
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    engine: Arc<Engine>,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let engine = tauri::async_runtime::block_on(Engine::open(
        EngineConfig {
            local_dir: dir.path().join("local"),
            settings: Settings {
                data_root: dir.path().join("data").to_string_lossy().into_owned(),
                hub_endpoint: "https://huggingface.co".into(),
                tokenize_threads: None,
                keep_hub_files: true,
            },
            run_jobs: true,
            hf_cache: None,
        },
        Arc::new(mistudio_engine::events::NoEvents),
    ))
    .unwrap();
    let engine = Arc::new(engine);
    let app = mock_builder()
        .invoke_handler(mistudio_app::specta_builder::<MockRuntime>().invoke_handler())
        .build(mock_context(noop_assets()))
        .unwrap();
    app.manage(AppState {
        engine: engine.clone(),
        startup_warning: None,
    });
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Harness {
        _dir: dir,
        _app: app,
        window,
        engine,
    }
}

fn invoke(h: &Harness, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        &h.window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

#[test]
fn list_datasets_returns_what_the_engine_holds() {
    let h = harness();
    assert_eq!(invoke(&h, "list_datasets", json!({})), Ok(json!([])));

    tauri::async_runtime::block_on(h.engine.store().insert_dataset(&NewDataset {
        id: "ds_wiki".into(),
        name: "wikitext".into(),
        source: DatasetSource::HuggingFace,
        hf_repo_id: Some("Salesforce/wikitext".into()),
        hf_config: Some("wikitext-2-raw-v1".into()),
        hf_split: None,
        status: DatasetStatus::Downloading,
    }))
    .unwrap();
    let list = invoke(&h, "list_datasets", json!({})).unwrap();
    assert_eq!(list[0]["id"], "ds_wiki");
    assert_eq!(list[0]["status"], "downloading");
    assert_eq!(list[0]["hf_config"], "wikitext-2-raw-v1");
}

#[test]
fn engine_errors_reach_the_window_as_a_tagged_value() {
    let h = harness();
    let missing = invoke(&h, "get_dataset", json!({ "id": "ds_gone" })).unwrap_err();
    assert_eq!(
        missing,
        json!({ "kind": "not_found", "message": "dataset ds_gone was not found" })
    );
    let bad = invoke(&h, "get_dataset", json!({ "id": "../../secrets" })).unwrap_err();
    assert_eq!(bad["kind"], "invalid_input");
    let no_job = invoke(&h, "cancel_job", json!({ "id": "job_none" })).unwrap_err();
    assert_eq!(no_job["kind"], "not_found");
}

#[test]
fn machine_status_reports_this_machine() {
    let h = harness();
    let status = invoke(&h, "machine_status", json!({})).unwrap();
    assert!(!status["hostname"].as_str().unwrap().is_empty());
    assert!(status["free_bytes"].as_u64().unwrap() > 0);
    assert_eq!(status["jobs_running"], 0);
    assert_eq!(status["warning"], Value::Null);
    assert_eq!(invoke(&h, "list_jobs", json!({})), Ok(json!([])));
}

#[test]
fn the_config_identifier_is_the_one_the_cli_uses() {
    let conf: Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
    assert_eq!(conf["identifier"], mistudio_engine::paths::APP_IDENTIFIER);
    // The window's CSP must stay strict: no remote origins.
    let csp = conf["app"]["security"]["csp"].to_string();
    assert!(
        !csp.contains("http://*") && !csp.contains("https:"),
        "{csp}"
    );
}

#[test]
fn download_commands_validate_before_touching_the_network() {
    let h = harness();
    let bad = invoke(
        &h,
        "inspect_dataset_repo",
        json!({ "repoId": "not a repo", "token": null, "revision": null }),
    )
    .unwrap_err();
    assert_eq!(bad["kind"], "invalid_input");
    assert!(bad["message"].as_str().unwrap().contains("owner/name"));
    let bad = invoke(
        &h,
        "start_download",
        json!({ "request": { "repo_id": "a--b/c", "config": null, "split": null, "revision": null, "token": null, "remember_token": false } }),
    )
    .unwrap_err();
    assert_eq!(bad["kind"], "invalid_input");
    assert_eq!(
        invoke(&h, "list_datasets", json!({})),
        Ok(json!([])),
        "nothing was registered"
    );
    let missing = invoke(&h, "retry_dataset", json!({ "id": "ds_nothing" })).unwrap_err();
    assert_eq!(missing["kind"], "not_found");
}

/// Whatever the window sends, every command checks it in Rust: ids that would escape the data
/// folder, relative or foreign paths, malformed repo ids and settings are refused with a typed
/// error before anything is touched, and the app keeps answering.
#[test]
fn every_command_refuses_hostile_input_whatever_the_window_sends() {
    let h = harness();
    let data_root = h.engine.settings().data_root;
    let settings =
        serde_json::to_value(mistudio_engine::tokenize::TokenizeSettings::default()).unwrap();
    let cases: Vec<(&str, Value)> = vec![
        ("get_dataset", json!({ "id": "../../etc" })),
        ("get_dataset", json!({ "id": "ds_../x" })),
        (
            "list_samples",
            json!({ "query": { "dataset_id": "ds_a/../../b", "split": null, "offset": 0, "limit": 10,
                "search": null, "min_chars": null, "max_chars": null } }),
        ),
        (
            "delete_datasets",
            json!({ "ids": ["/etc/passwd"], "hubFiles": true }),
        ),
        (
            "text_statistics",
            json!({ "datasetId": "..", "split": "train" }),
        ),
        (
            "row_tokens",
            json!({ "query": { "dataset_id": "ds_a", "tokenization_id": "tok_../b", "split": "train", "index": 0 } }),
        ),
        ("dataset_storage", json!({ "datasetId": "ds_A B" })),
        (
            "start_import",
            json!({ "request": { "path": "relative/notes.jsonl", "name": null } }),
        ),
        (
            "start_import",
            json!({ "request": { "path": format!("{data_root}/datasets"), "name": null } }),
        ),
        (
            "inspect_dataset_repo",
            json!({ "repoId": "../../etc", "token": null, "revision": null }),
        ),
        (
            "start_download",
            json!({ "request": { "repo_id": "a/b/c", "config": null, "split": null, "revision": null, "token": null } }),
        ),
        ("retry_dataset", json!({ "id": "tok_x" })),
        (
            "update_settings",
            json!({ "settings": { "data_root": "relative/folder", "hub_endpoint": "https://huggingface.co", "tokenize_threads": null } }),
        ),
        (
            "update_settings",
            json!({ "settings": { "data_root": data_root, "hub_endpoint": "file:///etc/passwd", "tokenize_threads": null } }),
        ),
        (
            "add_tokenizer_file",
            json!({ "path": "relative/tokenizer.json", "name": null }),
        ),
        (
            "add_tokenizer_hub",
            json!({ "repoId": "../x", "revision": null, "token": null }),
        ),
        ("delete_tokenizer", json!({ "id": "tk_../x" })),
        ("list_tokenizations", json!({ "datasetId": "../x" })),
        (
            "start_tokenization",
            json!({ "request": { "dataset_id": "ds_../", "tokenizer_id": "tk_a", "settings": settings } }),
        ),
        ("delete_tokenization", json!({ "id": "../x" })),
        (
            "preview_tokenization",
            json!({ "tokenizerId": "tk_../x", "settings": settings, "text": "hi" }),
        ),
    ];
    let before: Vec<_> = std::fs::read_dir(h._dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    for (cmd, args) in &cases {
        let error = invoke(&h, cmd, args.clone()).expect_err(&format!("{cmd} accepted {args}"));
        assert_eq!(error["kind"], "invalid_input", "{cmd} with {args}: {error}");
        assert!(
            !error["message"].as_str().unwrap_or_default().is_empty(),
            "{cmd}: an error names the problem"
        );
    }
    // A payload of the wrong shape never reaches the engine.
    let shape = invoke(&h, "get_dataset", json!({ "id": 42 })).unwrap_err();
    assert!(shape.to_string().contains("invalid"), "{shape}");
    // Still answering, and nothing was created beside the app's own folders.
    assert_eq!(invoke(&h, "list_datasets", json!({})), Ok(json!([])));
    let after: Vec<_> = std::fs::read_dir(h._dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after);
    assert!(std::fs::read_dir(format!("{data_root}/datasets"))
        .unwrap()
        .next()
        .is_none());
    eprintln!("hostile command inputs refused: {}", cases.len() + 1);
}
