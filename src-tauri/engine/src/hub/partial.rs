//! A download in progress: `blobs/<etag>.incomplete`, appended to as bytes arrive, kept across
//! cancels, crashes and restarts so the next attempt resumes from its length, and verified
//! (size, and sha256 for LFS files) before it becomes the blob.

use super::inspect::RemoteFile;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Where the download of `blob` is kept until it is complete.
pub(super) fn partial_path(blob: &Path) -> PathBuf {
    let mut name = blob.file_name().unwrap_or_default().to_os_string();
    name.push(".incomplete");
    blob.with_file_name(name)
}

/// A `blobs/<etag>.incomplete` file being appended to, locked against other processes, with the
/// running sha256 of its content so a finished file is verified without reading it again.
pub(super) struct PartialFile {
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
    /// Bytes on disk so far.
    pub(super) fn len(&self) -> u64 {
        self.len
    }

    /// Opens (or creates) the partial file and hashes what an earlier run left in it.
    pub(super) fn open(path: &Path, file: &RemoteFile) -> Result<PartialFile> {
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

    pub(super) async fn append(&mut self, bytes: bytes::Bytes) -> Result<()> {
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

    pub(super) fn flush(&mut self) -> Result<()> {
        self.out
            .flush()
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))
    }

    pub(super) async fn reset(&mut self) -> Result<()> {
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
    pub(super) async fn problem(&mut self, file: &RemoteFile) -> Result<Option<String>> {
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
    pub(super) fn finish(mut self, blob: &Path) -> Result<()> {
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
