//! Following the data folder while the app runs: when another process (another machine on a
//! shared folder, or the CLI here) adds, changes or removes a manifest, the index is rescanned;
//! when a lock file comes or goes, the window is told so it can show what is busy.
//!
//! Local file systems report changes (inotify, FSEvents, ReadDirectoryChangesW). Network file
//! systems do not report changes made by other clients, so there the folder is polled: a cheap
//! walk of the manifests' and locks' names, sizes and modification times.

use crate::events::EngineEvent;
use crate::library::{DataRoot, DATASETS_DIR, LOCKS_DIR, TOKENIZERS_DIR};
use crate::Engine;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Weak;
use std::time::Duration;

/// How the folder is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// The OS reports changes.
    Notify,
    /// The folder is walked every interval.
    Poll(Duration),
}

/// How often a network folder is walked.
pub const POLL_INTERVAL: Duration = Duration::from_secs(5);
/// Changes that arrive together are handled once, after things have been quiet this long.
const SETTLE: Duration = Duration::from_millis(300);

/// Polling for network file systems (and any whose kind cannot be read), notify for the rest.
pub fn mode_for(path: &Path) -> WatchMode {
    if is_network_file_system(path) {
        WatchMode::Poll(POLL_INTERVAL)
    } else {
        WatchMode::Notify
    }
}

#[cfg(target_os = "linux")]
fn is_network_file_system(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return true;
    };
    let mut stat: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid NUL-terminated path and a zeroed struct of the right type.
    if unsafe { libc::statfs(c_path.as_ptr(), &mut stat) } != 0 {
        return true;
    }
    // Kernel magic numbers (linux/magic.h and the file systems' own headers) of shares and
    // of FUSE, through which sshfs, rclone and the sync clients mount remote folders.
    const REMOTE: [u64; 10] = [
        0x6969,      // NFS
        0x517B,      // SMB
        0xFF53_4D42, // CIFS
        0xFE53_4D42, // SMB2
        0x6573_5546, // FUSE
        0x0102_1997, // 9P
        0x00C3_6400, // Ceph
        0x7375_7245, // Coda
        0x5346_414F, // AFS
        0x0BD0_0BD0, // Lustre
    ];
    // Masked: the field is 32 bits wide on some targets and sign-extends there.
    REMOTE.contains(&((stat.f_type as u64) & 0xFFFF_FFFF))
}

#[cfg(not(target_os = "linux"))]
fn is_network_file_system(_path: &Path) -> bool {
    // Without a portable way to tell, notify is used; the focus and button rescans cover
    // shares there.
    false
}

/// What changed since the last look.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Changes {
    manifests: bool,
    locks: bool,
}

impl Changes {
    fn any(self) -> bool {
        self.manifests || self.locks
    }

    fn of_path(root: &Path, path: &Path) -> Changes {
        let Ok(rel) = path.strip_prefix(root) else {
            return Changes::default();
        };
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
        let first = parts.next();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match first.as_deref() {
            Some(LOCKS_DIR) => Changes {
                locks: name.ends_with(".lock"),
                manifests: false,
            },
            Some(DATASETS_DIR) | Some(TOKENIZERS_DIR) => {
                let depth = rel.components().count();
                Changes {
                    // A manifest written, replaced or removed, or a whole dataset, tokenizer or
                    // tokenization folder removed; data files being written are not of interest.
                    manifests: name == "manifest.json"
                        || name == crate::tokenize::MISTUDIO_FILE
                        || (matches!(depth, 2 | 4) && !path.exists()),
                    locks: false,
                }
            }
            _ => Changes::default(),
        }
    }
}

/// Fingerprints of what polling compares: names, sizes and times of manifests and locks.
fn fingerprint(root: &Path) -> (u64, u64) {
    fn entries(dir: &Path) -> Vec<std::fs::DirEntry> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .map(|r| r.flatten().collect())
            .unwrap_or_default();
        v.sort_by_key(|e| e.file_name());
        v
    }
    fn add_file(h: &mut std::collections::hash_map::DefaultHasher, path: &Path) {
        if let Ok(m) = std::fs::metadata(path) {
            path.hash(h);
            m.len().hash(h);
            m.modified().ok().hash(h);
        }
    }
    let mut manifests = std::collections::hash_map::DefaultHasher::new();
    for ds in entries(&root.join(DATASETS_DIR)) {
        let dir = ds.path();
        add_file(&mut manifests, &dir.join("manifest.json"));
        for tok in entries(&dir.join("tokenized")) {
            add_file(
                &mut manifests,
                &tok.path().join(crate::tokenize::MISTUDIO_FILE),
            );
        }
    }
    for tk in entries(&root.join(TOKENIZERS_DIR)) {
        add_file(&mut manifests, &tk.path().join("manifest.json"));
    }
    let mut locks = std::collections::hash_map::DefaultHasher::new();
    for lock in entries(&root.join(LOCKS_DIR)) {
        add_file(&mut locks, &lock.path());
    }
    (manifests.finish(), locks.finish())
}

/// Follows the data folder until the engine is dropped (see [`Engine::watch_data_folder`]).
pub(crate) async fn follow(engine: Weak<Engine>, mode: Option<WatchMode>) {
    loop {
        let Some(root) = engine.upgrade().map(|e| e.data_root()) else {
            return;
        };
        let mode = mode.unwrap_or_else(|| mode_for(root.path()));
        tracing::info!(folder = %root.path().display(), ?mode, "watching the data folder");
        let followed = match mode {
            WatchMode::Notify => match follow_notify(&engine, &root).await {
                Ok(followed) => followed,
                Err(e) => {
                    tracing::warn!(error = %e, "the data folder cannot be watched; polling it");
                    follow_poll(&engine, &root, POLL_INTERVAL).await
                }
            },
            WatchMode::Poll(interval) => follow_poll(&engine, &root, interval).await,
        };
        if !followed {
            return;
        }
    }
}

async fn apply_changes(engine: &Engine, changes: Changes) {
    if changes.manifests {
        if let Err(e) = engine.rescan().await {
            tracing::warn!(error = %e, "rescan after a change in the data folder failed");
        }
    }
    if changes.locks {
        engine.sink.emit(EngineEvent::LocksChanged);
    }
}

/// Whether the engine still lives and uses `root`.
fn still_on(engine: &Weak<Engine>, root: &DataRoot) -> Option<std::sync::Arc<Engine>> {
    engine.upgrade().filter(|e| &e.data_root() == root)
}

/// Returns `true` when the folder changed in the settings, `false` when the engine is gone.
async fn follow_poll(engine: &Weak<Engine>, root: &DataRoot, interval: Duration) -> bool {
    let path = root.path().to_path_buf();
    let look = move || {
        let path = path.clone();
        async move {
            tokio::task::spawn_blocking(move || fingerprint(&path))
                .await
                .unwrap_or_default()
        }
    };
    let mut last = look().await;
    loop {
        tokio::time::sleep(interval).await;
        let Some(e) = engine.upgrade() else {
            return false;
        };
        if e.data_root() != *root {
            return true;
        }
        drop(e);
        let now = look().await;
        let changes = Changes {
            manifests: now.0 != last.0,
            locks: now.1 != last.1,
        };
        last = now;
        if changes.any() {
            let Some(e) = still_on(engine, root) else {
                return engine.upgrade().is_some();
            };
            apply_changes(&e, changes).await;
        }
    }
}

async fn follow_notify(engine: &Weak<Engine>, root: &DataRoot) -> notify::Result<bool> {
    use notify::{RecursiveMode, Watcher};
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let base = root.path().to_path_buf();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let mut changes = Changes::default();
            for path in &event.paths {
                let c = Changes::of_path(&base, path);
                changes.manifests |= c.manifests;
                changes.locks |= c.locks;
            }
            if changes.any() {
                let _ = tx.send(changes);
            }
        }
    })?;
    watcher.watch(&root.path().join(DATASETS_DIR), RecursiveMode::Recursive)?;
    watcher.watch(&root.path().join(TOKENIZERS_DIR), RecursiveMode::Recursive)?;
    watcher.watch(&root.path().join(LOCKS_DIR), RecursiveMode::NonRecursive)?;
    loop {
        // Wakes now and then to notice a dropped engine or a new folder.
        let first = tokio::time::timeout(Duration::from_secs(2), rx.recv()).await;
        let Some(e) = engine.upgrade() else {
            return Ok(false);
        };
        if e.data_root() != *root {
            return Ok(true);
        }
        drop(e);
        let mut changes = match first {
            Ok(Some(c)) => c,
            Ok(None) => return Ok(true),
            Err(_) => continue,
        };
        tokio::time::sleep(SETTLE).await;
        while let Ok(c) = rx.try_recv() {
            changes.manifests |= c.manifests;
            changes.locks |= c.locks;
        }
        if let Some(e) = still_on(engine, root) {
            apply_changes(&e, changes).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_manifests_locks_and_removed_folders_count() {
        let root = Path::new("/r");
        let c = |p: &str| Changes::of_path(root, Path::new(p));
        assert!(c("/r/datasets/ds_a/manifest.json").manifests);
        assert!(c("/r/datasets/ds_a/tokenized/tok_b/mistudio.json").manifests);
        assert!(c("/r/tokenizers/tk_a/manifest.json").manifests);
        assert!(c("/r/locks/ds_a.lock").locks);
        // Removed folders (they do not exist under /r).
        assert!(c("/r/datasets/ds_a").manifests);
        assert!(c("/r/datasets/ds_a/tokenized/tok_b").manifests);
        assert!(!c("/r/datasets/ds_a/data/train/part-0.arrow").any());
        assert!(!c("/r/locks/.ds_a.lock.new-1-x").any());
        assert!(!c("/elsewhere/manifest.json").any());
    }

    #[test]
    fn the_fingerprint_follows_manifests_and_locks_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = DataRoot::prepare(&dir.path().join("data")).unwrap();
        let p = root.path();
        let first = fingerprint(p);
        std::fs::create_dir_all(p.join("datasets/ds_a/data/train")).unwrap();
        std::fs::write(p.join("datasets/ds_a/data/train/x.arrow"), b"rows").unwrap();
        assert_eq!(fingerprint(p), first, "data files do not count");
        std::fs::write(p.join("datasets/ds_a/manifest.json"), b"{}").unwrap();
        let second = fingerprint(p);
        assert_ne!(second.0, first.0);
        assert_eq!(second.1, first.1);
        std::fs::write(p.join("locks/ds_a.lock"), b"{}").unwrap();
        let third = fingerprint(p);
        assert_eq!(third.0, second.0);
        assert_ne!(third.1, second.1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_local_folder_is_watched_by_notify() {
        let dir = tempfile::tempdir().unwrap();
        // The temp dir could be on tmpfs or a disk, never on a share here.
        if !is_network_file_system(dir.path()) {
            assert_eq!(mode_for(dir.path()), WatchMode::Notify);
        }
        assert_eq!(
            mode_for(Path::new("/no/such/folder")),
            WatchMode::Poll(POLL_INTERVAL),
            "a folder whose kind cannot be read is polled"
        );
    }
}
