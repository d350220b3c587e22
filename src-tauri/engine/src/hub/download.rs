//! Verified, resumable downloads into the Hugging Face cache layout
//! (`<cache>/datasets--org--name/{blobs,snapshots,refs}`), so Python tools share the files.
//!
//! A file is written to `blobs/<etag>.incomplete`, resumed from its length with an HTTP Range
//! request after a cancel, a crash or a restart, checked (size, and sha256 for LFS files) and
//! only then renamed to `blobs/<etag>` and linked from `snapshots/<commit>/<path>`. Here: the
//! files fetched in parallel, and each one's retries with back-off; the folders are
//! `cache_layout`'s, the partial file `partial`'s, one request `range_request`'s.

use super::cache_layout::{blob_path, blobs_dir, link_snapshot, repo_cache_dir, snapshot_path};
use super::client::{HubClient, RepoKind};
use super::inspect::RemoteFile;
use super::partial::{partial_path, PartialFile};
use super::range_request::{fetch_range, Attempt};
use crate::error::{Error, Result};
use futures_util::StreamExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Retries of one file in a row without a byte of progress before giving up.
pub const MAX_ATTEMPTS: u32 = 8;
const BACKOFF_BASE: Duration = Duration::from_millis(500);
const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// A file whose content hash is wrong is fetched again from zero this many times.
const MAX_CORRUPT_REFETCHES: u32 = 1;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: MAX_ATTEMPTS,
            base: BACKOFF_BASE,
            cap: BACKOFF_CAP,
        }
    }
}

impl RetryPolicy {
    pub(crate) fn delay(&self, failures: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self.base.saturating_mul(1u32 << failures.min(16));
        retry_after
            .unwrap_or(exp)
            .min(self.cap.max(retry_after.unwrap_or_default()))
    }
}

pub struct Downloader {
    client: HubClient,
    cache_root: PathBuf,
    pub parallel: usize,
    pub retry: RetryPolicy,
}

/// Shared progress: bytes of the requested files that are on disk.
#[derive(Default)]
pub struct ByteCounter(AtomicU64);

impl ByteCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
    pub(super) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    pub(super) fn sub(&self, n: u64) {
        let _ = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some(v.saturating_sub(n))
            });
    }
}

impl Downloader {
    pub fn new(client: HubClient, cache_root: PathBuf) -> Self {
        Downloader {
            client,
            cache_root,
            parallel: 4,
            retry: RetryPolicy::default(),
        }
    }

    pub fn client(&self) -> &HubClient {
        &self.client
    }

    pub fn cache_root(&self) -> &Path {
        &self.cache_root
    }

    /// Bytes still to fetch for `files` (what is cached or partly downloaded is not counted).
    pub fn missing_bytes(
        &self,
        kind: RepoKind,
        repo_id: &str,
        files: &[RemoteFile],
    ) -> Result<u64> {
        let repo_dir = repo_cache_dir(&self.cache_root, kind, repo_id);
        let mut missing = 0;
        for f in files {
            let blob = blob_path(&repo_dir, f)?;
            if is_complete(&blob, f) {
                continue;
            }
            let partial = std::fs::metadata(partial_path(&blob))
                .map(|m| m.len())
                .unwrap_or(0);
            missing += f.size.saturating_sub(partial.min(f.size));
        }
        Ok(missing)
    }

    /// Downloads every file (at most `parallel` at once) and returns their snapshot paths in
    /// the order given. `done` counts bytes on disk, including what was there before.
    pub async fn download_all(
        &self,
        kind: RepoKind,
        repo_id: &str,
        files: &[RemoteFile],
        done: Arc<ByteCounter>,
        cancel: &CancellationToken,
    ) -> Result<Vec<PathBuf>> {
        let repo_dir = repo_cache_dir(&self.cache_root, kind, repo_id);
        // Owned inputs keep the stream's closure free of borrowed arguments, which the Send
        // bound of the job's future cannot express.
        let work: Vec<(usize, RemoteFile)> = files.iter().cloned().enumerate().collect();
        let results: Vec<Result<(usize, PathBuf)>> = futures_util::stream::iter(work)
            .map(|(i, file)| {
                let done = done.clone();
                let repo_dir = repo_dir.clone();
                async move {
                    self.download_file(kind, repo_id, &repo_dir, &file, &done, cancel)
                        .await
                        .map(|p| (i, p))
                }
            })
            .buffer_unordered(self.parallel.max(1))
            .collect()
            .await;
        let mut paths = vec![PathBuf::new(); files.len()];
        // The first real error wins over the "cancelled" its siblings report.
        let mut first_error: Option<Error> = None;
        for r in results {
            match r {
                Ok((i, p)) => paths[i] = p,
                Err(e) => {
                    if first_error
                        .as_ref()
                        .is_none_or(|f| f.kind() == crate::ErrorKind::Cancelled)
                    {
                        first_error = Some(e);
                    }
                }
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        Ok(paths)
    }

    async fn download_file(
        &self,
        kind: RepoKind,
        repo_id: &str,
        repo_dir: &Path,
        file: &RemoteFile,
        done: &ByteCounter,
        cancel: &CancellationToken,
    ) -> Result<PathBuf> {
        let snapshot = snapshot_path(repo_dir, file)?;
        let blob = blob_path(repo_dir, file)?;
        if !is_complete(&blob, file) {
            let blob_dir = blobs_dir(repo_dir);
            std::fs::create_dir_all(&blob_dir)
                .map_err(|e| Error::io(format!("creating {}", blob_dir.display()), e))?;
            self.fetch_blob(kind, repo_id, file, &blob, file.size, done, cancel)
                .await?;
        } else {
            done.add(file.size);
        }
        link_snapshot(&blob, &snapshot)?;
        Ok(snapshot)
    }

    /// Makes the first `end` bytes of `file` available and returns where they are: the whole
    /// file's snapshot when it is cached, else its partial download, fetched up to `end` — a
    /// later full download resumes from there.
    pub async fn fetch_prefix(
        &self,
        kind: RepoKind,
        repo_id: &str,
        file: &RemoteFile,
        end: u64,
        done: &ByteCounter,
        cancel: &CancellationToken,
    ) -> Result<PathBuf> {
        let repo_dir = repo_cache_dir(&self.cache_root, kind, repo_id);
        let blob = blob_path(&repo_dir, file)?;
        if end >= file.size || is_complete(&blob, file) {
            return self
                .download_file(kind, repo_id, &repo_dir, file, done, cancel)
                .await;
        }
        let blob_dir = blobs_dir(&repo_dir);
        std::fs::create_dir_all(&blob_dir)
            .map_err(|e| Error::io(format!("creating {}", blob_dir.display()), e))?;
        self.fetch_blob(kind, repo_id, file, &blob, end, done, cancel)
            .await?;
        Ok(partial_path(&blob))
    }

    /// The cached file a snapshot path of this repo names, and its partial download: what
    /// `--no-keep-hub-files` removes once the file is converted.
    pub fn cached_paths(
        &self,
        kind: RepoKind,
        repo_id: &str,
        file: &RemoteFile,
    ) -> Result<[PathBuf; 3]> {
        let repo_dir = repo_cache_dir(&self.cache_root, kind, repo_id);
        let blob = blob_path(&repo_dir, file)?;
        Ok([snapshot_path(&repo_dir, file)?, partial_path(&blob), blob])
    }

    #[allow(clippy::too_many_arguments)]
    async fn fetch_blob(
        &self,
        kind: RepoKind,
        repo_id: &str,
        file: &RemoteFile,
        blob: &Path,
        end: u64,
        done: &ByteCounter,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let path = partial_path(blob);
        let resumed_from = file.clone();
        // Hashing what an earlier run left can read gigabytes: off the async threads.
        let mut part = tokio::task::spawn_blocking(move || PartialFile::open(&path, &resumed_from))
            .await
            .map_err(|e| Error::Internal(format!("opening a partial download crashed: {e}")))??;
        done.add(part.len().min(end));
        let url = self
            .client
            .resolve_url(kind, repo_id, &file.revision, &file.path);
        let mut failures = 0u32;
        let mut refetches = 0u32;
        loop {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            if end < file.size && part.len() >= end {
                // A prefix stays the partial download, for a later run to complete.
                part.flush()?;
                return Ok(());
            }
            if part.len() == file.size {
                match part.problem(file).await? {
                    None => break,
                    Some(problem) => {
                        done.sub(part.len());
                        part.reset().await?;
                        if refetches >= MAX_CORRUPT_REFETCHES {
                            return Err(Error::Corrupt(format!(
                                "{} of {repo_id} arrived damaged twice ({problem}); the partial file was removed — retry later, and report it if it keeps happening",
                                file.path
                            )));
                        }
                        refetches += 1;
                        tracing::warn!(file = %file.path, %problem, "downloaded file failed verification; fetching it again");
                        continue;
                    }
                }
            }
            match fetch_range(
                &self.client,
                &url,
                kind,
                repo_id,
                file,
                &mut part,
                end,
                done,
                cancel,
            )
            .await
            {
                Ok(()) => failures = 0,
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Transient {
                    message,
                    retry_after,
                    progressed,
                }) => {
                    if progressed {
                        failures = 0;
                    }
                    failures += 1;
                    if failures >= self.retry.max_attempts {
                        return Err(Error::Network(format!(
                            "downloading {} of {repo_id} failed {failures} times in a row, last: {message}; retry later (the bytes already fetched are kept)",
                            file.path
                        )));
                    }
                    let delay = self.retry.delay(failures - 1, retry_after);
                    tracing::info!(file = %file.path, %message, ?delay, attempt = failures, "transient download failure; retrying");
                    tokio::select! {
                        _ = cancel.cancelled() => return Err(Error::Cancelled),
                        _ = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
        part.finish(blob)
    }
}

/// A blob is renamed into place only once verified, so one of the listed size is the file.
fn is_complete(blob: &Path, file: &RemoteFile) -> bool {
    blob.metadata()
        .map(|m| m.len() == file.size)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped_but_honours_retry_after() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, None), Duration::from_millis(500));
        assert_eq!(p.delay(1, None), Duration::from_secs(1));
        assert_eq!(p.delay(10, None), Duration::from_secs(30));
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(90))),
            Duration::from_secs(90)
        );
    }
}
