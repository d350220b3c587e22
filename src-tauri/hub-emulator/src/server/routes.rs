//! The API host's URLs: which repository, revision and endpoint a path names, and who handles it.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::header::HeaderMap;
use hyper::{Method, Request, StatusCode};

use super::api::{paths_info, refs};
use super::auth;
use super::is_read;
use super::response::{entry_not_found, not_found_route, repo_not_found, revision_not_found, Resp};
use super::url::{query_pairs, segments};
use super::State;
use crate::repo::Repo;
use crate::RepoKind;

pub(super) async fn api_host(state: &State, req: Request<Incoming>) -> Resp {
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
            ctx.api_route(kind, rest, &body)
        }
        ["datasets", rest @ ..] => ctx.resolve_route(RepoKind::Dataset, rest),
        rest => ctx.resolve_route(RepoKind::Model, rest),
    }
}

/// What the handlers of one API-host request need to know about it.
pub(super) struct Ctx<'a> {
    pub(super) state: &'a State,
    token: Option<&'a str>,
    pub(super) query: &'a [(String, String)],
    pub(super) raw_path: &'a str,
    method: &'a Method,
    pub(super) headers: &'a HeaderMap,
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

    /// The repo `id`, or the 404 or access refusal to answer instead; `metadata` as for
    /// [`auth::denied`].
    fn readable_repo(
        &self,
        kind: RepoKind,
        id: &str,
        metadata: bool,
    ) -> Result<Arc<Repo>, Box<Resp>> {
        let repo = self
            .repo(kind, id)
            .ok_or_else(|| Box::new(repo_not_found(StatusCode::NOT_FOUND)))?;
        match auth::denied(self.state, self.token, &repo, metadata) {
            Some(refusal) => Err(Box::new(refusal)),
            None => Ok(repo),
        }
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

    fn api_route(&self, kind: RepoKind, segs: &[&str], body: &[u8]) -> Resp {
        let Some((id, tail)) = self.split_id(kind, segs, API_KEYWORDS) else {
            return not_found_route();
        };
        let metadata = !matches!(tail.first(), Some(&"parquet"));
        let repo = match self.readable_repo(kind, &id, metadata) {
            Ok(repo) => repo,
            Err(refusal) => return *refusal,
        };
        let read = is_read(self.method);
        match tail {
            [] if read => self.info(&repo, "main"),
            ["revision", rest @ ..] if read => match Self::take_rev(&repo, rest) {
                Some((rev, [])) => self.info(&repo, &rev),
                _ => not_found_route(),
            },
            ["tree", rest @ ..] if read => match Self::take_rev(&repo, rest) {
                Some((rev, path)) => self.tree(&repo, &rev, &path.join("/")),
                None => not_found_route(),
            },
            ["paths-info", rest @ ..] if *self.method == Method::POST => {
                match Self::take_rev(&repo, rest) {
                    Some((rev, [])) => paths_info(&repo, &rev, body),
                    _ => not_found_route(),
                }
            }
            ["refs"] if read => refs(&repo),
            ["parquet", rest @ ..] if read && kind == RepoKind::Dataset => {
                self.parquet(&repo, rest)
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
        if !is_read(self.method) {
            return not_found_route();
        }
        let repo = match self.readable_repo(kind, &id, false) {
            Ok(repo) => repo,
            Err(refusal) => return *refusal,
        };
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
}
