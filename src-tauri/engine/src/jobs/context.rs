use crate::error::{Error, Result};
use crate::events::{EngineEvent, EventSink};
use crate::store::{Job, Progress, Store};
use crate::time::now_ms;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The latest stage and progress a job reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgressUpdate {
    pub stage: Option<String>,
    pub progress: Option<Progress>,
}

/// Reports progress from anywhere, including blocking threads. Reporting is cheap and never
/// blocks: it replaces the latest value, and the runner forwards at most 10 values a second.
#[derive(Clone)]
pub struct ProgressReporter(Arc<watch::Sender<ProgressUpdate>>);

impl ProgressReporter {
    pub fn stage(&self, stage: impl Into<String>) {
        let stage = stage.into();
        self.0.send_modify(|u| u.stage = Some(stage));
    }

    pub fn progress(&self, progress: Progress) {
        self.0.send_modify(|u| u.progress = Some(progress));
    }

    pub fn report(&self, stage: impl Into<String>, progress: Progress) {
        let stage = stage.into();
        self.0.send_modify(|u| {
            u.stage = Some(stage);
            u.progress = Some(progress);
        });
    }
}

/// What a running job gets from the runner.
pub struct JobContext {
    job: Job,
    cancel: CancellationToken,
    /// Cancelled when the app is closing (the job is then queued again, not withdrawn).
    stopping: CancellationToken,
    reporter: ProgressReporter,
}

impl JobContext {
    pub(crate) fn new(
        job: Job,
        cancel: CancellationToken,
        stopping: CancellationToken,
    ) -> (Self, watch::Receiver<ProgressUpdate>) {
        let initial = ProgressUpdate {
            stage: job.stage.clone(),
            progress: job.progress.clone(),
        };
        let (tx, rx) = watch::channel(initial);
        let ctx = JobContext {
            job,
            cancel,
            stopping,
            reporter: ProgressReporter(Arc::new(tx)),
        };
        (ctx, rx)
    }

    #[cfg(test)]
    pub fn job(&self) -> &Job {
        &self.job
    }

    /// The job's parameters, as the code that enqueued it wrote them.
    pub fn params<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(self.job.params.clone()).map_err(|e| {
            Error::invalid(format!(
                "job {} has parameters this version cannot read: {e}",
                self.job.id
            ))
        })
    }

    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The interruption comes from the app closing: the job runs again on the next start, so
    /// it must keep what it needs to, rather than treat this as the person's cancel.
    pub fn is_app_stopping(&self) -> bool {
        self.stopping.is_cancelled()
    }

    /// `Err(Cancelled)` once the job has been asked to stop: put it between units of work.
    #[cfg(test)]
    pub fn check_cancelled(&self) -> Result<()> {
        if self.cancel.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    pub fn reporter(&self) -> &ProgressReporter {
        &self.reporter
    }

    pub fn stage(&self, stage: impl Into<String>) {
        self.reporter.stage(stage);
    }

    pub fn progress(&self, progress: Progress) {
        self.reporter.progress(progress);
    }

    /// Runs CPU-heavy or blocking work on tokio's blocking pool, so the async runtime (and with
    /// it the window's commands) stays responsive. The closure gets the cancellation token and a
    /// reporter, and should check the token between batches.
    pub async fn run_blocking<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(CancellationToken, ProgressReporter) -> Result<T> + Send + 'static,
    {
        let cancel = self.cancel.clone();
        let reporter = self.reporter.clone();
        tokio::task::spawn_blocking(move || work(cancel, reporter))
            .await
            .map_err(|e| Error::Internal(format!("blocking work of a job crashed: {e}")))?
    }
}

/// Forwards a job's progress to the store and the event sink, at most once per
/// [`super::PROGRESS_INTERVAL`], always the latest value. Returns the last value reported, which
/// the runner writes with the job's final status.
pub(crate) async fn forward_progress(
    store: Store,
    sink: Arc<dyn EventSink>,
    mut job: Job,
    mut updates: watch::Receiver<ProgressUpdate>,
    handler_done: CancellationToken,
) -> ProgressUpdate {
    let mut last_sent: Option<Instant> = None;
    loop {
        tokio::select! {
            biased;
            _ = handler_done.cancelled() => break,
            changed = updates.changed() => if changed.is_err() { break },
        }
        if let Some(sent) = last_sent {
            tokio::select! {
                biased;
                _ = handler_done.cancelled() => break,
                _ = tokio::time::sleep_until(sent + super::PROGRESS_INTERVAL) => {}
            }
        }
        let update = updates.borrow_and_update().clone();
        if let Err(e) = store
            .set_job_progress(&job.id, update.stage.as_deref(), update.progress.as_ref())
            .await
        {
            tracing::warn!(job = %job.id, error = %e, "could not persist job progress");
        }
        job.stage = update.stage;
        job.progress = update.progress;
        job.updated_at = now_ms();
        sink.emit(EngineEvent::Job(Box::new(job.clone())));
        last_sent = Some(Instant::now());
    }
    let last = updates.borrow().clone();
    last
}
