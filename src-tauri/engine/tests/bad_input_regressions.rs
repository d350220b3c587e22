//! Bad inputs the corpus in `bad_inputs.rs` found mishandled, kept as regressions: each was an
//! Internal error where the person's input (a repo's file name, a chosen folder) is the cause.

mod common;
use common::{corpus, Lab};
use mistudio_engine::{ErrorKind, Settings};
use mistudio_hub_emulator::{RepoFile, RepoSpec};

/// A Hub file whose name is longer than the file system allows (300 chars; NAME_MAX is 255)
/// once failed the download as Internal; it is the repo's input that cannot be stored.
#[tokio::test(flavor = "multi_thread")]
async fn a_hub_file_name_too_long_for_the_disk_is_refused_as_input() {
    let lab = Lab::new().await;
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/long",
        vec![RepoFile::new(
            format!("data/{}.jsonl", "t".repeat(300)),
            corpus(3),
        )],
    ));
    let ds = lab.download("lab/long", None, None).await;
    lab.finish(&ds.id).await;
    let e = lab.job_error(&ds.id).await;
    assert_eq!(e.kind, ErrorKind::InvalidInput, "{}", e.message);
    assert!(
        e.message.contains("ttttt"),
        "the message names the file: {}",
        e.message
    );
}

/// A data folder below a file ("/…/notes.docx/sub") once was Internal "Not a directory".
#[tokio::test(flavor = "multi_thread")]
async fn a_data_root_below_a_file_is_refused_with_the_fix() {
    let lab = Lab::new().await;
    let file = lab.dir.path().join("notes.docx");
    std::fs::write(&file, "x").unwrap();
    let e = lab
        .engine
        .update_settings(&Settings {
            data_root: format!("{}/sub", file.display()),
            ..lab.engine.settings()
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert!(e.to_string().contains("inside a file"), "{e}");
    assert!(e.to_string().contains("choose a folder"), "{e}");
}
