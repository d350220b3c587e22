use super::{DatasetSource, Store};
use crate::error::{Error, Result};
use crate::time::now_ms;
use crate::tokenize::{SpecialTokens, Statistics, TokenizeSettings};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Tokenizer {
    pub id: String,
    pub name: String,
    pub source: DatasetSource,
    pub hf_repo_id: Option<String>,
    pub hf_revision: Option<String>,
    /// The file it was added from (local tokenizers).
    pub file_name: Option<String>,
    pub vocab_size: Option<i64>,
    pub sha256: Option<String>,
    #[sqlx(json)]
    pub special_tokens: SpecialTokens,
    pub created_at: i64,
    pub updated_at: i64,
}

const SELECT_TOKENIZER: &str = "SELECT id, name, source, hf_repo_id, hf_revision, file_name, \
     vocab_size, sha256, special_tokens, created_at, updated_at FROM tokenizers";

#[derive(Debug, Clone, Default)]
pub struct NewTokenizer {
    pub id: String,
    pub name: String,
    pub source: DatasetSource,
    pub hf_repo_id: Option<String>,
    pub hf_revision: Option<String>,
    pub file_name: Option<String>,
    pub vocab_size: Option<i64>,
    pub sha256: Option<String>,
    pub special_tokens: SpecialTokens,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum TokenizationStatus {
    Queued,
    Processing,
    Ready,
    Error,
    Deleting,
}

impl TokenizationStatus {
    /// Queued or processing: a job owns it.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            TokenizationStatus::Queued | TokenizationStatus::Processing
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Tokenization {
    pub id: String,
    pub dataset_id: String,
    pub tokenizer_id: String,
    pub status: TokenizationStatus,
    #[sqlx(json)]
    pub settings: TokenizeSettings,
    #[sqlx(json(nullable))]
    pub statistics: Option<Statistics>,
    pub num_tokens: Option<i64>,
    pub size_bytes: Option<i64>,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The folder Python reads (`load_from_disk`, `load_dataset`), filled in by the engine's
    /// facade; not a column.
    #[sqlx(skip)]
    #[serde(default)]
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct NewTokenization {
    pub id: String,
    pub dataset_id: String,
    pub tokenizer_id: String,
    pub settings: TokenizeSettings,
}

const SELECT_TOKENIZATION: &str =
    "SELECT id, dataset_id, tokenizer_id, status, settings, statistics, num_tokens, \
     size_bytes, error, created_at, updated_at FROM tokenizations";

fn map_insert_error(e: sqlx::Error, what: &str) -> Error {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            Error::Conflict(format!("{what} already exists"))
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            Error::not_found(format!("the dataset or tokenizer that {what} refers to"))
        }
        _ => Error::Database(e),
    }
}

impl Store {
    pub async fn insert_tokenizer(&self, new: &NewTokenizer) -> Result<Tokenizer> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO tokenizers (id, name, source, hf_repo_id, hf_revision, file_name, vocab_size, \
             sha256, special_tokens, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.id)
        .bind(&new.name)
        .bind(new.source)
        .bind(&new.hf_repo_id)
        .bind(&new.hf_revision)
        .bind(&new.file_name)
        .bind(new.vocab_size)
        .bind(&new.sha256)
        .bind(Json(&new.special_tokens))
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(|e| map_insert_error(e, &format!("tokenizer {}", new.id)))?;
        self.get_tokenizer(&new.id).await
    }

    pub async fn get_tokenizer(&self, id: &str) -> Result<Tokenizer> {
        let row: Option<Tokenizer> = sqlx::query_as(&format!("{SELECT_TOKENIZER} WHERE id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.ok_or_else(|| Error::not_found(format!("tokenizer {id}")))
    }

    pub async fn list_tokenizers(&self) -> Result<Vec<Tokenizer>> {
        let rows: Vec<Tokenizer> = sqlx::query_as(&format!("{SELECT_TOKENIZER} ORDER BY name, id"))
            .fetch_all(self.pool())
            .await?;
        Ok(rows)
    }

    /// How many tokenizations were made with the tokenizer.
    pub async fn count_tokenizations_of_tokenizer(&self, id: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM tokenizations WHERE tokenizer_id = ?")
                .bind(id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Removes the tokenizer and, by cascade, every tokenization made with it.
    pub async fn delete_tokenizer(&self, id: &str) -> Result<()> {
        self.change_row(
            sqlx::query("DELETE FROM tokenizers WHERE id = ?").bind(id),
            || format!("tokenizer {id}"),
        )
        .await
    }

    pub async fn insert_tokenization(&self, new: &NewTokenization) -> Result<Tokenization> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO tokenizations (id, dataset_id, tokenizer_id, status, settings, created_at, updated_at) \
             VALUES (?, ?, ?, 'queued', ?, ?, ?)",
        )
        .bind(&new.id)
        .bind(&new.dataset_id)
        .bind(&new.tokenizer_id)
        .bind(Json(&new.settings))
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(|e| {
            map_insert_error(e, &format!("tokenization {}", new.id))
        })?;
        self.get_tokenization(&new.id).await
    }

    pub async fn get_tokenization(&self, id: &str) -> Result<Tokenization> {
        let row: Option<Tokenization> =
            sqlx::query_as(&format!("{SELECT_TOKENIZATION} WHERE id = ?"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.ok_or_else(|| Error::not_found(format!("tokenization {id}")))
    }

    pub async fn list_tokenizations(&self, dataset_id: &str) -> Result<Vec<Tokenization>> {
        let rows: Vec<Tokenization> = sqlx::query_as(&format!(
            "{SELECT_TOKENIZATION} WHERE dataset_id = ? ORDER BY created_at, id"
        ))
        .bind(dataset_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    pub async fn set_tokenization_status(
        &self,
        id: &str,
        status: TokenizationStatus,
        error: Option<&str>,
    ) -> Result<Tokenization> {
        self.update_then_read(
            sqlx::query(
                "UPDATE tokenizations SET status = ?, error = ?, updated_at = ? WHERE id = ?",
            )
            .bind(status)
            .bind(error)
            .bind(now_ms())
            .bind(id),
            || format!("tokenization {id}"),
            self.get_tokenization(id),
        )
        .await
    }

    /// The tokenizations of a dataset with a tokenizer, oldest first.
    pub async fn find_tokenizations(
        &self,
        dataset_id: &str,
        tokenizer_id: &str,
    ) -> Result<Vec<Tokenization>> {
        let rows: Vec<Tokenization> = sqlx::query_as(&format!(
            "{SELECT_TOKENIZATION} WHERE dataset_id = ? AND tokenizer_id = ? ORDER BY created_at, id"
        ))
        .bind(dataset_id)
        .bind(tokenizer_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    /// Puts a finished tokenization back in the queue with new settings (re-tokenizing).
    pub async fn requeue_tokenization(
        &self,
        id: &str,
        settings: &TokenizeSettings,
    ) -> Result<Tokenization> {
        self.update_then_read(
sqlx::query(
            "UPDATE tokenizations SET status = 'queued', settings = ?, error = NULL, statistics = NULL, \
             num_tokens = NULL, size_bytes = NULL, updated_at = ? WHERE id = ?",
        )
        .bind(Json(settings))
        .bind(now_ms())
        .bind(id),
|| format!("tokenization {id}"),
self.get_tokenization(id),
).await
    }

    /// Marks a tokenization ready with what its pass measured.
    pub async fn finish_tokenization(
        &self,
        id: &str,
        statistics: &Statistics,
        size_bytes: u64,
    ) -> Result<Tokenization> {
        self.update_then_read(
sqlx::query(
            "UPDATE tokenizations SET status = 'ready', statistics = ?, num_tokens = ?, size_bytes = ?, \
             error = NULL, updated_at = ? WHERE id = ?",
        )
        .bind(Json(statistics))
        .bind(statistics.num_tokens as i64)
        .bind(size_bytes as i64)
        .bind(now_ms())
        .bind(id),
|| format!("tokenization {id}"),
self.get_tokenization(id),
).await
    }

    pub async fn delete_tokenization(&self, id: &str) -> Result<()> {
        self.change_row(
            sqlx::query("DELETE FROM tokenizations WHERE id = ?").bind(id),
            || format!("tokenization {id}"),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;
    use crate::store::{DatasetStatus, NewDataset};
    use crate::ErrorKind;

    async fn seed(store: &Store) {
        for ds in ["ds_a", "ds_b"] {
            store
                .insert_dataset(&NewDataset {
                    id: ds.into(),
                    name: ds.into(),
                    source: DatasetSource::Local,
                    hf_repo_id: None,
                    hf_config: None,
                    hf_split: None,
                    status: DatasetStatus::Ready,
                })
                .await
                .unwrap();
        }
        for tk in ["tk_gpt2", "tk_llama"] {
            store
                .insert_tokenizer(&NewTokenizer {
                    id: tk.into(),
                    name: tk.into(),
                    source: DatasetSource::HuggingFace,
                    hf_repo_id: Some(format!("org/{tk}")),
                    vocab_size: Some(50257),
                    ..NewTokenizer::default()
                })
                .await
                .unwrap();
        }
        for (id, ds, tk) in [
            ("tz_1", "ds_a", "tk_gpt2"),
            ("tz_2", "ds_a", "tk_llama"),
            ("tz_3", "ds_b", "tk_gpt2"),
        ] {
            store
                .insert_tokenization(&NewTokenization {
                    id: id.into(),
                    dataset_id: ds.into(),
                    tokenizer_id: tk.into(),
                    settings: TokenizeSettings::default(),
                })
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn several_tokenizations_per_dataset_and_tokenizer_and_no_orphans() {
        let (_dir, store) = temp_store().await;
        seed(&store).await;
        store
            .insert_tokenization(&NewTokenization {
                id: "tz_1024".into(),
                dataset_id: "ds_a".into(),
                tokenizer_id: "tk_gpt2".into(),
                settings: TokenizeSettings {
                    max_length: 1024,
                    ..TokenizeSettings::default()
                },
            })
            .await
            .unwrap();
        let both = store.find_tokenizations("ds_a", "tk_gpt2").await.unwrap();
        assert_eq!(
            both.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            ["tz_1", "tz_1024"]
        );
        let same_id = store
            .insert_tokenization(&NewTokenization {
                id: "tz_1".into(),
                dataset_id: "ds_a".into(),
                tokenizer_id: "tk_gpt2".into(),
                settings: TokenizeSettings::default(),
            })
            .await
            .unwrap_err();
        assert_eq!(same_id.kind(), ErrorKind::Conflict);

        let orphan = store
            .insert_tokenization(&NewTokenization {
                id: "tz_orphan".into(),
                dataset_id: "ds_missing".into(),
                tokenizer_id: "tk_gpt2".into(),
                settings: TokenizeSettings::default(),
            })
            .await
            .unwrap_err();
        assert_eq!(orphan.kind(), ErrorKind::NotFound);
        assert_eq!(store.list_tokenizations("ds_a").await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn ready_tokenizations_are_counted_on_the_dataset() {
        let (_dir, store) = temp_store().await;
        seed(&store).await;
        assert_eq!(
            store.get_dataset("ds_a").await.unwrap().tokenization_count,
            0
        );
        let tz = store
            .set_tokenization_status("tz_1", TokenizationStatus::Ready, None)
            .await
            .unwrap();
        assert_eq!(tz.settings.max_length, 512);
        assert_eq!(
            store.get_dataset("ds_a").await.unwrap().tokenization_count,
            1
        );
    }

    #[tokio::test]
    async fn deleting_a_dataset_or_tokenizer_cascades_to_its_tokenizations() {
        let (_dir, store) = temp_store().await;
        seed(&store).await;

        store.delete_dataset("ds_a").await.unwrap();
        assert!(store.list_tokenizations("ds_a").await.unwrap().is_empty());
        assert_eq!(
            store.get_tokenization("tz_1").await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(store.list_tokenizations("ds_b").await.unwrap().len(), 1);
        // The tokenizers themselves stay.
        assert_eq!(store.list_tokenizers().await.unwrap().len(), 2);

        store.delete_tokenizer("tk_gpt2").await.unwrap();
        assert!(store.list_tokenizations("ds_b").await.unwrap().is_empty());
        assert_eq!(store.list_tokenizers().await.unwrap().len(), 1);
        assert!(store.get_dataset("ds_b").await.is_ok());
    }
}
