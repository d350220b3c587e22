//! The facade's operations on this machine and the data folder: settings, machine status,
//! other processes' locks, rescan and watching the folder.

use crate::error::{Error, Result};
use crate::events::EngineEvent;
use crate::library::DataRoot;
use crate::locks::DataLock;
use crate::rescan::RescanReport;
use crate::store::JobStatus;
use crate::watch::WatchMode;
use crate::{Engine, Settings};
use serde::{Deserialize, Serialize};
use std::sync::Weak;

/// This machine at a glance, for the window's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MachineStatus {
    pub hostname: String,
    pub data_root: String,
    pub free_bytes: Option<u64>,
    pub total_bytes: Option<u64>,
    pub jobs_running: i64,
    pub jobs_queued: i64,
    /// Something the person should know about this machine's setup (filled in by the host).
    pub warning: Option<String>,
}

impl Engine {
    pub fn settings(&self) -> Settings {
        self.state
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .clone()
    }

    /// Validates and applies new settings. Moving the data folder waits until no job runs,
    /// because a running job writes into the old one.
    pub async fn update_settings(&self, new: &Settings) -> Result<Settings> {
        let new = new.validated()?;
        let current = self.settings();
        let mut data_root = self.data_root();
        if new.data_root != current.data_root {
            let busy = self.store.count_jobs(JobStatus::Running).await?
                + self.store.count_jobs(JobStatus::Queued).await?;
            if busy > 0 {
                return Err(Error::Conflict(format!(
                    "{busy} job(s) are queued or running in the current data folder; wait for them or cancel them, then change the folder"
                )));
            }
            data_root = DataRoot::prepare(&new.data_root_path())?;
        }
        *self.state.write().unwrap_or_else(|p| p.into_inner()) = (new.clone(), data_root);
        if new.data_root != current.data_root {
            self.sink.emit(EngineEvent::DatasetsChanged {
                dataset_ids: vec![],
            });
        }
        Ok(new)
    }

    pub async fn machine_status(&self) -> Result<MachineStatus> {
        let data_root = self.data_root();
        let space = {
            let root = data_root.clone();
            tokio::task::spawn_blocking(move || root.disk_space())
                .await
                .ok()
                .flatten()
        };
        Ok(MachineStatus {
            hostname: gethostname::gethostname().to_string_lossy().into_owned(),
            data_root: data_root.path().to_string_lossy().into_owned(),
            free_bytes: space.map(|s| s.0),
            total_bytes: space.map(|s| s.1),
            jobs_running: self.store.count_jobs(JobStatus::Running).await?,
            jobs_queued: self.store.count_jobs(JobStatus::Queued).await?,
            warning: None,
        })
    }

    /// Locks other processes hold in the data folder (another machine sharing it, or another
    /// miStudio process here): the datasets they are busy with.
    pub async fn data_locks(&self) -> Result<Vec<DataLock>> {
        let (locks, root) = (self.locks.clone(), self.data_root());
        tokio::task::spawn_blocking(move || locks.others(&root))
            .await
            .map_err(|e| Error::Internal(format!("listing locks crashed: {e}")))
    }

    /// Brings the local index in line with the data folder's manifests (datasets, tokenizers,
    /// tokenizations). Datasets this machine is still making (a job holds them) are left alone.
    pub async fn rescan(&self) -> Result<RescanReport> {
        crate::rescan::rescan(&self.store, &self.data_root(), &*self.sink).await
    }

    /// Follows the data folder until the engine is dropped, rescanning when manifests change
    /// and announcing lock changes; switches folders when the settings do. `mode` forces a
    /// way of watching (tests); `None` picks one per folder with [`crate::watch::mode_for`].
    pub async fn watch_data_folder(engine: Weak<Engine>, mode: Option<WatchMode>) {
        crate::watch::follow(engine, mode).await
    }
}
