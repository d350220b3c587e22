//! This process as lock files name it, and its judgement of a lock it finds: live, or stale
//! and why.

use super::process::{process_alive, process_start};
use super::record::LockRecord;
use super::STALE_AFTER;
use crate::error::{Error, Result};
use crate::time::now_ms;
use std::path::Path;
use std::time::SystemTime;

const MACHINE_ID_FILE: &str = "machine-id";

/// This process, as lock files name it.
#[derive(Debug, Clone)]
pub(super) struct Owner {
    pub(super) host: String,
    pub(super) machine_id: String,
    pub(super) pid: u32,
    pub(super) process_start: Option<u64>,
}

/// Whether a lock found on disk still binds, and if not, why.
pub(super) enum Verdict {
    Live,
    Stale(String),
}

impl Owner {
    /// `local_dir` (never shared) keeps this machine's id.
    pub(super) fn this_process(local_dir: &Path) -> Result<Owner> {
        Ok(Owner {
            host: gethostname::gethostname().to_string_lossy().into_owned(),
            machine_id: machine_id(local_dir)?,
            pid: std::process::id(),
            process_start: process_start(std::process::id()),
        })
    }

    pub(super) fn judge(&self, record: &LockRecord, modified: Option<SystemTime>) -> Verdict {
        if record.machine_id == self.machine_id {
            if record.pid == self.pid && record.process_start == self.process_start {
                // A lock this process holds is shared, never judged: this one is a leftover
                // of a holding whose release could not delete the file.
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

fn system_ms(t: SystemTime) -> i64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// How long ago a lock file was last written, by the file server's clock; forever if unknown.
pub(super) fn age_ms(modified: Option<SystemTime>) -> i64 {
    modified
        .map(|m| now_ms() - system_ms(m))
        .unwrap_or(i64::MAX)
}
