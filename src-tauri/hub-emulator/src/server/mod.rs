//! The HTTP side of the emulator: the state both hosts share, accepting connections, handing each
//! request to its host's handlers, and logging what was answered.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

mod api;
mod auth;
mod blob;
mod faults;
mod range;
mod resolve;
mod response;
mod routes;
mod url;

pub(crate) use self::faults::FaultState;

use self::response::Resp;
use crate::body::SentBody;
use crate::repo::Repo;
use crate::{EmulatorConfig, HostKind, LoggedRequest, RepoKind};

/// What both hosts serve from and record into; the [`crate::HubEmulator`] handle fills it in.
pub(crate) struct State {
    config: EmulatorConfig,
    pub(crate) api_base: String,
    pub(crate) blob_base: String,
    pub(crate) repos: RwLock<HashMap<(RepoKind, String), Arc<Repo>>>,
    /// Content by sha256, across all repos, as the blob host addresses it.
    pub(crate) blobs: RwLock<HashMap<String, BlobRef>>,
    /// Keyed by `(repo id, path)`.
    pub(crate) faults: Mutex<HashMap<(String, String), FaultState>>,
    /// Token -> the repo ids it may read.
    pub(crate) grants: Mutex<HashMap<String, HashSet<String>>>,
    pub(crate) log: Mutex<Vec<LogRecord>>,
}

impl State {
    pub(crate) fn new(config: EmulatorConfig, api_base: String, blob_base: String) -> State {
        State {
            config,
            api_base,
            blob_base,
            repos: RwLock::default(),
            blobs: RwLock::default(),
            faults: Mutex::default(),
            grants: Mutex::default(),
            log: Mutex::default(),
        }
    }

    /// The repo's page on the API host; its resolve URLs continue from here.
    fn repo_url(&self, repo: &Repo) -> String {
        format!(
            "{}{}/{}",
            self.api_base,
            repo.kind.resolve_prefix(),
            repo.id
        )
    }
}

pub(crate) struct BlobRef {
    pub(crate) bytes: Bytes,
    /// The first `(repo id, path)` that holds this content, for fault lookups when the blob URL
    /// carries no repo/path.
    pub(crate) owner: (String, String),
}

/// A logged request whose body may still be streaming; `sent` is shared with that body.
pub(crate) struct LogRecord {
    entry: LoggedRequest,
    sent: Arc<AtomicU64>,
}

impl LogRecord {
    pub(crate) fn snapshot(&self) -> LoggedRequest {
        LoggedRequest {
            body_bytes: self.sent.load(Ordering::Relaxed),
            ..self.entry.clone()
        }
    }
}

pub(crate) async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    host: HostKind,
    mut stop: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of descriptors or similar: back off instead of spinning on the error.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                conns.spawn(async move {
                    let svc = service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(handle(&state, host, req).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            // A dropped sender (handle dropped) ends the loop as well as an explicit stop.
            _ = stop.changed() => break,
        }
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

/// Both hosts answer GET and HEAD alike; [`handle`] drops the body of a HEAD answer.
fn is_read(method: &Method) -> bool {
    *method == Method::GET || *method == Method::HEAD
}

async fn handle(state: &State, host: HostKind, req: Request<Incoming>) -> Resp {
    let method = req.method().clone();
    let path_q = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string());
    let range = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let authorization = req.headers().contains_key(header::AUTHORIZATION);
    let mut resp = match host {
        HostKind::Api => routes::api_host(state, req).await,
        HostKind::Blob => blob::blob_host(state, &req),
    };
    if method == Method::HEAD {
        // Keep the GET headers (Content-Length included) but send nothing, as HEAD requires.
        *resp.body_mut() = SentBody::empty();
    }
    let sent = resp.body().counter();
    state.log.lock().expect("log lock").push(LogRecord {
        entry: LoggedRequest {
            method: method.to_string(),
            host,
            path: path_q,
            range,
            authorization,
            status: resp.status().as_u16(),
            body_bytes: 0,
        },
        sent,
    });
    resp
}
