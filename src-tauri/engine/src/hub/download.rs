//! Verified, resumable downloads into the Hugging Face cache layout
//! (`<cache>/datasets--org--name/{blobs,snapshots,refs}`), so Python tools share the files.
//!
//! A file is written to `blobs/<etag>.incomplete`, resumed from its length with an HTTP Range
//! request after a cancel, a crash or a restart, checked (size, and sha256 for LFS files) and
//! only then renamed to `blobs/<etag>` and linked from `snapshots/<commit>/<path>`. Only 200/206
//! bodies are ever written, so an error page can never become a file.

use super::client::{
    check_status, is_transient_status, network_error, redirect_target, retry_after, HubClient,
    RepoKind,
};
use super::inspect::RemoteFile;
use crate::error::{Error, Result};
use futures_util::{StreamExt, TryStreamExt};
use reqwest::header::{CONTENT_RANGE, RANGE};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
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
    fn delay(&self, failures: u32, retry_after: Option<Duration>) -> Duration {
        let exp = self.base.saturating_mul(1u32 << failures.min(16));
        retry_after
            .unwrap_or(exp)
            .min(self.cap.max(retry_after.unwrap_or_default()))
    }
}

/// The HF cache folder of one repo.
pub fn repo_cache_dir(cache_root: &Path, kind: RepoKind, repo_id: &str) -> PathBuf {
    let repo_type = match kind {
        RepoKind::Dataset => hf_hub::RepoType::Dataset,
        RepoKind::Model => hf_hub::RepoType::Model,
    };
    cache_root.join(hf_hub::Repo::new(repo_id.to_string(), repo_type).folder_name())
}

/// What a file is stored under in `blobs/`: its sha256 for LFS files, else its git id.
fn etag(file: &RemoteFile) -> Result<&str> {
    let etag = file.sha256.as_deref().unwrap_or(file.oid.as_str());
    if etag.is_empty() || !etag.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Corrupt(format!(
            "the Hub listed {} without a usable content id; retry, or report the repository",
            file.path
        )));
    }
    Ok(etag)
}

/// Refuses file paths that would leave the snapshot folder.
fn checked_relative(path: &str) -> Result<&Path> {
    let p = Path::new(path);
    if path.is_empty()
        || p.is_absolute()
        || p.components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(Error::Corrupt(format!(
            "the Hub listed an unsafe file path {path:?}"
        )));
    }
    Ok(p)
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
    fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
    fn sub(&self, n: u64) {
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
            let blob = repo_dir.join("blobs").join(etag(f)?);
            if blob.metadata().map(|m| m.len() == f.size).unwrap_or(false) {
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
        let relative = checked_relative(&file.path)?;
        let etag = etag(file)?;
        let blob = repo_dir.join("blobs").join(etag);
        let snapshot = repo_dir
            .join("snapshots")
            .join(&file.revision)
            .join(relative);
        if !blob
            .metadata()
            .map(|m| m.len() == file.size)
            .unwrap_or(false)
        {
            let blob_dir = repo_dir.join("blobs");
            std::fs::create_dir_all(&blob_dir)
                .map_err(|e| Error::io(format!("creating {}", blob_dir.display()), e))?;
            self.fetch_blob(kind, repo_id, file, &blob, done, cancel)
                .await?;
        } else {
            done.add(file.size);
        }
        link_snapshot(&blob, &snapshot)?;
        Ok(snapshot)
    }

    async fn fetch_blob(
        &self,
        kind: RepoKind,
        repo_id: &str,
        file: &RemoteFile,
        blob: &Path,
        done: &ByteCounter,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let path = partial_path(blob);
        let resumed_from = file.clone();
        // Hashing what an earlier run left can read gigabytes: off the async threads.
        let mut part = tokio::task::spawn_blocking(move || PartialFile::open(&path, &resumed_from))
            .await
            .map_err(|e| Error::Internal(format!("opening a partial download crashed: {e}")))??;
        done.add(part.len);
        let url = self
            .client
            .resolve_url(kind, repo_id, &file.revision, &file.path);
        let mut failures = 0u32;
        let mut refetches = 0u32;
        loop {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            if part.len == file.size {
                match part.problem(file).await? {
                    None => break,
                    Some(problem) => {
                        done.sub(part.len);
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
            match self
                .fetch_range(&url, kind, repo_id, file, &mut part, done, cancel)
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

    /// One request from the partial file's end to the file's end; appends what arrives.
    #[allow(clippy::too_many_arguments)]
    async fn fetch_range(
        &self,
        url: &str,
        kind: RepoKind,
        repo_id: &str,
        file: &RemoteFile,
        part: &mut PartialFile,
        done: &ByteCounter,
        cancel: &CancellationToken,
    ) -> Result<(), Attempt> {
        let mut target = url.to_string();
        let mut resp = None;
        for _ in 0..5 {
            let mut req = self.client.http().get(&target);
            if part.len > 0 {
                req = req.header(RANGE, format!("bytes={}-", part.len));
            }
            let req = self.client.authorize(&target, req);
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
        async fn restart(
            part: &mut PartialFile,
            done: &ByteCounter,
            why: &str,
        ) -> Result<(), Attempt> {
            done.sub(part.len);
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
                if start != Some(part.len) {
                    return restart(part, done, "the server resumed at the wrong offset").await;
                }
            }
            StatusCode::OK if part.len > 0 => {
                // The server ignored the Range header: the body is the whole file.
                done.sub(part.len);
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
                Some(Ok(bytes)) => {
                    if part.len + bytes.len() as u64 > file.size {
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
        if part.len < file.size {
            return Err(Attempt::transient(
                "the connection ended before the file was complete".into(),
                None,
                progressed,
            ));
        }
        Ok(())
    }
}

/// A `blobs/<etag>.incomplete` file being appended to, locked against other processes, with the
/// running sha256 of its content so a finished file is verified without reading it again.
struct PartialFile {
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    len: u64,
    hasher: HashThread,
    /// Received chunks not yet handed to the hashing thread: they go over in batches of
    /// `HASH_BATCH` bytes, so the thread wakes once per batch rather than once per chunk.
    unhashed: Vec<bytes::Bytes>,
    unhashed_len: usize,
    /// Offset up to which the kernel was asked to start writing the file back.
    written_back: u64,
}

/// How much may be written before writeback of it is started. Without this the kernel holds
/// up to its dirty limit (gigabytes on a Jetson whose 8 GB the GPU shares) and the fsync that
/// makes a finished file durable then waits for all of it at once.
const WRITEBACK_EVERY: u64 = 32 << 20;

const HASH_BATCH: usize = 1 << 20;

enum HashMsg {
    Data(Vec<bytes::Bytes>),
    Reset,
    Digest(tokio::sync::oneshot::Sender<String>),
}

/// sha256 on its own thread, so hashing overlaps with receiving and writing instead of adding
/// to them. Bounded, so a slow hash holds the download back rather than buffering the file.
struct HashThread(tokio::sync::mpsc::Sender<HashMsg>);

impl HashThread {
    fn start() -> HashThread {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<HashMsg>(64);
        std::thread::Builder::new()
            .name("sha256".into())
            .spawn(move || {
                let mut hasher = Sha256::new();
                while let Some(msg) = rx.blocking_recv() {
                    match msg {
                        HashMsg::Data(chunks) => {
                            for chunk in chunks {
                                hasher.update(&chunk);
                            }
                        }
                        HashMsg::Reset => hasher = Sha256::new(),
                        HashMsg::Digest(reply) => {
                            let _ = reply.send(hex::encode(hasher.clone().finalize()));
                        }
                    }
                }
            })
            .map(|_| ())
            .unwrap_or_else(|e| tracing::error!(error = %e, "could not start the hashing thread"));
        HashThread(tx)
    }

    fn gone() -> Error {
        Error::Internal("the hashing thread stopped".into())
    }

    fn feed_blocking(&self, bytes: bytes::Bytes) -> Result<()> {
        self.0
            .blocking_send(HashMsg::Data(vec![bytes]))
            .map_err(|_| Self::gone())
    }

    async fn feed(&self, chunks: Vec<bytes::Bytes>) -> Result<()> {
        self.0
            .send(HashMsg::Data(chunks))
            .await
            .map_err(|_| Self::gone())
    }

    async fn reset(&self) -> Result<()> {
        self.0.send(HashMsg::Reset).await.map_err(|_| Self::gone())
    }

    async fn digest(&self) -> Result<String> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.0
            .send(HashMsg::Digest(tx))
            .await
            .map_err(|_| Self::gone())?;
        rx.await.map_err(|_| Self::gone())
    }
}

impl PartialFile {
    /// Opens (or creates) the partial file and hashes what an earlier run left in it.
    fn open(path: &Path, file: &RemoteFile) -> Result<PartialFile> {
        let io = |e| Error::io(format!("opening {}", path.display()), e);
        let handle = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .map_err(io)?;
        match handle.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Conflict(format!(
                    "{} is being downloaded by another process; wait for it to finish",
                    file.path
                )))
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(format!("locking {}", path.display()), e))
            }
        }
        let mut len = handle.metadata().map_err(io)?.len();
        let hasher = HashThread::start();
        if len > file.size {
            handle.set_len(0).map_err(io)?;
            len = 0;
        } else if len > 0 {
            let mut reader = std::fs::File::open(path).map_err(io)?;
            let mut buf = vec![0u8; 1 << 20];
            let mut left = len;
            while left > 0 {
                let want = buf.len().min(left as usize);
                let n = reader.read(&mut buf[..want]).map_err(io)?;
                if n == 0 {
                    break;
                }
                hasher.feed_blocking(bytes::Bytes::copy_from_slice(&buf[..n]))?;
                left -= n as u64;
            }
        }
        Ok(PartialFile {
            path: path.to_path_buf(),
            // Small, so the large chunks hyper hands over go straight to the file without a copy.
            out: std::io::BufWriter::with_capacity(64 * 1024, handle),
            len,
            hasher,
            unhashed: Vec::new(),
            unhashed_len: 0,
            written_back: len,
        })
    }

    async fn append(&mut self, bytes: bytes::Bytes) -> Result<()> {
        self.out
            .write_all(&bytes)
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))?;
        self.len += bytes.len() as u64;
        self.unhashed_len += bytes.len();
        self.unhashed.push(bytes);
        if self.unhashed_len >= HASH_BATCH {
            self.hash_pending().await?;
        }
        if self.len - self.written_back >= WRITEBACK_EVERY {
            self.start_writeback()?;
        }
        Ok(())
    }

    /// Starts (does not wait for) writeback of what was appended since the last call.
    fn start_writeback(&mut self) -> Result<()> {
        self.flush()?;
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd as _;
            let (from, len) = (self.written_back, self.len - self.written_back);
            // SAFETY: the descriptor is open for the lifetime of `self.out`; the call only
            // queues I/O for the given range.
            let rc = unsafe {
                libc::sync_file_range(
                    self.out.get_ref().as_raw_fd(),
                    from as libc::off64_t,
                    len as libc::off64_t,
                    libc::SYNC_FILE_RANGE_WRITE,
                )
            };
            if rc != 0 {
                // Only a hint: file systems without it (some network shares) still get the
                // final fsync.
                tracing::debug!(error = %std::io::Error::last_os_error(), "sync_file_range");
            }
        }
        self.written_back = self.len;
        Ok(())
    }

    async fn hash_pending(&mut self) -> Result<()> {
        if self.unhashed.is_empty() {
            return Ok(());
        }
        self.unhashed_len = 0;
        self.hasher.feed(std::mem::take(&mut self.unhashed)).await
    }

    fn flush(&mut self) -> Result<()> {
        self.out
            .flush()
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))
    }

    async fn reset(&mut self) -> Result<()> {
        self.flush()?;
        self.out
            .get_ref()
            .set_len(0)
            .map_err(|e| Error::io(format!("resetting {}", self.path.display()), e))?;
        self.len = 0;
        self.unhashed.clear();
        self.unhashed_len = 0;
        self.written_back = 0;
        self.hasher.reset().await?;
        Ok(())
    }

    /// `None` when the content is what the Hub said it is; else what is wrong.
    async fn problem(&mut self, file: &RemoteFile) -> Result<Option<String>> {
        if self.len != file.size {
            return Ok(Some(format!("size {}, expected {}", self.len, file.size)));
        }
        let Some(expected) = file.sha256.as_deref() else {
            return Ok(None);
        };
        self.hash_pending().await?;
        let actual = self.hasher.digest().await?;
        Ok((!actual.eq_ignore_ascii_case(expected))
            .then(|| format!("sha256 {actual}, expected {expected}")))
    }

    /// Makes the verified file durable and gives it its final name.
    fn finish(mut self, blob: &Path) -> Result<()> {
        self.flush()?;
        self.out
            .get_ref()
            .sync_all()
            .map_err(|e| Error::io(format!("flushing {}", self.path.display()), e))?;
        let path = self.path.clone();
        drop(self);
        std::fs::rename(&path, blob)
            .map_err(|e| Error::io(format!("finishing {}", blob.display()), e))
    }
}

enum Attempt {
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

fn partial_path(blob: &Path) -> PathBuf {
    let mut name = blob.file_name().unwrap_or_default().to_os_string();
    name.push(".incomplete");
    blob.with_file_name(name)
}

/// `snapshots/<commit>/<path>` → `../../blobs/<etag>` (a relative symlink, as Python makes;
/// a copy where symlinks are not allowed).
fn link_snapshot(blob: &Path, snapshot: &Path) -> Result<()> {
    if let Ok(meta) = std::fs::metadata(snapshot) {
        if meta.len() == std::fs::metadata(blob).map(|m| m.len()).unwrap_or(u64::MAX) {
            return Ok(());
        }
        let _ = std::fs::remove_file(snapshot);
    }
    let dir = snapshot
        .parent()
        .ok_or_else(|| Error::Internal("snapshot path has no parent".into()))?;
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let _ = std::fs::remove_file(snapshot);
    #[cfg(unix)]
    {
        let depth = snapshot
            .strip_prefix(
                blob.parent()
                    .and_then(Path::parent)
                    .unwrap_or(Path::new("")),
            )
            .map(|p| p.components().count().saturating_sub(1))
            .unwrap_or(0);
        let mut target = PathBuf::new();
        for _ in 0..depth {
            target.push("..");
        }
        target.push("blobs");
        target.push(blob.file_name().unwrap_or_default());
        if std::os::unix::fs::symlink(&target, snapshot).is_ok() {
            return Ok(());
        }
    }
    std::fs::copy(blob, snapshot)
        .map_err(|e| Error::io(format!("linking {}", snapshot.display()), e))?;
    Ok(())
}

/// Records `refs/<revision>` → commit, so Python resolves the same snapshot.
pub fn write_ref(
    cache_root: &Path,
    kind: RepoKind,
    repo_id: &str,
    revision: &str,
    commit: &str,
) -> Result<()> {
    // The ref is a file under the cache: a revision that is not a ref name never becomes a path.
    super::validate_revision(revision)?;
    let repo_type = match kind {
        RepoKind::Dataset => hf_hub::RepoType::Dataset,
        RepoKind::Model => hf_hub::RepoType::Model,
    };
    hf_hub::Cache::new(cache_root.to_path_buf())
        .repo(hf_hub::Repo::with_revision(
            repo_id.to_string(),
            repo_type,
            revision.to_string(),
        ))
        .create_ref(commit)
        .map_err(|e| Error::io(format!("writing the cache ref of {repo_id}"), e))
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

    #[test]
    fn unsafe_paths_are_refused() {
        for bad in ["../x", "/etc/passwd", "a/../../b", ""] {
            assert!(checked_relative(bad).is_err(), "{bad}");
        }
        assert!(checked_relative("data/train-00000.parquet").is_ok());
    }

    #[test]
    fn snapshots_link_to_blobs_relatively() {
        let dir = tempfile::tempdir().unwrap();
        let blob = dir.path().join("datasets--a--b/blobs/abc");
        std::fs::create_dir_all(blob.parent().unwrap()).unwrap();
        std::fs::write(&blob, b"hello").unwrap();
        let snap = dir
            .path()
            .join("datasets--a--b/snapshots/c0ffee/data/train.jsonl");
        link_snapshot(&blob, &snap).unwrap();
        assert_eq!(std::fs::read(&snap).unwrap(), b"hello");
        #[cfg(unix)]
        assert_eq!(
            std::fs::read_link(&snap).unwrap(),
            Path::new("../../../blobs/abc")
        );
        assert_eq!(
            repo_cache_dir(Path::new("/c"), RepoKind::Dataset, "org/name"),
            Path::new("/c/datasets--org--name")
        );
    }
}
