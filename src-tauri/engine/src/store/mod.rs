//! The local SQLite database: an index of the data root plus the job ledger.
//! It always lives on this machine's disk, never on shared storage (SQLite locking over
//! network file systems is unreliable).

mod datasets;
mod jobs;
mod tokenizers;

pub use datasets::{
    ColumnInfo, Dataset, DatasetSource, DatasetStatus, DatasetSubset, NewDataset, SplitInfo,
    SubsetSplit,
};
pub use jobs::{Job, JobKind, JobStatus, NewJob, Progress};
pub use tokenizers::{NewTokenization, NewTokenizer, Tokenization, TokenizationStatus, Tokenizer};

use crate::error::{Error, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::time::Duration;

/// A statement with its arguments bound, ready to run.
type Statement<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    /// Runs an UPDATE or DELETE of the one row `what` names; a statement that matched no row
    /// means the thing is not there.
    async fn change_row(
        &self,
        statement: Statement<'_>,
        what: impl FnOnce() -> String,
    ) -> Result<()> {
        let done = statement.execute(self.pool()).await?;
        if done.rows_affected() == 0 {
            Err(Error::not_found(what()))
        } else {
            Ok(())
        }
    }

    /// [`Store::change_row`], then the row as it is now (`read_back`, e.g. `self.get_dataset(id)`).
    async fn update_then_read<T>(
        &self,
        statement: Statement<'_>,
        what: impl FnOnce() -> String,
        read_back: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        self.change_row(statement, what).await?;
        read_back.await
    }

    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::io(
                    format!("creating the database folder {}", parent.display()),
                    e,
                )
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Store { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::Store;

    /// A real SQLite file in a temp dir with the migrations applied.
    pub async fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("test.sqlite")).await.unwrap();
        (dir, store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn migrations_apply_to_a_fresh_file_and_are_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/folder/index.sqlite");
        let store = Store::open(&path).await.unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(tables, ["datasets", "jobs", "tokenizations", "tokenizers"]);
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(applied, MIGRATOR.iter().count() as i64);
        store.close().await;

        // Opening again applies nothing new and keeps the data.
        let again = Store::open(&path).await.unwrap();
        let applied_again: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(again.pool())
            .await
            .unwrap();
        assert_eq!(applied_again, applied);
    }

    #[tokio::test]
    async fn connections_use_wal_foreign_keys_and_a_busy_timeout() {
        let (_dir, store) = test_support::temp_store().await;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(fk, 1);
        let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(timeout, 10_000);
    }
}
