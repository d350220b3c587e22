//! The rows of one split a selection keeps: the text column of every record batch scanned in
//! parallel from the files mapped into memory, each match counted; remembered for the next
//! page of the same selection.

use super::cache;
use super::damaged;
use super::filter::{read_token_lengths, Selection};
use super::index::{to_usize, Batch};
use super::mapped::MappedFile;
use crate::error::{Error, Result};
use arrow::array::Array;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The rows of one split the selection keeps, in order (their indices within the split).
pub(super) fn selected_rows(
    split_dir: &Path,
    split: &str,
    index: &[Batch],
    column: &str,
    selection: &Selection,
) -> Result<Arc<Vec<u32>>> {
    use rayon::prelude::*;
    let key = cache::key(split_dir, split, column, selection);
    if let Some(rows) = cache::recall(&key) {
        return Ok(rows);
    }
    let split_rows = index.last().map_or(0, |b| b.first_row + b.rows);
    // Selections hold row indices as u32 (half the memory of u64 for millions of hits).
    if u32::try_from(split_rows).is_err() {
        return Err(Error::invalid(format!(
            "{} holds {split_rows} rows, more than search and the length filters can go \
             through (at most {})",
            split_dir.display(),
            u32::MAX
        )));
    }
    let token_lengths = match &selection.token_lengths {
        Some(dir) => Some(read_token_lengths(dir, split, split_rows)?),
        None => None,
    };
    let mut mapped: Vec<(PathBuf, MappedFile)> = Vec::new();
    for b in index {
        if !mapped.iter().any(|(p, _)| p == &b.file) {
            mapped.push((b.file.clone(), MappedFile::open(&b.file)?));
        }
    }
    let per_batch: Vec<Vec<u32>> = index
        .par_iter()
        .map(|b| {
            let (_, file) = mapped
                .iter()
                .find(|(p, _)| p == &b.file)
                .expect("mapped above");
            let texts = file.text_column(&b.file, b.index, column)?;
            if texts.len() as u64 != b.rows {
                return Err(damaged(
                    &b.file,
                    format!(
                        "record batch {} holds {} rows where its header says {}",
                        b.index,
                        texts.len(),
                        b.rows
                    ),
                ));
            }
            // In range: the lengths were checked to be one per row of the split.
            let tokens = match token_lengths.as_deref() {
                Some(lengths) => {
                    let first = to_usize(&b.file, b.first_row)?;
                    Some(&lengths[first..first + texts.len()])
                }
                None => None,
            };
            Ok(selection
                .select(&texts, tokens)
                .into_iter()
                // Below u32::MAX: the split's row count was checked above.
                .map(|i| (b.first_row + i as u64) as u32)
                .collect())
        })
        .collect::<Result<_>>()?;
    let rows = Arc::new(per_batch.concat());
    cache::remember(key, rows.clone());
    Ok(rows)
}
