//! HTTP routing and handlers for both hosts.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

mod auth;
mod blob;
mod faults;
mod range;
mod response;
mod url;

pub(crate) use self::faults::FaultState;

use self::range::ranged;
use self::response::{
    entry_not_found, error, json_resp, not_found_route, repo_not_found, respond,
    revision_not_found, set, Resp,
};
use self::url::{enc, enc_path, query_get, query_pairs, segments};
use crate::body::SentBody;
use crate::repo::{FileEntry, Repo, Revision, PARQUET_BRANCH};
use crate::{HostKind, LogRecord, LoggedRequest, RepoKind, State};

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
        HostKind::Api => api(state, req).await,
        HostKind::Blob => blob::blob(state, &req),
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

// ---------------------------------------------------------------------------------------------
// API host

async fn api(state: &State, req: Request<Incoming>) -> Resp {
    let (parts, body) = req.into_parts();
    let segs = segments(parts.uri.path());
    let query = query_pairs(parts.uri.query().unwrap_or(""));
    let token = auth::bearer(&parts.headers);
    let ctx = Ctx {
        state,
        token: token.as_deref(),
        query: &query,
        raw_path: parts.uri.path(),
        method: &parts.method,
        headers: &parts.headers,
    };
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    match s.as_slice() {
        ["api", kind @ ("datasets" | "models"), rest @ ..] => {
            let kind = if *kind == "datasets" {
                RepoKind::Dataset
            } else {
                RepoKind::Model
            };
            let body = if parts.method == Method::POST {
                body.collect()
                    .await
                    .map(|c| c.to_bytes())
                    .unwrap_or_default()
            } else {
                Bytes::new()
            };
            ctx.api_repo(kind, rest, &body)
        }
        ["datasets", rest @ ..] => ctx.resolve_route(RepoKind::Dataset, rest),
        rest => ctx.resolve_route(RepoKind::Model, rest),
    }
}

struct Ctx<'a> {
    state: &'a State,
    token: Option<&'a str>,
    query: &'a [(String, String)],
    raw_path: &'a str,
    method: &'a Method,
    headers: &'a HeaderMap,
}

const API_KEYWORDS: &[&str] = &["revision", "tree", "paths-info", "parquet", "refs"];

impl Ctx<'_> {
    fn repo(&self, kind: RepoKind, id: &str) -> Option<Arc<Repo>> {
        self.state
            .repos
            .read()
            .expect("repo map lock")
            .get(&(kind, id.to_string()))
            .cloned()
    }

    /// Splits `org/name/tail…` or `name/tail…` into id and tail. A one-segment id is only taken
    /// when such a repo exists and the next segment is a route keyword, since `org/name` is
    /// otherwise indistinguishable from `name/keyword`.
    fn split_id<'s>(
        &self,
        kind: RepoKind,
        segs: &'s [&'s str],
        keywords: &[&str],
    ) -> Option<(String, &'s [&'s str])> {
        match segs {
            [] => None,
            [one, rest @ ..] if one.contains('/') => Some((one.to_string(), rest)),
            [one] => Some((one.to_string(), &[])),
            [one, next, ..] if keywords.contains(next) && self.repo(kind, one).is_some() => {
                Some((one.to_string(), &segs[1..]))
            }
            [org, name, rest @ ..] => Some((format!("{org}/{name}"), rest)),
        }
    }

    /// A revision written as one (decoded) segment, or unencoded as `refs/x/y` when that names a
    /// branch. Returns the revision name and the remaining segments.
    fn take_rev<'s>(repo: &Repo, segs: &'s [&'s str]) -> Option<(String, &'s [&'s str])> {
        match segs {
            ["refs", a, b, rest @ ..] => {
                let name = format!("refs/{a}/{b}");
                if repo.revision(&name).is_some() {
                    Some((name, rest))
                } else {
                    Some(("refs".to_string(), &segs[1..]))
                }
            }
            [rev, rest @ ..] => Some((rev.to_string(), rest)),
            [] => None,
        }
    }

    fn api_repo(&self, kind: RepoKind, segs: &[&str], body: &[u8]) -> Resp {
        let Some((id, tail)) = self.split_id(kind, segs, API_KEYWORDS) else {
            return not_found_route();
        };
        let Some(repo) = self.repo(kind, &id) else {
            return repo_not_found();
        };
        let metadata = !matches!(tail.first(), Some(&"parquet"));
        if let Some(r) = auth::denied(self.state, self.token, &repo, metadata) {
            return r;
        }
        let is_get = *self.method == Method::GET || *self.method == Method::HEAD;
        match tail {
            [] if is_get => self.info(&repo, "main"),
            ["revision", rest @ ..] if is_get => match Self::take_rev(&repo, rest) {
                Some((rev, [])) => self.info(&repo, &rev),
                _ => not_found_route(),
            },
            ["tree", rest @ ..] if is_get => match Self::take_rev(&repo, rest) {
                Some((rev, path)) => self.tree(&repo, &rev, &path.join("/")),
                None => not_found_route(),
            },
            ["paths-info", rest @ ..] if *self.method == Method::POST => {
                match Self::take_rev(&repo, rest) {
                    Some((rev, [])) => self.paths_info(&repo, &rev, body),
                    _ => not_found_route(),
                }
            }
            ["refs"] if is_get => refs(&repo),
            ["parquet", rest @ ..] if is_get && kind == RepoKind::Dataset => {
                self.parquet(&repo, rest)
            }
            _ => not_found_route(),
        }
    }

    fn info(&self, repo: &Repo, rev: &str) -> Resp {
        let Some(r) = repo.revision(rev) else {
            return revision_not_found(rev);
        };
        let blobs = query_get(self.query, "blobs").is_some_and(|v| v == "true" || v == "1");
        json_resp(StatusCode::OK, &repo.info_json(r, blobs))
    }

    fn tree(&self, repo: &Repo, rev: &str, path: &str) -> Resp {
        let Some(r) = repo.revision(rev) else {
            return revision_not_found(rev);
        };
        let recursive = query_get(self.query, "recursive")
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
        let Some(entries) = r.list(path, recursive) else {
            return entry_not_found(path);
        };
        let offset = match query_get(self.query, "cursor") {
            None => 0,
            Some(c) => match decode_cursor(&c) {
                Some(o) => o,
                None => return error(StatusCode::BAD_REQUEST, "BadRequest", "Invalid cursor"),
            },
        };
        let page = self.state.config.tree_page_size.max(1);
        let end = (offset + page).min(entries.len());
        let slice = entries.get(offset.min(end)..end).unwrap_or(&[]);
        let mut resp = json_resp(StatusCode::OK, &Value::Array(slice.to_vec()));
        if end < entries.len() {
            let mut q: Vec<String> = self
                .query
                .iter()
                .filter(|(k, _)| k != "cursor")
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect();
            q.push(format!("cursor={}", encode_cursor(end)));
            let link = format!(
                "<{}{}?{}>; rel=\"next\"",
                self.state.api_base,
                self.raw_path,
                q.join("&")
            );
            set(&mut resp, "link", link);
        }
        resp
    }

    fn paths_info(&self, repo: &Repo, rev: &str, body: &[u8]) -> Resp {
        let Some(r) = repo.revision(rev) else {
            return revision_not_found(rev);
        };
        let paths: Vec<String> = match serde_json::from_slice::<Value>(body) {
            Ok(v) => match &v["paths"] {
                Value::Array(a) => a
                    .iter()
                    .filter_map(|p| p.as_str().map(str::to_string))
                    .collect(),
                Value::String(s) => vec![s.clone()],
                _ => Vec::new(),
            },
            Err(_) => query_pairs(&String::from_utf8_lossy(body))
                .into_iter()
                .filter(|(k, _)| k == "paths" || k == "paths[]")
                .map(|(_, v)| v)
                .collect(),
        };
        let out: Vec<Value> = paths.iter().filter_map(|p| r.entry_json(p)).collect();
        json_resp(StatusCode::OK, &Value::Array(out))
    }

    fn parquet(&self, repo: &Repo, rest: &[&str]) -> Resp {
        let Some(layout) = repo.parquet_layout() else {
            return error(
                StatusCode::NOT_FOUND,
                "RevisionNotFound",
                "No parquet conversion (refs/convert/parquet) for this dataset",
            );
        };
        let base = format!("{}/api/datasets/{}/parquet", self.state.api_base, repo.id);
        let urls = |config: &str, split: &str, files: &[String]| -> Value {
            (0..files.len())
                .map(|i| json!(format!("{base}/{}/{}/{i}.parquet", enc(config), enc(split))))
                .collect()
        };
        let splits_json = |config: &str, splits: &BTreeMap<String, Vec<String>>| -> Value {
            splits
                .iter()
                .map(|(split, files)| (split.clone(), urls(config, split, files)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        match rest {
            [] => {
                let all: serde_json::Map<_, _> = layout
                    .iter()
                    .map(|(c, splits)| (c.clone(), splits_json(c, splits)))
                    .collect();
                json_resp(StatusCode::OK, &all.into())
            }
            [config] => match layout.get(*config) {
                Some(splits) => json_resp(StatusCode::OK, &splits_json(config, splits)),
                None => entry_not_found(config),
            },
            [config, split] => match layout.get(*config).and_then(|s| s.get(*split)) {
                Some(files) => json_resp(StatusCode::OK, &urls(config, split, files)),
                None => entry_not_found(&format!("{config}/{split}")),
            },
            [config, split, file] => {
                let n = file
                    .strip_suffix(".parquet")
                    .and_then(|n| n.parse::<usize>().ok());
                let path = layout
                    .get(*config)
                    .and_then(|s| s.get(*split))
                    .zip(n)
                    .and_then(|(files, n)| files.get(n));
                match path {
                    Some(path) => {
                        let mut r = respond(StatusCode::FOUND, SentBody::empty());
                        set(
                            &mut r,
                            "location",
                            format!(
                                "{}/datasets/{}/resolve/{}/{}",
                                self.state.api_base,
                                repo.id,
                                enc(PARQUET_BRANCH),
                                enc_path(path)
                            ),
                        );
                        set(&mut r, "content-length", "0");
                        r
                    }
                    None => entry_not_found(&format!("{config}/{split}/{file}")),
                }
            }
            _ => not_found_route(),
        }
    }

    fn resolve_route(&self, kind: RepoKind, segs: &[&str]) -> Resp {
        let Some((id, tail)) = self.split_id(kind, segs, &["resolve"]) else {
            return not_found_route();
        };
        let ["resolve", rest @ ..] = tail else {
            return not_found_route();
        };
        if !(*self.method == Method::GET || *self.method == Method::HEAD) {
            return not_found_route();
        }
        let Some(repo) = self.repo(kind, &id) else {
            return repo_not_found();
        };
        if let Some(r) = auth::denied(self.state, self.token, &repo, false) {
            return r;
        }
        let Some((rev, path)) = Self::take_rev(&repo, rest) else {
            return not_found_route();
        };
        let Some(r) = repo.revision(&rev) else {
            return revision_not_found(&rev);
        };
        let path = path.join("/");
        let Some(file) = r.files.get(&path) else {
            return entry_not_found(&path);
        };
        self.resolve(&repo, r, file)
    }

    fn resolve(&self, repo: &Repo, rev: &Revision, file: &FileEntry) -> Resp {
        let mut resp = if file.lfs {
            let mut r = respond(StatusCode::FOUND, SentBody::empty());
            let location = format!(
                "{}/blobs/{}?repo={}&path={}&rev={}",
                self.state.blob_base,
                file.sha256,
                enc(&repo.id),
                enc(&file.path),
                rev.sha
            );
            set(&mut r, "location", location);
            set(&mut r, "x-linked-etag", format!("\"{}\"", file.sha256));
            set(&mut r, "x-linked-size", file.size().to_string());
            set(&mut r, "content-length", "0");
            r
        } else {
            let mut r = ranged(
                self.headers,
                &file.bytes,
                SentBody::full,
                "text/plain; charset=utf-8",
            );
            set(&mut r, "accept-ranges", "bytes");
            r
        };
        set(&mut resp, "x-repo-commit", &rev.sha);
        set(&mut resp, "etag", format!("\"{}\"", file.git_oid));
        resp
    }
}

fn refs(repo: &Repo) -> Resp {
    let (converts, branches): (Vec<&Revision>, Vec<&Revision>) = repo
        .all_revisions()
        .partition(|r| r.name.starts_with("refs/convert/"));
    let entry = |r: &Revision| {
        json!({
            "name": r.name.rsplit('/').next().unwrap_or(&r.name),
            "ref": if r.name.starts_with("refs/") { r.name.clone() } else { format!("refs/heads/{}", r.name) },
            "targetCommit": r.sha,
        })
    };
    json_resp(
        StatusCode::OK,
        &json!({
            "branches": branches.into_iter().map(entry).collect::<Vec<_>>(),
            "converts": converts.into_iter().map(entry).collect::<Vec<_>>(),
            "tags": [],
        }),
    )
}

/// Cursors are opaque to clients; hex keeps them URL-safe without implying a format.
fn encode_cursor(offset: usize) -> String {
    hex::encode(format!("offset:{offset}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    let raw = String::from_utf8(hex::decode(c).ok()?).ok()?;
    raw.strip_prefix("offset:")?.parse().ok()
}
