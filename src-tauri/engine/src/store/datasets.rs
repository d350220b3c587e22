use super::Store;
use crate::error::{Error, Result};
use crate::time::now_ms;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type, Default)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum DatasetSource {
    HuggingFace,
    #[default]
    Local,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum DatasetStatus {
    Queued,
    Downloading,
    Processing,
    Ready,
    Error,
    Cancelled,
    Deleting,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SplitInfo {
    pub name: String,
    pub num_rows: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ColumnInfo {
    pub name: String,
    pub data_type: String,
}

/// What part of its source a dataset holds, when it is not all of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatasetSubset {
    /// The row budget as given ("2000000", "10%"), if any.
    pub rows_budget: Option<String>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub splits: Vec<SubsetSplit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SubsetSplit {
    pub name: String,
    pub rows: i64,
    /// Rows of the whole split, when known.
    pub of_rows: Option<i64>,
    /// The repo paths read, in order.
    pub files: Vec<String>,
    /// Files in the whole split.
    pub of_files: u32,
    /// Files of which only the first row groups were read.
    #[serde(default)]
    pub partial_files: Vec<String>,
}

/// A dataset as the window, the CLI's `--json` and the manifests see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dataset {
    pub id: String,
    pub name: String,
    pub source: DatasetSource,
    pub hf_repo_id: Option<String>,
    pub hf_config: Option<String>,
    pub hf_split: Option<String>,
    pub status: DatasetStatus,
    pub num_samples: Option<i64>,
    pub size_bytes: Option<i64>,
    #[sqlx(json)]
    pub splits: Vec<SplitInfo>,
    #[sqlx(json)]
    pub columns: Vec<ColumnInfo>,
    pub text_column: Option<String>,
    pub format: Option<String>,
    pub description: Option<String>,
    pub error: Option<String>,
    pub tokenization_count: i64,
    /// Set when the dataset holds only part of its source.
    #[sqlx(json(nullable))]
    #[serde(default)]
    pub subset: Option<DatasetSubset>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a download or an import knows when it registers a dataset.
#[derive(Debug, Clone)]
pub struct NewDataset {
    pub id: String,
    pub name: String,
    pub source: DatasetSource,
    pub hf_repo_id: Option<String>,
    pub hf_config: Option<String>,
    pub hf_split: Option<String>,
    pub status: DatasetStatus,
}

const SELECT_DATASET: &str = "SELECT d.id, d.name, d.source, d.hf_repo_id, d.hf_config, d.hf_split, d.status, \
     d.num_samples, d.size_bytes, d.splits, d.columns, d.text_column, d.format, d.description, d.error, \
     (SELECT COUNT(*) FROM tokenizations t WHERE t.dataset_id = d.id AND t.status = 'ready') AS tokenization_count, \
     d.subset, d.created_at, d.updated_at FROM datasets d";

impl Store {
    pub async fn insert_dataset(&self, new: &NewDataset) -> Result<Dataset> {
        let mut conn = self.pool().acquire().await?;
        insert_dataset_row(&mut conn, new).await?;
        drop(conn);
        self.get_dataset(&new.id).await
    }

    /// A new dataset and the job that makes it, both or neither: a crash between the two would
    /// leave a dataset queued forever with nothing to run it.
    pub async fn insert_dataset_and_job(
        &self,
        dataset: &NewDataset,
        job: &super::NewJob,
    ) -> Result<(Dataset, super::Job)> {
        let mut tx = self.pool().begin().await?;
        insert_dataset_row(&mut tx, dataset).await?;
        let job_id = super::jobs::insert_job_row(&mut tx, job).await?;
        tx.commit().await?;
        Ok((
            self.get_dataset(&dataset.id).await?,
            self.get_job(&job_id).await?,
        ))
    }

    pub async fn get_dataset(&self, id: &str) -> Result<Dataset> {
        let row: Option<Dataset> = sqlx::query_as(&format!("{SELECT_DATASET} WHERE d.id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.ok_or_else(|| Error::not_found(format!("dataset {id}")))
    }

    /// Newest first, as the window lists them.
    pub async fn list_datasets(&self) -> Result<Vec<Dataset>> {
        let rows: Vec<Dataset> = sqlx::query_as(&format!(
            "{SELECT_DATASET} ORDER BY d.created_at DESC, d.id"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    pub async fn set_dataset_status(
        &self,
        id: &str,
        status: DatasetStatus,
        error: Option<&str>,
    ) -> Result<Dataset> {
        self.update_then_read(
            sqlx::query("UPDATE datasets SET status = ?, error = ?, updated_at = ? WHERE id = ?")
                .bind(status)
                .bind(error)
                .bind(now_ms())
                .bind(id),
            || format!("dataset {id}"),
            self.get_dataset(id),
        )
        .await
    }

    /// What inspection learned: the config actually used and the card's description.
    pub async fn set_dataset_details(
        &self,
        id: &str,
        hf_config: Option<&str>,
        description: Option<&str>,
    ) -> Result<Dataset> {
        self.update_then_read(
sqlx::query(
            "UPDATE datasets SET hf_config = COALESCE(?, hf_config), description = COALESCE(?, description), \
             updated_at = ? WHERE id = ?",
        )
        .bind(hf_config)
        .bind(description)
        .bind(now_ms())
        .bind(id),
|| format!("dataset {id}"),
self.get_dataset(id),
).await
    }

    /// Records what ingestion learned about the data; the dataset becomes ready in the same write.
    pub async fn mark_dataset_ready(
        &self,
        id: &str,
        splits: &[SplitInfo],
        columns: &[ColumnInfo],
        text_column: Option<&str>,
        format: &str,
        size_bytes: i64,
    ) -> Result<Dataset> {
        let num_samples: i64 = splits.iter().map(|s| s.num_rows).sum();
        self.update_then_read(
sqlx::query(
            "UPDATE datasets SET status = 'ready', error = NULL, splits = ?, columns = ?, text_column = ?, \
             format = ?, size_bytes = ?, num_samples = ?, updated_at = ? WHERE id = ?",
        )
        .bind(Json(splits))
        .bind(Json(columns))
        .bind(text_column)
        .bind(format)
        .bind(size_bytes)
        .bind(num_samples)
        .bind(now_ms())
        .bind(id),
|| format!("dataset {id}"),
self.get_dataset(id),
).await
    }

    /// Removes the dataset's row; its tokenizations go with it (ON DELETE CASCADE).
    /// Records a ready dataset as its manifest describes it (made by this machine or another
    /// one sharing the data folder): added when unknown, brought up to date otherwise.
    pub async fn adopt_dataset(&self, d: &Dataset) -> Result<()> {
        sqlx::query(
            "INSERT INTO datasets (id, name, source, hf_repo_id, hf_config, hf_split, status, num_samples, \
             size_bytes, splits, columns, text_column, format, description, error, subset, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, 'ready', ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, source = excluded.source, \
             hf_repo_id = excluded.hf_repo_id, hf_config = excluded.hf_config, hf_split = excluded.hf_split, \
             status = 'ready', num_samples = excluded.num_samples, size_bytes = excluded.size_bytes, \
             splits = excluded.splits, columns = excluded.columns, text_column = excluded.text_column, \
             format = excluded.format, description = excluded.description, error = NULL, \
             subset = excluded.subset, updated_at = excluded.updated_at",
        )
        .bind(&d.id)
        .bind(&d.name)
        .bind(d.source)
        .bind(&d.hf_repo_id)
        .bind(&d.hf_config)
        .bind(&d.hf_split)
        .bind(d.num_samples)
        .bind(d.size_bytes)
        .bind(Json(&d.splits))
        .bind(Json(&d.columns))
        .bind(&d.text_column)
        .bind(&d.format)
        .bind(&d.description)
        .bind(d.subset.as_ref().map(Json))
        .bind(d.created_at)
        .bind(d.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records what part of its source the dataset holds (`None`: all of it).
    pub async fn set_dataset_subset(&self, id: &str, subset: Option<&DatasetSubset>) -> Result<()> {
        self.change_row(
            sqlx::query("UPDATE datasets SET subset = ? WHERE id = ?")
                .bind(subset.map(Json))
                .bind(id),
            || format!("dataset {id}"),
        )
        .await
    }

    pub async fn delete_dataset(&self, id: &str) -> Result<()> {
        self.change_row(
            sqlx::query("DELETE FROM datasets WHERE id = ?").bind(id),
            || format!("dataset {id}"),
        )
        .await
    }
}

async fn insert_dataset_row(conn: &mut sqlx::SqliteConnection, new: &NewDataset) -> Result<()> {
    let now = now_ms();
    let inserted = sqlx::query(
            "INSERT INTO datasets (id, name, source, hf_repo_id, hf_config, hf_split, status, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.id)
        .bind(&new.name)
        .bind(new.source)
        .bind(&new.hf_repo_id)
        .bind(&new.hf_config)
        .bind(&new.hf_split)
        .bind(new.status)
        .bind(now)
        .bind(now)
        .execute(&mut *conn)
        .await;
    match inserted {
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            return Err(Error::Conflict(format!(
                "a dataset with id {} already exists",
                new.id
            )))
        }
        other => other?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    pub(crate) fn hub_dataset(id: &str) -> NewDataset {
        NewDataset {
            id: id.to_string(),
            name: "roneneldan/TinyStories".into(),
            source: DatasetSource::HuggingFace,
            hf_repo_id: Some("roneneldan/TinyStories".into()),
            hf_config: Some("default".into()),
            hf_split: Some("train".into()),
            status: DatasetStatus::Downloading,
        }
    }

    #[tokio::test]
    async fn dataset_crud_round_trips() {
        let (_dir, store) = temp_store().await;
        assert!(store.list_datasets().await.unwrap().is_empty());

        let created = store.insert_dataset(&hub_dataset("ds_one")).await.unwrap();
        assert_eq!(created.status, DatasetStatus::Downloading);
        assert_eq!(created.hf_split.as_deref(), Some("train"));
        assert_eq!(created.splits, vec![]);
        assert_eq!(created.tokenization_count, 0);

        let dup = store
            .insert_dataset(&hub_dataset("ds_one"))
            .await
            .unwrap_err();
        assert_eq!(dup.kind(), crate::ErrorKind::Conflict);

        let splits = vec![
            SplitInfo {
                name: "train".into(),
                num_rows: 90,
            },
            SplitInfo {
                name: "test".into(),
                num_rows: 10,
            },
        ];
        let columns = vec![ColumnInfo {
            name: "text".into(),
            data_type: "string".into(),
        }];
        let ready = store
            .mark_dataset_ready("ds_one", &splits, &columns, Some("text"), "parquet", 4096)
            .await
            .unwrap();
        assert_eq!(ready.status, DatasetStatus::Ready);
        assert_eq!(ready.num_samples, Some(100));
        assert_eq!(ready.splits, splits);
        assert_eq!(ready.columns, columns);
        assert_eq!(ready.size_bytes, Some(4096));

        let failed = store
            .set_dataset_status("ds_one", DatasetStatus::Error, Some("disk full"))
            .await
            .unwrap();
        assert_eq!(failed.error.as_deref(), Some("disk full"));

        store.insert_dataset(&hub_dataset("ds_two")).await.unwrap();
        assert_eq!(store.list_datasets().await.unwrap().len(), 2);

        store.delete_dataset("ds_one").await.unwrap();
        let missing = store.get_dataset("ds_one").await.unwrap_err();
        assert_eq!(missing.kind(), crate::ErrorKind::NotFound);
        assert_eq!(
            store.delete_dataset("ds_one").await.unwrap_err().kind(),
            crate::ErrorKind::NotFound
        );
        assert_eq!(store.list_datasets().await.unwrap().len(), 1);
    }
}
