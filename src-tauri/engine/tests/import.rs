//! Importing local files through the Engine's API, as the window calls it: a file, a folder
//! with splits from its names, bad paths refused before anything is registered, a failed
//! import retried, and the imported dataset browsable like a downloaded one.

mod common;
use common::Lab;
use mistudio_engine::datasets::ImportRequest;
use mistudio_engine::samples::SamplesQuery;
use mistudio_engine::ErrorKind;
use mistudio_engine::{DatasetSource, DatasetStatus};
use std::path::Path;

fn write_jsonl(path: &Path, rows: usize, prefix: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let body: String = (0..rows)
        .map(|i| serde_json::json!({"text": format!("{prefix} row {i}")}).to_string() + "\n")
        .collect();
    std::fs::write(path, body).unwrap();
}

fn import(path: &Path, name: Option<&str>) -> ImportRequest {
    ImportRequest {
        path: path.to_string_lossy().into_owned(),
        name: name.map(str::to_string),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_becomes_a_ready_local_dataset_with_a_relative_manifest() {
    let lab = Lab::new().await;
    let file = lab.dir.path().join("inbox/stories.jsonl");
    write_jsonl(&file, 120, "story");
    let ds = lab.engine.start_import(&import(&file, None)).await.unwrap();
    assert_eq!(ds.status, DatasetStatus::Queued);
    assert_eq!(
        (ds.name.as_str(), ds.source),
        ("stories", DatasetSource::Local)
    );
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(120));
    assert_eq!(ds.text_column.as_deref(), Some("text"));
    assert_eq!(ds.splits.len(), 1);
    assert_eq!(ds.splits[0].name, "train");

    let page = lab
        .engine
        .samples(&SamplesQuery {
            dataset_id: ds.id.clone(),
            offset: 119,
            limit: 5,
            ..SamplesQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.samples[0].fields["text"], "story row 119");

    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            lab.engine
                .settings()
                .data_root_path()
                .join("datasets")
                .join(&ds.id)
                .join("manifest.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        manifest["source_files"],
        serde_json::json!(["stories.jsonl"])
    );
    let text = manifest.to_string();
    assert!(
        !text.contains(&lab.dir.path().to_string_lossy().to_string()),
        "no absolute path of this machine in the manifest: {text}"
    );
    // The source is read, never moved or changed.
    assert!(file.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_folder_with_train_and_test_files_yields_two_splits() {
    let lab = Lab::new().await;
    let folder = lab.dir.path().join("corpus");
    write_jsonl(&folder.join("train.jsonl"), 30, "train");
    write_jsonl(&folder.join("test.jsonl"), 7, "test");
    std::fs::write(folder.join("README.md"), "about the corpus").unwrap();
    let ds = lab
        .engine
        .start_import(&import(&folder, Some("  My corpus ")))
        .await
        .unwrap();
    assert_eq!(ds.name, "My corpus");
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    let splits: Vec<(String, i64)> = ds
        .splits
        .iter()
        .map(|s| (s.name.clone(), s.num_rows))
        .collect();
    assert_eq!(
        splits,
        vec![("train".to_string(), 30), ("test".to_string(), 7)]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_paths_are_refused_before_anything_is_registered() {
    let lab = Lab::new().await;
    let cases: Vec<(ImportRequest, ErrorKind, &str)> = vec![
        (
            ImportRequest {
                path: "relative/file.jsonl".into(),
                name: None,
            },
            ErrorKind::InvalidInput,
            "not an absolute path",
        ),
        (
            ImportRequest {
                path: "  ".into(),
                name: None,
            },
            ErrorKind::InvalidInput,
            "choose a file",
        ),
        (
            import(&lab.dir.path().join("nope.jsonl"), None),
            ErrorKind::NotFound,
            "nothing to import",
        ),
        (
            import(lab.dir.path().join("local").as_path(), None),
            ErrorKind::InvalidInput,
            "holds no data files",
        ),
        (
            import(&lab.engine.settings().data_root_path(), None),
            ErrorKind::InvalidInput,
            "inside the data folder",
        ),
    ];
    let odd = lab.dir.path().join("notes.docx");
    std::fs::write(&odd, "x").unwrap();
    let named = lab.dir.path().join("ok.jsonl");
    write_jsonl(&named, 1, "x");
    let mut cases = cases;
    cases.push((import(&odd, None), ErrorKind::InvalidInput, ".docx"));
    cases.push((
        import(&named, Some("two\nlines")),
        ErrorKind::InvalidInput,
        "control character",
    ));
    for (request, kind, says) in cases {
        let e = lab.engine.start_import(&request).await.unwrap_err();
        assert_eq!(e.kind(), kind, "{request:?}: {e}");
        assert!(e.to_string().contains(says), "{request:?}: {e}");
    }
    assert!(lab.engine.list_datasets().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_import_says_why_and_can_be_retried_once_the_file_is_fixed() {
    let lab = Lab::new().await;
    let file = lab.dir.path().join("broken.jsonl");
    std::fs::write(&file, "{\"text\": \"fine\"}\n{\"text\": oops}\n").unwrap();
    let ds = lab.engine.start_import(&import(&file, None)).await.unwrap();
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Error);
    let error = ds.error.unwrap_or_default();
    assert!(
        error.contains("broken.jsonl") && error.contains("line 2"),
        "{error}"
    );
    let data = lab
        .engine
        .settings()
        .data_root_path()
        .join("datasets")
        .join(&ds.id)
        .join("data");
    assert!(!data.exists(), "nothing half-written is kept");

    write_jsonl(&file, 3, "fixed");
    lab.engine.retry_dataset(&ds.id).await.unwrap();
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_folder_of_text_files_gives_one_row_per_file_and_a_file_one_row_per_line() {
    let lab = Lab::new().await;
    let folder = lab.dir.path().join("essays");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("a.txt"), "First essay.\nIt has two lines.\n").unwrap();
    std::fs::write(folder.join("b.txt"), "Second essay.").unwrap();
    let ds = lab
        .engine
        .start_import(&import(&folder, None))
        .await
        .unwrap();
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(2));
    let page = lab
        .engine
        .samples(&SamplesQuery {
            dataset_id: ds.id.clone(),
            limit: 5,
            ..SamplesQuery::default()
        })
        .await
        .unwrap();
    assert!(page.samples[0].fields["text"]
        .as_str()
        .unwrap()
        .contains("It has two lines."));

    let ds = lab
        .engine
        .start_import(&import(&folder.join("a.txt"), None))
        .await
        .unwrap();
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.num_samples, Some(2), "one row per line");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chat_column_is_offered_as_text_and_searched_and_tokenized_as_turns() {
    let lab = Lab::new().await;
    let file = lab.dir.path().join("chats.jsonl");
    let body: String = (0..40)
        .map(|i| {
            serde_json::json!({"id": i, "messages": [
                {"role": "user", "content": format!("question {i}")},
                {"role": "assistant", "content": "an answer about sparse features"}
            ]})
            .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(&file, body).unwrap();
    let ds = lab.engine.start_import(&import(&file, None)).await.unwrap();
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    assert_eq!(ds.text_column.as_deref(), Some("messages"));

    let page = lab
        .engine
        .samples(&SamplesQuery {
            dataset_id: ds.id.clone(),
            search: Some("QUESTION 17".into()),
            limit: 5,
            ..SamplesQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.samples[0].fields["id"], 17);
    // The role words are part of the rendered text.
    let page = lab
        .engine
        .samples(&SamplesQuery {
            dataset_id: ds.id.clone(),
            search: Some("assistant: an answer".into()),
            limit: 5,
            ..SamplesQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 40);

    let stats = lab.engine.text_statistics(&ds.id, None).await.unwrap();
    let first = "user: question 0\nassistant: an answer about sparse features";
    assert_eq!(stats.chars.min, first.chars().count() as u64);

    let tk = common::gpt2(&lab).await;
    let tz = common::tokenize_default(&lab, &ds.id, &tk.id).await;
    assert_eq!(
        tz.status,
        mistudio_engine::TokenizationStatus::Ready,
        "{:?}",
        tz.error
    );
    assert_eq!(tz.statistics.unwrap().num_samples, 40);
}

#[tokio::test(flavor = "multi_thread")]
async fn what_the_conversion_repaired_is_reported_on_the_dataset() {
    let lab = Lab::new().await;
    let file = lab.dir.path().join("untidy.jsonl");
    let mut body = Vec::new();
    body.extend_from_slice(b"{\"text\": \"caf\xe9 latin-1\", \"tags\": \"one\"}\n");
    body.extend_from_slice(b"{\"text\": \"plain\", \"tags\": [\"a\", \"b\"]}\n");
    body.extend_from_slice(b"{\"text\": \"more\", \"tags\": \"two\"}\n");
    std::fs::write(&file, body).unwrap();
    let ds = lab.engine.start_import(&import(&file, None)).await.unwrap();
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    let notes = ds.description.unwrap_or_default();
    assert!(
        notes.contains("1 row held bytes that are not UTF-8"),
        "{notes}"
    );
    assert!(notes.contains("Field \"tags\" changes type"), "{notes}");
}
