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

use crate::error::{Error, Result};
use crate::library::{validate_id, DataRoot, LOCKS_DIR};
use crate::time::now_ms;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
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

const LOCK_FORMAT_VERSION: u32 = 1;
const MACHINE_ID_FILE: &str = "machine-id";

/// What a lock file holds. No paths and no secrets: only who holds it and since when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct LockRecord {
    format_version: u32,
    dataset_id: String,
    host: String,
    /// Tells machines apart even when two share a host name.
    machine_id: String,
    pid: u32,
    /// The process's start time as the OS counts it, where known: a pid reused after a crash
    /// does not keep a dead job's lock alive.
    #[serde(default)]
    process_start: Option<u64>,
    purpose: String,
    started_at: i64,
    heartbeat_at: i64,
    /// Distinguishes this holding from an earlier or later one by the same process.
    nonce: String,
}

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

/// This process, as lock files name it.
#[derive(Debug, Clone)]
struct Owner {
    host: String,
    machine_id: String,
    pid: u32,
    process_start: Option<u64>,
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

enum Verdict {
    Live,
    Stale(String),
}

impl DataLocks {
    /// The lock keeper of this process; `local_dir` (never shared) keeps this machine's id.
    pub fn new(local_dir: &Path) -> Result<Arc<DataLocks>> {
        Ok(Arc::new(DataLocks {
            owner: Owner {
                host: gethostname::gethostname().to_string_lossy().into_owned(),
                machine_id: machine_id(local_dir)?,
                pid: std::process::id(),
                process_start: process_start(std::process::id()),
            },
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
        let path = dir.join(format!("{dataset_id}.lock"));
        // Held across the file work, so two tasks of this process never race each other.
        let mut held = self.held();
        if let Some(h) = held.get_mut(&path) {
            h.holders += 1;
            return Ok(self.guard(path));
        }
        for _ in 0..4 {
            let now = now_ms();
            let record = LockRecord {
                format_version: LOCK_FORMAT_VERSION,
                dataset_id: dataset_id.to_string(),
                host: self.owner.host.clone(),
                machine_id: self.owner.machine_id.clone(),
                pid: self.owner.pid,
                process_start: self.owner.process_start,
                purpose: purpose.to_string(),
                started_at: now,
                heartbeat_at: now,
                nonce: uuid::Uuid::new_v4().simple().to_string(),
            };
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
            let verdict = match serde_json::from_slice::<LockRecord>(&bytes) {
                Ok(existing) => match self.judge(&existing, modified) {
                    Verdict::Live => return Err(busy_error(&existing)),
                    stale => stale,
                },
                // Written by the fallback path and caught mid-write, or damaged.
                Err(_) if age_ms(modified) > STALE_AFTER.as_millis() as i64 => {
                    Verdict::Stale("an unreadable lock file".into())
                }
                Err(_) => {
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
        let path = root
            .path()
            .join(LOCKS_DIR)
            .join(format!("{dataset_id}.lock"));
        read_lock_file(&path)
            .ok()
            .flatten()
            .and_then(|(bytes, _)| serde_json::from_slice::<LockRecord>(&bytes).ok())
            .is_some_and(|r| r.machine_id == self.owner.machine_id)
    }

    /// `Conflict` when another process holds a live lock on the dataset; takes nothing.
    pub fn check_free(&self, root: &DataRoot, dataset_id: &str) -> Result<()> {
        validate_id(dataset_id, "ds")?;
        let path = root
            .path()
            .join(LOCKS_DIR)
            .join(format!("{dataset_id}.lock"));
        if self.held().contains_key(&path) {
            return Ok(());
        }
        let Some((bytes, modified)) = read_lock_file(&path)? else {
            return Ok(());
        };
        match serde_json::from_slice::<LockRecord>(&bytes) {
            Ok(existing) => match self.judge(&existing, modified) {
                Verdict::Live => Err(busy_error(&existing)),
                Verdict::Stale(_) => Ok(()),
            },
            Err(_) => Ok(()),
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
            let Ok(record) = serde_json::from_slice::<LockRecord>(&bytes) else {
                continue;
            };
            let stale = match self.judge(&record, modified) {
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
            let current = read_lock_file(path)
                .ok()
                .flatten()
                .and_then(|(bytes, _)| serde_json::from_slice::<LockRecord>(&bytes).ok());
            match current {
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
        let still_ours = read_lock_file(path)
            .ok()
            .flatten()
            .and_then(|(bytes, _)| serde_json::from_slice::<LockRecord>(&bytes).ok())
            .is_some_and(|c| Some(&c.nonce) == record.as_ref().map(|r| &r.nonce));
        if still_ours {
            if let Err(e) = std::fs::remove_file(path) {
                tracing::warn!(path = %path.display(), error = %e, "could not remove a lock");
            }
        }
    }

    fn judge(&self, record: &LockRecord, modified: Option<std::time::SystemTime>) -> Verdict {
        if record.machine_id == self.owner.machine_id {
            if record.pid == self.owner.pid && record.process_start == self.owner.process_start {
                // This process holds no such lock (it would have been shared above): a
                // leftover of a holding whose release could not delete the file.
                return Verdict::Stale("left behind by this process".into());
            }
            if !process_alive(record.pid, record.process_start) {
                return Verdict::Stale(format!("process {} on this machine is gone", record.pid));
            }
        }
        // The file's modification time comes from the file server's clock, the heartbeat from
        // the holder's: the later of the two keeps a live holder with a skewed clock alive.
        let last = record
            .heartbeat_at
            .max(modified.map(system_ms).unwrap_or(0));
        let silent = now_ms() - last;
        if silent > STALE_AFTER.as_millis() as i64 {
            Verdict::Stale(format!(
                "no heartbeat from {} for {} s",
                record.host,
                silent / 1000
            ))
        } else {
            Verdict::Live
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

fn system_ms(t: std::time::SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn age_ms(modified: Option<std::time::SystemTime>) -> i64 {
    modified
        .map(|m| now_ms() - system_ms(m))
        .unwrap_or(i64::MAX)
}

/// The lock's bytes and modification time, or `None` when there is no lock.
fn read_lock_file(path: &Path) -> Result<Option<(Vec<u8>, Option<std::time::SystemTime>)>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            Ok(Some((bytes, modified)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
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

fn write_synced(path: &Path, bytes: &[u8], create_new: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn record_bytes(record: &LockRecord) -> std::io::Result<Vec<u8>> {
    serde_json::to_vec_pretty(record).map_err(std::io::Error::other)
}

/// Creates the lock file with its whole content at once, failing with `AlreadyExists` if the
/// name is taken. A hard link is atomic and exclusive on local disks and on NFS; file systems
/// without links (some shares) fall back to an exclusive create and then a write.
fn create_exclusive(path: &Path, record: &LockRecord) -> std::io::Result<()> {
    let bytes = record_bytes(record)?;
    let temp = temp_beside(path, "new");
    write_synced(&temp, &bytes, true)?;
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => write_synced(path, &bytes, true),
    }
}

/// Rewrites a lock this process holds (temp file, fsync, rename), so readers see the old
/// content or the new, never a mix.
fn replace_lock(path: &Path, record: &LockRecord) -> std::io::Result<()> {
    let temp = temp_beside(path, "beat");
    write_synced(&temp, &record_bytes(record)?, true)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

/// Moves a stale lock out of the way. Returns whether the file moved was the stale one judged:
/// if another process broke it first and took the lock, its new lock is put back.
fn break_lock(path: &Path, judged: &[u8]) -> Result<bool> {
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

/// This machine's id, kept beside the local database: host names are not unique.
fn machine_id(local_dir: &Path) -> Result<String> {
    let path = local_dir.join(MACHINE_ID_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let id = text.trim();
        if !id.is_empty() {
            return Ok(id.to_string());
        }
    }
    std::fs::create_dir_all(local_dir)
        .map_err(|e| Error::io(format!("creating {}", local_dir.display()), e))?;
    let id = uuid::Uuid::new_v4().simple().to_string();
    crate::library::write_atomic(&path, id.as_bytes())?;
    Ok(id)
}

/// A process's state letter and start time (clock ticks since boot) from `/proc/<pid>/stat`.
#[cfg(target_os = "linux")]
fn proc_stat(pid: u32) -> Option<(String, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: count fields after it.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.to_string();
    let start = fields.nth(18)?.parse().ok()?;
    Some((state, start))
}

/// When the process started, in clock ticks since boot (Linux); `None` where unknown.
fn process_start(pid: u32) -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        proc_stat(pid).map(|(_, start)| start)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        None
    }
}

/// Whether the process that wrote a lock on this machine still runs.
fn process_alive(pid: u32, started: Option<u64>) -> bool {
    #[cfg(target_os = "linux")]
    {
        if Path::new("/proc/self/stat").exists() {
            return match proc_stat(pid) {
                None => false,
                // A zombie (killed, not yet reaped by its parent) holds nothing any more.
                Some((state, _)) if state == "Z" || state == "X" => false,
                // The same pid with another start time is another process.
                Some((_, now)) => started.is_none_or(|s| s == now),
            };
        }
    }
    #[cfg(unix)]
    {
        let _ = started;
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // Signal 0 checks existence; EPERM means it exists under another user.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        // Without a portable check, only the heartbeat timeout breaks the lock.
        let _ = (pid, started);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> (tempfile::TempDir, DataRoot) {
        let dir = tempfile::tempdir().unwrap();
        let root = DataRoot::prepare(&dir.path().join("data")).unwrap();
        (dir, root)
    }

    fn locks(dir: &Path, name: &str) -> Arc<DataLocks> {
        DataLocks::new(&dir.join(name)).unwrap()
    }

    fn lock_path(root: &DataRoot, ds: &str) -> PathBuf {
        root.path().join(LOCKS_DIR).join(format!("{ds}.lock"))
    }

    fn rewrite(root: &DataRoot, ds: &str, edit: impl FnOnce(&mut serde_json::Value)) {
        let path = lock_path(root, ds);
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        edit(&mut v);
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    }

    #[test]
    fn a_lock_is_shared_within_a_process_and_refused_to_another() {
        let (dir, root) = root();
        let a = locks(dir.path(), "a");
        let first = a.acquire(&root, "ds_one", "tokenizing").unwrap();
        let second = a.acquire(&root, "ds_one", "deleting").unwrap();
        assert!(lock_path(&root, "ds_one").exists());

        // Another machine (its own local folder, so its own machine id) sees it as busy.
        let b = locks(dir.path(), "b");
        let e = b.acquire(&root, "ds_one", "tokenizing").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Conflict);
        let host = gethostname::gethostname().to_string_lossy().into_owned();
        assert!(e.to_string().contains(&format!("busy on {host}")), "{e}");
        assert!(b.check_free(&root, "ds_one").is_err());
        let seen = b.others(&root);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].purpose, "tokenizing");
        assert!(seen[0].stale.is_none());
        assert!(
            a.others(&root).is_empty(),
            "a process does not list its own locks"
        );

        drop(first);
        assert!(
            lock_path(&root, "ds_one").exists(),
            "still held by the second share"
        );
        drop(second);
        assert!(!lock_path(&root, "ds_one").exists());
        let taken = b.acquire(&root, "ds_one", "tokenizing").unwrap();
        drop(taken);
        assert!(
            std::fs::read_dir(root.path().join(LOCKS_DIR))
                .unwrap()
                .next()
                .is_none(),
            "no temp files are left behind"
        );
    }

    #[test]
    fn a_silent_lock_from_another_machine_is_broken() {
        let (dir, root) = root();
        let a = locks(dir.path(), "a");
        std::mem::forget(a.acquire(&root, "ds_one", "downloading").unwrap());
        let b = locks(dir.path(), "b");
        // Silent for just under the timeout: still live.
        let almost = now_ms() - STALE_AFTER.as_millis() as i64 + 10_000;
        rewrite(&root, "ds_one", |v| v["heartbeat_at"] = almost.into());
        set_mtime(&lock_path(&root, "ds_one"), almost);
        assert!(b.acquire(&root, "ds_one", "tokenizing").is_err());
        // Past it: broken and taken over.
        let old = now_ms() - STALE_AFTER.as_millis() as i64 - 10_000;
        rewrite(&root, "ds_one", |v| v["heartbeat_at"] = old.into());
        set_mtime(&lock_path(&root, "ds_one"), old);
        assert!(b.others(&root)[0]
            .stale
            .as_deref()
            .unwrap()
            .contains("no heartbeat"));
        let taken = b.acquire(&root, "ds_one", "tokenizing").unwrap();
        let record: LockRecord =
            serde_json::from_slice(&std::fs::read(lock_path(&root, "ds_one")).unwrap()).unwrap();
        assert_eq!(record.purpose, "tokenizing");
        drop(taken);
    }

    #[test]
    fn a_lock_of_a_dead_process_on_this_machine_is_broken_at_once() {
        let (dir, root) = root();
        let a = locks(dir.path(), "a");
        std::mem::forget(a.acquire(&root, "ds_one", "tokenizing").unwrap());
        // The same machine (same local folder), a process that no longer runs.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        rewrite(&root, "ds_one", |v| v["pid"] = dead.into());
        let again = locks(dir.path(), "a");
        let guard = again.acquire(&root, "ds_one", "tokenizing").unwrap();
        drop(guard);

        // A killed process its parent has not reaped yet (a zombie) holds nothing either.
        let zombie = std::process::Command::new("true").spawn().unwrap();
        let zombie_pid = zombie.id();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::fs::read_to_string(format!("/proc/{zombie_pid}/stat"))
            .map(|s| !s.contains(") Z"))
            .unwrap_or(false)
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the child never exited"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        std::mem::forget(a.acquire(&root, "ds_three", "tokenizing").unwrap());
        rewrite(&root, "ds_three", |v| {
            v["pid"] = zombie_pid.into();
            v["process_start"] = process_start(zombie_pid).into();
        });
        drop(again.acquire(&root, "ds_three", "tokenizing").unwrap());
        drop(zombie); // reaped when the test process ends

        // A live pid with another start time is a reused pid: also stale.
        std::mem::forget(a.acquire(&root, "ds_two", "tokenizing").unwrap());
        rewrite(&root, "ds_two", |v| {
            v["pid"] = 1.into();
            v["process_start"] = 123_456_789_u64.into();
        });
        if Path::new("/proc/1/stat").exists() {
            assert!(again.acquire(&root, "ds_two", "tokenizing").is_ok());
        }
    }

    #[test]
    fn heartbeats_keep_a_lock_fresh_and_a_broken_lock_is_not_taken_back() {
        let (dir, root) = root();
        let a = locks(dir.path(), "a");
        let guard = a.acquire(&root, "ds_one", "tokenizing").unwrap();
        let old = now_ms() - 3_600_000;
        rewrite(&root, "ds_one", |v| v["heartbeat_at"] = old.into());
        a.heartbeat();
        let record: LockRecord =
            serde_json::from_slice(&std::fs::read(lock_path(&root, "ds_one")).unwrap()).unwrap();
        assert!(record.heartbeat_at > old + 3_000_000);

        // Another machine took it over after a long silence: ours is not restored over it.
        rewrite(&root, "ds_one", |v| {
            v["nonce"] = "someone-else".into();
            v["machine_id"] = "other".into();
        });
        a.heartbeat();
        drop(guard);
        let record: LockRecord =
            serde_json::from_slice(&std::fs::read(lock_path(&root, "ds_one")).unwrap()).unwrap();
        assert_eq!(
            record.nonce, "someone-else",
            "a release leaves another holder's lock"
        );
    }

    #[tokio::test]
    async fn a_job_waits_for_a_process_of_this_machine_but_not_for_another_machine() {
        let (dir, root) = root();
        let a = locks(dir.path(), "a");
        std::mem::forget(a.acquire(&root, "ds_one", "downloading").unwrap());
        // Held by another live process of this machine: a child that will exit soon.
        let mut child = std::process::Command::new("sleep")
            .arg("1")
            .spawn()
            .unwrap();
        let pid = child.id();
        rewrite(&root, "ds_one", |v| {
            v["pid"] = pid.into();
            v["process_start"] = process_start(pid).into();
        });
        let waiter = std::thread::spawn(move || child.wait());
        let again = locks(dir.path(), "a");
        let started = std::time::Instant::now();
        assert!(
            again.acquire(&root, "ds_one", "downloading").is_err(),
            "busy at first"
        );
        let guard = again
            .acquire_patiently(&root, "ds_one", "downloading", Duration::from_secs(20))
            .await
            .unwrap();
        assert!(started.elapsed() >= Duration::from_millis(500), "it waited");
        waiter.join().unwrap().unwrap();
        drop(guard);

        // Another machine's lock: refused at once, however patient.
        std::mem::forget(a.acquire(&root, "ds_two", "tokenizing").unwrap());
        let b = locks(dir.path(), "b");
        let started = std::time::Instant::now();
        let e = b
            .acquire_patiently(&root, "ds_two", "tokenizing", Duration::from_secs(20))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Conflict);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn a_half_written_lock_is_busy_until_it_is_old() {
        let (dir, root) = root();
        std::fs::create_dir_all(root.path().join(LOCKS_DIR)).unwrap();
        let path = lock_path(&root, "ds_one");
        std::fs::write(&path, b"{\"format_version\":1,\"dataset_id\":\"ds_o").unwrap();
        let b = locks(dir.path(), "b");
        let e = b.acquire(&root, "ds_one", "tokenizing").unwrap_err();
        assert!(e.to_string().contains("being locked"), "{e}");
        set_mtime(&path, now_ms() - STALE_AFTER.as_millis() as i64 - 1_000);
        drop(b.acquire(&root, "ds_one", "tokenizing").unwrap());
    }

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

    fn set_mtime(path: &Path, ms: i64) {
        let t = std::time::UNIX_EPOCH + Duration::from_millis(ms as u64);
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(t)
            .unwrap();
    }
}
