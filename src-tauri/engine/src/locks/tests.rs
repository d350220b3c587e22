//! Locks taken, shared, refreshed and broken in a real data folder, by processes that stand for
//! this machine or another (each has its own local folder, so its own machine id).

use super::process::process_start;
use super::*;

pub(super) fn root() -> (tempfile::TempDir, DataRoot) {
    let dir = tempfile::tempdir().unwrap();
    let root = DataRoot::prepare(&dir.path().join("data")).unwrap();
    (dir, root)
}

pub(super) fn locks(dir: &Path, name: &str) -> Arc<DataLocks> {
    DataLocks::new(&dir.join(name)).unwrap()
}

pub(super) fn lock_path(root: &DataRoot, ds: &str) -> PathBuf {
    root.path().join(LOCKS_DIR).join(format!("{ds}.lock"))
}

fn rewrite(root: &DataRoot, ds: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = lock_path(root, ds);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
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

fn set_mtime(path: &Path, ms: i64) {
    let t = std::time::UNIX_EPOCH + Duration::from_millis(ms as u64);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}
