//! The background jobs: listing them, cancelling one.

use crate::output;
use crate::report::emit;
use mistudio_engine::{Engine, Result};

pub async fn list(engine: &Engine, json: bool) -> Result<()> {
    let jobs = engine.list_jobs().await?;
    emit(json, &jobs, || output::jobs_table(&jobs))
}

pub async fn cancel(engine: &Engine, json: bool, id: &str) -> Result<()> {
    let job = engine.cancel_job(id).await?;
    emit(json, &job, || {
        format!("{} {}\n", job.id, output::job_status(&job))
    })
}
