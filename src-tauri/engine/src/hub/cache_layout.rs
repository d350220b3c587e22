//! The Hugging Face cache layout, as Python's `huggingface_hub` reads it:
//! `<cache>/datasets--org--name/` holds `blobs/<etag>` (the content), `snapshots/<commit>/<path>`
//! (links to the blobs) and `refs/<revision>` (the commit a revision resolved to).

use super::client::RepoKind;
use super::inspect::RemoteFile;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

fn repo_type(kind: RepoKind) -> hf_hub::RepoType {
    match kind {
        RepoKind::Dataset => hf_hub::RepoType::Dataset,
        RepoKind::Model => hf_hub::RepoType::Model,
    }
}

/// The HF cache folder of one repo.
pub(crate) fn repo_cache_dir(cache_root: &Path, kind: RepoKind, repo_id: &str) -> PathBuf {
    cache_root.join(hf_hub::Repo::new(repo_id.to_string(), repo_type(kind)).folder_name())
}

pub(super) fn blobs_dir(repo_dir: &Path) -> PathBuf {
    repo_dir.join("blobs")
}

/// `blobs/<etag>`, where the file's content is kept once it is complete and verified.
pub(super) fn blob_path(repo_dir: &Path, file: &RemoteFile) -> Result<PathBuf> {
    Ok(blobs_dir(repo_dir).join(etag(file)?))
}

/// `snapshots/<commit>/<path>`, where tools find the file by its name in the repo.
pub(super) fn snapshot_path(repo_dir: &Path, file: &RemoteFile) -> Result<PathBuf> {
    Ok(repo_dir
        .join("snapshots")
        .join(&file.revision)
        .join(checked_relative(&file.path)?))
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

/// `snapshots/<commit>/<path>` → `../../blobs/<etag>` (a relative symlink, as Python makes;
/// a copy where symlinks are not allowed).
pub(super) fn link_snapshot(blob: &Path, snapshot: &Path) -> Result<()> {
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
pub(crate) fn write_ref(
    cache_root: &Path,
    kind: RepoKind,
    repo_id: &str,
    revision: &str,
    commit: &str,
) -> Result<()> {
    // The ref is a file under the cache: a revision that is not a ref name never becomes a path.
    super::validate_revision(revision)?;
    hf_hub::Cache::new(cache_root.to_path_buf())
        .repo(hf_hub::Repo::with_revision(
            repo_id.to_string(),
            repo_type(kind),
            revision.to_string(),
        ))
        .create_ref(commit)
        .map_err(|e| Error::io(format!("writing the cache ref of {repo_id}"), e))
}

#[cfg(test)]
mod tests {
    use super::*;

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
