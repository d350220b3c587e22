//! Two machines sharing one data folder, each with its own database: what one makes, the other
//! sees after a rescan; what one deletes disappears from the other; a torn manifest is never
//! read as valid.

mod common;
use common::Lab;
use mistudio_engine::datasets::ImportRequest;
use mistudio_engine::samples::SamplesQuery;
use mistudio_engine::DatasetStatus;
use mistudio_engine::{Engine, EngineConfig, Settings};
use std::sync::Arc;

async fn second_machine(lab: &Lab, dir: &std::path::Path) -> Engine {
    Engine::open(
        EngineConfig {
            local_dir: dir.join("laptop-local"),
            settings: Settings {
                data_root: lab.engine.settings().data_root,
                hub_endpoint: lab.hub.endpoint(),
                tokenize_threads: None,
                keep_hub_files: true,
            },
            run_jobs: true,
            hf_cache: Some(dir.join("laptop-hf")),
        },
        Arc::new(mistudio_engine::events::NoEvents),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn what_one_machine_imports_or_deletes_the_other_sees_after_a_rescan() {
    let lab = Lab::new().await;
    let other_dir = tempfile::tempdir().unwrap();
    let laptop = second_machine(&lab, other_dir.path()).await;

    let file = lab.dir.path().join("shared.jsonl");
    let body: String = (0..25)
        .map(|i| format!("{{\"text\": \"row {i}\"}}\n"))
        .collect();
    std::fs::write(&file, body).unwrap();
    let ds = lab
        .engine
        .start_import(&ImportRequest {
            path: file.to_string_lossy().into_owned(),
            name: Some("made on the Jetson".into()),
        })
        .await
        .unwrap();
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready);

    assert!(laptop.list_datasets().await.unwrap().is_empty());
    let report = laptop.rescan().await.unwrap();
    assert_eq!(report.added, vec![ds.id.clone()]);
    let seen = laptop.get_dataset(&ds.id).await.unwrap();
    assert_eq!(
        (seen.name.as_str(), seen.num_samples, seen.status),
        ("made on the Jetson", Some(25), DatasetStatus::Ready)
    );
    let page = laptop
        .samples(&SamplesQuery {
            dataset_id: ds.id.clone(),
            offset: 24,
            limit: 1,
            ..SamplesQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.samples[0].fields["text"], "row 24");
    // Nothing changed: a second rescan reports nothing.
    assert_eq!(
        laptop.rescan().await.unwrap(),
        mistudio_engine::rescan::RescanReport::default()
    );

    // A tokenization made on the Jetson is browsed on the laptop: its tokenizer, statistics and
    // per-row token lengths come with it.
    let tk = common::gpt2(&lab).await;
    let tz = common::tokenize_default(&lab, &ds.id, &tk.id).await;
    let report = laptop.rescan().await.unwrap();
    assert_eq!(report.added, {
        let mut want = vec![tk.id.clone(), tz.id.clone()];
        want.sort();
        want
    });
    let seen = laptop.get_tokenization(&tz.id).await.unwrap();
    assert_eq!(seen.status, mistudio_engine::TokenizationStatus::Ready);
    assert_eq!(seen.statistics, tz.statistics);
    assert_eq!(
        laptop.get_dataset(&ds.id).await.unwrap().tokenization_count,
        1
    );
    let by_tokens = |max: u64| {
        let laptop = &laptop;
        let q = SamplesQuery {
            dataset_id: ds.id.clone(),
            tokenization_id: Some(tz.id.clone()),
            max_tokens: Some(max),
            ..SamplesQuery::default()
        };
        async move { laptop.samples(&q).await.unwrap().total }
    };
    // "row 0" … "row 24" are two GPT-2 tokens each.
    assert_eq!(by_tokens(2).await, 25);
    assert_eq!(by_tokens(1).await, 0);

    // Every manifest is machine-neutral: no absolute path (the other machine mounts the folder
    // elsewhere), nothing of this machine's folders.
    let root = std::path::PathBuf::from(lab.engine.settings().data_root);
    let manifests = manifest_files(&root);
    assert!(manifests.len() >= 3, "{manifests:?}");
    for path in manifests {
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_no_absolute_path(&value, &path);
        let home = lab.dir.path().to_string_lossy().into_owned();
        assert!(
            !text.contains(&home),
            "{} names a local folder",
            path.display()
        );
    }

    // Deleted on the Jetson, gone from the laptop.
    lab.engine.delete_tokenization(&tz.id).await.unwrap();
    assert_eq!(laptop.rescan().await.unwrap().removed, vec![tz.id.clone()]);

    // A manifest torn by a crash mid-write is skipped, not read as a dataset.
    let torn = std::path::Path::new(&lab.engine.settings().data_root).join("datasets/ds_torn");
    std::fs::create_dir_all(&torn).unwrap();
    std::fs::write(
        torn.join("manifest.json"),
        b"{\"format_version\": 1, \"dataset\": {\"id\": \"ds_to",
    )
    .unwrap();
    assert!(laptop.rescan().await.unwrap().added.is_empty());
    // A crash mid-write leaves a partial temp file (the manifest is written as
    // `manifest.tmp-<pid>`, fsynced, then renamed): alone, it is no dataset; beside a
    // complete manifest, the complete one is what counts.
    std::fs::remove_file(torn.join("manifest.json")).unwrap();
    std::fs::write(
        torn.join("manifest.tmp-4242"),
        b"{\"format_version\": 1, \"dataset\": {\"id\": \"ds_torn\", \"na",
    )
    .unwrap();
    assert_eq!(
        laptop.rescan().await.unwrap(),
        mistudio_engine::rescan::RescanReport::default()
    );
    let ds_dir = std::path::Path::new(&lab.engine.settings().data_root)
        .join("datasets")
        .join(&ds.id);
    std::fs::write(ds_dir.join("manifest.tmp-4242"), b"{\"format_versi").unwrap();
    assert_eq!(
        laptop.rescan().await.unwrap(),
        mistudio_engine::rescan::RescanReport::default()
    );
    assert_eq!(
        laptop.get_dataset(&ds.id).await.unwrap().name,
        "made on the Jetson"
    );

    lab.engine
        .delete_datasets(std::slice::from_ref(&ds.id), false)
        .await
        .unwrap();
    let report = laptop.rescan().await.unwrap();
    assert_eq!(report.removed, vec![ds.id.clone()]);
    assert!(laptop.list_datasets().await.unwrap().is_empty());
    laptop.shutdown().await;
}

/// Waits until `check` holds, for at most 20 s.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "{what}: not in time");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The laptop follows the folder by itself, without a rescan being asked for: by file-system
/// notifications on a local disk, by polling where there are none (network shares).
#[tokio::test(flavor = "multi_thread")]
async fn a_watching_machine_follows_the_folder_by_notify_and_by_polling() {
    use mistudio_engine::watch::WatchMode;
    for mode in [
        WatchMode::Notify,
        WatchMode::Poll(std::time::Duration::from_millis(200)),
    ] {
        let lab = Lab::new().await;
        let other_dir = tempfile::tempdir().unwrap();
        let events = Arc::new(mistudio_engine::events::CollectedEvents::default());
        let laptop = Arc::new(
            Engine::open(
                EngineConfig {
                    local_dir: other_dir.path().join("laptop-local"),
                    settings: lab.engine.settings(),
                    run_jobs: true,
                    hf_cache: Some(other_dir.path().join("laptop-hf")),
                },
                events.clone(),
            )
            .await
            .unwrap(),
        );
        let watch = tokio::spawn(Engine::watch_data_folder(
            Arc::downgrade(&laptop),
            Some(mode),
        ));
        // Let the watch take its first look before anything changes.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;

        let file = lab.dir.path().join("watched.jsonl");
        std::fs::write(&file, "{\"text\": \"one\"}\n{\"text\": \"two\"}\n").unwrap();
        let ds = lab
            .engine
            .start_import(&ImportRequest {
                path: file.to_string_lossy().into_owned(),
                name: Some("watched".into()),
            })
            .await
            .unwrap();
        lab.finish(&ds.id).await;
        eventually(&format!("{mode:?}: the import appears"), async || {
            laptop.get_dataset(&ds.id).await.is_ok()
        })
        .await;
        assert!(
            events
                .snapshot()
                .iter()
                .any(|e| matches!(e, mistudio_engine::EngineEvent::DatasetsChanged { .. })),
            "{mode:?}: the window is told"
        );

        // A lock taken and released by the Jetson is announced.
        let locks =
            mistudio_engine::testing::DataLocks::new(&lab.dir.path().join("local")).unwrap();
        let root = mistudio_engine::testing::DataRoot::prepare(std::path::Path::new(
            &lab.engine.settings().data_root,
        ))
        .unwrap();
        let guard = locks.acquire(&root, &ds.id, "tokenizing").unwrap();
        eventually(&format!("{mode:?}: the lock is announced"), async || {
            events
                .snapshot()
                .contains(&mistudio_engine::EngineEvent::LocksChanged)
        })
        .await;
        let busy = laptop.data_locks().await.unwrap();
        assert_eq!(busy.len(), 1);
        assert_eq!(busy[0].dataset_id, ds.id);
        drop(guard);
        eventually(&format!("{mode:?}: the lock is gone"), async || {
            laptop.data_locks().await.unwrap().is_empty()
        })
        .await;

        lab.engine
            .delete_datasets(std::slice::from_ref(&ds.id), false)
            .await
            .unwrap();
        eventually(&format!("{mode:?}: the delete follows"), async || {
            laptop.get_dataset(&ds.id).await.is_err()
        })
        .await;

        laptop.shutdown().await;
        drop(laptop);
        // The watch ends with the engine.
        tokio::time::timeout(std::time::Duration::from_secs(10), watch)
            .await
            .expect("the watch stops when the engine is dropped")
            .unwrap();
    }
}

/// `manifest.json` and `mistudio.json` files under `dir`.
fn manifest_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(manifest_files(&path));
        } else if path
            .file_name()
            .is_some_and(|n| n == "manifest.json" || n == "mistudio.json")
        {
            out.push(path);
        }
    }
    out
}

fn assert_no_absolute_path(value: &serde_json::Value, file: &std::path::Path) {
    match value {
        serde_json::Value::String(s) => {
            let windows_drive = s.len() > 2 && s.as_bytes()[1] == b':' && s.as_bytes()[2] == b'\\';
            assert!(
                !s.starts_with('/') && !windows_drive,
                "{} holds the absolute path {s:?}",
                file.display()
            );
        }
        serde_json::Value::Array(items) => {
            items.iter().for_each(|v| assert_no_absolute_path(v, file))
        }
        serde_json::Value::Object(map) => {
            map.values().for_each(|v| assert_no_absolute_path(v, file))
        }
        _ => {}
    }
}
