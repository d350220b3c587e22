//! Rebuilding the local index from the manifests in the data folder, which may be shared with
//! other machines: datasets made elsewhere appear, removed ones disappear, changed ones update.

use crate::error::{Error, Result};
use crate::events::EngineEvent;
use crate::library::{validate_id, DATASETS_DIR};
use crate::store::{Dataset, DatasetStatus};
use crate::Engine;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RescanReport {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Deserialize)]
struct DatasetManifest {
    format_version: u32,
    dataset: Dataset,
}

/// Every readable manifest of a ready dataset under the data folder. A manifest is written
/// whole (temp file, fsync, rename), so one that does not parse is a leftover of another kind
/// (a temp file is never named `manifest.json`) and is skipped with a warning.
fn read_manifests(root: &Path) -> Result<HashMap<String, Dataset>> {
    let dir = root.join(DATASETS_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(Error::io(format!("reading {}", dir.display()), e)),
    };
    let mut out = HashMap::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if validate_id(&name, "ds").is_err() {
            continue;
        }
        let path = entry.path().join("manifest.json");
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        match serde_json::from_slice::<DatasetManifest>(&bytes) {
            // A manifest names its own folder; one copied under another name is not trusted.
            Ok(m) if m.format_version == 1 && m.dataset.id == name => {
                if m.dataset.status == DatasetStatus::Ready {
                    out.insert(name, m.dataset);
                }
            }
            Ok(_) => {
                tracing::warn!(path = %path.display(), "manifest of another version or folder skipped")
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "unreadable manifest skipped")
            }
        }
    }
    Ok(out)
}

impl Engine {
    /// Brings the local index in line with the data folder's dataset manifests. Datasets this
    /// machine is still making (a job holds them) are left alone.
    pub async fn rescan(&self) -> Result<RescanReport> {
        let root = self.data_root().path().to_path_buf();
        let manifests = tokio::task::spawn_blocking(move || read_manifests(&root))
            .await
            .map_err(|e| Error::Internal(format!("reading manifests crashed: {e}")))??;
        let known: HashMap<String, Dataset> = self
            .store
            .list_datasets()
            .await?
            .into_iter()
            .map(|d| (d.id.clone(), d))
            .collect();
        let mut report = RescanReport::default();
        for (id, manifest) in &manifests {
            match known.get(id) {
                None => {
                    self.store.adopt_dataset(manifest).await?;
                    report.added.push(id.clone());
                }
                Some(local) if local.status != DatasetStatus::Ready => {}
                Some(local) => {
                    let changed = local.updated_at < manifest.updated_at
                        || local.name != manifest.name
                        || local.splits != manifest.splits
                        || local.size_bytes != manifest.size_bytes;
                    if changed {
                        self.store.adopt_dataset(manifest).await?;
                        report.updated.push(id.clone());
                    }
                }
            }
        }
        for (id, local) in &known {
            let busy = !self.store.unfinished_jobs_for_target(id).await?.is_empty();
            if local.status == DatasetStatus::Ready && !manifests.contains_key(id) && !busy {
                self.store.delete_dataset(id).await?;
                report.removed.push(id.clone());
            }
        }
        report.added.sort();
        report.updated.sort();
        report.removed.sort();
        let changed: Vec<String> = report
            .added
            .iter()
            .chain(&report.updated)
            .chain(&report.removed)
            .cloned()
            .collect();
        if !changed.is_empty() {
            self.sink.emit(EngineEvent::DatasetsChanged {
                dataset_ids: changed,
            });
        }
        Ok(report)
    }
}
