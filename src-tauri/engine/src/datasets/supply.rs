//! The download's side of the conversion: each planned file fetched when the conversion
//! reaches it (already there when fetched up front), removed from the HF cache after when
//! files are not kept, and the record of what part of the source the dataset holds.

use super::plan::{DownloadChoice, DownloadPlan, PlannedFile};
use crate::error::{Error, Result};
use crate::hub::download::{ByteCounter, Downloader};
use crate::hub::parquet_footer::FooterCache;
use crate::hub::RepoKind;
use crate::ingest::{FileSupply, IngestSummary, ParquetPrefix, SplitInput};
use crate::store::{DatasetSubset, SubsetSplit};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub(super) struct HubSupply {
    downloader: Arc<Downloader>,
    repo_id: String,
    splits: Vec<Vec<PlannedFile>>,
    keep: bool,
    cancel: CancellationToken,
    runtime: tokio::runtime::Handle,
}

impl HubSupply {
    /// The conversion's inputs for `plan` (snapshot paths, row limits, parquet prefixes with
    /// their cached footers) and the supply that fetches them. Must be called on the runtime.
    pub(super) fn for_plan(
        plan: &DownloadPlan,
        downloader: Arc<Downloader>,
        footers: &FooterCache,
        keep: bool,
        cancel: CancellationToken,
    ) -> Result<(Vec<SplitInput>, HubSupply)> {
        let mut inputs = Vec::with_capacity(plan.splits.len());
        for split in &plan.splits {
            let mut files = Vec::with_capacity(split.files.len());
            let mut prefixes = Vec::new();
            for f in &split.files {
                let [snapshot, _, _] =
                    downloader.cached_paths(RepoKind::Dataset, &plan.repo_id, &f.file)?;
                if let Some(groups) = f.row_groups {
                    prefixes.push(ParquetPrefix {
                        file: snapshot.clone(),
                        footer: footers.cached_path(&f.file)?,
                        row_groups: groups as usize,
                    });
                }
                files.push(snapshot);
            }
            inputs.push(SplitInput {
                name: split.name.clone(),
                files,
                row_limit: split.row_limit,
                prefixes,
                ..Default::default()
            });
        }
        let supply = HubSupply {
            downloader,
            repo_id: plan.repo_id.clone(),
            splits: plan.splits.iter().map(|s| s.files.clone()).collect(),
            keep,
            cancel,
            runtime: tokio::runtime::Handle::current(),
        };
        Ok((inputs, supply))
    }

    fn planned(&self, split: usize, file: usize) -> Result<&PlannedFile> {
        self.splits
            .get(split)
            .and_then(|s| s.get(file))
            .ok_or_else(|| Error::Internal(format!("no planned file {file} of split {split}")))
    }
}

impl FileSupply for HubSupply {
    fn expected_size(&self, split: usize, file: usize) -> Option<u64> {
        self.planned(split, file).ok().map(|f| f.fetch_bytes)
    }

    fn fetch(&mut self, split: usize, file: usize, _listed: &Path) -> Result<PathBuf> {
        let planned = self.planned(split, file)?.clone();
        let done = ByteCounter::default();
        // The conversion runs on a blocking thread; the fetch is async.
        self.runtime.block_on(self.downloader.fetch_prefix(
            RepoKind::Dataset,
            &self.repo_id,
            &planned.file,
            planned.fetch_bytes,
            &done,
            &self.cancel,
        ))
    }

    fn release(&mut self, split: usize, file: usize) -> Result<()> {
        if self.keep {
            return Ok(());
        }
        let planned = self.planned(split, file)?;
        for path in self
            .downloader
            .cached_paths(RepoKind::Dataset, &self.repo_id, &planned.file)?
        {
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(format!("removing {}", path.display()), e))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// What part of its source the dataset holds, or `None` when it holds all of it.
pub(super) fn subset_record(
    plan: &DownloadPlan,
    choice: &DownloadChoice,
    summary: &IngestSummary,
) -> Option<DatasetSubset> {
    let mut cut = false;
    let splits: Vec<SubsetSplit> = plan
        .splits
        .iter()
        .zip(&summary.splits)
        .zip(&summary.files_read)
        .map(|((planned, converted), &read)| {
            let files = &planned.files[..read.min(planned.files.len())];
            // A limit met with the split's size unknown may have left rows behind.
            cut |= planned.split_rows.is_none()
                && planned
                    .row_limit
                    .is_some_and(|limit| converted.num_rows as u64 >= limit);
            SubsetSplit {
                name: planned.name.clone(),
                rows: converted.num_rows,
                of_rows: planned.split_rows.map(|r| r as i64),
                files: files.iter().map(|f| f.file.path.clone()).collect(),
                of_files: planned.split_files,
                partial_files: files
                    .iter()
                    .filter(|f| f.row_groups.is_some())
                    .map(|f| f.file.path.clone())
                    .collect(),
            }
        })
        .collect();
    let whole = !cut
        && splits.iter().all(|s| {
            s.files.len() == s.of_files as usize
                && s.partial_files.is_empty()
                && s.of_rows.is_none_or(|total| s.rows == total)
        });
    (!whole).then(|| DatasetSubset {
        rows_budget: choice.rows.map(|b| b.label()),
        include: choice.filter.include.clone(),
        exclude: choice.filter.exclude.clone(),
        splits,
    })
}
