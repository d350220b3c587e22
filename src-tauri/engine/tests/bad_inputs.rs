//! The bad-input corpus: a table of hostile or mistaken inputs, each fed to a real engine (real
//! SQLite file, the loopback Hub emulator), each expected to fail with a specific error kind and
//! a message that names the problem. After every case the engine must still answer, the
//! database must stay consistent, and nothing may appear outside the data root, the local
//! folder and the HF cache: the test watches the folders around them.

mod common;
use common::{corpus, gpt2_path, Lab};
use mistudio_engine::datasets::{DownloadRequest, ImportRequest};
use mistudio_engine::events::CollectedEvents;
use mistudio_engine::samples::SamplesQuery;
use mistudio_engine::{AppError, Dataset, Engine, EngineConfig, ErrorKind, Settings};
use mistudio_engine::{DatasetStatus, JobKind};
use mistudio_hub_emulator::{EmulatorConfig, HubEmulator, RepoFile, RepoSpec};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a case does to the engine.
enum Call {
    Download {
        repo: String,
        revision: Option<String>,
        token: Option<String>,
    },
    Inspect {
        repo: String,
        revision: Option<String>,
        token: Option<String>,
    },
    Settings(Settings),
    Tokenizer(PathBuf),
    Import(String),
    GetDataset(String),
    Delete(Vec<String>),
    Samples(String),
    /// The rows of the first dataset that failed (its id found when the case runs).
    SamplesOfFailed,
    /// Deletes the first failed dataset together with a bad id: nothing may be deleted.
    DeleteFailedWith(String),
}

/// What a case must end in.
#[derive(Clone)]
enum Expect {
    /// This kind, with a message containing every fragment.
    Fails(ErrorKind, Vec<String>),
    /// A download that ends ready with this many rows, every file kept inside the cache and
    /// the data root; the dataset is then deleted with its Hub files.
    Ready(i64),
}

struct Case {
    category: &'static str,
    name: String,
    call: Call,
    expect: Expect,
}

fn fails(kind: ErrorKind, says: &[&str]) -> Expect {
    Expect::Fails(kind, says.iter().map(|s| s.to_string()).collect())
}

fn download(repo: &str) -> Call {
    Call::Download {
        repo: repo.into(),
        revision: None,
        token: None,
    }
}

fn inspect(repo: &str, revision: Option<&str>, token: Option<&str>) -> Call {
    Call::Inspect {
        repo: repo.into(),
        revision: revision.map(str::to_string),
        token: token.map(str::to_string),
    }
}

/// The folders of one run: everything lives under `tmp`; the engine may write only into
/// `data`, `local` and `cache` (all under `tmp/box`); `inputs` holds the files the cases read.
struct Layout {
    tmp: PathBuf,
    data: PathBuf,
    local: PathBuf,
    cache: PathBuf,
    inputs: PathBuf,
}

async fn open_lab(dir: tempfile::TempDir) -> (Lab, Layout) {
    let tmp = dir.path().canonicalize().unwrap();
    let layout = Layout {
        data: tmp.join("box/data"),
        local: tmp.join("box/local"),
        cache: tmp.join("box/hf-cache"),
        inputs: tmp.join("inputs"),
        tmp,
    };
    let hub = HubEmulator::start(EmulatorConfig::default()).await.unwrap();
    let events = Arc::new(CollectedEvents::default());
    let engine = Engine::open(
        EngineConfig {
            local_dir: layout.local.clone(),
            settings: Settings {
                data_root: layout.data.to_string_lossy().into_owned(),
                hub_endpoint: hub.endpoint(),
                tokenize_threads: None,
                keep_hub_files: true,
            },
            run_jobs: true,
            hf_cache: Some(layout.cache.clone()),
        },
        events.clone(),
    )
    .await
    .unwrap();
    (
        Lab {
            dir,
            hub,
            engine,
            events,
        },
        layout,
    )
}

/// Every path under `root`, except what is inside the folders the engine owns.
fn canary_tree(root: &Path, owned: &[&Path], out: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        out.insert(path.clone());
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() && !owned.contains(&path.as_path()) {
            canary_tree(&path, owned, out);
        }
    }
}

/// Every symlink under `root` must point inside `inside`; every entry must be a plain file,
/// folder or such a link.
fn assert_contained(root: &Path, inside: &Path, case: &str) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            let target = std::fs::canonicalize(&path)
                .unwrap_or_else(|e| panic!("{case}: {} is a dangling link ({e})", path.display()));
            assert!(
                target.starts_with(inside),
                "{case}: {} links outside to {}",
                path.display(),
                target.display()
            );
        } else if meta.is_dir() {
            assert_contained(&path, inside, case);
        } else {
            assert!(meta.is_file(), "{case}: {} is odd", path.display());
        }
    }
}

async fn wait_job(lab: &Lab, id: &str, kind: JobKind) -> mistudio_engine::Job {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let job = lab
            .engine
            .store()
            .latest_job_for_target(id, kind)
            .await
            .unwrap()
            .expect("the dataset has a job");
        if job.status.is_finished() {
            return job;
        }
        assert!(Instant::now() < deadline, "job {} stuck", job.id);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn job_error(lab: &Lab, id: &str, kind: JobKind) -> AppError {
    let job = wait_job(lab, id, kind).await;
    job.error
        .unwrap_or_else(|| panic!("job {} finished without an error", job.id))
}

async fn first_failed(lab: &Lab) -> String {
    lab.engine
        .list_datasets()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.status == DatasetStatus::Error)
        .expect("an earlier case left a failed dataset")
        .id
}

/// Runs one call; a job that was queued is waited for, and must end in Error.
async fn run(lab: &Lab, call: &Call) -> Result<Option<Dataset>, AppError> {
    let e = &lab.engine;
    match call {
        Call::Download {
            repo,
            revision,
            token,
        } => {
            let ds = e
                .start_download(&DownloadRequest {
                    repo_id: repo.clone(),
                    revision: revision.clone(),
                    token: token.clone(),
                    ..Default::default()
                })
                .await?;
            let ds = lab.finish(&ds.id).await;
            if ds.status == DatasetStatus::Ready {
                // The dataset turns ready a moment before its job is marked finished.
                wait_job(lab, &ds.id, JobKind::DatasetDownload).await;
                return Ok(Some(ds));
            }
            assert_eq!(ds.status, DatasetStatus::Error, "{repo}: {:?}", ds.error);
            assert!(ds.error.is_some(), "{repo}: a failed dataset says why");
            Err(job_error(lab, &ds.id, JobKind::DatasetDownload).await)
        }
        Call::Inspect {
            repo,
            revision,
            token,
        } => e
            .inspect_dataset_repo(repo, token.as_deref(), revision.as_deref())
            .await
            .map(|_| None)
            .map_err(Into::into),
        Call::Settings(s) => {
            let before = e.settings();
            let r = e.update_settings(s).await;
            if r.is_err() {
                assert_eq!(e.settings(), before, "a refused change changes nothing");
            }
            r.map(|_| None).map_err(Into::into)
        }
        Call::Tokenizer(path) => {
            let before = e.list_tokenizers().await.unwrap().len();
            let r = e.add_tokenizer_file(path, None).await;
            if r.is_err() {
                assert_eq!(e.list_tokenizers().await.unwrap().len(), before);
            }
            r.map(|_| None).map_err(Into::into)
        }
        Call::Import(path) => {
            let before = e.list_datasets().await.unwrap().len();
            let r = e
                .start_import(&ImportRequest {
                    path: path.clone(),
                    name: None,
                })
                .await;
            let ds = match r {
                Ok(ds) => ds,
                Err(err) => {
                    assert_eq!(
                        e.list_datasets().await.unwrap().len(),
                        before,
                        "a refused import registers nothing"
                    );
                    return Err(err.into());
                }
            };
            let ds = lab.finish(&ds.id).await;
            assert_eq!(ds.status, DatasetStatus::Error, "{path}: {:?}", ds.error);
            assert!(ds.error.is_some(), "{path}: a failed dataset says why");
            Err(job_error(lab, &ds.id, JobKind::DatasetImport).await)
        }
        Call::GetDataset(id) => e.get_dataset(id).await.map(|_| None).map_err(Into::into),
        Call::Delete(ids) => e
            .delete_datasets(ids, true)
            .await
            .map(|_| None)
            .map_err(Into::into),
        Call::SamplesOfFailed => {
            let id = first_failed(lab).await;
            Box::pin(run(lab, &Call::Samples(id))).await
        }
        Call::DeleteFailedWith(bad) => {
            let id = first_failed(lab).await;
            let r = e.delete_datasets(&[id.clone(), bad.clone()], true).await;
            let ds = e.get_dataset(&id).await.expect("nothing was deleted");
            assert_eq!(ds.status, DatasetStatus::Error);
            r.map(|_| None).map_err(Into::into)
        }
        Call::Samples(id) => e
            .samples(&SamplesQuery {
                dataset_id: id.clone(),
                split: None,
                offset: 0,
                limit: 10,
                search: None,
                min_chars: None,
                max_chars: None,
                tokenization_id: None,
                min_tokens: None,
                max_tokens: None,
            })
            .await
            .map(|_| None)
            .map_err(Into::into),
    }
}

/// After every case: the database is consistent and nothing bad is marked ready.
async fn assert_consistent(lab: &Lab, layout: &Layout, case: &str) {
    let datasets = lab
        .engine
        .list_datasets()
        .await
        .expect("the engine answers");
    for ds in &datasets {
        assert_eq!(
            ds.status,
            DatasetStatus::Error,
            "{case}: dataset {} ({}) is {:?}",
            ds.id,
            ds.name,
            ds.status
        );
        assert!(ds.error.is_some(), "{case}: {} failed silently", ds.id);
        let data = layout.data.join("datasets").join(&ds.id).join("data");
        assert!(
            !data.exists(),
            "{case}: failed dataset {} kept canonical data",
            ds.id
        );
        lab.engine.get_dataset(&ds.id).await.unwrap();
    }
    for job in lab.engine.list_jobs().await.unwrap() {
        assert!(
            job.status.is_finished(),
            "{case}: job {} left {:?}",
            job.id,
            job.status
        );
    }
    assert!(
        lab.engine.list_tokenizers().await.unwrap().is_empty(),
        "{case}: a bad tokenizer was registered"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bad_input_corpus_is_refused_with_specific_errors_and_nothing_escapes() {
    let started = Instant::now();
    let (lab, l) = open_lab(tempfile::tempdir().unwrap()).await;
    let unique = format!("mistudio-bad-inputs-{}", std::process::id());
    let sys_tmp = std::env::temp_dir().join(format!("{unique}.jsonl"));
    let etc = PathBuf::from(format!("/etc/{unique}.jsonl"));
    assert!(!sys_tmp.exists() && !etc.exists());

    // ---- The Hub's side: repos behind the hub cases.
    lab.hub.add_repo(
        RepoSpec::dataset(
            "lab/gated",
            vec![RepoFile::new("data/train.jsonl", corpus(3))],
        )
        .gated(),
    );
    lab.hub.add_repo(
        RepoSpec::dataset(
            "lab/private",
            vec![RepoFile::new("data/train.jsonl", corpus(3))],
        )
        .private(),
    );
    lab.hub.add_repo(RepoSpec::dataset(
        "lab/docs",
        vec![RepoFile::new("data/train.jsonl", corpus(5))],
    ));
    // Hostile file names, each in a repo of its own.
    // Paths with a `..` (or any dot-led) segment are left out by the engine as hidden files, so
    // a repo of only such files has no data; the emulator strips a leading '/', so "absolute"
    // names arrive as relative ones and must land inside the snapshot.
    let no_data = fails(InvalidInput, &["has no data files the app can read"]);
    let hostile: Vec<(&str, Vec<String>, Expect)> = vec![
        (
            "lab/evil-dotdot",
            vec!["../../../../evil.jsonl".into()],
            no_data.clone(),
        ),
        (
            "lab/evil-escape",
            vec!["data/../../../../../escaped/train.jsonl".into()],
            no_data.clone(),
        ),
        (
            "lab/evil-backslash",
            vec!["data/..\\..\\x.jsonl".into()],
            no_data.clone(),
        ),
        (
            "lab/evil-beside-good",
            vec![
                "data/train.jsonl".into(),
                "../../../../evil.jsonl".into(),
                "data/../../../../../escaped/train.jsonl".into(),
            ],
            Expect::Ready(3),
        ),
        (
            "lab/evil-abs-tmp",
            vec![sys_tmp.to_string_lossy().into_owned()],
            Expect::Ready(3),
        ),
        (
            "lab/evil-abs-etc",
            vec![etc.to_string_lossy().into_owned()],
            Expect::Ready(3),
        ),
        (
            "lab/evil-rtl",
            vec!["data/\u{202e}lmth.jsonl".into()],
            Expect::Ready(3),
        ),
        (
            "lab/evil-newline",
            vec!["data/train\n.jsonl".into()],
            Expect::Ready(3),
        ),
    ];
    for (repo, paths, _) in &hostile {
        lab.hub.add_repo(RepoSpec::dataset(
            *repo,
            paths
                .iter()
                .map(|p| RepoFile::new(p.clone(), corpus(3)))
                .collect(),
        ));
    }

    // ---- The files the local cases read, all in `inputs`.
    let inputs = &l.inputs;
    std::fs::create_dir_all(inputs.join("empty-folder")).unwrap();
    std::fs::create_dir_all(inputs.join("docs-only")).unwrap();
    std::fs::write(inputs.join("docs-only/README.md"), "# nothing\n").unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = inputs.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let gpt2 = std::fs::read(gpt2_path()).unwrap();
    let tk_empty = write("empty.json", b"");
    let tk_not_json = write("not-json.json", b"this is not json at all");
    let tk_other_json = write("other.json", br#"{"name": "a package.json", "version": 1}"#);
    let tk_truncated = write("gpt2-truncated.json", &gpt2[..gpt2.len() / 2]);
    let tk_huge = inputs.join("huge.json");
    std::fs::File::create(&tk_huge)
        .unwrap()
        .set_len((256 << 20) + 1)
        .unwrap();
    let notes = write("notes.docx", b"x");
    let no_ext = write("README", b"x");
    let empty = write("empty.jsonl", b"");
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let binary = write("binary.jsonl", &garbage);
    let bad_line = write("broken.jsonl", b"{\"text\": \"fine\"}\n{\"text\": oops}\n");
    let ragged = write("ragged.csv", b"id,text\n1,hello\n2,world,extra,cells\n3\n");
    let shared_parquet = std::fs::read(gpt2_path().with_file_name("corpus.parquet")).unwrap();
    let truncated_parquet = write("cut.parquet", &shared_parquet[..shared_parquet.len() / 2]);
    let not_gzip = write("fake.jsonl.gz", b"{\"text\": \"not compressed\"}\n");
    let bad_zstd = write(
        "bad.jsonl.zst",
        &[
            0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0xff, 0xff, 0x00, 0x13, 0x37,
        ],
    );
    let not_json = write("not.json", b"[{\"text\": \"a\"}, {\"text\": ");
    let inside_link = inputs.join("link-into-data");
    std::os::unix::fs::symlink(l.data.join("datasets"), &inside_link).unwrap();
    let good_file = write("good.jsonl", &corpus(4));

    let p = |p: &Path| p.to_string_lossy().into_owned();
    let settings = |root: &str, endpoint: &str, threads: Option<u32>| {
        Call::Settings(Settings {
            data_root: root.into(),
            hub_endpoint: endpoint.into(),
            tokenize_threads: threads,
            keep_hub_files: true,
        })
    };
    let data_root = p(&l.data);
    let endpoint = lab.hub.endpoint();
    let invalid_repo = "is not a valid Hub repository id";
    use ErrorKind::*;

    let mut cases: Vec<Case> = Vec::new();
    let mut add = |category: &'static str, name: &str, call: Call, expect: Expect| {
        cases.push(Case {
            category,
            name: name.to_string(),
            call,
            expect,
        })
    };

    // ---- 1. Repo ids.
    for (name, repo, why) in [
        ("empty", "", "it is empty"),
        ("only spaces", "   ", "it is empty"),
        ("spaces around", " lab/docs ", "spaces around it"),
        ("space inside", "lab/my docs", "only letters"),
        ("parent segment", "../x", "starts or ends with"),
        ("dot-dot in the middle", "a/../b", "more than one '/'"),
        ("absolute", "/abs", "a part is empty"),
        ("double slash", "a//b", "more than one '/'"),
        ("three segments", "a/b/c", "more than one '/'"),
        (
            "too long",
            &format!("lab/{}", "x".repeat(97)),
            "longer than 96",
        ),
        ("control character", "lab/do\u{7}cs", "only letters"),
        ("newline", "lab/docs\nx", "only letters"),
        ("RTL override", "lab/\u{202e}lmth", "only letters"),
        ("zero-width space", "lab/do\u{200b}cs", "only letters"),
        ("double dash", "a--b/c", "'--'"),
        ("ends with .git", "lab/docs.git", "ends with .git"),
    ] {
        add(
            "repo id",
            &format!("download: {name}"),
            download(repo),
            fails(InvalidInput, &[invalid_repo, why, "owner/name"]),
        );
    }
    add(
        "repo id",
        "inspect: parent segment",
        inspect("../x", None, None),
        fails(InvalidInput, &[invalid_repo]),
    );
    add(
        "repo id",
        "inspect: missing repo",
        inspect("lab/missing", None, None),
        fails(NotFound, &["lab/missing", "check the repository id"]),
    );
    add(
        "repo id",
        "download: missing repo",
        download("lab/missing"),
        fails(NotFound, &["lab/missing", "check the repository id"]),
    );
    add(
        "repo id",
        "inspect: gated without a token",
        inspect("lab/gated", None, None),
        fails(
            Gated,
            &["lab/gated", "accept its conditions", "access token"],
        ),
    );
    add(
        "repo id",
        "download: gated without a token",
        download("lab/gated"),
        fails(Gated, &["lab/gated", "accept its conditions"]),
    );
    add(
        "repo id",
        "inspect: gated with a wrong token",
        inspect("lab/gated", None, Some("hf_wrong")),
        fails(Gated, &["lab/gated", "has no access"]),
    );
    add(
        "repo id",
        "inspect: private without a token",
        inspect("lab/private", None, None),
        fails(NotFound, &["lab/private", "or it is private"]),
    );
    add(
        "repo id",
        "inspect: private with a wrong token",
        inspect("lab/private", None, Some("hf_wrong")),
        fails(NotFound, &["lab/private"]),
    );

    // ---- 2. Revisions.
    for (name, rev, says) in [
        ("missing branch", "no-such-branch", "no-such-branch"),
        ("slash, not a ref", "feature/x", "feature/x"),
        ("very long", &"r".repeat(5000), "rrrrrrrr"),
    ] {
        add(
            "revision",
            &format!("inspect: {name}"),
            inspect("lab/docs", Some(rev), None),
            fails(NotFound, &["revision", says]),
        );
    }
    // Not ref names at all: refused before the Hub is asked (".." once meant main, and a
    // revision became a file path in the cache).
    for (name, rev) in [
        ("parent path", "refs/heads/../../x"),
        ("dot dot", ".."),
        ("dot", "."),
        ("escaping ref", "../../../escaped-ref"),
        ("space", "main branch"),
    ] {
        add(
            "revision",
            &format!("inspect: {name}"),
            inspect("lab/docs", Some(rev), None),
            fails(InvalidInput, &["not a valid revision", "branch"]),
        );
        add(
            "revision",
            &format!("download: {name}"),
            Call::Download {
                repo: "lab/docs".into(),
                revision: Some(rev.into()),
                token: None,
            },
            fails(InvalidInput, &["not a valid revision"]),
        );
    }
    add(
        "revision",
        "download: missing branch",
        Call::Download {
            repo: "lab/docs".into(),
            revision: Some("no-such-branch".into()),
            token: None,
        },
        fails(NotFound, &["revision", "no-such-branch"]),
    );

    // ---- 3. Hostile file names served by the Hub.
    for (repo, paths, expect) in hostile {
        add(
            "hub file name",
            &format!("download {paths:?}"),
            download(repo),
            expect,
        );
    }

    // ---- 4. Settings.
    let a_file = p(&notes);
    add(
        "settings",
        "empty data root",
        settings("  ", &endpoint, None),
        fails(InvalidInput, &["data folder is empty"]),
    );
    add(
        "settings",
        "relative data root",
        settings("data/mistudio", &endpoint, None),
        fails(InvalidInput, &["relative path", "absolute path"]),
    );
    add(
        "settings",
        "data root is a file",
        settings(&a_file, &endpoint, None),
        fails(InvalidInput, &["is a file, not a folder"]),
    );
    for (name, bad, says) in [
        ("empty endpoint", "", "not an http(s) URL"),
        ("ftp endpoint", "ftp://huggingface.co", "not an http(s) URL"),
        ("not a url", "not a url", "not an http(s) URL"),
        ("no host", "http://", "no valid host name"),
        (
            "spaces in host",
            "https://hugging face.co",
            "no valid host name",
        ),
    ] {
        add(
            "settings",
            name,
            settings(&data_root, bad, None),
            fails(InvalidInput, &["Hub endpoint", says]),
        );
    }
    add(
        "settings",
        "zero threads",
        settings(&data_root, &endpoint, Some(0)),
        fails(InvalidInput, &["between 1 and 1024", "not 0"]),
    );
    add(
        "settings",
        "huge thread count",
        settings(&data_root, &endpoint, Some(u32::MAX)),
        fails(InvalidInput, &["between 1 and 1024"]),
    );

    // ---- 5. Tokenizer files.
    add(
        "tokenizer",
        "missing file",
        Call::Tokenizer(inputs.join("nope/tokenizer.json")),
        fails(NotFound, &["nope/tokenizer.json", "check the path"]),
    );
    add(
        "tokenizer",
        "a folder without tokenizer.json",
        Call::Tokenizer(inputs.join("empty-folder")),
        fails(InvalidInput, &["folder without a tokenizer.json"]),
    );
    add(
        "tokenizer",
        "empty file",
        Call::Tokenizer(tk_empty),
        fails(InvalidInput, &["not a usable tokenizer.json"]),
    );
    add(
        "tokenizer",
        "not JSON",
        Call::Tokenizer(tk_not_json),
        fails(InvalidInput, &["not a usable tokenizer.json"]),
    );
    add(
        "tokenizer",
        "JSON that is no tokenizer",
        Call::Tokenizer(tk_other_json),
        fails(InvalidInput, &["not a usable tokenizer.json"]),
    );
    add(
        "tokenizer",
        "truncated GPT-2",
        Call::Tokenizer(tk_truncated),
        fails(
            InvalidInput,
            &["gpt2-truncated", "not a usable tokenizer.json"],
        ),
    );
    add(
        "tokenizer",
        "over the size cap",
        Call::Tokenizer(tk_huge),
        fails(InvalidInput, &["far more than any tokenizer.json"]),
    );

    // ---- 6. Dataset files.
    for (name, path, kind, says) in [
        (
            "unknown extension",
            p(&notes),
            InvalidInput,
            vec![".docx", "not supported"],
        ),
        (
            "no extension",
            p(&no_ext),
            InvalidInput,
            vec!["no file extension"],
        ),
        (
            "relative path",
            "inputs/good.jsonl".into(),
            InvalidInput,
            vec!["not an absolute path"],
        ),
        ("empty path", "".into(), InvalidInput, vec!["choose a file"]),
        (
            "missing file",
            p(&inputs.join("nope.jsonl")),
            NotFound,
            vec!["nope.jsonl", "nothing to import"],
        ),
        (
            "inside the data root",
            data_root.clone(),
            InvalidInput,
            vec!["inside the data folder"],
        ),
        (
            "dot-dots into the data root",
            format!("{}/../box/data/datasets", p(inputs)),
            InvalidInput,
            vec!["inside the data folder"],
        ),
        (
            "symlink into the data root",
            p(&inside_link),
            InvalidInput,
            vec!["inside the data folder"],
        ),
        (
            "folder without data",
            p(&inputs.join("docs-only")),
            InvalidInput,
            vec!["holds no data files", "README.md"],
        ),
        (
            "empty file",
            p(&empty),
            InvalidInput,
            vec!["no rows to import", "empty.jsonl holds no records"],
        ),
        (
            "binary garbage as .jsonl",
            p(&binary),
            InvalidInput,
            vec!["binary.jsonl contains NUL bytes", "not text"],
        ),
        (
            "invalid JSON line",
            p(&bad_line),
            Corrupt,
            vec![
                "broken.jsonl line 2 is not valid JSON",
                "fix or remove that record",
            ],
        ),
        (
            "ragged CSV",
            p(&ragged),
            Corrupt,
            vec!["ragged.csv line 3 has 4 fields but the header has 2"],
        ),
        (
            "truncated parquet",
            p(&truncated_parquet),
            Corrupt,
            vec![
                "cut.parquet is not a complete parquet file",
                "Download it again",
            ],
        ),
        (
            "not gzip",
            p(&not_gzip),
            Corrupt,
            vec!["fake.jsonl.gz could not be decompressed (invalid gzip header)"],
        ),
        (
            "corrupt zstd",
            p(&bad_zstd),
            Corrupt,
            vec![
                "bad.jsonl.zst could not be decompressed",
                "damaged or incomplete",
            ],
        ),
        (
            "truncated JSON array",
            p(&not_json),
            Corrupt,
            vec!["not.json ends in the middle of the JSON"],
        ),
    ] {
        add("dataset file", name, Call::Import(path), fails(kind, &says));
    }

    // ---- 7. Ids.
    for id in [
        "../../etc",
        "ds_../x",
        "DS_ABC",
        "ds_ABC",
        "",
        "ds_",
        "ds_a/b",
    ] {
        add(
            "id",
            &format!("get {id:?}"),
            Call::GetDataset(id.into()),
            fails(InvalidInput, &["is not a valid id", "ds_"]),
        );
    }
    let long_id = format!("ds_{}", "a".repeat(65));
    add(
        "id",
        "get a 68-character id",
        Call::GetDataset(long_id.clone()),
        fails(InvalidInput, &["is not a valid id"]),
    );
    add(
        "id",
        "get a missing dataset",
        Call::GetDataset("ds_missing".into()),
        fails(NotFound, &["dataset ds_missing was not found"]),
    );
    for id in ["../../etc", "ds_../x", ""] {
        add(
            "id",
            &format!("delete {id:?}"),
            Call::Delete(vec![id.into()]),
            fails(InvalidInput, &["is not a valid id"]),
        );
        add(
            "id",
            &format!("samples of {id:?}"),
            Call::Samples(id.into()),
            fails(InvalidInput, &["is not a valid id"]),
        );
    }
    add(
        "id",
        "delete a missing dataset",
        Call::Delete(vec!["ds_missing".into()]),
        fails(NotFound, &["ds_missing"]),
    );
    add(
        "id",
        "samples of a failed dataset",
        Call::SamplesOfFailed,
        fails(Conflict, &["is not ready yet"]),
    );
    add(
        "id",
        "delete a failed dataset with a bad id beside it",
        Call::DeleteFailedWith("ds_../../x".into()),
        fails(InvalidInput, &["\"ds_../../x\" is not a valid id"]),
    );
    add(
        "id",
        "samples of a missing dataset",
        Call::Samples("ds_missing".into()),
        fails(NotFound, &["ds_missing"]),
    );

    // ---- Run the table, watching the folders around the engine's.
    let owned = [l.data.as_path(), l.local.as_path(), l.cache.as_path()];
    let mut baseline = BTreeSet::new();
    canary_tree(&l.tmp, &owned, &mut baseline);
    // The HF cache folder is made on the first download: its own name is expected.
    baseline.extend(owned.iter().map(|p| p.to_path_buf()));
    let mut per_category: Vec<(&str, usize)> = Vec::new();
    let mut failures = Vec::new();
    let total = cases.len();
    for case in &cases {
        let label = format!("[{}] {}", case.category, case.name);
        let outcome = run(&lab, &case.call).await;
        match &outcome {
            Ok(ds) => eprintln!("{label}: ok {:?}", ds.as_ref().map(|d| d.num_samples)),
            Err(e) => eprintln!("{label}: {:?}: {}", e.kind, e.message),
        }
        match (&case.expect, &outcome) {
            (Expect::Ready(rows), Ok(Some(ds))) => {
                if ds.num_samples != Some(*rows) {
                    failures.push(format!(
                        "{label}: {rows} rows expected, {:?} kept",
                        ds.num_samples
                    ));
                }
                for root in owned {
                    assert_contained(root, &l.tmp.join("box"), &label);
                }
                lab.engine
                    .delete_datasets(std::slice::from_ref(&ds.id), true)
                    .await
                    .unwrap_or_else(|e| panic!("{label}: deleting: {e}"));
            }
            (Expect::Ready(_), other) => {
                failures.push(format!("{label}: expected a ready dataset, got {other:?}"));
            }
            (Expect::Fails(kind, says), Err(e)) => {
                if e.kind != *kind || !says.iter().all(|s| e.message.contains(s.as_str())) {
                    failures.push(format!(
                        "{label}: expected {kind:?} saying {says:?}, got {:?}: {}",
                        e.kind, e.message
                    ));
                }
            }
            (Expect::Fails(kind, _), Ok(_)) => {
                failures.push(format!("{label}: expected {kind:?}, but it succeeded"));
            }
        }
        assert_consistent(&lab, &l, &label).await;
        let mut now = BTreeSet::new();
        canary_tree(&l.tmp, &owned, &mut now);
        let new: Vec<_> = now.difference(&baseline).collect();
        assert!(
            new.is_empty(),
            "{label}: wrote outside its folders: {new:?}"
        );
        for root in owned {
            assert_contained(root, &l.tmp.join("box"), &label);
        }
        assert!(!sys_tmp.exists(), "{label}: wrote {}", sys_tmp.display());
        assert!(!etc.exists(), "{label}: wrote {}", etc.display());
        match per_category.iter_mut().find(|(c, _)| *c == case.category) {
            Some((_, n)) => *n += 1,
            None => per_category.push((case.category, 1)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases did not fail as expected:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // ---- The engine still works: a good download, import and tokenizer after all of that.
    let ds = lab.download("lab/docs", None, None).await;
    let ds = lab.finish(&ds.id).await;
    assert_eq!(ds.status, DatasetStatus::Ready, "{:?}", ds.error);
    let imported = lab
        .engine
        .start_import(&ImportRequest {
            path: p(&good_file),
            name: None,
        })
        .await
        .unwrap();
    let imported = lab.finish(&imported.id).await;
    assert_eq!(
        imported.status,
        DatasetStatus::Ready,
        "{:?}",
        imported.error
    );
    assert_eq!(imported.num_samples, Some(4));
    lab.engine
        .add_tokenizer_file(&gpt2_path(), None)
        .await
        .unwrap();
    let page = lab
        .engine
        .samples(&SamplesQuery {
            dataset_id: ds.id.clone(),
            split: None,
            offset: 0,
            limit: 2,
            search: None,
            min_chars: None,
            max_chars: None,
            tokenization_id: None,
            min_tokens: None,
            max_tokens: None,
        })
        .await
        .unwrap();
    assert_eq!(page.total, 5);
    let mut now = BTreeSet::new();
    canary_tree(&l.tmp, &owned, &mut now);
    assert_eq!(
        now, baseline,
        "the good requests wrote only into their folders"
    );
    lab.engine.shutdown().await;

    let summary: Vec<String> = per_category
        .iter()
        .map(|(c, n)| format!("{c}: {n}"))
        .collect();
    eprintln!(
        "bad inputs tried: {total} ({}) in {:.1} s",
        summary.join(", "),
        started.elapsed().as_secs_f64()
    );
}
