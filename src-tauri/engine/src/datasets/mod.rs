//! The dataset lifecycle: download from the Hub (queued → downloading → processing → ready,
//! or error / cancelled) or import of local files (queued → processing → ready), with the
//! manifest written into the data folder.

mod budget;
mod download;
mod import;
mod plan;
mod supply;

pub use budget::RowBudget;
pub use download::{parse_choice, DownloadHandler, DownloadParams, DownloadRequest, TokenVault};
pub(crate) use import::validate_name;
pub use import::{
    default_name, plan_import, split_from_name, ImportHandler, ImportParams, ImportPlan,
    ImportRequest,
};
pub use plan::{
    check_filter_matches, DownloadChoice, DownloadPlan, PlannedFile, Planner, SplitPlan,
};

use crate::error::{Error, Result};
use crate::library::{write_atomic, DataRoot};
use crate::store::Dataset;
use serde::Serialize;
use std::path::Path;

/// `datasets/<id>/manifest.json`: what another machine needs to list the dataset without our
/// database (a subset's record travels inside `dataset`). Never holds a token.
#[derive(Serialize)]
pub struct Manifest<'a> {
    pub format_version: u32,
    pub dataset: &'a Dataset,
    pub hub_revision: Option<&'a str>,
    pub source_files: Vec<String>,
}

pub fn write_manifest(root: &DataRoot, manifest: &Manifest<'_>) -> Result<()> {
    let dir = root.dataset_dir(&manifest.dataset.id)?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let text = serde_json::to_vec_pretty(manifest)
        .map_err(|e| Error::Internal(format!("serialising the manifest: {e}")))?;
    write_atomic(&dir.join("manifest.json"), &text)
}

/// What the conversion repaired, in words, or `None` when the files were clean.
fn conversion_notes(summary: &crate::ingest::IngestSummary) -> Option<String> {
    let mut notes = Vec::new();
    if summary.invalid_utf8_rows > 0 {
        notes.push(format!(
            "{} row{} held bytes that are not UTF-8; they were replaced with \u{FFFD}.",
            summary.invalid_utf8_rows,
            if summary.invalid_utf8_rows == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    for (field, rows) in &summary.drifted_fields {
        notes.push(format!(
            "Field \"{field}\" changes type between records; {rows} value{} kept as JSON text.",
            if *rows == 1 { " is" } else { "s are" }
        ));
    }
    (!notes.is_empty()).then(|| format!("Import notes: {}", notes.join(" ")))
}

/// The files a conversion reads, as the download's supply hands them over.
pub(crate) type Supply = Box<dyn crate::ingest::FileSupply + Send>;

/// The last stage of a download or an import: converts the files (read where they lie, or as
/// `supply` fetches them) into the dataset's canonical data (progress in input bytes), marks it
/// ready with what the conversion learned and what part of the source it holds
/// (`subset_of`), and writes its manifest.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn convert_and_finish(
    ctx: &crate::jobs::JobContext,
    store: &crate::store::Store,
    root: &DataRoot,
    dataset_id: &str,
    inputs: Vec<crate::ingest::SplitInput>,
    hub_revision: Option<&str>,
    source_files: Vec<String>,
    supply: Option<Supply>,
    subset_of: impl FnOnce(&crate::ingest::IngestSummary) -> Option<crate::store::DatasetSubset>,
) -> Result<Dataset> {
    let streamed = supply.is_some();
    ctx.stage(if streamed {
        "Downloading and converting to Arrow"
    } else {
        "Converting to Arrow"
    });
    let dest = root.dataset_dir(dataset_id)?.join("data");
    let summary = ctx
        .run_blocking(move |cancel, reporter| {
            let mut report = |done: u64, total: u64| {
                reporter.progress(crate::store::Progress::Bytes {
                    done,
                    total: Some(total),
                    bytes_per_sec: None,
                })
            };
            match supply {
                Some(mut supply) => crate::ingest::ingest_supplied(
                    &inputs,
                    &dest,
                    &cancel,
                    &mut report,
                    supply.as_mut(),
                ),
                None => crate::ingest::ingest(&inputs, &dest, &cancel, &mut report),
            }
        })
        .await?;
    let subset = subset_of(&summary);
    let source_files: Vec<String> = match &subset {
        Some(subset) => subset.splits.iter().flat_map(|s| s.files.clone()).collect(),
        None => source_files,
    };
    store
        .set_dataset_subset(dataset_id, subset.as_ref())
        .await?;
    // What the conversion had to repair is told where the dataset is described.
    if let Some(notes) = conversion_notes(&summary) {
        let current = store.get_dataset(dataset_id).await?.description;
        let description = match current.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => format!("{d}\n\n{notes}"),
            _ => notes,
        };
        store
            .set_dataset_details(dataset_id, None, Some(&description))
            .await?;
    }
    // The manifest is written before the index says Ready, so that whoever sees a dataset
    // Ready (the window, a test, a rescan here) also finds its manifest in the folder.
    let mut ready = store.get_dataset(dataset_id).await?;
    ready.status = crate::store::DatasetStatus::Ready;
    ready.error = None;
    ready.splits = summary.splits.clone();
    ready.columns = summary.columns.clone();
    ready.text_column = summary.text_column.clone();
    ready.format = Some(summary.format.clone());
    ready.size_bytes = Some(summary.size_bytes);
    ready.num_samples = Some(summary.splits.iter().map(|s| s.num_rows).sum());
    ready.subset = subset;
    ready.updated_at = crate::now_ms();
    write_manifest(
        root,
        &Manifest {
            format_version: 1,
            dataset: &ready,
            hub_revision,
            source_files,
        },
    )?;
    let dataset = store
        .mark_dataset_ready(
            dataset_id,
            &summary.splits,
            &summary.columns,
            summary.text_column.as_deref(),
            &summary.format,
            summary.size_bytes,
        )
        .await?;
    Ok(dataset)
}

/// Bytes free on the file system that holds `path` (or its nearest existing ancestor).
pub fn free_bytes(path: &Path) -> Option<u64> {
    let mut p = path;
    loop {
        if p.exists() {
            return fs4::available_space(p).ok();
        }
        p = p.parent()?;
    }
}

fn same_filesystem(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let dev = |p: &Path| {
            let mut p = p;
            loop {
                if let Ok(m) = std::fs::metadata(p) {
                    return Some(m.dev());
                }
                p = p.parent()?;
            }
        };
        matches!((dev(a), dev(b)), (Some(x), Some(y)) if x == y)
    }
    #[cfg(not(unix))]
    {
        a.components().next() == b.components().next()
    }
}

pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.2} {}", UNITS[unit])
    }
}

/// Refuses to start when the download (into the HF cache) plus the converted data (into the
/// data folder) cannot fit, before any byte is fetched.
pub fn check_disk_space(
    cache_root: &Path,
    data_root: &Path,
    download: u64,
    converted: u64,
) -> Result<()> {
    let shortfall = |needed: u64, place: &Path, what: &str| -> Result<()> {
        match free_bytes(place) {
            Some(free) if free < needed => Err(Error::DiskFull(format!(
                "{what} needs {} on the disk of {}, which has {} free; free some space or choose another data folder in Settings",
                format_bytes(needed),
                place.display(),
                format_bytes(free)
            ))),
            _ => Ok(()),
        }
    };
    if same_filesystem(cache_root, data_root) {
        shortfall(
            download + converted,
            data_root,
            "the download and its conversion",
        )
    } else {
        shortfall(download, cache_root, "the download")?;
        shortfall(converted, data_root, "the converted data")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_disk_check_names_needed_and_free_bytes() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_disk_space(dir.path(), dir.path(), 1024, 1024).is_ok());
        let e =
            check_disk_space(dir.path(), &dir.path().join("not/yet"), u64::MAX / 4, 0).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::DiskFull);
        let msg = e.to_string();
        assert!(msg.contains("free") && msg.contains("needs"), "{msg}");
    }
}
