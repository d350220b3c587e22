//! The Hub's HTTP API, as far as the app needs it: repo info, the recursive tree with sizes and
//! LFS hashes, small files (the dataset card), and the resolve URL of a file. The token goes to
//! the Hub only: redirects to another host (the blob CDN) never carry it.

use crate::error::{Error, Result};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::{HeaderMap, AUTHORIZATION, LINK, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use serde::Deserialize;
use std::time::Duration;

/// Characters kept as-is in one path segment; everything else (including '/') is escaped, so
/// `refs/convert/parquet` travels as the single segment the Hub expects.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

pub fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

fn encode_path(path: &str) -> String {
    path.split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoKind {
    Dataset,
    Model,
}

impl RepoKind {
    fn api_prefix(self) -> &'static str {
        match self {
            RepoKind::Dataset => "api/datasets",
            RepoKind::Model => "api/models",
        }
    }

    fn resolve_prefix(self) -> &'static str {
        match self {
            RepoKind::Dataset => "datasets/",
            RepoKind::Model => "",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            RepoKind::Dataset => "dataset",
            RepoKind::Model => "model",
        }
    }
}

/// `GET /api/{kind}s/{id}[/revision/{rev}]`.
#[derive(Debug, Clone, Deserialize)]
pub struct RepoInfo {
    pub id: String,
    pub sha: String,
    #[serde(default)]
    pub private: bool,
    /// `false`, or the gating mode (`"auto"`, `"manual"`).
    #[serde(default)]
    pub gated: serde_json::Value,
    #[serde(default)]
    pub siblings: Vec<Sibling>,
}

impl RepoInfo {
    pub fn is_gated(&self) -> bool {
        !matches!(
            self.gated,
            serde_json::Value::Bool(false) | serde_json::Value::Null
        )
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Sibling {
    pub rfilename: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TreeEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub path: String,
    /// The git blob id; the cache names small (non-LFS) files by it, as Python does.
    #[serde(default)]
    pub oid: String,
    #[serde(default)]
    pub size: u64,
    pub lfs: Option<LfsInfo>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LfsInfo {
    /// sha256 of the content, hex.
    pub oid: String,
    pub size: u64,
}

impl TreeEntry {
    pub fn is_file(&self) -> bool {
        self.kind == "file"
    }

    /// The file's real size (for LFS files the pointer's `size` is the content size too, but
    /// `lfs.size` is authoritative).
    pub fn content_size(&self) -> u64 {
        self.lfs.as_ref().map_or(self.size, |l| l.size)
    }
}

#[derive(Clone)]
pub struct HubClient {
    http: reqwest::Client,
    endpoint: String,
    token: Option<String>,
}

impl std::fmt::Debug for HubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.debug_struct("HubClient")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// How long one request may wait for the server to start answering; bodies stream without a
/// total limit (a large file on a slow link is not an error), but a stalled read is.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);

impl HubClient {
    pub fn new(endpoint: &str, token: Option<String>) -> Result<Self> {
        let endpoint = crate::settings::normalise_endpoint(endpoint)?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("mistudio-datasets/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            // Redirects are followed by hand so the token never reaches another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Internal(format!("building the HTTP client: {e}")))?;
        Ok(HubClient {
            http,
            endpoint,
            token: token.filter(|t| !t.trim().is_empty()),
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    fn api_url(&self, kind: RepoKind, repo: &str, rest: &str) -> String {
        format!("{}/{}/{}{}", self.endpoint, kind.api_prefix(), repo, rest)
    }

    /// `{endpoint}/{datasets/}{repo}/resolve/{rev}/{path}`.
    pub fn resolve_url(&self, kind: RepoKind, repo: &str, revision: &str, path: &str) -> String {
        format!(
            "{}/{}{}/resolve/{}/{}",
            self.endpoint,
            kind.resolve_prefix(),
            repo,
            encode_segment(revision),
            encode_path(path)
        )
    }

    /// Adds the token only when the URL is on the Hub's own host.
    pub(crate) fn authorize(
        &self,
        url: &str,
        req: reqwest::RequestBuilder,
    ) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) if same_origin(url, &self.endpoint) => {
                req.header(AUTHORIZATION, format!("Bearer {token}"))
            }
            _ => req,
        }
    }

    async fn get(&self, url: &str) -> Result<Response> {
        let req = self.authorize(url, self.http.get(url));
        req.send().await.map_err(|e| network_error(url, &e))
    }

    pub async fn repo_info(
        &self,
        kind: RepoKind,
        repo: &str,
        revision: Option<&str>,
    ) -> Result<RepoInfo> {
        let rest = match revision {
            Some(rev) => format!("/revision/{}", encode_segment(rev)),
            None => String::new(),
        };
        let url = self.api_url(kind, repo, &rest);
        let resp = self.get(&url).await?;
        let resp = check_status(resp, kind, repo, revision, None).await?;
        resp.json().await.map_err(|e| {
            Error::Network(format!("the Hub sent an unreadable answer for {repo}: {e}"))
        })
    }

    /// Every entry of the repo at `revision`, following the `Link: rel="next"` pages.
    pub async fn list_tree(
        &self,
        kind: RepoKind,
        repo: &str,
        revision: &str,
    ) -> Result<Vec<TreeEntry>> {
        let mut url = self.api_url(
            kind,
            repo,
            &format!(
                "/tree/{}?recursive=true&expand=false",
                encode_segment(revision)
            ),
        );
        let mut entries = Vec::new();
        // A bound on pages: a Hub (or a proxy) that keeps sending the same "next" link must not
        // loop forever.
        for _ in 0..10_000 {
            let resp = self.get(&url).await?;
            let next = next_link(resp.headers());
            let resp = check_status(resp, kind, repo, Some(revision), None).await?;
            let page: Vec<TreeEntry> = resp.json().await.map_err(|e| {
                Error::Network(format!(
                    "the Hub sent an unreadable file list for {repo}: {e}"
                ))
            })?;
            entries.extend(page);
            match next {
                Some(next) if next != url => url = next,
                _ => return Ok(entries),
            }
        }
        Err(Error::Network(format!(
            "the file list of {repo} did not end after 10,000 pages"
        )))
    }

    /// A small file (the dataset card), fetched whole. Missing → `Ok(None)`.
    pub async fn small_file(
        &self,
        kind: RepoKind,
        repo: &str,
        revision: &str,
        path: &str,
    ) -> Result<Option<Vec<u8>>> {
        let mut url = self.resolve_url(kind, repo, revision, path);
        for _ in 0..5 {
            let resp = self.get(&url).await?;
            if resp.status().is_redirection() {
                url = redirect_target(&url, &resp)?;
                continue;
            }
            if resp.status() == StatusCode::NOT_FOUND
                && error_code(resp.headers()).as_deref() == Some("EntryNotFound")
            {
                return Ok(None);
            }
            let resp = check_status(resp, kind, repo, Some(revision), Some(path)).await?;
            let bytes = resp.bytes().await.map_err(|e| network_error(&url, &e))?;
            return Ok(Some(bytes.to_vec()));
        }
        Err(Error::Network(format!(
            "too many redirects fetching {path} of {repo}"
        )))
    }
}

pub(crate) fn redirect_target(from: &str, resp: &Response) -> Result<String> {
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Error::Network(format!("the Hub redirected {from} without a Location")))?;
    let base =
        reqwest::Url::parse(from).map_err(|e| Error::Internal(format!("bad URL {from}: {e}")))?;
    base.join(location)
        .map(|u| u.to_string())
        .map_err(|e| Error::Network(format!("the Hub redirected to a bad URL {location:?}: {e}")))
}

fn origin(url: &str) -> Option<(String, String, Option<u16>)> {
    let u = reqwest::Url::parse(url).ok()?;
    Some((
        u.scheme().to_string(),
        u.host_str()?.to_string(),
        u.port_or_known_default(),
    ))
}

pub(crate) fn same_origin(a: &str, b: &str) -> bool {
    matches!((origin(a), origin(b)), (Some(x), Some(y)) if x == y)
}

fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"")
            .then(|| {
                target
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

pub(crate) fn error_code(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-error-code")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs.min(300)))
}

pub(crate) fn network_error(url: &str, e: &reqwest::Error) -> Error {
    let host = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string());
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    Error::Network(format!(
        "the connection to {host} {what} ({}); check the network or the Hub endpoint in Settings",
        root_cause(e)
    ))
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Turns a non-success answer into the error a researcher can act on.
pub(crate) async fn check_status(
    resp: Response,
    kind: RepoKind,
    repo: &str,
    revision: Option<&str>,
    path: Option<&str>,
) -> Result<Response> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let code = error_code(resp.headers());
    let retry = retry_after(resp.headers());
    let body = resp.text().await.unwrap_or_default();
    let server_says = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
        .unwrap_or_default();
    let noun = kind.noun();
    let rev = revision.unwrap_or("main");
    Err(match (status.as_u16(), code.as_deref()) {
        (401, Some("GatedRepo")) => Error::Gated(format!(
            "{repo} is a gated {noun}: accept its conditions on its Hub page, then give an access token of that account (Access Token field, HF_TOKEN, or `huggingface-cli login`)"
        )),
        (403, Some("GatedRepo")) => Error::Gated(format!(
            "the access token has no access to the gated {noun} {repo}: accept its conditions on its Hub page with the account the token belongs to, or use another token"
        )),
        (401, Some("RepoNotFound")) | (401, None) => Error::NotFound {
            what: format!(
                "{noun} {repo} (or it is private: give an access token that can read it)"
            ),
        },
        (401, _) | (403, _) => Error::Auth(format!(
            "the Hub refused the access token for {repo} ({status}): check that the token is valid and has read access"
        )),
        (404, Some("RevisionNotFound")) => Error::not_found(format!("revision {rev:?} of {noun} {repo}")),
        (404, Some("EntryNotFound")) => Error::not_found(format!(
            "file {} in {noun} {repo} at revision {rev:?}",
            path.unwrap_or("?")
        )),
        (404, _) => Error::not_found(format!("{noun} {repo} — check the repository id (owner/name)")),
        (429, _) => Error::Network(format!(
            "the Hub is rate-limiting requests{}; wait a moment and retry",
            retry.map(|d| format!(" (retry after {} s)", d.as_secs())).unwrap_or_default()
        )),
        (s, _) if s >= 500 => Error::Network(format!(
            "the Hub answered {status} for {repo}{}; retry later",
            if server_says.is_empty() { String::new() } else { format!(": {server_says}") }
        )),
        _ => Error::Network(format!(
            "the Hub answered {status} for {repo}{}",
            if server_says.is_empty() { String::new() } else { format!(": {server_says}") }
        )),
    })
}

/// Statuses worth retrying: rate limits and server errors.
pub(crate) fn is_transient_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_travel_as_one_segment() {
        let c = HubClient::new("http://localhost:1", None).unwrap();
        assert_eq!(
            c.resolve_url(RepoKind::Dataset, "org/ds", "refs/convert/parquet", "default/train/0000.parquet"),
            "http://localhost:1/datasets/org/ds/resolve/refs%2Fconvert%2Fparquet/default/train/0000.parquet"
        );
        assert_eq!(
            c.resolve_url(RepoKind::Model, "gpt2", "main", "tokenizer.json"),
            "http://localhost:1/gpt2/resolve/main/tokenizer.json"
        );
    }

    #[test]
    fn the_next_page_link_is_found() {
        let mut h = HeaderMap::new();
        h.insert(
            LINK,
            "<http://h/api/datasets/a/b/tree/main?cursor=x>; rel=\"next\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("http://h/api/datasets/a/b/tree/main?cursor=x")
        );
        h.insert(LINK, "<http://h/x>; rel=\"prev\"".parse().unwrap());
        assert_eq!(next_link(&h), None);
    }

    #[test]
    fn the_token_stays_on_the_hub_host() {
        assert!(same_origin(
            "http://localhost:8080/api/x",
            "http://localhost:8080"
        ));
        assert!(!same_origin(
            "http://127.0.0.1:8080/blobs/x",
            "http://localhost:8080"
        ));
        assert!(!same_origin(
            "https://cdn.example/x",
            "https://huggingface.co"
        ));
        let c = HubClient::new("http://localhost:1", Some("hf_secret".into())).unwrap();
        assert!(!format!("{c:?}").contains("hf_secret"));
    }
}
