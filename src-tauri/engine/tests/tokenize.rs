//! Tokenizations through the Engine's API, as the window calls it: the Conflict rule while a
//! job runs and after it, deletion rules, the tokenizer library, events.

mod common;
use common::{gpt2_path, ready_dataset, wait_tokenization, Lab};
use mistudio_engine::tokenize::{Packing, PackingToken, TokenizeSettings};
use mistudio_engine::{DatasetStatus, JobKind, TokenizationStatus};
use mistudio_engine::{EngineEvent, ErrorKind, TokenizeRequest};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn packed() -> TokenizeSettings {
    TokenizeSettings {
        packing: Some(Packing {
            sequence_separator_token: PackingToken::Eos,
            ..Packing::saelens(64)
        }),
        shuffle: true,
        ..TokenizeSettings::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_conflict_rule_and_deletion_rules_hold() {
    let lab = Lab::new().await;
    let ds = ready_dataset(&lab, 20_000).await;
    let tk = lab
        .engine
        .add_tokenizer_file(&gpt2_path(), None)
        .await
        .unwrap();
    let request = TokenizeRequest {
        dataset_id: ds.clone(),
        tokenizer_id: tk.id.clone(),
        settings: TokenizeSettings::default(),
        replace: false,
    };
    let tz = lab.engine.start_tokenization(&request).await.unwrap();

    // While its job is queued or running: a second request, with or without replace, is a
    // conflict; the tokenization and its tokenizer cannot be deleted.
    for replace in [false, true] {
        let e = lab
            .engine
            .start_tokenization(&TokenizeRequest {
                replace,
                ..request.clone()
            })
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert!(e.to_string().contains("already being tokenized"), "{e}");
    }
    let e = lab.engine.delete_tokenization(&tz.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    let e = lab.engine.delete_tokenizer(&tk.id).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.to_string().contains("used by 1 tokenization"), "{e}");

    let done = wait_tokenization(&lab, &tz.id).await;
    assert_eq!(done.status, TokenizationStatus::Ready, "{:?}", done.error);
    let stats = done.statistics.clone().unwrap();
    assert_eq!(stats.num_samples, 20_000);
    assert_eq!(done.num_tokens, Some(stats.num_tokens as i64));
    assert_eq!(
        lab.engine
            .get_dataset(&ds)
            .await
            .unwrap()
            .tokenization_count,
        1
    );

    // Finished: the same request is a conflict asking for confirmation; replace re-runs it
    // under the same id.
    let e = lab.engine.start_tokenization(&request).await.unwrap_err();
    assert!(e.to_string().contains("confirm to replace"), "{e}");
    let again = lab
        .engine
        .start_tokenization(&TokenizeRequest {
            replace: true,
            ..request.clone()
        })
        .await
        .unwrap();
    assert_eq!(again.id, tz.id);
    assert!(again.statistics.is_none(), "old statistics are cleared");
    assert_eq!(
        wait_tokenization(&lab, &tz.id).await.status,
        TokenizationStatus::Ready
    );

    // Other settings with the same tokenizer make a second tokenization beside the first; a
    // shuffle left to chance records the seed it drew.
    let packed_request = TokenizeRequest {
        settings: packed(),
        ..request.clone()
    };
    let second = lab
        .engine
        .start_tokenization(&packed_request)
        .await
        .unwrap();
    assert_ne!(second.id, tz.id);
    let seed = second
        .settings
        .seed
        .expect("the seed is recorded at the start");
    assert!(second.path.ends_with(&second.id), "{}", second.path);
    let second = wait_tokenization(&lab, &second.id).await;
    assert_eq!(
        second.status,
        TokenizationStatus::Ready,
        "{:?}",
        second.error
    );
    assert_eq!(second.statistics.clone().unwrap().seq_len.min, 64);
    let listed = lab.engine.list_tokenizations(&ds).await.unwrap();
    assert_eq!(
        listed.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        [tz.id.as_str(), second.id.as_str()]
    );
    assert_eq!(
        lab.engine
            .get_dataset(&ds)
            .await
            .unwrap()
            .tokenization_count,
        2
    );
    // Asking again without a seed means the same tokenization, whatever seed it drew; with
    // another seed it is a third.
    let e = lab
        .engine
        .start_tokenization(&packed_request)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("confirm to replace"), "{e}");
    let third = lab
        .engine
        .start_tokenization(&TokenizeRequest {
            settings: TokenizeSettings {
                seed: Some(seed.wrapping_add(1)),
                ..packed()
            },
            ..request.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        wait_tokenization(&lab, &third.id).await.status,
        TokenizationStatus::Ready
    );
    let dir_of = |id: &str| {
        lab.dir
            .path()
            .join("data/datasets")
            .join(&ds)
            .join("tokenized")
            .join(id)
    };
    let rows =
        |id: &str| std::fs::read(dir_of(id).join("train/data-00000-of-00001.arrow")).unwrap();
    assert_ne!(
        rows(&second.id),
        rows(&third.id),
        "another seed, another order"
    );
    lab.engine.delete_tokenization(&third.id).await.unwrap();
    assert!(!dir_of(&third.id).exists());
    lab.engine.delete_tokenization(&second.id).await.unwrap();
    assert!(!dir_of(&second.id).exists());
    assert!(
        dir_of(&tz.id).join("mistudio.json").is_file(),
        "the first stays"
    );

    let events = lab.events.snapshot();
    assert!(events.iter().any(
        |e| matches!(e, EngineEvent::TokenizationsChanged { dataset_id } if dataset_id == &ds)
    ));

    // Deleting removes the files and the row; then the tokenizer can go.
    let out = lab
        .dir
        .path()
        .join("data/datasets")
        .join(&ds)
        .join("tokenized")
        .join(&tz.id);
    assert!(out.join("mistudio.json").is_file());
    lab.engine.delete_tokenization(&tz.id).await.unwrap();
    assert!(!out.exists());
    assert!(lab.engine.list_tokenizations(&ds).await.unwrap().is_empty());
    lab.engine.delete_tokenizer(&tk.id).await.unwrap();
    assert!(!lab.dir.path().join("data/tokenizers").join(&tk.id).exists());
    assert!(lab.engine.list_tokenizers().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_specific_errors_before_any_job() {
    let lab = Lab::new().await;
    let ds = ready_dataset(&lab, 50).await;
    let tk = lab
        .engine
        .add_tokenizer_file(&gpt2_path(), Some("GPT-2"))
        .await
        .unwrap();
    assert_eq!(tk.name, "GPT-2");
    let start = |settings: TokenizeSettings| TokenizeRequest {
        dataset_id: ds.clone(),
        tokenizer_id: tk.id.clone(),
        settings,
        replace: false,
    };
    let cases = [
        (
            TokenizeSettings {
                text_column: Some("missing".into()),
                ..TokenizeSettings::default()
            },
            "no column \"missing\"",
        ),
        (
            TokenizeSettings {
                splits: vec!["validation".into()],
                ..TokenizeSettings::default()
            },
            "no split \"validation\"",
        ),
        (
            TokenizeSettings {
                padding: mistudio_engine::tokenize::Padding::MaxLength,
                ..TokenizeSettings::default()
            },
            "no pad token",
        ),
    ];
    for (settings, message) in cases {
        let e = lab
            .engine
            .start_tokenization(&start(settings))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(e.to_string().contains(message), "{e}");
    }
    let e = lab
        .engine
        .start_tokenization(&TokenizeRequest {
            tokenizer_id: "tk_missing".into(),
            ..start(TokenizeSettings::default())
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let e = lab
        .engine
        .start_tokenization(&TokenizeRequest {
            dataset_id: "../etc".into(),
            ..start(TokenizeSettings::default())
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(lab.engine.list_tokenizations(&ds).await.unwrap().is_empty());
    assert!(lab
        .engine
        .list_jobs()
        .await
        .unwrap()
        .iter()
        .all(|j| j.kind != JobKind::DatasetTokenize));

    let preview = lab
        .engine
        .preview_tokenization(&tk.id, &packed(), "one\n\ntwo")
        .await
        .unwrap();
    assert_eq!(preview.text_tokens, 2);
}

/// Until every job has ended (a job ends a moment after its dataset or tokenization is marked
/// ready).
async fn wait_idle(lab: &Lab) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while lab
        .engine
        .list_jobs()
        .await
        .unwrap()
        .iter()
        .any(|j| !j.status.is_finished())
    {
        assert!(Instant::now() < deadline, "jobs never finished");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_datasets_leaves_nothing_behind_and_waits_for_jobs() {
    let lab = Lab::new().await;
    let first = ready_dataset(&lab, 20_000).await;
    wait_idle(&lab).await;
    // The same repo again: a second dataset sharing the cached blobs.
    let second = lab.download("lab/docs", None, None).await;
    assert_eq!(lab.finish(&second.id).await.status, DatasetStatus::Ready);
    let tk = lab
        .engine
        .add_tokenizer_file(&gpt2_path(), None)
        .await
        .unwrap();
    let tz = lab
        .engine
        .start_tokenization(&TokenizeRequest {
            dataset_id: first.clone(),
            tokenizer_id: tk.id.clone(),
            settings: TokenizeSettings::default(),
            replace: false,
        })
        .await
        .unwrap();
    let e = lab
        .engine
        .delete_datasets(std::slice::from_ref(&first), true)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert!(e.to_string().contains("in use by a running job"), "{e}");
    assert_eq!(
        lab.engine.get_dataset(&first).await.unwrap().status,
        DatasetStatus::Ready
    );
    wait_tokenization(&lab, &tz.id).await;
    wait_idle(&lab).await;

    let blobs = lab.cache().join("datasets--lab--docs/blobs");
    let blob_count = || files_under(&blobs).len();
    assert_eq!(blob_count(), 1);
    let report = lab
        .engine
        .delete_datasets(std::slice::from_ref(&first), true)
        .await
        .unwrap();
    assert_eq!(report.deleted, vec![first.clone()]);
    assert!(report.freed_bytes > 0);
    assert_eq!(blob_count(), 1, "the other dataset still uses the blob");
    assert!(!lab.dir.path().join("data/datasets").join(&first).exists());
    assert!(lab.engine.get_dataset(&first).await.is_err());
    assert!(lab
        .engine
        .list_tokenizations(&first)
        .await
        .unwrap()
        .is_empty());
    let jobs = lab.engine.list_jobs().await.unwrap();
    assert!(
        jobs.iter()
            .all(|j| j.target.as_deref() != Some(first.as_str())
                && j.target.as_deref() != Some(tz.id.as_str())),
        "jobs of the deleted dataset remain"
    );

    lab.engine
        .delete_datasets(std::slice::from_ref(&second.id), true)
        .await
        .unwrap();
    assert_eq!(blob_count(), 0, "the last user of the blob removed it");
    assert!(files_under(&lab.cache().join("datasets--lab--docs/snapshots")).is_empty());
    // Only the tokenizer remains in the data folder, and nothing of either dataset in SQLite.
    let left: Vec<PathBuf> = files_under(&lab.dir.path().join("data"))
        .into_iter()
        .filter(|p| !p.starts_with(lab.dir.path().join("data/tokenizers")))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("."))
        })
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(lab.engine.list_datasets().await.unwrap().is_empty());
    let e = lab
        .engine
        .delete_datasets(std::slice::from_ref(&first), false)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}
