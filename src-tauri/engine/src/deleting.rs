//! Deleting datasets: their folder (canonical data, tokenizations, manifest), their rows, and —
//! when asked — the raw Hub cache files no other dataset uses.

use crate::error::{Error, Result};
use crate::events::EngineEvent;
use crate::events::EventSink;
use crate::hub::cache_layout::repo_cache_dir;
use crate::hub::RepoKind;
use crate::library::validate_id;
use crate::library::DataRoot;
use crate::locks::DataLocks;
use crate::store::DatasetStatus;
use crate::store::Store;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeleteReport {
    pub deleted: Vec<String>,
    /// Bytes removed from the data folder and the Hub cache.
    pub freed_bytes: u64,
}

pub(crate) fn tree_size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if meta.is_dir() {
        std::fs::read_dir(path)
            .map(|entries| entries.flatten().map(|e| tree_size(&e.path())).sum())
            .unwrap_or(0)
    } else {
        meta.len()
    }
}

/// The blobs a dataset's manifest points at in the HF cache, with the snapshot links to them.
pub(crate) fn cached_source_files(
    cache: &Path,
    dataset_dir: &Path,
    repo: &str,
) -> Vec<(PathBuf, PathBuf)> {
    let Ok(bytes) = std::fs::read(dataset_dir.join("manifest.json")) else {
        return Vec::new();
    };
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Vec::new();
    };
    let Some(rev) = manifest["hub_revision"].as_str() else {
        return Vec::new();
    };
    let snapshots = repo_cache_dir(cache, RepoKind::Dataset, repo)
        .join("snapshots")
        .join(rev);
    manifest["source_files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f.as_str())
        // Manifests are read from a possibly shared folder: never follow a path out of the repo.
        .filter(|f| !f.starts_with('/') && !f.split('/').any(|part| part == ".."))
        .filter_map(|f| {
            let link = snapshots.join(f);
            let blob = std::fs::canonicalize(&link).ok()?;
            Some((link, blob))
        })
        .collect()
}

fn remove_empty_parents(mut dir: PathBuf, stop: &Path) {
    while dir.starts_with(stop) && dir != stop {
        if std::fs::remove_dir(&dir).is_err() {
            return;
        }
        match dir.parent() {
            Some(p) => dir = p.to_path_buf(),
            None => return,
        }
    }
}

/// What deleting datasets works on.
pub(crate) struct Deletion<'a> {
    pub store: &'a Store,
    pub root: &'a DataRoot,
    pub locks: &'a Arc<DataLocks>,
    pub sink: &'a dyn EventSink,
    /// The HF cache the datasets' raw files are in, if there is one.
    pub hf_cache: Option<&'a Path>,
}

/// Deletes datasets with everything of theirs. Refused (before anything is removed) while a job
/// works on one of them or on one of their tokenizations.
pub(crate) async fn delete_datasets(
    on: &Deletion<'_>,
    ids: &[String],
    hub_files: bool,
) -> Result<DeleteReport> {
    let Deletion {
        store,
        root,
        locks: data_locks,
        sink,
        hf_cache: cache,
    } = on;
    let mut datasets = Vec::new();
    // Held until the files are gone: another machine sharing the folder must not start
    // work on a dataset that is being deleted, nor this one delete what it works on.
    let mut locks = Vec::new();
    for id in ids {
        validate_id(id, "ds")?;
        let ds = store.get_dataset(id).await?;
        let mut targets = vec![ds.id.clone()];
        targets.extend(
            store
                .list_tokenizations(&ds.id)
                .await?
                .into_iter()
                .map(|t| t.id),
        );
        // A dataset turns ready a moment before its job is closed: a delete in that
        // instant waits for the close rather than refusing.
        if ds.status == DatasetStatus::Ready {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
            while std::time::Instant::now() < deadline
                && !store.unfinished_jobs_for_target(&ds.id).await?.is_empty()
            {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
        for t in &targets {
            if !store.unfinished_jobs_for_target(t).await?.is_empty() {
                return Err(Error::Conflict(format!(
                    "{} is in use by a running job ({}); cancel it or wait for it, then delete",
                    ds.name,
                    if t == &ds.id {
                        "its download"
                    } else {
                        "a tokenization"
                    }
                )));
            }
        }
        locks.push(data_locks.acquire(root, &ds.id, "deleting")?);
        datasets.push((ds, targets));
    }
    let mut report = DeleteReport {
        deleted: Vec::new(),
        freed_bytes: 0,
    };
    for (ds, targets) in datasets {
        store
            .set_dataset_status(&ds.id, DatasetStatus::Deleting, None)
            .await?;
        sink.emit(EngineEvent::DatasetsChanged {
            dataset_ids: vec![ds.id.clone()],
        });
        let dir = root.dataset_dir(&ds.id)?;
        if let (true, Some(cache), Some(repo)) = (hub_files, cache, &ds.hf_repo_id) {
            let ours = cached_source_files(cache, &dir, repo);
            // Blobs another dataset of the same repo still points at are kept.
            let mut kept: HashSet<PathBuf> = HashSet::new();
            for other in store.list_datasets().await? {
                if other.id != ds.id && other.hf_repo_id.as_deref() == Some(repo) {
                    let other_dir = root.dataset_dir(&other.id)?;
                    kept.extend(
                        cached_source_files(cache, &other_dir, repo)
                            .into_iter()
                            .map(|(_, b)| b),
                    );
                }
            }
            let repo_dir = repo_cache_dir(cache, RepoKind::Dataset, repo);
            for (link, blob) in ours {
                if kept.contains(&blob) {
                    continue;
                }
                report.freed_bytes += tree_size(&blob);
                let _ = std::fs::remove_file(&link);
                let _ = std::fs::remove_file(&blob);
                if let Some(parent) = link.parent() {
                    remove_empty_parents(parent.to_path_buf(), &repo_dir);
                }
            }
        }
        report.freed_bytes += tree_size(&dir);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| Error::io(format!("deleting {}", dir.display()), e))?;
        }
        store.delete_dataset(&ds.id).await?;
        store.delete_finished_jobs_for_targets(&targets).await?;
        sink.emit(EngineEvent::DatasetsChanged {
            dataset_ids: vec![ds.id.clone()],
        });
        tracing::info!(dataset = %ds.id, "dataset deleted");
        report.deleted.push(ds.id);
    }
    Ok(report)
}
