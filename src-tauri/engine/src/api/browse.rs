//! The facade's reading operations: pages of rows, text-length statistics, one row's tokens,
//! where a dataset's bytes are.

use crate::browse::{DatasetStorage, RowTokensQuery, TextStatistics, TokenizationStorage};
use crate::deleting::{cached_source_files, tree_size};
use crate::error::{Error, Result};
use crate::library::validate_id;
use crate::samples::{page, SamplesPage, SamplesQuery};
use crate::store::{Dataset, DatasetStatus};
use crate::tokenize::{registry, TokenizePreview};
use crate::Engine;

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
    /// A page of a dataset's rows, searched and filtered as asked.
    pub async fn samples(&self, q: &SamplesQuery) -> Result<SamplesPage> {
        validate_id(&q.dataset_id, "ds")?;
        let dataset = self.store.get_dataset(&q.dataset_id).await?;
        if dataset.status != DatasetStatus::Ready {
            return Err(Error::Conflict(format!(
                "{} is not ready yet; its rows can be read once it is",
                dataset.name
            )));
        }
        let splits: Vec<String> = match &q.split {
            Some(s) => {
                if !dataset.splits.iter().any(|x| &x.name == s) {
                    return Err(Error::not_found(format!(
                        "split \"{s}\" of {}",
                        dataset.name
                    )));
                }
                vec![s.clone()]
            }
            None => dataset.splits.iter().map(|s| s.name.clone()).collect(),
        };
        let data_dir = self.data_root().dataset_dir(&dataset.id)?.join("data");
        let tokenization_dir = match &q.tokenization_id {
            Some(id) => {
                validate_id(id, "tok")?;
                let tz = self.store.get_tokenization(id).await?;
                if tz.dataset_id != dataset.id {
                    return Err(Error::invalid(format!(
                        "tokenization {id} belongs to another dataset"
                    )));
                }
                if tz.status != crate::store::TokenizationStatus::Ready {
                    return Err(Error::Conflict(
                        "this tokenization is not finished; filter by its token lengths once it is"
                            .into(),
                    ));
                }
                Some(self.data_root().tokenization_dir(&dataset.id, id)?)
            }
            None => None,
        };
        let q = q.clone();
        tokio::task::spawn_blocking(move || {
            page(
                &data_dir,
                &splits,
                dataset.text_column.as_deref(),
                tokenization_dir.as_deref(),
                &q,
            )
        })
        .await
        .map_err(|e| Error::Internal(format!("reading rows crashed: {e}")))?
    }

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
        let cache = crate::browse::text_statistics_cache(&dir, split);
        let split = split.map(str::to_string);
        tokio::task::spawn_blocking(move || {
            crate::browse::cached_text_statistics(&dir, &cache, &splits, split, &column)
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
