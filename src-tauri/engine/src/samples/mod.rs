//! Reading a dataset's rows: pages at any offset, full-text search and a text-length filter,
//! straight from the canonical Arrow files. A split's index (how many rows each record batch
//! holds) comes from the files' metadata alone, so a page costs one batch read.
//!
//! - `index`: the checked reading of a file's footer and batch headers, and the split index
//!   built from them;
//! - `rows`: one record batch read whole, and rows rendered as JSON;
//! - `filter`: what a query keeps (the search matcher, the text- and token-length filters),
//!   applied to one batch's text column; `search` is the matcher's pass over a batch;
//! - `scan`: every batch of a split's text column scanned in parallel from the files mapped
//!   into memory (`mapped`), the result remembered for the next page (`cache`).
//!
//! A damaged file (a cut-short copy in a shared folder, a length or an offset that does not
//! fit) is reported as [`Error::Corrupt`] naming the file, never as a crash of the reader.

mod cache;
mod filter;
mod index;
mod mapped;
mod rows;
mod scan;
mod search;
#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub use cache::forget_recent_selections;

pub const MAX_PAGE: u32 = 500;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SamplesQuery {
    pub dataset_id: String,
    /// One split; all splits, in order, when `None`.
    pub split: Option<String>,
    pub offset: u64,
    pub limit: u32,
    /// Case-insensitive text to find in the text column.
    pub search: Option<String>,
    /// Only rows whose text has at least / at most this many characters.
    pub min_chars: Option<u64>,
    pub max_chars: Option<u64>,
    /// Only rows whose length in tokens under this tokenization (before truncation or
    /// packing) is within `min_tokens..=max_tokens`.
    pub tokenization_id: Option<String>,
    pub min_tokens: Option<u64>,
    pub max_tokens: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Sample {
    pub split: String,
    /// The row's index within its split.
    pub index: u64,
    /// Column name → value, as JSON.
    pub fields: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SamplesPage {
    /// Rows in the selection (matching rows when searching or filtering).
    pub total: u64,
    pub offset: u64,
    pub samples: Vec<Sample>,
    pub text_column: Option<String>,
}

/// A canonical file that cannot be read as what it should be: the file, what is wrong, and
/// the fix.
fn damaged(path: &Path, what: impl std::fmt::Display) -> Error {
    Error::Corrupt(format!(
        "{}: {what}; the file is damaged — delete the dataset and download or import it again",
        path.display()
    ))
}

/// One page of rows of the named splits (in order), as the query selects them.
/// `tokenization_dir` is the chosen tokenization's folder (for the token-length filter).
pub fn page(
    data_dir: &Path,
    splits: &[String],
    text_column: Option<&str>,
    tokenization_dir: Option<&Path>,
    q: &SamplesQuery,
) -> Result<SamplesPage> {
    let limit = u64::from(q.limit.clamp(1, MAX_PAGE));
    // The offset comes from the caller: one near the end of the range is past every row.
    let end = q.offset.saturating_add(limit);
    let selection = filter::Selection::new(q, tokenization_dir.map(Path::to_path_buf))?;
    let mut samples = Vec::new();
    let mut total = 0u64;
    if !selection.is_all() && text_column.is_none() {
        return Err(Error::invalid(
            "this dataset has no text column to search or filter by length",
        ));
    }
    for split in splits {
        let split_dir = data_dir.join(split);
        let index = index::split_index(&split_dir)?;
        if selection.is_all() {
            let rows = index.last().map_or(0, |b| b.first_row + b.rows);
            let split_end = total.checked_add(rows).ok_or_else(|| {
                damaged(&split_dir, "the splits hold more rows than can be counted")
            })?;
            // Only the batches that hold the page are read.
            for b in &index {
                let g = total + b.first_row;
                let lo = g.max(q.offset);
                let hi = (g + b.rows).min(end);
                if lo >= hi {
                    continue;
                }
                let batch = rows::read_batch(b)?;
                let from = lo - g;
                let page = rows::slice(b, &batch, from, hi - lo)?;
                for (k, fields) in rows::to_json_rows(&page)?.into_iter().enumerate() {
                    samples.push(Sample {
                        split: split.clone(),
                        index: b.first_row + from + k as u64,
                        fields,
                    });
                }
            }
            total = split_end;
            continue;
        }
        // Searching or filtering selects rows from the text column of every batch (in
        // parallel, every match counted), then reads whole rows only for the page.
        let column = text_column.expect("checked above");
        let hits = scan::selected_rows(&split_dir, split, &index, column, &selection)?;
        let n = hits.len() as u64;
        let lo = q.offset.saturating_sub(total).min(n) as usize;
        let hi = end.saturating_sub(total).min(n) as usize;
        total += n;
        let wanted = &hits[lo..hi];
        for b in &index {
            let mine: Vec<u64> = wanted
                .iter()
                .map(|&r| u64::from(r))
                .filter(|r| (b.first_row..b.first_row + b.rows).contains(r))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let batch = rows::read_batch(b)?;
            for r in mine {
                let fields = rows::to_json_rows(&rows::slice(b, &batch, r - b.first_row, 1)?)?;
                samples.push(Sample {
                    split: split.clone(),
                    index: r,
                    fields: fields.into_iter().next().unwrap_or(serde_json::Value::Null),
                });
            }
        }
    }
    Ok(SamplesPage {
        total,
        offset: q.offset,
        samples,
        text_column: text_column.map(str::to_string),
    })
}
