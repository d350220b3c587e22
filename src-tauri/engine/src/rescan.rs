//! Rebuilding the local index from the manifests in the data folder, which may be shared with
//! other machines: datasets made elsewhere appear, removed ones disappear, changed ones update.

use crate::error::{Error, Result};
use crate::events::EngineEvent;
use crate::events::EventSink;
use crate::library::DataRoot;
use crate::library::{validate_id, DATASETS_DIR};
use crate::store::Store;
use crate::store::{Dataset, DatasetStatus};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RescanReport {
    /// Datasets, tokenizers and tokenizations (by id) newly recorded.
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Deserialize)]
struct TokenizerManifest {
    format_version: u32,
    tokenizer: crate::store::Tokenizer,
}

#[derive(Deserialize)]
struct TokenizerRef {
    id: String,
}

/// `mistudio.json` beside a tokenization's `save_to_disk` files.
#[derive(Deserialize)]
struct TokenizationManifest {
    format_version: u32,
    tokenization_id: String,
    dataset_id: String,
    tokenizer: TokenizerRef,
    settings: crate::tokenize::TokenizeSettings,
    statistics: crate::tokenize::Statistics,
}

/// Manifests of one kind under `dir/<id>/<file>`, for folders named like ids with `prefix`.
fn read_each<T: serde::de::DeserializeOwned>(
    dir: &Path,
    prefix: &str,
    file: &str,
) -> Vec<(String, T, u64)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if validate_id(&name, prefix).is_err() {
            continue;
        }
        let path = entry.path().join(file);
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        match serde_json::from_slice::<T>(&bytes) {
            Ok(m) => out.push((name, m, crate::deleting::tree_size(&entry.path()))),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "unreadable manifest skipped")
            }
        }
    }
    out
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

/// Tokenizers other machines added to the shared library.
async fn rescan_tokenizers(
    store: &Store,
    root: &DataRoot,
    report: &mut RescanReport,
) -> Result<()> {
    let dir = root.path().join(crate::library::TOKENIZERS_DIR);
    let found = tokio::task::spawn_blocking(move || {
        read_each::<TokenizerManifest>(&dir, "tk", "manifest.json")
    })
    .await
    .map_err(|e| Error::Internal(format!("reading manifests crashed: {e}")))?;
    for (folder, m, _) in found {
        if m.format_version != 1 || m.tokenizer.id != folder {
            continue;
        }
        let t = m.tokenizer;
        if store.get_tokenizer(&t.id).await.is_ok() {
            continue;
        }
        store
            .insert_tokenizer(&crate::store::NewTokenizer {
                id: t.id.clone(),
                name: t.name,
                source: t.source,
                hf_repo_id: t.hf_repo_id,
                hf_revision: t.hf_revision,
                file_name: t.file_name,
                vocab_size: t.vocab_size,
                sha256: t.sha256,
                special_tokens: t.special_tokens,
            })
            .await?;
        report.added.push(t.id);
    }
    Ok(())
}

/// Finished tokenizations of the datasets in the data folder, made here or elsewhere.
async fn rescan_tokenizations(
    store: &Store,
    root: &DataRoot,
    sink: &dyn EventSink,
    datasets: &HashMap<String, Dataset>,
    report: &mut RescanReport,
) -> Result<()> {
    for id in datasets.keys() {
        let dir = root.dataset_dir(id)?.join("tokenized");
        let found = tokio::task::spawn_blocking(move || {
            read_each::<TokenizationManifest>(&dir, "tok", crate::tokenize::MISTUDIO_FILE)
        })
        .await
        .map_err(|e| Error::Internal(format!("reading manifests crashed: {e}")))?;
        let known = store.list_tokenizations(id).await?;
        for (folder, m, bytes) in &found {
            let fits = m.format_version == 1
                && &m.tokenization_id == folder
                && &m.dataset_id == id
                && !known.iter().any(|t| &t.id == folder)
                && store.get_tokenizer(&m.tokenizer.id).await.is_ok();
            if !fits {
                continue;
            }
            store
                .insert_tokenization(&crate::store::NewTokenization {
                    id: folder.clone(),
                    dataset_id: id.clone(),
                    tokenizer_id: m.tokenizer.id.clone(),
                    settings: m.settings.clone(),
                })
                .await?;
            store
                .finish_tokenization(folder, &m.statistics, *bytes)
                .await?;
            report.added.push(folder.clone());
            sink.emit(EngineEvent::TokenizationsChanged {
                dataset_id: id.clone(),
            });
        }
        for t in known {
            let gone = t.status == crate::store::TokenizationStatus::Ready
                && !found.iter().any(|(f, _, _)| f == &t.id);
            if gone && store.unfinished_jobs_for_target(&t.id).await?.is_empty() {
                store.delete_tokenization(&t.id).await?;
                report.removed.push(t.id.clone());
                sink.emit(EngineEvent::TokenizationsChanged {
                    dataset_id: id.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Brings the local index in line with the data folder's dataset manifests. Datasets this
/// machine is still making (a job holds them) are left alone.
pub(crate) async fn rescan(
    store: &Store,
    root: &DataRoot,
    sink: &dyn EventSink,
) -> Result<RescanReport> {
    let folder = root.path().to_path_buf();
    let manifests = tokio::task::spawn_blocking(move || read_manifests(&folder))
        .await
        .map_err(|e| Error::Internal(format!("reading manifests crashed: {e}")))??;
    let known: HashMap<String, Dataset> = store
        .list_datasets()
        .await?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect();
    let mut report = RescanReport::default();
    for (id, manifest) in &manifests {
        match known.get(id) {
            None => {
                store.adopt_dataset(manifest).await?;
                report.added.push(id.clone());
            }
            Some(local) if local.status != DatasetStatus::Ready => {}
            Some(local) => {
                let changed = local.updated_at < manifest.updated_at
                    || local.name != manifest.name
                    || local.splits != manifest.splits
                    || local.size_bytes != manifest.size_bytes;
                if changed {
                    store.adopt_dataset(manifest).await?;
                    report.updated.push(id.clone());
                }
            }
        }
    }
    for (id, local) in &known {
        let gone = local.status == DatasetStatus::Ready && !manifests.contains_key(id);
        // Only what has gone from the folder costs a look at the job ledger.
        if gone && store.unfinished_jobs_for_target(id).await?.is_empty() {
            store.delete_dataset(id).await?;
            report.removed.push(id.clone());
        }
    }
    let changed: Vec<String> = report
        .added
        .iter()
        .chain(&report.updated)
        .chain(&report.removed)
        .cloned()
        .collect();
    if !changed.is_empty() {
        sink.emit(EngineEvent::DatasetsChanged {
            dataset_ids: changed,
        });
    }
    let before = report.added.len();
    rescan_tokenizers(store, root, &mut report).await?;
    if report.added.len() > before {
        sink.emit(EngineEvent::TokenizersChanged);
    }
    rescan_tokenizations(store, root, sink, &manifests, &mut report).await?;
    report.added.sort();
    report.updated.sort();
    report.removed.sort();
    Ok(report)
}
