//! The commands that run a job (download, import, tokenize) run it in this process and wait for
//! it, showing its progress; Ctrl-C cancels it.

use crate::progress::{self, ProgressFormat};
use crate::setup::Setup;
use mistudio_engine::{Engine, Error, Job, JobStatus, Result};
use tokio::sync::mpsc::UnboundedReceiver;

/// Opens an engine that runs jobs, lets `start` start (or find) the job and name its target,
/// follows that job until it finishes, then lets `finish` read and print what it made. `what`
/// names the job in the error of a failure that carries none.
pub async fn run_job(
    setup: Setup,
    progress: ProgressFormat,
    what: &str,
    start: impl AsyncFnOnce(&Engine) -> Result<String>,
    finish: impl AsyncFnOnce(&Engine, &str) -> Result<()>,
) -> Result<()> {
    let (engine, mut updates) = setup.open_running_jobs().await?;
    let result = async {
        let target = start(&engine).await?;
        follow_job(&engine, &mut updates, &target, progress, what).await?;
        finish(&engine, &target).await
    }
    .await;
    engine.shutdown().await;
    result
}

/// Follows the job working on `target` until it finishes; Ctrl-C cancels it.
async fn follow_job(
    engine: &Engine,
    updates: &mut UnboundedReceiver<Job>,
    target: &str,
    progress: ProgressFormat,
    what: &str,
) -> Result<()> {
    loop {
        tokio::select! {
            job = updates.recv() => {
                let Some(job) = job else { break Err(Error::Internal("the job runner stopped".into())) };
                if job.target.as_deref() != Some(target) {
                    continue;
                }
                progress::render(progress, &job);
                if job.status.is_finished() {
                    break match job.status {
                        JobStatus::Succeeded => Ok(()),
                        JobStatus::Cancelled => Err(Error::Cancelled),
                        _ => Err(job.error.map(Error::from).unwrap_or_else(|| Error::Internal(format!("{what} failed")))),
                    };
                }
            }
            _ = tokio::signal::ctrl_c() => {
                if let Some(job) = engine.unfinished_job(target).await? {
                    engine.cancel_job(&job.id).await?;
                }
                break Err(Error::Cancelled);
            }
        }
    }
}
