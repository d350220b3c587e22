//! One attempt at a file: a request from the partial file's end to the file's end (or to the
//! end of the prefix a row budget needs), following
//! redirects, checking that the server resumes where asked, and appending the body as it
//! arrives. Only 200/206 bodies are ever written, so an error page can never become a file.

use super::client::{
    check_status, is_transient_status, network_error, redirect_target, retry_after, HubClient,
    RepoKind,
};
use super::download::ByteCounter;
use super::inspect::RemoteFile;
use super::partial::PartialFile;
use crate::error::Error;
use futures_util::{StreamExt, TryStreamExt};
use reqwest::header::{CONTENT_RANGE, RANGE};
use reqwest::StatusCode;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Why an attempt stopped short: a `Fatal` error ends the download, a `Transient` one is tried
/// again, and `progressed` (bytes arrived before it) restarts the count of failures in a row.
pub(super) enum Attempt {
    Fatal(Error),
    Transient {
        message: String,
        retry_after: Option<Duration>,
        progressed: bool,
    },
}

impl Attempt {
    fn transient(message: String, retry_after: Option<Duration>, progressed: bool) -> Self {
        Attempt::Transient {
            message,
            retry_after,
            progressed,
        }
    }
}

/// One request from the partial file's end to `end` (the file's size, or less for a prefix);
/// appends what arrives.
#[allow(clippy::too_many_arguments)]
pub(super) async fn fetch_range(
    client: &HubClient,
    url: &str,
    kind: RepoKind,
    repo_id: &str,
    file: &RemoteFile,
    part: &mut PartialFile,
    end: u64,
    done: &ByteCounter,
    cancel: &CancellationToken,
) -> Result<(), Attempt> {
    let mut target = url.to_string();
    let mut resp = None;
    for _ in 0..5 {
        let mut req = client.http().get(&target);
        if end < file.size {
            req = req.header(RANGE, format!("bytes={}-{}", part.len(), end - 1));
        } else if part.len() > 0 {
            req = req.header(RANGE, format!("bytes={}-", part.len()));
        }
        let req = client.authorize(&target, req);
        let r = tokio::select! {
            _ = cancel.cancelled() => return Err(Attempt::Fatal(Error::Cancelled)),
            r = req.send() => r.map_err(|e| Attempt::transient(network_error(&target, &e).to_string(), None, false))?,
        };
        if r.status().is_redirection() {
            target = redirect_target(&target, &r).map_err(Attempt::Fatal)?;
            continue;
        }
        resp = Some(r);
        break;
    }
    let resp = resp.ok_or_else(|| {
        Attempt::Fatal(Error::Network(format!(
            "too many redirects for {}",
            file.path
        )))
    })?;
    let status = resp.status();
    async fn restart(part: &mut PartialFile, done: &ByteCounter, why: &str) -> Result<(), Attempt> {
        done.sub(part.len());
        part.reset().await.map_err(Attempt::Fatal)?;
        Err(Attempt::transient(why.into(), None, false))
    }
    if is_transient_status(status) {
        return Err(Attempt::transient(
            format!("the server answered {status}"),
            retry_after(resp.headers()),
            false,
        ));
    }
    if status == StatusCode::RANGE_NOT_SATISFIABLE {
        return restart(part, done, "the server refused the resume range").await;
    }
    let resp = check_status(resp, kind, repo_id, Some(&file.revision), Some(&file.path))
        .await
        .map_err(Attempt::Fatal)?;
    match resp.status() {
        StatusCode::PARTIAL_CONTENT => {
            let start = resp
                .headers()
                .get(CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("bytes "))
                .and_then(|v| v.split('-').next())
                .and_then(|v| v.parse::<u64>().ok());
            if start != Some(part.len()) {
                return restart(part, done, "the server resumed at the wrong offset").await;
            }
        }
        StatusCode::OK if part.len() > 0 => {
            // The server ignored the Range header: the body is the whole file.
            done.sub(part.len());
            part.reset().await.map_err(Attempt::Fatal)?;
        }
        StatusCode::OK => {}
        other => {
            return Err(Attempt::Fatal(Error::Network(format!(
                "unexpected answer {other} downloading {}",
                file.path
            ))))
        }
    }
    let mut stream = resp.bytes_stream().map_err(|e| e.to_string());
    let mut progressed = false;
    // One waiter for the whole body rather than one registered and dropped per chunk.
    let cancelled = cancel.cancelled();
    tokio::pin!(cancelled);
    loop {
        let chunk = tokio::select! {
            _ = &mut cancelled => {
                part.flush().map_err(Attempt::Fatal)?;
                return Err(Attempt::Fatal(Error::Cancelled));
            }
            c = stream.next() => c,
        };
        match chunk {
            None => break,
            Some(Ok(mut bytes)) => {
                if end < file.size && part.len() + bytes.len() as u64 >= end {
                    // A prefix: what lies past its end is not wanted (a server may send it).
                    let n = end - part.len();
                    bytes.truncate(n as usize);
                    part.append(bytes).await.map_err(Attempt::Fatal)?;
                    done.add(n);
                    break;
                }
                if part.len() + bytes.len() as u64 > file.size {
                    return restart(part, done, "the server sent more bytes than the file has")
                        .await;
                }
                let n = bytes.len() as u64;
                part.append(bytes).await.map_err(Attempt::Fatal)?;
                done.add(n);
                progressed = true;
            }
            Some(Err(message)) => {
                part.flush().map_err(Attempt::Fatal)?;
                return Err(Attempt::transient(
                    format!("the connection broke mid-file ({message})"),
                    None,
                    progressed,
                ));
            }
        }
    }
    part.flush().map_err(Attempt::Fatal)?;
    if part.len() < end {
        return Err(Attempt::transient(
            "the connection ended before the file was complete".into(),
            None,
            progressed,
        ));
    }
    Ok(())
}
