//! The durable job runner: jobs live in SQLite, run on tokio, report throttled typed progress,
//! are cancelled by token (and the cancel waits for the job to stop), and are re-queued when the
//! app stopped while they ran.

mod context;
#[cfg(test)]
mod tests;

pub use context::JobContext;

use crate::error::{AppError, Error, ErrorKind, Result};
use crate::events::{EngineEvent, EventSink};
use crate::store::{Job, JobKind, JobStatus, NewJob, Store};
use async_trait::async_trait;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

/// The longest a front end waits between two progress updates of a running job is decided by
/// the job; the shortest is this: at most 10 updates per second per job.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// A job that was running when the app stopped this many times is failed instead of restarted:
/// it is probably what stops the app.
pub const MAX_INTERRUPTED_ATTEMPTS: i64 = 3;

/// One kind of background work. The runner owns scheduling, persistence and events;
/// the handler only does the work and reports through its [`JobContext`].
#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    /// What it runs (stored in the jobs table by its stable name).
    fn kind(&self) -> JobKind;

    /// How many jobs of this kind may run at once.
    fn max_concurrency(&self) -> usize {
        1
    }

    /// Does the work. Must return promptly (with `Err(Error::Cancelled)` or `Ok`) once the
    /// context is cancelled, and must be safe to run again after an interruption.
    async fn run(&self, ctx: JobContext) -> Result<()>;
}

pub struct JobRunnerBuilder {
    store: Store,
    sink: Arc<dyn EventSink>,
    handlers: Vec<Arc<dyn JobHandler>>,
}

impl JobRunnerBuilder {
    pub fn handler(mut self, handler: impl JobHandler) -> Self {
        self.handlers.push(Arc::new(handler));
        self
    }

    /// Takes the runner lock next to the database, re-queues jobs a previous run left behind,
    /// and starts dispatching. Only one runner per database may run: a second process (a CLI
    /// next to the window) gets `Conflict` rather than re-queuing jobs that are still running.
    pub async fn start(self, lock_path: &Path) -> Result<JobRunner> {
        let lock = RunnerLock::acquire(lock_path)?;
        let mut handlers = HashMap::new();
        for handler in self.handlers {
            let slots = Arc::new(Semaphore::new(handler.max_concurrency().max(1)));
            if handlers
                .insert(handler.kind(), (handler.clone(), slots))
                .is_some()
            {
                return Err(Error::Internal(format!(
                    "two job handlers registered for kind {}",
                    handler.kind()
                )));
            }
        }
        let (requeued, given_up) = self
            .store
            .requeue_interrupted_jobs(MAX_INTERRUPTED_ATTEMPTS)
            .await?;
        if !requeued.is_empty() || !given_up.is_empty() {
            tracing::info!(?requeued, ?given_up, "jobs interrupted by the last stop");
        }
        let inner = Arc::new(Inner {
            store: self.store,
            sink: self.sink,
            handlers,
            running: Mutex::new(HashMap::new()),
            wake: Notify::new(),
            ordering: tokio::sync::Mutex::new(()),
            stop: CancellationToken::new(),
            closing: AtomicBool::new(false),
            _lock: lock,
        });
        for id in requeued.iter().chain(&given_up) {
            if let Ok(job) = inner.store.get_job(id).await {
                inner.sink.emit(EngineEvent::Job(Box::new(job)));
            }
        }
        let dispatcher = tokio::spawn(inner.clone().dispatch_loop());
        Ok(JobRunner {
            inner,
            dispatcher: Arc::new(Mutex::new(Some(dispatcher))),
        })
    }
}

/// Handle to the runner; cheap to clone.
#[derive(Clone)]
pub struct JobRunner {
    inner: Arc<Inner>,
    dispatcher: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

struct Inner {
    store: Store,
    sink: Arc<dyn EventSink>,
    handlers: HashMap<JobKind, (Arc<dyn JobHandler>, Arc<Semaphore>)>,
    running: Mutex<HashMap<String, RunningJob>>,
    wake: Notify,
    /// Held while a job is inserted and announced, and while the dispatcher claims jobs, so a
    /// job's "queued" event always precedes its "running" event.
    ordering: tokio::sync::Mutex<()>,
    stop: CancellationToken,
    /// Set by a graceful shutdown: interrupted jobs go back to the queue instead of "cancelled".
    closing: AtomicBool,
    _lock: RunnerLock,
}

struct RunningJob {
    cancel: CancellationToken,
    finished: watch::Receiver<bool>,
}

impl JobRunner {
    pub fn builder(store: Store, sink: Arc<dyn EventSink>) -> JobRunnerBuilder {
        JobRunnerBuilder {
            store,
            sink,
            handlers: Vec::new(),
        }
    }

    /// Persists a new job and wakes the dispatcher.
    pub async fn enqueue(&self, new: NewJob) -> Result<Job> {
        self.check_enqueue(&new)?;
        let _order = self.inner.ordering.lock().await;
        let job = self.inner.store.insert_job(&new).await?;
        self.announce(&job);
        Ok(job)
    }

    /// Registers a dataset and queues the job that makes it in one transaction.
    pub async fn enqueue_with_dataset(
        &self,
        dataset: &crate::store::NewDataset,
        new: NewJob,
    ) -> Result<(crate::store::Dataset, Job)> {
        self.check_enqueue(&new)?;
        let _order = self.inner.ordering.lock().await;
        let (dataset, job) = self
            .inner
            .store
            .insert_dataset_and_job(dataset, &new)
            .await?;
        self.announce(&job);
        Ok((dataset, job))
    }

    fn announce(&self, job: &Job) {
        self.inner
            .sink
            .emit(EngineEvent::Job(Box::new(job.clone())));
        self.inner.wake.notify_one();
    }

    fn check_enqueue(&self, new: &NewJob) -> Result<()> {
        if !self.inner.handlers.contains_key(&new.kind) {
            return Err(Error::invalid(format!(
                "unknown job kind {:?}; this version runs: {}",
                new.kind.as_str(),
                self.kinds().join(", ")
            )));
        }
        if self.inner.stop.is_cancelled() {
            return Err(Error::Conflict(
                "the job runner is shutting down; try again after restart".into(),
            ));
        }
        Ok(())
    }

    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.inner.handlers.keys().map(|k| k.as_str()).collect();
        kinds.sort_unstable();
        kinds
    }

    /// Cancels a queued or running job and returns it once it has stopped. Cancelling a job
    /// that already finished returns it unchanged.
    pub async fn cancel(&self, id: &str) -> Result<Job> {
        let job = self.inner.store.get_job(id).await?;
        if job.status.is_finished() {
            return Ok(job);
        }
        if self.inner.store.cancel_queued_job(id).await? {
            let job = self.inner.store.get_job(id).await?;
            self.inner
                .sink
                .emit(EngineEvent::Job(Box::new(job.clone())));
            return Ok(job);
        }
        let running = self
            .inner
            .running_jobs()
            .get(id)
            .map(|r| (r.cancel.clone(), r.finished.clone()));
        match running {
            Some((cancel, mut finished)) => {
                cancel.cancel();
                // The job task flips this after its final status is written.
                let _ = finished.wait_for(|done| *done).await;
                self.inner.store.get_job(id).await
            }
            None => Err(Error::Conflict(format!(
                "job {id} is running in another miStudio process on this machine; cancel it there"
            ))),
        }
    }

    /// Stops dispatching, interrupts running jobs and waits for them; they are queued again
    /// and resume on the next start.
    pub async fn shutdown(&self) {
        self.inner.closing.store(true, Ordering::SeqCst);
        self.inner.stop.cancel();
        let waits: Vec<_> = self
            .inner
            .running_jobs()
            .values()
            .map(|r| {
                r.cancel.cancel();
                r.finished.clone()
            })
            .collect();
        for mut finished in waits {
            let _ = finished.wait_for(|done| *done).await;
        }
        let dispatcher = self
            .dispatcher
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(dispatcher) = dispatcher {
            let _ = dispatcher.await;
        }
    }
}

impl Inner {
    fn running_jobs(&self) -> std::sync::MutexGuard<'_, HashMap<String, RunningJob>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    async fn dispatch_loop(self: Arc<Self>) {
        loop {
            if let Err(e) = self.dispatch_ready().await {
                tracing::error!(error = %e, "dispatching jobs failed");
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = self.stop.cancelled() => break,
            }
        }
    }

    /// Starts every queued job whose kind has a free slot, oldest first.
    async fn dispatch_ready(self: &Arc<Self>) -> Result<()> {
        let _order = self.ordering.lock().await;
        for job in self.store.queued_jobs().await? {
            if self.stop.is_cancelled() {
                break;
            }
            let Some((handler, slots)) = self.handlers.get(&job.kind) else {
                let error = AppError {
                    kind: ErrorKind::Internal,
                    message: format!(
                        "this version of miStudio Datasets cannot run jobs of kind {:?}",
                        job.kind.as_str()
                    ),
                };
                if self.store.claim_job(&job.id).await? {
                    let failed = self
                        .store
                        .finish_job(&job.id, JobStatus::Failed, Some(&error), None, None)
                        .await?;
                    self.sink.emit(EngineEvent::Job(Box::new(failed)));
                }
                continue;
            };
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                continue;
            };
            // Registered before the claim so that a cancel arriving between the two finds it.
            let cancel = CancellationToken::new();
            let (finished_tx, finished_rx) = watch::channel(false);
            self.running_jobs().insert(
                job.id.clone(),
                RunningJob {
                    cancel: cancel.clone(),
                    finished: finished_rx,
                },
            );
            if !self.store.claim_job(&job.id).await? {
                self.running_jobs().remove(&job.id);
                continue;
            }
            let job = self.store.get_job(&job.id).await?;
            self.sink.emit(EngineEvent::Job(Box::new(job.clone())));
            tokio::spawn(
                self.clone()
                    .run_job(handler.clone(), job, cancel, finished_tx, permit),
            );
        }
        Ok(())
    }

    async fn run_job(
        self: Arc<Self>,
        handler: Arc<dyn JobHandler>,
        job: Job,
        cancel: CancellationToken,
        finished: watch::Sender<bool>,
        _permit: OwnedSemaphorePermit,
    ) {
        let id = job.id.clone();
        let (ctx, updates) = JobContext::new(job.clone(), cancel.clone(), self.stop.clone());
        let handler_done = CancellationToken::new();
        let forwarder = tokio::spawn(context::forward_progress(
            self.store.clone(),
            self.sink.clone(),
            job,
            updates,
            handler_done.clone(),
        ));
        let outcome = tokio::spawn(async move { handler.run(ctx).await }).await;
        handler_done.cancel();
        let last = forwarder.await.unwrap_or_default();

        let interrupted = cancel.is_cancelled();
        let result = match outcome {
            Ok(Ok(())) => Ok(JobStatus::Succeeded),
            Ok(Err(e)) if interrupted || e.kind() == ErrorKind::Cancelled => {
                Ok(JobStatus::Cancelled)
            }
            Ok(Err(e)) => Err(e.to_app_error()),
            Err(join) => Err(AppError {
                kind: ErrorKind::Internal,
                message: format!("the job crashed: {}", panic_message(join)),
            }),
        };
        let stage = last.stage.as_deref();
        let progress = last.progress.as_ref();
        let written = match result {
            Ok(JobStatus::Cancelled) if self.closing.load(Ordering::SeqCst) => {
                self.store
                    .requeue_job(
                        &id,
                        Some("Interrupted by app exit; resumes on restart"),
                        progress,
                    )
                    .await
            }
            Ok(status) => {
                self.store
                    .finish_job(&id, status, None, stage, progress)
                    .await
            }
            Err(error) => {
                tracing::warn!(job = %id, kind = ?error.kind, "job failed: {}", error.message);
                self.store
                    .finish_job(&id, JobStatus::Failed, Some(&error), stage, progress)
                    .await
            }
        };
        match written {
            Ok(job) => self.sink.emit(EngineEvent::Job(Box::new(job))),
            // The row stays "running" and is re-queued on the next start: nothing is lost.
            Err(e) => tracing::error!(job = %id, error = %e, "could not record the end of a job"),
        }
        self.running_jobs().remove(&id);
        let _ = finished.send(true);
        drop(_permit);
        self.wake.notify_one();
    }
}

fn panic_message(join: tokio::task::JoinError) -> String {
    match join.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into()),
        Err(join) => join.to_string(),
    }
}

/// An exclusive advisory lock on a file beside the database, released by the OS if the
/// process dies, so a crash never leaves it stuck.
struct RunnerLock(#[allow(dead_code)] std::fs::File);

impl RunnerLock {
    fn acquire(path: &Path) -> Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| Error::io(format!("opening the runner lock {}", path.display()), e))?;
        match file.try_lock() {
            Ok(()) => Ok(RunnerLock(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Conflict(
                "another miStudio Datasets process is already running jobs on this machine; \
                 close it, or start jobs from it"
                    .into(),
            )),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(Error::io(format!("locking {}", path.display()), e))
            }
        }
    }
}
