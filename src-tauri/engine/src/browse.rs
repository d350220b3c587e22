//! What the detail view shows beside the rows: the text-length distribution of a split before
//! any tokenization, one row's tokens under a tokenization, and where a dataset's bytes are.

use crate::deleting::{cached_source_files, tree_size};
use crate::error::{Error, Result};
use crate::library::validate_id;
use crate::samples::SamplesQuery;
use crate::store::{Dataset, DatasetStatus};
use crate::tokenize::stats::LengthCounts;
use crate::tokenize::{registry, HistogramBin, LengthSummary, TokenizePreview};
use crate::Engine;
use arrow::array::Array;
use serde::{Deserialize, Serialize};
use std::path::Path;

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

fn ready(dataset: &Dataset, what: &str) -> Result<()> {
    if dataset.status == DatasetStatus::Ready {
        Ok(())
    } else {
        Err(Error::Conflict(format!(
            "{} is not ready yet; its {what} can be read once it is",
            dataset.name
        )))
    }
}

impl Engine {
    /// The text-length distribution of one split (or all), computed once and then kept beside
    /// the canonical data, which never changes once ready.
    pub async fn text_statistics(
        &self,
        dataset_id: &str,
        split: Option<&str>,
    ) -> Result<TextStatistics> {
        validate_id(dataset_id, "ds")?;
        let dataset = self.store.get_dataset(dataset_id).await?;
        ready(&dataset, "statistics")?;
        let column = dataset.text_column.clone().ok_or_else(|| {
            Error::invalid(format!(
                "{} has no text column, so it has no text lengths",
                dataset.name
            ))
        })?;
        let splits: Vec<String> = match split {
            Some(s) if dataset.splits.iter().any(|x| x.name == s) => vec![s.to_string()],
            Some(s) => {
                return Err(Error::not_found(format!(
                    "split \"{s}\" of {}",
                    dataset.name
                )))
            }
            None => dataset.splits.iter().map(|s| s.name.clone()).collect(),
        };
        let dir = self.data_root().dataset_dir(&dataset.id)?;
        let cache = dir.join("stats").join(match split {
            Some(s) => format!("text-split-{s}.json"),
            None => "text-all.json".to_string(),
        });
        let split = split.map(str::to_string);
        tokio::task::spawn_blocking(move || {
            if let Ok(bytes) = std::fs::read(&cache) {
                if let Ok(c) = serde_json::from_slice::<CachedTextStatistics>(&bytes) {
                    if c.version == TEXT_STATS_VERSION && c.statistics.text_column == column {
                        return Ok(c.statistics);
                    }
                }
            }
            let stats = text_statistics(&dir.join("data"), &splits, split, &column)?;
            let bytes = serde_json::to_vec(&CachedTextStatistics {
                version: TEXT_STATS_VERSION,
                statistics: stats.clone(),
            })
            .map_err(|e| Error::Internal(format!("serialising statistics: {e}")))?;
            // A cache that cannot be written (a read-only share) only costs a recount.
            if std::fs::create_dir_all(cache.parent().expect("has a parent")).is_ok() {
                if let Err(e) = crate::datasets::write_atomic(&cache, &bytes) {
                    tracing::warn!(error = %e, "could not keep the text statistics");
                }
            }
            Ok(stats)
        })
        .await
        .map_err(|e| Error::Internal(format!("counting text lengths crashed: {e}")))?
    }

    /// One row's text encoded as the tokenization encodes it.
    pub async fn row_tokens(&self, q: &RowTokensQuery) -> Result<TokenizePreview> {
        validate_id(&q.tokenization_id, "tok")?;
        let tz = self.store.get_tokenization(&q.tokenization_id).await?;
        if tz.dataset_id != q.dataset_id {
            return Err(Error::invalid(format!(
                "tokenization {} belongs to another dataset",
                tz.id
            )));
        }
        let page = self
            .samples(&SamplesQuery {
                dataset_id: q.dataset_id.clone(),
                split: Some(q.split.clone()),
                offset: q.index,
                limit: 1,
                ..SamplesQuery::default()
            })
            .await?;
        let text_column = page
            .text_column
            .ok_or_else(|| Error::invalid("this dataset has no text column to tokenize"))?;
        let sample =
            page.samples.into_iter().next().ok_or_else(|| {
                Error::not_found(format!("row {} of split \"{}\"", q.index, q.split))
            })?;
        let text = sample.fields[&text_column]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let dataset = self.store.get_dataset(&q.dataset_id).await?;
        let tokenizer = self.store.get_tokenizer(&tz.tokenizer_id).await?;
        let root = self.data_root();
        tokio::task::spawn_blocking(move || {
            let loaded = registry::load_tokenizer(&root, &tokenizer)?;
            let resolved = tz.settings.resolve(&loaded, &dataset)?;
            crate::tokenize::row_tokens(&loaded, &resolved, &text)
        })
        .await
        .map_err(|e| Error::Internal(format!("tokenizing the row crashed: {e}")))?
    }

    /// Where a dataset's bytes are: the Hub cache, the canonical data, each tokenization.
    pub async fn dataset_storage(&self, dataset_id: &str) -> Result<DatasetStorage> {
        validate_id(dataset_id, "ds")?;
        let dataset = self.store.get_dataset(dataset_id).await?;
        let tokenizations = self.store.list_tokenizations(dataset_id).await?;
        let root = self.data_root();
        let dir = root.dataset_dir(dataset_id)?;
        let mut tok_dirs = Vec::new();
        for t in &tokenizations {
            tok_dirs.push((
                t.id.clone(),
                t.tokenizer_id.clone(),
                root.tokenization_dir(dataset_id, &t.id)?,
            ));
        }
        let cache = match &self.hf_cache {
            Some(c) => Some(c.clone()),
            None => crate::hub::hf_hub_cache().ok(),
        };
        tokio::task::spawn_blocking(move || {
            let hub_revision = std::fs::read(dir.join("manifest.json"))
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
                .and_then(|m| m["hub_revision"].as_str().map(str::to_string));
            let raw_cache_bytes = match (&dataset.hf_repo_id, &cache) {
                (Some(repo), Some(cache)) => Some(
                    cached_source_files(cache, &dir, repo)
                        .iter()
                        .map(|(_, blob)| tree_size(blob))
                        .sum(),
                ),
                (Some(_), None) => Some(0),
                (None, _) => None,
            };
            let canonical_bytes = tree_size(&dir.join("data"));
            let tokenizations: Vec<TokenizationStorage> = tok_dirs
                .into_iter()
                .map(
                    |(tokenization_id, tokenizer_id, path)| TokenizationStorage {
                        bytes: tree_size(&path) + tree_size(&crate::tokenize::partial_dir(&path)),
                        tokenization_id,
                        tokenizer_id,
                    },
                )
                .collect();
            let listed = canonical_bytes + tokenizations.iter().map(|t| t.bytes).sum::<u64>();
            DatasetStorage {
                raw_cache_bytes,
                canonical_bytes,
                other_bytes: tree_size(&dir).saturating_sub(listed),
                tokenizations,
                hub_revision,
            }
        })
        .await
        .map_err(|e| Error::Internal(format!("measuring storage crashed: {e}")))
    }
}
