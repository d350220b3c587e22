//! What a query keeps: the search matcher and the text- and token-length filters, applied to
//! one batch's text column. Token lengths come from the tokenization's
//! `sample_lengths/<split>.u32`, one little-endian `u32` per row.

use super::search::{matcher, matching_rows};
use super::SamplesQuery;
use crate::error::{Error, Result};
use arrow::array::{Array, StringArray};
use std::path::{Path, PathBuf};

/// A case-insensitive matcher for the search text, and the length filters.
pub(super) struct Selection {
    pub search: Option<regex::bytes::Regex>,
    pub min_chars: Option<u64>,
    pub max_chars: Option<u64>,
    /// The tokenization's folder, when filtering by token length.
    pub token_lengths: Option<PathBuf>,
    pub min_tokens: Option<u64>,
    pub max_tokens: Option<u64>,
}

fn check_range(what: &str, min: Option<u64>, max: Option<u64>) -> Result<()> {
    match (min, max) {
        (Some(a), Some(b)) if a > b => Err(Error::invalid(format!(
            "the minimum {what} ({a}) is above the maximum ({b})"
        ))),
        _ => Ok(()),
    }
}

/// Each row's length in tokens, from the tokenization's sidecar file.
pub(super) fn read_token_lengths(
    tokenization_dir: &Path,
    split: &str,
    rows: u64,
) -> Result<Vec<u32>> {
    let path = crate::tokenize::pipeline::sample_lengths_file(tokenization_dir, split);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::invalid(
            "this tokenization has no per-row token lengths (it was made by an older version); \
                 tokenize the dataset again to filter by token length",
        )),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    if rows.checked_mul(4) != Some(bytes.len() as u64) {
        return Err(Error::Corrupt(format!(
            "{} holds {} lengths for a split of {rows} rows; tokenize the dataset again",
            path.display(),
            bytes.len() / 4
        )));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect())
}

impl Selection {
    pub fn new(q: &SamplesQuery, token_lengths: Option<PathBuf>) -> Result<Selection> {
        let search = matcher(q.search.as_deref())?;
        check_range("length", q.min_chars, q.max_chars)?;
        check_range("token length", q.min_tokens, q.max_tokens)?;
        let by_tokens = q.min_tokens.is_some() || q.max_tokens.is_some();
        if by_tokens && token_lengths.is_none() {
            return Err(Error::invalid(
                "choose a tokenization to filter rows by token length",
            ));
        }
        Ok(Selection {
            search,
            min_chars: q.min_chars,
            max_chars: q.max_chars,
            token_lengths: token_lengths.filter(|_| by_tokens),
            min_tokens: q.min_tokens,
            max_tokens: q.max_tokens,
        })
    }

    pub fn is_all(&self) -> bool {
        self.search.is_none()
            && self.min_chars.is_none()
            && self.max_chars.is_none()
            && self.token_lengths.is_none()
    }

    /// Indices of the rows of `texts` that are selected; `tokens` holds the rows' token
    /// lengths when filtering by them (one per row of `texts`).
    pub fn select(&self, texts: &StringArray, tokens: Option<&[u32]>) -> Vec<usize> {
        let candidates = match &self.search {
            Some(re) => matching_rows(re, texts),
            None => (0..texts.len()).collect(),
        };
        candidates
            .into_iter()
            .filter(|&i| {
                if let Some(tokens) = tokens {
                    let n = u64::from(tokens[i]);
                    if self.min_tokens.is_some_and(|m| n < m)
                        || self.max_tokens.is_some_and(|m| n > m)
                    {
                        return false;
                    }
                }
                if self.min_chars.is_some() || self.max_chars.is_some() {
                    let text = if texts.is_null(i) { "" } else { texts.value(i) };
                    let n = text.chars().count() as u64;
                    if self.min_chars.is_some_and(|m| n < m)
                        || self.max_chars.is_some_and(|m| n > m)
                    {
                        return false;
                    }
                }
                true
            })
            .collect()
    }
}
