//! What the detail view shows beside the rows: the text-length distribution of a split before
//! any tokenization, one row's tokens under a tokenization, and where a dataset's bytes are.

use crate::error::{Error, Result};
use crate::tokenize::stats::LengthCounts;
use crate::tokenize::{HistogramBin, LengthSummary};
use arrow::array::Array;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Characters and words per row of a split's text column (or of all splits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TextStatistics {
    /// `None`: every split together.
    pub split: Option<String>,
    pub text_column: String,
    pub num_rows: u64,
    pub null_rows: u64,
    /// Rows whose text is empty or only whitespace (nulls included).
    pub empty_rows: u64,
    pub total_chars: u64,
    pub total_words: u64,
    pub chars: LengthSummary,
    pub chars_histogram: Vec<HistogramBin>,
    /// Words are runs of characters between Unicode whitespace.
    pub words: LengthSummary,
    pub words_histogram: Vec<HistogramBin>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TokenizationStorage {
    pub tokenization_id: String,
    pub tokenizer_id: String,
    pub bytes: u64,
}

/// Bytes on disk, by what they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatasetStorage {
    /// The downloaded source files still in the Hugging Face cache (`None`: not from the Hub).
    pub raw_cache_bytes: Option<u64>,
    /// The canonical Arrow data.
    pub canonical_bytes: u64,
    pub tokenizations: Vec<TokenizationStorage>,
    /// The manifest, cached statistics and anything else in the dataset's folder.
    pub other_bytes: u64,
    /// The Hub commit the data was downloaded from.
    pub hub_revision: Option<String>,
}

/// Which row to show as tokens, and under which tokenization.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowTokensQuery {
    pub dataset_id: String,
    pub tokenization_id: String,
    pub split: String,
    pub index: u64,
}

/// Bumped when [`TextStatistics`] changes, so stale cached files are recomputed.
const TEXT_STATS_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct CachedTextStatistics {
    version: u32,
    statistics: TextStatistics,
}

/// Reads the text column of the splits once, counting characters and words per row.
pub fn text_statistics(
    data_dir: &Path,
    splits: &[String],
    split: Option<String>,
    text_column: &str,
) -> Result<TextStatistics> {
    let mut chars = LengthCounts::default();
    let mut words = LengthCounts::default();
    let (mut num_rows, mut null_rows, mut empty_rows) = (0u64, 0u64, 0u64);
    let (mut total_chars, mut total_words) = (0u64, 0u64);
    for name in splits {
        for file in crate::tokenize::source::split_files(&data_dir.join(name))? {
            crate::tokenize::source::read_text_batches(&file, text_column, |texts| {
                for i in 0..texts.len() {
                    num_rows += 1;
                    let text = if texts.is_null(i) {
                        null_rows += 1;
                        ""
                    } else {
                        texts.value(i)
                    };
                    let c = text.chars().count() as u64;
                    let w = text.split_whitespace().count() as u64;
                    if w == 0 {
                        empty_rows += 1;
                    }
                    total_chars += c;
                    total_words += w;
                    chars.add(c);
                    words.add(w);
                }
                Ok(())
            })?;
        }
    }
    Ok(TextStatistics {
        split,
        text_column: text_column.to_string(),
        num_rows,
        null_rows,
        empty_rows,
        total_chars,
        total_words,
        chars: chars.summary(),
        chars_histogram: chars.histogram(40),
        words: words.summary(),
        words_histogram: words.histogram(40),
    })
}

/// Where the text statistics of one split (or of all, `None`) are kept in a dataset's folder.
pub(crate) fn text_statistics_cache(dataset_dir: &Path, split: Option<&str>) -> PathBuf {
    dataset_dir.join("stats").join(match split {
        Some(s) => format!("text-split-{s}.json"),
        None => "text-all.json".to_string(),
    })
}

/// The text statistics kept at `cache`, or counted from the canonical data and kept there.
pub(crate) fn cached_text_statistics(
    dataset_dir: &Path,
    cache: &Path,
    splits: &[String],
    split: Option<String>,
    column: &str,
) -> Result<TextStatistics> {
    if let Ok(bytes) = std::fs::read(cache) {
        if let Ok(c) = serde_json::from_slice::<CachedTextStatistics>(&bytes) {
            if c.version == TEXT_STATS_VERSION && c.statistics.text_column == column {
                return Ok(c.statistics);
            }
        }
    }
    let stats = text_statistics(&dataset_dir.join("data"), splits, split, column)?;
    let bytes = serde_json::to_vec(&CachedTextStatistics {
        version: TEXT_STATS_VERSION,
        statistics: stats.clone(),
    })
    .map_err(|e| Error::Internal(format!("serialising statistics: {e}")))?;
    // A cache that cannot be written (a read-only share) only costs a recount.
    if let Some(parent) = cache.parent() {
        if std::fs::create_dir_all(parent).is_ok() {
            if let Err(e) = crate::library::write_atomic(cache, &bytes) {
                tracing::warn!(error = %e, "could not keep the text statistics");
            }
        }
    }
    Ok(stats)
}
