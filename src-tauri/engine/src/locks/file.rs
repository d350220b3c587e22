//! The lock file on disk: created whole in one step, rewritten atomically, read, and broken by
//! renaming it aside. Temp files sit beside the lock, so every rename and link stays within
//! one folder of the share.

use super::record::LockRecord;
use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The lock's bytes and modification time, or `None` when there is no lock.
pub(super) fn read_lock_file(path: &Path) -> Result<Option<(Vec<u8>, Option<SystemTime>)>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            Ok(Some((bytes, modified)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
}

/// The lock's record, or `None` when there is none that can be read.
pub(super) fn read_record(path: &Path) -> Option<LockRecord> {
    read_lock_file(path)
        .ok()
        .flatten()
        .and_then(|(bytes, _)| LockRecord::from_bytes(&bytes))
}

fn temp_beside(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(
        ".{name}.{what}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ))
}

fn write_new_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Creates the lock file with its whole content at once, failing with `AlreadyExists` if the
/// name is taken. A hard link is atomic and exclusive on local disks and on NFS; file systems
/// without links (some shares) fall back to an exclusive create and then a write.
pub(super) fn create_exclusive(path: &Path, record: &LockRecord) -> std::io::Result<()> {
    let bytes = record.to_bytes()?;
    let temp = temp_beside(path, "new");
    write_new_synced(&temp, &bytes)?;
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => write_new_synced(path, &bytes),
    }
}

/// Rewrites a lock this process holds (temp file, fsync, rename), so readers see the old
/// content or the new, never a mix.
pub(super) fn replace_lock(path: &Path, record: &LockRecord) -> std::io::Result<()> {
    let temp = temp_beside(path, "beat");
    write_new_synced(&temp, &record.to_bytes()?)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// Moves a stale lock out of the way. Returns whether the file moved was the stale one judged:
/// if another process broke it first and took the lock, its new lock is put back.
pub(super) fn break_lock(path: &Path, judged: &[u8]) -> Result<bool> {
    let aside = temp_beside(path, "broken");
    match std::fs::rename(path, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            return Err(Error::io(
                format!("breaking the stale lock {}", path.display()),
                e,
            ))
        }
    }
    let moved = std::fs::read(&aside).unwrap_or_default();
    if moved == judged {
        let _ = std::fs::remove_file(&aside);
        return Ok(true);
    }
    // Not the lock we judged: restore it unless its name was taken again meanwhile.
    let _ = std::fs::hard_link(&aside, path).or_else(|_| std::fs::rename(&aside, path));
    let _ = std::fs::remove_file(&aside);
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locks::tests::{lock_path, locks, root};

    #[test]
    fn breaking_restores_a_lock_that_is_not_the_one_judged() {
        let (dir, root) = root();
        let a = locks(dir.path(), "a");
        std::mem::forget(a.acquire(&root, "ds_one", "tokenizing").unwrap());
        let path = lock_path(&root, "ds_one");
        let fresh = std::fs::read(&path).unwrap();
        assert!(!break_lock(&path, b"some older content").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), fresh);
        assert!(break_lock(&path, &fresh).unwrap());
        assert!(!path.exists());
    }
}
