//! A remote parquet file's footer — its row groups, their rows and where their bytes end — read
//! with one or two small Range requests from the end of the file, and kept in a folder keyed
//! by the file's content hash, so a second dry run or the download after it asks nothing.
//! That is what lets a row budget fetch only the shards, and the row groups, that hold its rows.

use super::client::{
    check_status, is_transient_status, network_error, redirect_target, retry_after, HubClient,
    RepoKind,
};
use super::download::RetryPolicy;
use super::inspect::RemoteFile;
use crate::error::{Error, Result};
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};
use reqwest::header::RANGE;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The first read from the end: the footer of a shard with a handful of row groups in one small
/// request; a bigger footer takes exactly one more. Small, because a share of a split without
/// stated rows reads every shard's footer.
const TAIL_GUESS: u64 = 4 << 10;
/// `<metadata length: u32 LE>PAR1` closes every parquet file.
const FOOTER_TAIL: u64 = 8;
/// A footer larger than this is not a dataset shard we want to read over the network.
const MAX_FOOTER: u64 = 64 << 20;

/// What the download needs of a footer: the rows and the end offset of every row group.
#[derive(Debug, Clone)]
pub struct ParquetLayout {
    pub metadata: Arc<ParquetMetaData>,
    /// The raw metadata bytes, as stored in the cache (a prefix read decodes them again).
    pub cache_file: PathBuf,
}

impl ParquetLayout {
    pub fn num_rows(&self) -> u64 {
        self.metadata.file_metadata().num_rows().max(0) as u64
    }

    pub fn row_group_rows(&self) -> impl Iterator<Item = u64> + '_ {
        self.metadata
            .row_groups()
            .iter()
            .map(|g| g.num_rows().max(0) as u64)
    }

    /// The byte just past the last column chunk of the first `groups` row groups: fetching
    /// `[0, end)` makes those groups readable with the footer kept beside them.
    pub fn prefix_end(&self, groups: usize) -> u64 {
        self.metadata
            .row_groups()
            .iter()
            .take(groups)
            .flat_map(|g| g.columns())
            .map(|c| {
                let (start, len) = c.byte_range();
                start + len
            })
            .max()
            .unwrap_or(4)
    }
}

/// Footers by content hash, under the data folder (they are small and shared by every machine
/// of a shared folder).
#[derive(Debug, Clone)]
pub struct FooterCache {
    dir: PathBuf,
}

impl FooterCache {
    pub fn new(data_root: &Path) -> Self {
        FooterCache {
            dir: data_root.join("cache").join("parquet-footers"),
        }
    }

    /// Where the footer of `file` is kept.
    pub fn cached_path(&self, file: &RemoteFile) -> Result<PathBuf> {
        let key = file.sha256.as_deref().unwrap_or(&file.oid);
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(Error::Network(format!(
                "the Hub listed {} without a usable content hash ({key:?})",
                file.path
            )));
        }
        Ok(self.dir.join(format!("{key}.footer")))
    }

    fn load(&self, path: &Path, file: &RemoteFile) -> Option<ParquetLayout> {
        let bytes = std::fs::read(path).ok()?;
        match ParquetMetaDataReader::decode_metadata(&bytes) {
            Ok(meta) => Some(ParquetLayout {
                metadata: Arc::new(meta),
                cache_file: path.to_path_buf(),
            }),
            Err(e) => {
                // A damaged cache entry is only a cache miss.
                tracing::warn!(file = %file.path, error = %e, "cached parquet footer unreadable; reading it again");
                None
            }
        }
    }

    fn store(&self, path: &Path, metadata: &[u8]) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| Error::io(format!("creating {}", self.dir.display()), e))?;
        crate::library::write_atomic(path, metadata)
    }

    /// The footer of `file`: from the cache, else from `local` (the complete file in the HF
    /// cache), else with Range requests to the Hub.
    pub async fn layout(
        &self,
        client: &HubClient,
        kind: RepoKind,
        repo_id: &str,
        file: &RemoteFile,
        local: Option<&Path>,
    ) -> Result<ParquetLayout> {
        let path = self.cached_path(file)?;
        if let Some(layout) = self.load(&path, file) {
            return Ok(layout);
        }
        let metadata = match local {
            Some(local) => read_local_footer(local, file)?,
            None => fetch_footer(client, kind, repo_id, file).await?,
        };
        let decoded = ParquetMetaDataReader::decode_metadata(&metadata).map_err(|e| {
            Error::Corrupt(format!(
                "{} of {repo_id} has an unreadable parquet footer ({e}); it cannot be read in parts — leave out --rows or exclude the file",
                file.path
            ))
        })?;
        self.store(&path, &metadata)?;
        Ok(ParquetLayout {
            metadata: Arc::new(decoded),
            cache_file: path,
        })
    }
}

/// The metadata bytes (without the 8-byte tail) of a file on disk.
fn read_local_footer(path: &Path, file: &RemoteFile) -> Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e| Error::io(format!("reading {}", path.display()), e);
    let mut f = std::fs::File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    let mut tail = [0u8; FOOTER_TAIL as usize];
    if len < 12 {
        return Err(not_parquet(file));
    }
    f.seek(SeekFrom::Start(len - FOOTER_TAIL)).map_err(io)?;
    f.read_exact(&mut tail).map_err(io)?;
    let meta_len = metadata_len(&tail, file, len)?;
    let mut buf = vec![0u8; meta_len as usize];
    f.seek(SeekFrom::Start(len - FOOTER_TAIL - meta_len))
        .map_err(io)?;
    f.read_exact(&mut buf).map_err(io)?;
    Ok(buf)
}

fn not_parquet(file: &RemoteFile) -> Error {
    Error::Corrupt(format!(
        "{} does not end like a parquet file; its rows cannot be counted — leave out --rows or exclude the file",
        file.path
    ))
}

fn metadata_len(tail: &[u8], file: &RemoteFile, file_len: u64) -> Result<u64> {
    if tail.len() < 8 || &tail[tail.len() - 4..] != b"PAR1" {
        return Err(not_parquet(file));
    }
    let n = tail.len();
    let len = u32::from_le_bytes([tail[n - 8], tail[n - 7], tail[n - 6], tail[n - 5]]) as u64;
    if len + FOOTER_TAIL + 4 > file_len || len > MAX_FOOTER {
        return Err(not_parquet(file));
    }
    Ok(len)
}

async fn fetch_footer(
    client: &HubClient,
    kind: RepoKind,
    repo_id: &str,
    file: &RemoteFile,
) -> Result<Vec<u8>> {
    if file.size < 12 {
        return Err(not_parquet(file));
    }
    let url = client.resolve_url(kind, repo_id, &file.revision, &file.path);
    let first = TAIL_GUESS.min(file.size);
    let tail = fetch_range(client, &url, kind, repo_id, file, file.size - first).await?;
    let meta_len = metadata_len(&tail, file, file.size)?;
    let have = tail.len() as u64 - FOOTER_TAIL;
    if meta_len <= have {
        let start = (have - meta_len) as usize;
        return Ok(tail[start..start + meta_len as usize].to_vec());
    }
    // A footer bigger than the first guess: one more request for exactly the rest.
    let start = file.size - FOOTER_TAIL - meta_len;
    let whole = fetch_range(client, &url, kind, repo_id, file, start).await?;
    Ok(whole[..meta_len as usize].to_vec())
}

/// The bytes from `start` to the end of the file, retried with back-off (rate limits, 5xx,
/// broken or short bodies) as file downloads are.
async fn fetch_range(
    client: &HubClient,
    url: &str,
    kind: RepoKind,
    repo_id: &str,
    file: &RemoteFile,
    start: u64,
) -> Result<Vec<u8>> {
    let policy = RetryPolicy::default();
    let mut failures = 0u32;
    loop {
        match fetch_range_once(client, url, kind, repo_id, file, start).await {
            Ok(bytes) => return Ok(bytes),
            Err(Retry::Fatal(e)) => return Err(e),
            Err(Retry::Transient(e, wait)) => {
                failures += 1;
                if failures >= policy.max_attempts {
                    return Err(e);
                }
                tracing::info!(file = %file.path, error = %e, "footer read failed; retrying");
                tokio::time::sleep(policy.delay(failures - 1, wait)).await;
            }
        }
    }
}

enum Retry {
    Fatal(Error),
    Transient(Error, Option<std::time::Duration>),
}

/// One bounded Range request, following the Hub's redirects to its file storage.
async fn fetch_range_once(
    client: &HubClient,
    url: &str,
    kind: RepoKind,
    repo_id: &str,
    file: &RemoteFile,
    start: u64,
) -> std::result::Result<Vec<u8>, Retry> {
    let transient = |e: Error| Retry::Transient(e, None);
    let mut target = url.to_string();
    for _ in 0..5 {
        let req = client
            .http()
            .get(&target)
            .header(RANGE, format!("bytes={start}-{}", file.size - 1));
        let resp = client
            .authorize(&target, req)
            .send()
            .await
            .map_err(|e| transient(network_error(&target, &e)))?;
        if resp.status().is_redirection() {
            target = redirect_target(&target, &resp).map_err(Retry::Fatal)?;
            continue;
        }
        let status = resp.status();
        let wait = retry_after(resp.headers());
        let resp = check_status(resp, kind, repo_id, Some(&file.revision), Some(&file.path))
            .await
            .map_err(|e| {
                if is_transient_status(status) {
                    Retry::Transient(e, wait)
                } else {
                    Retry::Fatal(e)
                }
            })?;
        let partial = resp.status() == reqwest::StatusCode::PARTIAL_CONTENT;
        let body = resp
            .bytes()
            .await
            .map_err(|e| transient(network_error(&target, &e)))?;
        let want = (file.size - start) as usize;
        // A server that ignores Range sends the whole file; its tail is what was asked.
        let bytes = if partial {
            body.to_vec()
        } else if body.len() as u64 == file.size {
            body[start as usize..].to_vec()
        } else {
            vec![]
        };
        if bytes.len() != want {
            return Err(transient(Error::Network(format!(
                "the Hub sent {} bytes of the footer of {} where {want} were asked; retry later",
                bytes.len(),
                file.path
            ))));
        }
        return Ok(bytes);
    }
    Err(Retry::Fatal(Error::Network(format!(
        "too many redirects reading the footer of {}",
        file.path
    ))))
}
