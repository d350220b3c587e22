use super::{DatasetSource, Store};
use crate::error::{Error, Result};
use crate::time::now_ms;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Tokenizer {
    pub id: String,
    pub name: String,
    pub source: DatasetSource,
    pub hf_repo_id: Option<String>,
    pub vocab_size: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewTokenizer {
    pub id: String,
    pub name: String,
    pub source: DatasetSource,
    pub hf_repo_id: Option<String>,
    pub vocab_size: Option<i64>,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Tokenization {
    pub id: String,
    pub dataset_id: String,
    pub tokenizer_id: String,
    pub status: TokenizationStatus,
    pub settings: serde_json::Value,
    pub num_tokens: Option<i64>,
    pub size_bytes: Option<i64>,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct TokenizationRow {
    id: String,
    dataset_id: String,
    tokenizer_id: String,
    status: TokenizationStatus,
    settings: Json<serde_json::Value>,
    num_tokens: Option<i64>,
    size_bytes: Option<i64>,
    error: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl From<TokenizationRow> for Tokenization {
    fn from(r: TokenizationRow) -> Self {
        Tokenization {
            id: r.id,
            dataset_id: r.dataset_id,
            tokenizer_id: r.tokenizer_id,
            status: r.status,
            settings: r.settings.0,
            num_tokens: r.num_tokens,
            size_bytes: r.size_bytes,
            error: r.error,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewTokenization {
    pub id: String,
    pub dataset_id: String,
    pub tokenizer_id: String,
    pub settings: serde_json::Value,
}

const SELECT_TOKENIZATION: &str =
    "SELECT id, dataset_id, tokenizer_id, status, settings, num_tokens, \
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
            "INSERT INTO tokenizers (id, name, source, hf_repo_id, vocab_size, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.id)
        .bind(&new.name)
        .bind(new.source)
        .bind(&new.hf_repo_id)
        .bind(new.vocab_size)
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(|e| map_insert_error(e, &format!("tokenizer {}", new.id)))?;
        self.get_tokenizer(&new.id).await
    }

    pub async fn get_tokenizer(&self, id: &str) -> Result<Tokenizer> {
        sqlx::query_as(
            "SELECT id, name, source, hf_repo_id, vocab_size, created_at, updated_at FROM tokenizers WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| Error::not_found(format!("tokenizer {id}")))
    }

    pub async fn list_tokenizers(&self) -> Result<Vec<Tokenizer>> {
        Ok(sqlx::query_as(
            "SELECT id, name, source, hf_repo_id, vocab_size, created_at, updated_at FROM tokenizers ORDER BY name, id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Removes the tokenizer and, by cascade, every tokenization made with it.
    pub async fn delete_tokenizer(&self, id: &str) -> Result<()> {
        let done = sqlx::query("DELETE FROM tokenizers WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await?;
        super::require_row(done, || format!("tokenizer {id}"))?;
        Ok(())
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
            map_insert_error(
                e,
                &format!(
                    "a tokenization of dataset {} with tokenizer {}",
                    new.dataset_id, new.tokenizer_id
                ),
            )
        })?;
        self.get_tokenization(&new.id).await
    }

    pub async fn get_tokenization(&self, id: &str) -> Result<Tokenization> {
        let row: Option<TokenizationRow> =
            sqlx::query_as(&format!("{SELECT_TOKENIZATION} WHERE id = ?"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(Tokenization::from)
            .ok_or_else(|| Error::not_found(format!("tokenization {id}")))
    }

    pub async fn list_tokenizations(&self, dataset_id: &str) -> Result<Vec<Tokenization>> {
        let rows: Vec<TokenizationRow> = sqlx::query_as(&format!(
            "{SELECT_TOKENIZATION} WHERE dataset_id = ? ORDER BY created_at, id"
        ))
        .bind(dataset_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(Tokenization::from).collect())
    }

    pub async fn set_tokenization_status(
        &self,
        id: &str,
        status: TokenizationStatus,
        error: Option<&str>,
    ) -> Result<Tokenization> {
        let done = sqlx::query(
            "UPDATE tokenizations SET status = ?, error = ?, updated_at = ? WHERE id = ?",
        )
        .bind(status)
        .bind(error)
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?;
        super::require_row(done, || format!("tokenization {id}"))?;
        self.get_tokenization(id).await
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
                    settings: serde_json::json!({"max_length": 512}),
                })
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn one_tokenization_per_dataset_and_tokenizer() {
        let (_dir, store) = temp_store().await;
        seed(&store).await;
        let dup = store
            .insert_tokenization(&NewTokenization {
                id: "tz_dup".into(),
                dataset_id: "ds_a".into(),
                tokenizer_id: "tk_gpt2".into(),
                settings: serde_json::json!({}),
            })
            .await
            .unwrap_err();
        assert_eq!(dup.kind(), ErrorKind::Conflict);

        let orphan = store
            .insert_tokenization(&NewTokenization {
                id: "tz_orphan".into(),
                dataset_id: "ds_missing".into(),
                tokenizer_id: "tk_gpt2".into(),
                settings: serde_json::json!({}),
            })
            .await
            .unwrap_err();
        assert_eq!(orphan.kind(), ErrorKind::NotFound);
        assert_eq!(store.list_tokenizations("ds_a").await.unwrap().len(), 2);
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
        assert_eq!(tz.settings["max_length"], 512);
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
