//! Lock files in the data folder, which other machines may share: a job that writes a dataset
//! holds `locks/<ds>.lock`, naming the machine, the process and when it started, and refreshes
//! it while it works. Another machine sees the dataset as busy and refuses conflicting work.
//!
//! Advisory OS locks (`flock`) are not used: over network shares they are unreliable or not
//! shared between clients at all. A lock is taken by creating the file atomically (a hard link
//! of a complete temp file, which fails if the name exists, also over NFS), so a reader never
//! sees half a lock. A lock is stale, and broken, when its process is gone (same machine) or
//! when it has not been refreshed for [`STALE_AFTER`] (any machine). Breaking renames the file
//! aside and checks it moved the stale lock it judged, so two machines that break the same
//! lock at once cannot both end up holding it.

mod file;
mod owner;
mod process;
mod record;
#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use crate::library::{validate_id, DataRoot, LOCKS_DIR};
use crate::time::now_ms;
use file::{break_lock, create_exclusive, read_lock_file, read_record, replace_lock};
use owner::{age_ms, Owner, Verdict};
use record::LockRecord;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often a holder refreshes its locks.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(20);
/// A lock not refreshed for this long belongs to a machine that stopped or lost the share.
pub const STALE_AFTER: Duration = Duration::from_secs(120);
/// How long a job waits for another process on this machine to let go of its dataset (an app
/// restarted while the previous one is still shutting down).
pub const JOB_PATIENCE: Duration = Duration::from_secs(20);

/// A lock another process holds on a dataset, as the window shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DataLock {
    pub dataset_id: String,
    pub host: String,
    pub pid: u32,
    /// What the holder is doing, e.g. "tokenizing".
    pub purpose: String,
    /// Milliseconds since the epoch, by the holder's clock.
    pub started_at: i64,
    pub heartbeat_at: i64,
    /// Held by another process on this machine rather than by another machine.
    pub same_machine: bool,
    /// Why the lock is stale and will be broken by the next job that needs it, if it is.
    pub stale: Option<String>,
}

struct Held {
    record: LockRecord,
    holders: usize,
}

/// The locks this process holds, and the rules for everyone else's.
pub struct DataLocks {
    owner: Owner,
    held: Mutex<HashMap<PathBuf, Held>>,
}

/// Releases its share of a lock when dropped; the file goes when the last share does.
#[must_use = "the lock is released when the guard is dropped"]
pub struct LockGuard {
    locks: Arc<DataLocks>,
    path: PathBuf,
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        self.locks.release(&self.path);
    }
}

impl std::fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockGuard")
            .field("path", &self.path)
            .finish()
    }
}

impl DataLocks {
    /// The lock keeper of this process; `local_dir` (never shared) keeps this machine's id.
    pub fn new(local_dir: &Path) -> Result<Arc<DataLocks>> {
        Ok(Arc::new(DataLocks {
            owner: Owner::this_process(local_dir)?,
            held: Mutex::new(HashMap::new()),
        }))
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Held>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes (or shares, within this process) the lock on a dataset. Another process's live
    /// lock is a `Conflict` that names its host; a stale one is broken and taken over.
    pub fn acquire(
        self: &Arc<Self>,
        root: &DataRoot,
        dataset_id: &str,
        purpose: &str,
    ) -> Result<LockGuard> {
        validate_id(dataset_id, "ds")?;
        let dir = root.path().join(LOCKS_DIR);
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let path = lock_path(root, dataset_id);
        // Held across the file work, so two tasks of this process never race each other.
        let mut held = self.held();
        if let Some(h) = held.get_mut(&path) {
            h.holders += 1;
            return Ok(self.guard(path));
        }
        for _ in 0..4 {
            let record = LockRecord::new(&self.owner, dataset_id, purpose);
            match create_exclusive(&path, &record) {
                Ok(()) => {
                    tracing::debug!(dataset = dataset_id, purpose, "lock taken");
                    held.insert(path.clone(), Held { record, holders: 1 });
                    return Ok(self.guard(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io(format!("creating {}", path.display()), e)),
            }
            let Some((bytes, modified)) = read_lock_file(&path)? else {
                continue; // released between our attempt and the read
            };
            let verdict = match LockRecord::from_bytes(&bytes) {
                Some(existing) => match self.owner.judge(&existing, modified) {
                    Verdict::Live => return Err(busy_error(&existing)),
                    stale => stale,
                },
                // Written by the fallback path and caught mid-write, or damaged.
                None if age_ms(modified) > STALE_AFTER.as_millis() as i64 => {
                    Verdict::Stale("an unreadable lock file".into())
                }
                None => {
                    return Err(Error::Conflict(format!(
                        "dataset {dataset_id} is being locked by another process right now; try again in a moment"
                    )))
                }
            };
            if let Verdict::Stale(reason) = verdict {
                if break_lock(&path, &bytes)? {
                    tracing::warn!(dataset = dataset_id, reason, "stale lock broken");
                }
            }
        }
        Err(Error::Conflict(format!(
            "dataset {dataset_id} is being locked by other processes again and again; try again in a moment"
        )))
    }

    /// Like [`DataLocks::acquire`], but waits up to `patience` while the holder is another
    /// process on this machine: an app started again while the previous one is still shutting
    /// down gets the lock once that one is gone. Another machine's lock is refused at once.
    pub async fn acquire_patiently(
        self: &Arc<Self>,
        root: &DataRoot,
        dataset_id: &str,
        purpose: &str,
        patience: Duration,
    ) -> Result<LockGuard> {
        let deadline = std::time::Instant::now() + patience;
        loop {
            match self.acquire(root, dataset_id, purpose) {
                Err(Error::Conflict(_))
                    if std::time::Instant::now() < deadline
                        && self.held_on_this_machine(root, dataset_id) =>
                {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                other => return other,
            }
        }
    }

    fn held_on_this_machine(&self, root: &DataRoot, dataset_id: &str) -> bool {
        read_record(&lock_path(root, dataset_id))
            .is_some_and(|r| r.machine_id == self.owner.machine_id)
    }

    /// `Conflict` when another process holds a live lock on the dataset; takes nothing.
    pub fn check_free(&self, root: &DataRoot, dataset_id: &str) -> Result<()> {
        validate_id(dataset_id, "ds")?;
        let path = lock_path(root, dataset_id);
        if self.held().contains_key(&path) {
            return Ok(());
        }
        let Some((bytes, modified)) = read_lock_file(&path)? else {
            return Ok(());
        };
        match LockRecord::from_bytes(&bytes) {
            Some(existing) => match self.owner.judge(&existing, modified) {
                Verdict::Live => Err(busy_error(&existing)),
                Verdict::Stale(_) => Ok(()),
            },
            None => Ok(()),
        }
    }

    /// Every lock in the data folder that this process does not hold.
    pub fn others(&self, root: &DataRoot) -> Vec<DataLock> {
        let dir = root.path().join(LOCKS_DIR);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let ours: Vec<PathBuf> = self.held().keys().cloned().collect();
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(id) = name.strip_suffix(".lock") else {
                continue;
            };
            if validate_id(id, "ds").is_err() || ours.contains(&path) {
                continue;
            }
            let Ok(Some((bytes, modified))) = read_lock_file(&path) else {
                continue;
            };
            let Some(record) = LockRecord::from_bytes(&bytes) else {
                continue;
            };
            let stale = match self.owner.judge(&record, modified) {
                Verdict::Live => None,
                Verdict::Stale(reason) => Some(reason),
            };
            out.push(DataLock {
                dataset_id: id.to_string(),
                host: record.host.clone(),
                pid: record.pid,
                purpose: record.purpose.clone(),
                started_at: record.started_at,
                heartbeat_at: record.heartbeat_at,
                same_machine: record.machine_id == self.owner.machine_id,
                stale,
            });
        }
        out.sort_by(|a, b| a.dataset_id.cmp(&b.dataset_id));
        out
    }

    /// Refreshes every lock this process holds. A lock that another machine broke (this one
    /// was silent too long, e.g. asleep) is not taken back: the other holder keeps it.
    pub fn heartbeat(&self) {
        let mut held = self.held();
        for (path, h) in held.iter_mut() {
            match read_record(path) {
                Some(c) if c.nonce == h.record.nonce => {
                    h.record.heartbeat_at = now_ms();
                    if let Err(e) = replace_lock(path, &h.record) {
                        tracing::warn!(path = %path.display(), error = %e, "could not refresh a lock");
                    }
                }
                Some(other) => tracing::error!(
                    path = %path.display(),
                    host = other.host,
                    "our lock was broken and taken by another process; it keeps it"
                ),
                None => {
                    h.record.heartbeat_at = now_ms();
                    match create_exclusive(path, &h.record) {
                        Ok(()) => {
                            tracing::warn!(path = %path.display(), "our lock had gone; taken again")
                        }
                        Err(e) => {
                            tracing::warn!(path = %path.display(), error = %e, "our lock had gone and could not be taken again")
                        }
                    }
                }
            }
        }
    }

    fn guard(self: &Arc<Self>, path: PathBuf) -> LockGuard {
        LockGuard {
            locks: self.clone(),
            path,
        }
    }

    fn release(&self, path: &Path) {
        let mut held = self.held();
        let Some(h) = held.get_mut(path) else {
            return;
        };
        h.holders -= 1;
        if h.holders > 0 {
            return;
        }
        let record = held.remove(path).map(|h| h.record);
        let still_ours =
            read_record(path).is_some_and(|c| Some(&c.nonce) == record.as_ref().map(|r| &r.nonce));
        if still_ours {
            if let Err(e) = std::fs::remove_file(path) {
                tracing::warn!(path = %path.display(), error = %e, "could not remove a lock");
            }
        }
    }
}

fn busy_error(holder: &LockRecord) -> Error {
    let minutes = (now_ms() - holder.started_at).max(0) / 60_000;
    let since = if minutes == 0 {
        "for less than a minute".to_string()
    } else {
        format!("for {minutes} min")
    };
    Error::Conflict(format!(
        "dataset {} is busy on {} (process {}, {} {since}); wait for it to finish there. If that machine is gone, its lock is released once it has been silent for {} s",
        holder.dataset_id,
        holder.host,
        holder.pid,
        holder.purpose,
        STALE_AFTER.as_secs()
    ))
}

/// `locks/<ds>.lock`, for a dataset id already checked.
fn lock_path(root: &DataRoot, dataset_id: &str) -> PathBuf {
    root.path()
        .join(LOCKS_DIR)
        .join(format!("{dataset_id}.lock"))
}
