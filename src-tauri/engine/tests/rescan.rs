//! Two machines sharing one data folder, each with its own database: what one makes, the other
//! sees after a rescan; what one deletes disappears from the other; a torn manifest is never
//! read as valid.

mod common;
use common::Lab;
use mistudio_engine::datasets::ImportRequest;
use mistudio_engine::samples::SamplesQuery;
use mistudio_engine::store::DatasetStatus;
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
    let tk = lab
        .engine
        .resolve_tokenizer(common::gpt2_path().to_str().unwrap(), None)
        .await
        .unwrap();
    let tz = lab
        .engine
        .start_tokenization(&mistudio_engine::TokenizeRequest {
            dataset_id: ds.id.clone(),
            tokenizer_id: tk.id.clone(),
            settings: mistudio_engine::tokenize::TokenizeSettings::default(),
            replace: false,
        })
        .await
        .unwrap();
    let tz = common::wait_tokenization(&lab, &tz.id).await;
    let report = laptop.rescan().await.unwrap();
    assert_eq!(report.added, {
        let mut want = vec![tk.id.clone(), tz.id.clone()];
        want.sort();
        want
    });
    let seen = laptop.get_tokenization(&tz.id).await.unwrap();
    assert_eq!(
        seen.status,
        mistudio_engine::store::TokenizationStatus::Ready
    );
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

    lab.engine
        .delete_datasets(std::slice::from_ref(&ds.id), false)
        .await
        .unwrap();
    let report = laptop.rescan().await.unwrap();
    assert_eq!(report.removed, vec![ds.id.clone()]);
    assert!(laptop.list_datasets().await.unwrap().is_empty());
    laptop.shutdown().await;
}
