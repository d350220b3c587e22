use super::Store;
use crate::error::{AppError, Error, Result};
use crate::time::now_ms;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// How far a job has come. The unit decides how a front end draws it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Progress {
    /// `bytes_per_sec` is the recent transfer rate, when the job measures one.
    Bytes {
        done: u64,
        total: Option<u64>,
        bytes_per_sec: Option<u64>,
    },
    Count {
        done: u64,
        total: Option<u64>,
    },
    /// Tokenization: samples read and tokens written, with their recent rates.
    Samples {
        done: u64,
        total: Option<u64>,
        tokens: u64,
        samples_per_sec: Option<u64>,
        tokens_per_sec: Option<u64>,
    },
    Indeterminate,
}

impl Progress {
    /// 0.0–1.0 when the total is known.
    pub fn fraction(&self) -> Option<f64> {
        match self {
            Progress::Bytes {
                done,
                total: Some(total),
                ..
            }
            | Progress::Count {
                done,
                total: Some(total),
            }
            | Progress::Samples {
                done,
                total: Some(total),
                ..
            } if *total > 0 => Some((*done as f64 / *total as f64).min(1.0)),
            _ => None,
        }
    }
}

/// What a job does; stored in the jobs table by its stable name (`dataset.download`, …).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, sqlx::Type,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum JobKind {
    #[serde(rename = "dataset.download")]
    #[sqlx(rename = "dataset.download")]
    DatasetDownload,
    #[serde(rename = "dataset.import")]
    #[sqlx(rename = "dataset.import")]
    DatasetImport,
    #[serde(rename = "dataset.tokenize")]
    #[sqlx(rename = "dataset.tokenize")]
    DatasetTokenize,
    /// The runner's own tests run kinds of their own.
    #[cfg(test)]
    #[serde(rename = "test.count")]
    #[sqlx(rename = "test.count")]
    TestCount,
    #[cfg(test)]
    #[serde(rename = "test.wait")]
    #[sqlx(rename = "test.wait")]
    TestWait,
    #[cfg(test)]
    #[serde(rename = "test.flood")]
    #[sqlx(rename = "test.flood")]
    TestFlood,
    #[cfg(test)]
    #[serde(rename = "test.gated")]
    #[sqlx(rename = "test.gated")]
    TestGated,
    #[cfg(test)]
    #[serde(rename = "test.fail")]
    #[sqlx(rename = "test.fail")]
    TestFail,
    #[cfg(test)]
    #[serde(rename = "test.resumable")]
    #[sqlx(rename = "test.resumable")]
    TestResumable,
}

impl JobKind {
    /// The stable name, as stored and as the window sees it.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::DatasetDownload => "dataset.download",
            JobKind::DatasetImport => "dataset.import",
            JobKind::DatasetTokenize => "dataset.tokenize",
            #[cfg(test)]
            JobKind::TestCount => "test.count",
            #[cfg(test)]
            JobKind::TestWait => "test.wait",
            #[cfg(test)]
            JobKind::TestFlood => "test.flood",
            #[cfg(test)]
            JobKind::TestGated => "test.gated",
            #[cfg(test)]
            JobKind::TestFail => "test.fail",
            #[cfg(test)]
            JobKind::TestResumable => "test.resumable",
        }
    }
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that table columns (`{:<16}`) line up.
        f.pad(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    pub target: Option<String>,
    pub status: JobStatus,
    pub stage: Option<String>,
    #[sqlx(json(nullable))]
    pub progress: Option<Progress>,
    pub attempts: i64,
    #[sqlx(json(nullable))]
    pub error: Option<AppError>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub updated_at: i64,
    /// Kind-specific parameters; not sent to the window.
    #[serde(skip)]
    #[cfg_attr(feature = "specta", specta(skip))]
    #[sqlx(json)]
    pub params: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: JobKind,
    pub target: Option<String>,
    pub params: serde_json::Value,
}

const SELECT_JOB: &str =
    "SELECT id, kind, target, params, status, stage, progress, attempts, error, \
     created_at, started_at, finished_at, updated_at FROM jobs";

impl Store {
    pub async fn insert_job(&self, new: &NewJob) -> Result<Job> {
        let mut conn = self.pool().acquire().await?;
        let id = insert_job_row(&mut conn, new).await?;
        drop(conn);
        self.get_job(&id).await
    }

    pub async fn get_job(&self, id: &str) -> Result<Job> {
        let row: Option<Job> = sqlx::query_as(&format!("{SELECT_JOB} WHERE id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.ok_or_else(|| Error::not_found(format!("job {id}")))
    }

    /// Unfinished jobs first, then the most recent finished ones, newest first.
    pub async fn list_jobs(&self, limit: i64) -> Result<Vec<Job>> {
        let rows: Vec<Job> = sqlx::query_as(&format!(
            "{SELECT_JOB} ORDER BY status IN ('queued', 'running') DESC, created_at DESC, id LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    /// Oldest first: the order the runner starts them in.
    pub async fn queued_jobs(&self) -> Result<Vec<Job>> {
        let rows: Vec<Job> = sqlx::query_as(&format!(
            "{SELECT_JOB} WHERE status = 'queued' ORDER BY created_at, rowid"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    pub async fn unfinished_jobs_for_target(&self, target: &str) -> Result<Vec<Job>> {
        let rows: Vec<Job> = sqlx::query_as(&format!(
            "{SELECT_JOB} WHERE target = ? AND status IN ('queued', 'running') ORDER BY created_at"
        ))
        .bind(target)
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    /// The most recent job of `kind` for `target`, whatever its status.
    pub async fn latest_job_for_target(&self, target: &str, kind: JobKind) -> Result<Option<Job>> {
        let row: Option<Job> = sqlx::query_as(&format!(
            "{SELECT_JOB} WHERE target = ? AND kind = ? ORDER BY created_at DESC, rowid DESC LIMIT 1"
        ))
        .bind(target)
        .bind(kind)
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }

    pub async fn count_jobs(&self, status: JobStatus) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = ?")
                .bind(status)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Moves a queued job to running. False when someone else got there first (it was
    /// cancelled or claimed meanwhile), so a job never runs twice.
    pub async fn claim_job(&self, id: &str) -> Result<bool> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?, finished_at = NULL, \
             error = NULL, updated_at = ? WHERE id = ? AND status = 'queued'",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_job_progress(
        &self,
        id: &str,
        stage: Option<&str>,
        progress: Option<&Progress>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE jobs SET stage = ?, progress = ?, updated_at = ? WHERE id = ? AND status = 'running'",
        )
        .bind(stage)
        .bind(progress.map(Json))
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records the end of a run together with the last progress the job reported.
    pub async fn finish_job(
        &self,
        id: &str,
        status: JobStatus,
        error: Option<&AppError>,
        stage: Option<&str>,
        progress: Option<&Progress>,
    ) -> Result<Job> {
        debug_assert!(status.is_finished());
        let now = now_ms();
        sqlx::query(
            "UPDATE jobs SET status = ?, error = ?, stage = ?, progress = ?, finished_at = ?, updated_at = ? WHERE id = ?",
        )
        .bind(status)
        .bind(error.map(Json))
        .bind(stage)
        .bind(progress.map(Json))
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        self.get_job(id).await
    }

    /// Puts a running job back in the queue because the app is closing, not because it failed,
    /// so the attempt is not counted.
    pub async fn requeue_job(
        &self,
        id: &str,
        stage: Option<&str>,
        progress: Option<&Progress>,
    ) -> Result<Job> {
        sqlx::query(
            "UPDATE jobs SET status = 'queued', attempts = MAX(attempts - 1, 0), stage = ?, progress = ?, \
             updated_at = ? WHERE id = ? AND status = 'running'",
        )
        .bind(stage)
        .bind(progress.map(Json))
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?;
        self.get_job(id).await
    }

    /// Cancels a job that has not started. False when it is no longer queued.
    pub async fn cancel_queued_job(&self, id: &str) -> Result<bool> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE jobs SET status = 'cancelled', finished_at = ?, updated_at = ? WHERE id = ? AND status = 'queued'",
        )
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// After a crash, jobs still marked running were interrupted: queue them again, unless they
    /// have already been interrupted `max_attempts` times, which marks a job that crashes the app.
    /// Returns the ids re-queued and the ids given up on.
    /// Removes the finished jobs that worked on these targets (the ledger of a deleted thing).
    pub async fn delete_finished_jobs_for_targets(&self, targets: &[String]) -> Result<u64> {
        let mut removed = 0;
        for target in targets {
            removed += sqlx::query(
                "DELETE FROM jobs WHERE target = ? AND status IN ('succeeded', 'failed', 'cancelled')",
            )
            .bind(target)
            .execute(self.pool())
            .await?
            .rows_affected();
        }
        Ok(removed)
    }

    pub async fn requeue_interrupted_jobs(
        &self,
        max_attempts: i64,
    ) -> Result<(Vec<String>, Vec<String>)> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let given_up: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM jobs WHERE status = 'running' AND attempts >= ? ORDER BY created_at",
        )
        .bind(max_attempts)
        .fetch_all(&mut *tx)
        .await?;
        let error = AppError {
            kind: crate::ErrorKind::Internal,
            message: format!(
                "the job was interrupted {max_attempts} times (the app stopped while it ran); it was not restarted again"
            ),
        };
        for id in &given_up {
            sqlx::query(
                "UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ?",
            )
            .bind(Json(&error))
            .bind(now)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        let requeued: Vec<String> = sqlx::query_scalar(
            "UPDATE jobs SET status = 'queued', stage = 'Resuming after restart', updated_at = ? \
             WHERE status = 'running' RETURNING id",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((requeued, given_up))
    }
}

pub(super) async fn insert_job_row(
    conn: &mut sqlx::SqliteConnection,
    new: &NewJob,
) -> Result<String> {
    let id = format!("job_{}", uuid::Uuid::new_v4().simple());
    let now = now_ms();
    sqlx::query(
        "INSERT INTO jobs (id, kind, target, params, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', ?, ?)",
    )
    .bind(&id)
    .bind(new.kind)
    .bind(&new.target)
    .bind(Json(&new.params))
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    fn new_job() -> NewJob {
        NewJob {
            kind: JobKind::TestCount,
            target: Some("ds_x".into()),
            params: serde_json::json!({"n": 3}),
        }
    }

    #[tokio::test]
    async fn job_lifecycle_is_persisted() {
        let (_dir, store) = temp_store().await;
        let job = store.insert_job(&new_job()).await.unwrap();
        assert_eq!(job.status, JobStatus::Queued);
        assert_eq!(job.params["n"], 3);
        assert_eq!(job.attempts, 0);

        assert!(store.claim_job(&job.id).await.unwrap());
        assert!(!store.claim_job(&job.id).await.unwrap(), "claimed twice");
        let progress = Progress::Bytes {
            done: 10,
            total: Some(40),
            bytes_per_sec: None,
        };
        store
            .set_job_progress(&job.id, Some("Downloading"), Some(&progress))
            .await
            .unwrap();
        let running = store.get_job(&job.id).await.unwrap();
        assert_eq!(running.status, JobStatus::Running);
        assert_eq!(running.attempts, 1);
        assert_eq!(running.progress, Some(progress));
        assert_eq!(running.stage.as_deref(), Some("Downloading"));
        assert!(running.started_at.is_some());

        let err = AppError {
            kind: crate::ErrorKind::Network,
            message: "reset".into(),
        };
        let failed = store
            .finish_job(
                &job.id,
                JobStatus::Failed,
                Some(&err),
                Some("Downloading"),
                None,
            )
            .await
            .unwrap();
        assert_eq!(failed.error, Some(err));
        assert!(failed.finished_at.is_some());
        assert_eq!(
            store
                .unfinished_jobs_for_target("ds_x")
                .await
                .unwrap()
                .len(),
            0
        );
    }

    #[tokio::test]
    async fn only_queued_jobs_can_be_cancelled_in_the_store() {
        let (_dir, store) = temp_store().await;
        let a = store.insert_job(&new_job()).await.unwrap();
        let b = store.insert_job(&new_job()).await.unwrap();
        assert!(store.claim_job(&b.id).await.unwrap());
        assert!(store.cancel_queued_job(&a.id).await.unwrap());
        assert!(!store.cancel_queued_job(&b.id).await.unwrap());
        assert!(
            !store.claim_job(&a.id).await.unwrap(),
            "a cancelled job must not start"
        );
        assert_eq!(store.count_jobs(JobStatus::Cancelled).await.unwrap(), 1);
        assert_eq!(store.count_jobs(JobStatus::Running).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn interrupted_jobs_are_requeued_until_they_keep_crashing() {
        let (_dir, store) = temp_store().await;
        let once = store.insert_job(&new_job()).await.unwrap();
        store.claim_job(&once.id).await.unwrap();
        let often = store.insert_job(&new_job()).await.unwrap();
        for _ in 0..3 {
            sqlx::query("UPDATE jobs SET status = 'queued' WHERE id = ?")
                .bind(&often.id)
                .execute(store.pool())
                .await
                .unwrap();
            store.claim_job(&often.id).await.unwrap();
        }
        let (requeued, given_up) = store.requeue_interrupted_jobs(3).await.unwrap();
        assert_eq!(requeued, vec![once.id.clone()]);
        assert_eq!(given_up, vec![often.id.clone()]);
        assert_eq!(
            store.get_job(&once.id).await.unwrap().status,
            JobStatus::Queued
        );
        let failed = store.get_job(&often.id).await.unwrap();
        assert_eq!(failed.status, JobStatus::Failed);
        assert!(failed
            .error
            .unwrap()
            .message
            .contains("interrupted 3 times"));
    }

    #[test]
    fn progress_serialises_with_a_unit_tag() {
        let p = Progress::Count {
            done: 3,
            total: None,
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"unit":"count","done":3,"total":null}"#
        );
        assert_eq!(
            serde_json::to_string(&Progress::Indeterminate).unwrap(),
            r#"{"unit":"indeterminate"}"#
        );
        assert_eq!(
            Progress::Bytes {
                done: 5,
                total: Some(10),
                bytes_per_sec: None,
            }
            .fraction(),
            Some(0.5)
        );
        assert_eq!(
            Progress::Bytes {
                done: 5,
                total: Some(0),
                bytes_per_sec: None,
            }
            .fraction(),
            None
        );
    }
}
