//! What a download will fetch and what it will cost, worked out before a byte of data moves:
//! the files a config, split and `--include`/`--exclude` choose, the shards (and, in parquet,
//! the row groups) a row budget needs — read from footers with small Range requests — and the
//! disk the download, its conversion and a later tokenization take. The dry run shows it; the
//! download job follows it.

use super::budget::RowBudget;
use crate::error::{Error, Result};
use crate::hub::download::Downloader;
use crate::hub::file_filter::FileFilter;
use crate::hub::parquet_footer::{FooterCache, ParquetLayout};
use crate::hub::{RemoteFile, RepoInspection, RepoKind, SplitFiles};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Footers read at once when a whole split's rows are counted.
const FOOTER_READS_AT_ONCE: usize = 8;

/// What to take of the chosen splits.
#[derive(Debug, Clone, Default)]
pub struct DownloadChoice {
    pub filter: FileFilter,
    pub rows: Option<RowBudget>,
    pub keep_hub_files: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PlannedFile {
    pub file: RemoteFile,
    /// Bytes this download reads of it: its size, or the end of the row groups it needs.
    pub fetch_bytes: u64,
    /// Of those, bytes already in the HF cache.
    pub cached_bytes: u64,
    /// Rows in the part fetched (the whole file, or its first row groups), when known.
    pub rows: Option<u64>,
    /// Rows in the whole file, when known.
    pub file_rows: Option<u64>,
    /// Only the first this many row groups are fetched (parquet under a row budget).
    pub row_groups: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SplitPlan {
    pub name: String,
    pub files: Vec<PlannedFile>,
    /// Files of the split before `--include` / `--exclude`.
    pub split_files: u32,
    /// Rows this download takes, when known beforehand.
    pub num_rows: Option<u64>,
    /// Rows of the whole split (of the chosen files), when known.
    pub split_rows: Option<u64>,
    /// The row limit the conversion applies.
    pub row_limit: Option<u64>,
    /// The files are candidates read in order until the budget is met (formats whose rows
    /// are only known by reading them): the figures are at most what it takes.
    pub upper_bound: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DownloadPlan {
    pub repo_id: String,
    pub revision: String,
    pub config: String,
    pub splits: Vec<SplitPlan>,
    pub num_files: u32,
    /// Bytes of the chosen files this download reads (fetched or already cached).
    pub total_bytes: u64,
    /// Rows it takes, when known.
    pub num_rows: Option<u64>,
    /// Bytes still to fetch.
    pub download_bytes: u64,
    /// The most the HF cache holds of this download at once (one file without kept files).
    pub download_peak_bytes: u64,
    /// The canonical Arrow copy (an estimate from the file types).
    pub conversion_bytes: u64,
    /// A later tokenization with a vocabulary of at most 65,536 ids (2 bytes a token, about
    /// 4 bytes of text a token).
    pub tokenization_bytes: u64,
    pub needed_bytes: u64,
    /// Free bytes on the data folder's disk.
    pub free_bytes: Option<u64>,
    /// Free bytes on the HF cache's disk, when it is another one.
    pub cache_free_bytes: Option<u64>,
    pub keep_hub_files: bool,
    /// Less than the whole split: filtered files or a row budget.
    pub subset: bool,
    pub upper_bound: bool,
}

/// Where a plan looks: the Hub, the HF cache, the footer cache and the data folder's disk.
pub struct Planner<'a> {
    pub downloader: &'a Downloader,
    pub footers: &'a FooterCache,
    pub data_root: &'a Path,
}

impl Planner<'_> {
    /// Plans the download of `splits` of `inspection`. `count_rows` reads every parquet
    /// footer when no budget needs them (the dry run's row count); the job does not.
    pub async fn plan(
        &self,
        inspection: &RepoInspection,
        config: &str,
        splits: &[&SplitFiles],
        choice: &DownloadChoice,
        count_rows: bool,
    ) -> Result<DownloadPlan> {
        let mut planned = Vec::new();
        for split in splits {
            let chosen: Vec<&RemoteFile> = split
                .files
                .iter()
                .filter(|f| choice.filter.allows(&f.path))
                .collect();
            if chosen.is_empty() {
                continue;
            }
            let whole_split = chosen.len() == split.files.len();
            let stated_rows = if whole_split { split.num_rows } else { None };
            planned.push(
                self.plan_split(inspection, split, chosen, stated_rows, choice, count_rows)
                    .await?,
            );
        }
        if planned.is_empty() {
            check_filter_matches(inspection, config, splits, &choice.filter)?;
        }
        Ok(self.total(inspection, config, planned, choice))
    }

    async fn plan_split(
        &self,
        inspection: &RepoInspection,
        split: &SplitFiles,
        chosen: Vec<&RemoteFile>,
        stated_rows: Option<u64>,
        choice: &DownloadChoice,
        count_rows: bool,
    ) -> Result<SplitPlan> {
        let all_parquet = chosen.iter().all(|f| is_plain_parquet(&f.path));
        let mut files: Vec<PlannedFile> = Vec::with_capacity(chosen.len());
        let mut split_rows = stated_rows;
        let mut row_limit = None;
        let mut upper_bound = false;
        let whole = |f: &RemoteFile, rows: Option<u64>| PlannedFile {
            file: f.clone(),
            fetch_bytes: f.size,
            cached_bytes: 0,
            rows,
            file_rows: rows,
            row_groups: None,
        };
        match choice.rows {
            None => {
                if count_rows && all_parquet && split_rows.is_none() {
                    let layouts = self.layouts(inspection, &chosen).await?;
                    split_rows = Some(layouts.iter().map(ParquetLayout::num_rows).sum());
                    files = chosen
                        .iter()
                        .zip(&layouts)
                        .map(|(f, l)| whole(f, Some(l.num_rows())))
                        .collect();
                } else {
                    files = chosen.iter().map(|f| whole(f, None)).collect();
                }
            }
            Some(budget) if all_parquet => {
                if budget.is_percent() && split_rows.is_none() {
                    let layouts = self.layouts(inspection, &chosen).await?;
                    split_rows = Some(layouts.iter().map(ParquetLayout::num_rows).sum());
                }
                let target = match (budget, split_rows) {
                    (_, Some(total)) => budget.rows_of(total),
                    (RowBudget::Rows(n), None) => n,
                    (RowBudget::Percent(_), None) => {
                        return Err(Error::Internal(
                            "a share of a split was planned without its row count".into(),
                        ))
                    }
                };
                if target == 0 {
                    return Err(Error::invalid(format!(
                        "--rows {} of split {:?} ({} rows) is no row at all; give a larger share or a number of rows",
                        budget.label(),
                        split.name,
                        split_rows.unwrap_or(0)
                    )));
                }
                let mut taken = 0u64;
                for f in &chosen {
                    if taken >= target {
                        break;
                    }
                    let layout = self.layout(inspection, f).await?;
                    let rows = layout.num_rows();
                    if taken + rows <= target {
                        files.push(whole(f, Some(rows)));
                        taken += rows;
                        continue;
                    }
                    let mut groups = 0usize;
                    let mut group_rows = 0u64;
                    for r in layout.row_group_rows() {
                        if taken + group_rows >= target {
                            break;
                        }
                        group_rows += r;
                        groups += 1;
                    }
                    let all_groups = groups == layout.metadata.num_row_groups();
                    files.push(PlannedFile {
                        file: (*f).clone(),
                        fetch_bytes: if all_groups {
                            f.size
                        } else {
                            layout.prefix_end(groups).min(f.size)
                        },
                        cached_bytes: 0,
                        rows: Some(group_rows),
                        file_rows: Some(rows),
                        row_groups: (!all_groups).then_some(groups as u32),
                    });
                    taken = target;
                }
                row_limit = Some(target);
            }
            Some(budget) => {
                let target = match (budget, split_rows) {
                    (RowBudget::Rows(n), _) => n,
                    (RowBudget::Percent(_), Some(total)) => budget.rows_of(total),
                    (RowBudget::Percent(_), None) => {
                        return Err(Error::invalid(format!(
                            "--rows {} needs the row count of split {:?}, which is unknown: its files are not parquet and the card states no dataset_info — give --rows a number of rows instead",
                            budget.label(),
                            split.name
                        )))
                    }
                };
                files = chosen.iter().map(|f| whole(f, None)).collect();
                row_limit = Some(target);
                upper_bound = split_rows.is_none_or(|total| target < total);
            }
        }
        let num_rows = match (row_limit, split_rows) {
            (Some(limit), Some(total)) => Some(limit.min(total)),
            (Some(limit), None) if !upper_bound => Some(limit),
            (None, total) => total,
            _ => None,
        };
        for f in &mut files {
            f.cached_bytes = self.cached_bytes(inspection, &f.file, f.fetch_bytes)?;
        }
        Ok(SplitPlan {
            name: split.name.clone(),
            files,
            split_files: split.files.len() as u32,
            num_rows,
            split_rows,
            row_limit,
            upper_bound,
        })
    }

    fn total(
        &self,
        inspection: &RepoInspection,
        config: &str,
        splits: Vec<SplitPlan>,
        choice: &DownloadChoice,
    ) -> DownloadPlan {
        let files = || splits.iter().flat_map(|s| &s.files);
        let total_bytes: u64 = files().map(|f| f.fetch_bytes).sum();
        let download_bytes: u64 = files().map(|f| f.fetch_bytes - f.cached_bytes).sum();
        let download_peak_bytes = if choice.keep_hub_files {
            download_bytes
        } else {
            files().map(|f| f.fetch_bytes).max().unwrap_or(0)
        };
        let conversion_bytes: u64 = splits
            .iter()
            .map(|s| {
                let bytes: u64 = s
                    .files
                    .iter()
                    .map(|f| converted_size_estimate(&f.file.path, f.fetch_bytes))
                    .sum();
                // Rows past the budget in the last file are fetched but not kept.
                match (s.num_rows, planned_rows(s)) {
                    (Some(taken), Some(fetched)) if fetched > 0 && taken < fetched => {
                        (bytes as f64 * taken as f64 / fetched as f64) as u64
                    }
                    _ => bytes,
                }
            })
            .sum();
        let tokenization_bytes = conversion_bytes / 2;
        let cache_root = self.downloader.cache_root();
        let same_disk = super::same_filesystem(cache_root, self.data_root);
        let needed_bytes = download_peak_bytes + conversion_bytes + tokenization_bytes;
        let subset = choice.rows.is_some()
            && splits
                .iter()
                .any(|s| s.num_rows != s.split_rows || s.upper_bound)
            || splits
                .iter()
                .any(|s| s.files.len() < s.split_files as usize);
        DownloadPlan {
            repo_id: inspection.repo_id.clone(),
            revision: inspection.sha.clone(),
            config: config.to_string(),
            num_files: files().count() as u32,
            total_bytes,
            num_rows: splits.iter().map(|s| s.num_rows).sum::<Option<u64>>(),
            download_bytes,
            download_peak_bytes,
            conversion_bytes,
            tokenization_bytes,
            needed_bytes,
            free_bytes: super::free_bytes(self.data_root),
            cache_free_bytes: (!same_disk)
                .then(|| super::free_bytes(cache_root))
                .flatten(),
            keep_hub_files: choice.keep_hub_files,
            subset,
            upper_bound: splits.iter().any(|s| s.upper_bound),
            splits,
        }
    }

    async fn layout(
        &self,
        inspection: &RepoInspection,
        file: &RemoteFile,
    ) -> Result<ParquetLayout> {
        let local = self.complete_blob(inspection, file)?;
        self.footers
            .layout(
                self.downloader.client(),
                RepoKind::Dataset,
                &inspection.repo_id,
                file,
                local.as_deref(),
            )
            .await
    }

    /// Footers of many files, a few requests at a time, in the files' order.
    async fn layouts(
        &self,
        inspection: &RepoInspection,
        files: &[&RemoteFile],
    ) -> Result<Vec<ParquetLayout>> {
        let mut layouts = Vec::with_capacity(files.len());
        for chunk in files.chunks(FOOTER_READS_AT_ONCE) {
            let reads = chunk.iter().map(|f| self.layout(inspection, f));
            for layout in futures_util::future::join_all(reads).await {
                layouts.push(layout?);
            }
        }
        Ok(layouts)
    }

    fn complete_blob(
        &self,
        inspection: &RepoInspection,
        file: &RemoteFile,
    ) -> Result<Option<PathBuf>> {
        let [_, _, blob] =
            self.downloader
                .cached_paths(RepoKind::Dataset, &inspection.repo_id, file)?;
        Ok(blob
            .metadata()
            .is_ok_and(|m| m.len() == file.size)
            .then_some(blob))
    }

    fn cached_bytes(
        &self,
        inspection: &RepoInspection,
        file: &RemoteFile,
        want: u64,
    ) -> Result<u64> {
        let [_, partial, blob] =
            self.downloader
                .cached_paths(RepoKind::Dataset, &inspection.repo_id, file)?;
        if blob.metadata().is_ok_and(|m| m.len() == file.size) {
            return Ok(want);
        }
        Ok(std::fs::metadata(partial)
            .map(|m| m.len().min(want))
            .unwrap_or(0))
    }
}

/// Refuses a filter that leaves no file of the chosen splits, showing what the paths look like.
pub fn check_filter_matches(
    inspection: &RepoInspection,
    config: &str,
    splits: &[&SplitFiles],
    filter: &FileFilter,
) -> Result<()> {
    let mut paths = splits
        .iter()
        .flat_map(|s| s.files.iter().map(|f| f.path.as_str()));
    if paths.clone().any(|p| filter.allows(p)) {
        return Ok(());
    }
    let sample: Vec<&str> = paths.by_ref().take(3).collect();
    Err(Error::invalid(format!(
        "no file of config {config:?} of {} matches {}; its files look like {} — fix the pattern (a `*` also matches `/`; a folder ends with `/`)",
        inspection.repo_id,
        filter.describe(),
        sample.join(", ")
    )))
}

/// Rows held by what a split plan fetches, when every file's rows are known.
fn planned_rows(split: &SplitPlan) -> Option<u64> {
    split.files.iter().map(|f| f.rows).sum()
}

/// Parquet the footer reader can read in part: not wrapped in gzip or zstd.
pub fn is_plain_parquet(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".parquet")
}

/// Room the canonical (uncompressed Arrow) copy of a file is expected to take: compressed
/// sources expand, plain text stays about the same size. Deliberately generous: running out of
/// disk halfway through a conversion is worse than asking for a little too much up front.
pub(super) fn converted_size_estimate(path: &str, size: u64) -> u64 {
    let lower = path.to_ascii_lowercase();
    let factor = if lower.ends_with(".gz") || lower.ends_with(".zst") {
        5.0
    } else if lower.ends_with(".parquet") {
        3.0
    } else {
        1.25
    };
    (size as f64 * factor) as u64
}

#[cfg(test)]
mod tests {
    use super::converted_size_estimate;

    #[test]
    fn compressed_sources_are_expected_to_expand() {
        assert_eq!(converted_size_estimate("data/train.parquet", 100), 300);
        assert_eq!(converted_size_estimate("train.jsonl.zst", 100), 500);
        assert_eq!(converted_size_estimate("train.jsonl", 100), 125);
    }
}
