//! What a lock file holds, and its bytes on disk.

use super::owner::Owner;
use crate::time::now_ms;
use serde::{Deserialize, Serialize};

const LOCK_FORMAT_VERSION: u32 = 1;

/// What a lock file holds. No paths and no secrets: only who holds it and since when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct LockRecord {
    format_version: u32,
    pub(super) dataset_id: String,
    pub(super) host: String,
    /// Tells machines apart even when two share a host name.
    pub(super) machine_id: String,
    pub(super) pid: u32,
    /// The process's start time as the OS counts it, where known: a pid reused after a crash
    /// does not keep a dead job's lock alive.
    #[serde(default)]
    pub(super) process_start: Option<u64>,
    pub(super) purpose: String,
    pub(super) started_at: i64,
    pub(super) heartbeat_at: i64,
    /// Distinguishes this holding from an earlier or later one by the same process.
    pub(super) nonce: String,
}

impl LockRecord {
    /// A new holding of `dataset_id` by `owner`, started and refreshed now.
    pub(super) fn new(owner: &Owner, dataset_id: &str, purpose: &str) -> LockRecord {
        let now = now_ms();
        LockRecord {
            format_version: LOCK_FORMAT_VERSION,
            dataset_id: dataset_id.to_string(),
            host: owner.host.clone(),
            machine_id: owner.machine_id.clone(),
            pid: owner.pid,
            process_start: owner.process_start,
            purpose: purpose.to_string(),
            started_at: now,
            heartbeat_at: now,
            nonce: uuid::Uuid::new_v4().simple().to_string(),
        }
    }

    /// `None` for a file caught mid-write by the fallback path, or damaged.
    pub(super) fn from_bytes(bytes: &[u8]) -> Option<LockRecord> {
        serde_json::from_slice(bytes).ok()
    }

    pub(super) fn to_bytes(&self) -> std::io::Result<Vec<u8>> {
        serde_json::to_vec_pretty(self).map_err(std::io::Error::other)
    }
}
