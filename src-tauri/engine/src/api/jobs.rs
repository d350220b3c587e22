//! The facade's job operations: the job list, cancelling, and the job working on a target.

use crate::error::{Error, Result};
use crate::events::EngineEvent;
use crate::store::{self, Job, JobStatus};
use crate::Engine;

impl Engine {
    pub async fn list_jobs(&self) -> Result<Vec<Job>> {
        self.store.list_jobs(200).await
    }

    /// Cancels a job and marks the dataset it was working on as cancelled.
    pub async fn cancel_job(&self, id: &str) -> Result<Job> {
        let job = self.cancel_job_only(id).await?;
        if job.status == JobStatus::Cancelled {
            if let Some(target) = job.target.as_deref().filter(|t| t.starts_with("ds_")) {
                if let Ok(ds) = self.store.get_dataset(target).await {
                    if matches!(
                        ds.status,
                        store::DatasetStatus::Queued
                            | store::DatasetStatus::Downloading
                            | store::DatasetStatus::Processing
                    ) {
                        self.store
                            .set_dataset_status(target, store::DatasetStatus::Cancelled, None)
                            .await?;
                        self.sink.emit(EngineEvent::DatasetsChanged {
                            dataset_ids: vec![target.to_string()],
                        });
                    }
                }
            }
        }
        Ok(job)
    }

    async fn cancel_job_only(&self, id: &str) -> Result<Job> {
        match &self.runner {
            Some(runner) => runner.cancel(id).await,
            None => {
                let job = self.store.get_job(id).await?;
                if job.status.is_finished() || self.store.cancel_queued_job(id).await? {
                    return self.store.get_job(id).await;
                }
                Err(Error::Conflict(format!(
                    "job {id} is running in the miStudio Datasets window; cancel it there"
                )))
            }
        }
    }

    /// The job working on `target` (a dataset or tokenization id), if one is queued or running.
    pub async fn unfinished_job(&self, target: &str) -> Result<Option<Job>> {
        Ok(self
            .store
            .unfinished_jobs_for_target(target)
            .await?
            .into_iter()
            .next())
    }
}
