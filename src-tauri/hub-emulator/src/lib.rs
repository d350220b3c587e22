//! A loopback Hugging Face Hub.
//!
//! [`HubEmulator`] serves the Hub endpoints the app's download code uses, from repositories held in
//! memory, so that code can be tested offline and against failure modes the real Hub only shows
//! occasionally (rate limits, 5xx, connections dropped mid-body, corrupted bytes, slow links).
//!
//! Two listeners run: the **API host** (`endpoint()`, `http://localhost:PORT`), which answers the
//! JSON API and `resolve` URLs, and the **blob host** (`blob_base()`, `http://127.0.0.1:PORT2`), a
//! different host name standing in for the CDN that `resolve` redirects LFS files to. A client that
//! leaks its token to the CDN shows up in [`HubEmulator::requests`].
//!
//! ```ignore
//! let hub = HubEmulator::start(EmulatorConfig::default()).await?;
//! hub.add_repo(RepoSpec::dataset("org/name", vec![RepoFile::new("data/train.jsonl", "{}\n")]));
//! hub.set_faults("org/name", "data/train.jsonl", Faults { fail_first_5xx: 2, ..Faults::default() });
//! // point the client at hub.endpoint() the way HF_ENDPOINT works
//! ```
//!
//! # Endpoints
//! API host (`{kind}` is `datasets` or `models`; `{rev}` is a branch name, `refs/heads/NAME` or a
//! commit sha, as one URL-encoded segment such as `refs%2Fconvert%2Fparquet`, or unencoded when it
//! is `refs/x/y` naming an existing branch):
//! - `GET /api/{kind}/{id}`, `GET /api/{kind}/{id}/revision/{rev}` (`?blobs=true` adds sizes/LFS
//!   info to `siblings`)
//! - `GET /api/{kind}/{id}/tree/{rev}[/{path}]?recursive=&cursor=` (paged, `Link: <abs>; rel="next"`)
//! - `POST /api/{kind}/{id}/paths-info/{rev}` (JSON `{"paths":[..]}` or form `paths=a&paths=b`)
//! - `GET /api/{kind}/{id}/refs`
//! - `GET /api/datasets/{id}/parquet[/{config}[/{split}]]`, and
//!   `GET /api/datasets/{id}/parquet/{config}/{split}/{n}.parquet` (302 to the resolve URL)
//! - `GET|HEAD /datasets/{id}/resolve/{rev}/{path}` and `/{id}/resolve/{rev}/{path}` for models
//!
//! Blob host: `GET|HEAD /blobs/{sha256}` with `Range` support; [`Faults`] apply only here.
//!
//! # Access rules
//! Missing repo: 404 `RepoNotFound`. Private repo without a granted token: 401 `RepoNotFound`.
//! Gated repo: no token 401 `GatedRepo`, token not granted 403 `GatedRepo`. These apply to every
//! API-host route (see [`EmulatorConfig::gated_metadata_public`] for the real Hub's laxer
//! metadata rule) and never to the blob host, which behaves like a signed CDN URL.

mod body;
mod repo;
mod server;
mod sharded;

pub use sharded::ShardedRepo;

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::repo::Repo;
use crate::server::{BlobRef, FaultState, LogRecord, State};

/// Which kind of repository; decides the URL prefixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RepoKind {
    Dataset,
    Model,
}

impl RepoKind {
    /// The plural path segment the API uses: `datasets` or `models`.
    pub fn api_segment(self) -> &'static str {
        match self {
            RepoKind::Dataset => "datasets",
            RepoKind::Model => "models",
        }
    }

    /// Prefix of the resolve URL: models live at the site root, datasets under `/datasets`.
    pub fn resolve_prefix(self) -> &'static str {
        match self {
            RepoKind::Dataset => "/datasets",
            RepoKind::Model => "",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            RepoKind::Dataset => "dataset",
            RepoKind::Model => "model",
        }
    }
}

/// One file of a revision. Every path other than `README.md` and `.gitattributes`, and any file
/// over 1 KiB, is stored as LFS (resolve redirects it to the blob host).
#[derive(Clone, Debug)]
pub struct RepoFile {
    pub path: String,
    pub bytes: Bytes,
}

impl RepoFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Bytes>) -> RepoFile {
        RepoFile {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

/// A repository to serve. `files` make up `main`.
#[derive(Clone, Debug)]
pub struct RepoSpec {
    pub kind: RepoKind,
    /// `"org/name"` or `"name"`.
    pub id: String,
    pub files: Vec<RepoFile>,
    /// Served as `"gated": "auto"`; needs a granted token.
    pub gated: bool,
    pub private: bool,
    /// Extra revisions, e.g. `("refs/convert/parquet", files)`; files laid out as
    /// `{config}/{split}/NNNN.parquet` there feed the `/parquet` endpoint.
    pub branches: Vec<(String, Vec<RepoFile>)>,
    /// Returned as `cardData` in the info JSON when set.
    pub card_data: Option<serde_json::Value>,
}

impl RepoSpec {
    pub fn new(kind: RepoKind, id: impl Into<String>, files: Vec<RepoFile>) -> RepoSpec {
        RepoSpec {
            kind,
            id: id.into(),
            files,
            gated: false,
            private: false,
            branches: Vec::new(),
            card_data: None,
        }
    }

    pub fn dataset(id: impl Into<String>, files: Vec<RepoFile>) -> RepoSpec {
        RepoSpec::new(RepoKind::Dataset, id, files)
    }

    pub fn model(id: impl Into<String>, files: Vec<RepoFile>) -> RepoSpec {
        RepoSpec::new(RepoKind::Model, id, files)
    }

    pub fn gated(mut self) -> RepoSpec {
        self.gated = true;
        self
    }

    pub fn private(mut self) -> RepoSpec {
        self.private = true;
        self
    }

    pub fn with_branch(mut self, name: impl Into<String>, files: Vec<RepoFile>) -> RepoSpec {
        self.branches.push((name.into(), files));
        self
    }

    pub fn with_card_data(mut self, card: serde_json::Value) -> RepoSpec {
        self.card_data = Some(card);
        self
    }
}

/// Misbehaviour of one file on the blob host, counted per `(repo id, path)` from the moment it is
/// set. Only `GET`s count (a `HEAD` is never faulted). The countdowns are consumed in order: first
/// the 429s, then the 5xx, then the resets, so `rate_limit_first: 1, fail_first_5xx: 1` means
/// GET #1 → 429, GET #2 → 500, GET #3 → normal.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// The first N GETs answer 500, 503, 500, 503, …
    pub fail_first_5xx: u32,
    /// The first N GETs answer 429 with `Retry-After: retry_after_secs`.
    pub rate_limit_first: u32,
    pub retry_after_secs: u32,
    /// The first `reset_times` body GETs send this many body bytes (of the requested range) after
    /// the headers and then drop the connection. No effect when the body is not longer than that.
    pub reset_after_bytes: Option<u64>,
    pub reset_times: u32,
    /// Serve every byte XOR-ed (same length) while advertising the true size and sha256.
    pub wrong_bytes: bool,
    /// Throttle this file's body; overrides [`EmulatorConfig::bytes_per_sec`].
    pub bytes_per_sec: Option<u64>,
}

/// How to run the emulator.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// API host port on 127.0.0.1 (and best-effort ::1); 0 picks a free one.
    pub api_port: u16,
    /// Blob host port on 127.0.0.1; 0 picks a free one.
    pub blob_port: u16,
    /// Entries per page of the tree endpoint.
    pub tree_page_size: usize,
    /// Throttle for every blob body unless a file's [`Faults::bytes_per_sec`] says otherwise.
    pub bytes_per_sec: Option<u64>,
    /// The real Hub lets anyone read a gated repo's info, tree and paths-info (only file downloads
    /// are gated). Default `false` gates those too, as the app's tests expect; set `true` to mimic
    /// the real Hub exactly.
    pub gated_metadata_public: bool,
}

impl Default for EmulatorConfig {
    fn default() -> EmulatorConfig {
        EmulatorConfig {
            api_port: 0,
            blob_port: 0,
            tree_page_size: 50,
            bytes_per_sec: None,
            gated_metadata_public: false,
        }
    }
}

/// Which listener a request arrived on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostKind {
    Api,
    Blob,
}

/// One request as the emulator saw and answered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    pub host: HostKind,
    /// Path and query exactly as received (still percent-encoded).
    pub path: String,
    /// The raw `Range` header, if any.
    pub range: Option<String>,
    /// Whether an `Authorization` header was present.
    pub authorization: bool,
    pub status: u16,
    /// Body bytes handed to the connection so far; still grows while a body is streaming.
    pub body_bytes: u64,
}

/// A running emulator. Dropping it stops the listeners too; [`HubEmulator::shutdown`] also waits
/// for them.
pub struct HubEmulator {
    state: Arc<State>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl HubEmulator {
    /// Binds the API host on 127.0.0.1 (plus ::1 on the same port when available, because
    /// `localhost` may resolve to either) and the blob host on 127.0.0.1.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<HubEmulator> {
        let api = TcpListener::bind(("127.0.0.1", config.api_port)).await?;
        let api_port = api.local_addr()?.port();
        let api6 = TcpListener::bind(SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, 1], api_port)))
            .await
            .ok();
        let blob = TcpListener::bind(("127.0.0.1", config.blob_port)).await?;
        let blob_port = blob.local_addr()?.port();
        let state = Arc::new(State::new(
            config,
            format!("http://localhost:{api_port}"),
            format!("http://127.0.0.1:{blob_port}"),
        ));
        let (stop, stop_rx) = watch::channel(false);
        let serve = |listener, host| {
            tokio::spawn(server::accept_loop(
                listener,
                state.clone(),
                host,
                stop_rx.clone(),
            ))
        };
        let mut tasks = vec![serve(api, HostKind::Api), serve(blob, HostKind::Blob)];
        tasks.extend(api6.map(|l| serve(l, HostKind::Api)));
        Ok(HubEmulator { state, stop, tasks })
    }

    /// `http://localhost:PORT`: the API and resolve host, what `HF_ENDPOINT` would be set to.
    pub fn endpoint(&self) -> String {
        self.state.api_base.clone()
    }

    /// `http://127.0.0.1:PORT2`: the blob host LFS downloads are redirected to.
    pub fn blob_base(&self) -> String {
        self.state.blob_base.clone()
    }

    /// Adds or replaces a repository; takes effect for the next request.
    pub fn add_repo(&self, spec: RepoSpec) {
        let repo = Repo::new(&spec);
        {
            let mut blobs = self.state.blobs.write().expect("blob map lock");
            for rev in repo.all_revisions() {
                for f in rev.files.values() {
                    blobs.entry(f.sha256.clone()).or_insert_with(|| BlobRef {
                        bytes: f.bytes.clone(),
                        owner: (repo.id.clone(), f.path.clone()),
                    });
                }
            }
        }
        self.state
            .repos
            .write()
            .expect("repo map lock")
            .insert((spec.kind, spec.id), Arc::new(repo));
    }

    /// Sets (and restarts the countdowns of) the faults of one file.
    pub fn set_faults(&self, repo_id: &str, path: &str, faults: Faults) {
        self.state.faults.lock().expect("fault lock").insert(
            (repo_id.to_string(), path.to_string()),
            FaultState::new(faults),
        );
    }

    /// Lets `token` read the gated or private repo `repo_id`. Any token is accepted as valid;
    /// only granted ones get access.
    pub fn grant(&self, token: &str, repo_id: &str) {
        self.state
            .grants
            .lock()
            .expect("grant lock")
            .entry(token.to_string())
            .or_default()
            .insert(repo_id.to_string());
    }

    /// Every request since start or the last [`HubEmulator::clear_requests`], in the order their
    /// response headers were produced (which is arrival order for sequential clients).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state
            .log
            .lock()
            .expect("log lock")
            .iter()
            .map(LogRecord::snapshot)
            .collect()
    }

    pub fn clear_requests(&self) {
        self.state.log.lock().expect("log lock").clear();
    }

    /// Stops accepting, drops open connections and waits for the listeners to close.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in self.tasks.drain(..) {
            let _ = t.await;
        }
    }
}
