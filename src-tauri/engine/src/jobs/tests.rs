//! The runner, tested against a real SQLite file with test-only job kinds.

use super::*;
use crate::events::CollectedEvents;
use crate::store::test_support::temp_store;
use crate::store::{JobKind, Progress};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tokio::sync::oneshot;

fn job(kind: JobKind) -> NewJob {
    NewJob {
        kind,
        target: Some("ds_test".into()),
        params: serde_json::json!({ "steps": 5 }),
    }
}

/// Counts to `steps`, reporting each step.
struct Counter;

#[async_trait]
impl JobHandler for Counter {
    fn kind(&self) -> JobKind {
        JobKind::TestCount
    }
    async fn run(&self, ctx: JobContext) -> Result<()> {
        #[derive(serde::Deserialize)]
        struct Params {
            steps: u64,
        }
        let Params { steps } = ctx.params()?;
        ctx.stage("Counting");
        for done in 1..=steps {
            ctx.check_cancelled()?;
            ctx.progress(Progress::Count {
                done,
                total: Some(steps),
            });
            tokio::task::yield_now().await;
        }
        Ok(())
    }
}

/// Runs until cancelled; tells the test when it started and when it saw the cancel.
struct WaitForCancel {
    started: Mutex<Option<oneshot::Sender<()>>>,
    saw_cancel: Arc<AtomicBool>,
}

#[async_trait]
impl JobHandler for WaitForCancel {
    fn kind(&self) -> JobKind {
        JobKind::TestWait
    }
    async fn run(&self, ctx: JobContext) -> Result<()> {
        ctx.progress(Progress::Bytes {
            done: 1,
            total: Some(100),
            bytes_per_sec: None,
        });
        if let Some(tx) = self.started.lock().unwrap().take() {
            let _ = tx.send(());
        }
        ctx.cancellation().cancelled().await;
        self.saw_cancel.store(true, Ordering::SeqCst);
        Err(Error::Cancelled)
    }
}

fn wait_handler() -> (WaitForCancel, oneshot::Receiver<()>, Arc<AtomicBool>) {
    let (tx, rx) = oneshot::channel();
    let saw = Arc::new(AtomicBool::new(false));
    (
        WaitForCancel {
            started: Mutex::new(Some(tx)),
            saw_cancel: saw.clone(),
        },
        rx,
        saw,
    )
}

async fn wait_for_status(store: &Store, id: &str, status: JobStatus) -> Job {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let job = store.get_job(id).await.unwrap();
        if job.status == status {
            return job;
        }
        assert!(
            Instant::now() < deadline,
            "job {id} stuck in {:?}, wanted {status:?}",
            job.status
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn job_events(events: &[EngineEvent], id: &str) -> Vec<Job> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::Job(j) if j.id == id => Some((**j).clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_job_goes_from_queued_through_progress_to_done() {
    let (dir, store) = temp_store().await;
    let sink = Arc::new(CollectedEvents::default());
    let runner = JobRunner::builder(store.clone(), sink.clone())
        .handler(Counter)
        .start(&dir.path().join("runner.lock"))
        .await
        .unwrap();
    let queued = runner.enqueue(job(JobKind::TestCount)).await.unwrap();
    assert_eq!(queued.status, JobStatus::Queued);

    let done = wait_for_status(&store, &queued.id, JobStatus::Succeeded).await;
    assert_eq!(done.attempts, 1);
    assert_eq!(
        done.progress,
        Some(Progress::Count {
            done: 5,
            total: Some(5)
        })
    );
    assert_eq!(done.stage.as_deref(), Some("Counting"));
    assert!(done.finished_at.unwrap() >= done.started_at.unwrap());

    runner.shutdown().await;
    let seen: Vec<JobStatus> = job_events(&sink.take(), &queued.id)
        .iter()
        .map(|j| j.status)
        .collect();
    assert_eq!(seen.first(), Some(&JobStatus::Queued));
    assert_eq!(seen.last(), Some(&JobStatus::Succeeded));
    assert!(seen.contains(&JobStatus::Running));
}

#[tokio::test]
async fn cancelling_a_running_job_waits_until_it_has_stopped() {
    let (dir, store) = temp_store().await;
    let sink = Arc::new(CollectedEvents::default());
    let (handler, started, saw_cancel) = wait_handler();
    let runner = JobRunner::builder(store.clone(), sink.clone())
        .handler(handler)
        .start(&dir.path().join("runner.lock"))
        .await
        .unwrap();
    let queued = runner.enqueue(job(JobKind::TestWait)).await.unwrap();
    started.await.unwrap();

    let cancelled = runner.cancel(&queued.id).await.unwrap();
    // No polling: when cancel returns, the handler has stopped and the status is written.
    assert!(saw_cancel.load(Ordering::SeqCst));
    assert_eq!(cancelled.status, JobStatus::Cancelled);
    assert_eq!(cancelled.error, None);
    assert_eq!(
        store.get_job(&queued.id).await.unwrap().status,
        JobStatus::Cancelled
    );
    // Cancelling again is harmless.
    assert_eq!(
        runner.cancel(&queued.id).await.unwrap().status,
        JobStatus::Cancelled
    );
    assert_eq!(
        runner.cancel("job_missing").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    runner.shutdown().await;
}

#[tokio::test]
async fn a_queued_job_cancelled_before_it_starts_never_runs() {
    let (dir, store) = temp_store().await;
    let (handler, started, _saw) = wait_handler();
    let runner = JobRunner::builder(store.clone(), Arc::new(CollectedEvents::default()))
        .handler(handler)
        .start(&dir.path().join("runner.lock"))
        .await
        .unwrap();
    let first = runner.enqueue(job(JobKind::TestWait)).await.unwrap();
    started.await.unwrap();
    // One slot for this kind: the second waits in the queue.
    let second = runner.enqueue(job(JobKind::TestWait)).await.unwrap();
    assert_eq!(
        runner.cancel(&second.id).await.unwrap().status,
        JobStatus::Cancelled
    );
    runner.cancel(&first.id).await.unwrap();
    let second = store.get_job(&second.id).await.unwrap();
    assert_eq!(second.status, JobStatus::Cancelled);
    assert_eq!(second.attempts, 0, "it never started");
    runner.shutdown().await;
}

/// Reports as fast as it can for a while.
struct Flood;

#[async_trait]
impl JobHandler for Flood {
    fn kind(&self) -> JobKind {
        JobKind::TestFlood
    }
    async fn run(&self, ctx: JobContext) -> Result<()> {
        ctx.run_blocking(|_cancel, reporter| {
            let start = Instant::now();
            let mut done = 0;
            while start.elapsed() < Duration::from_millis(600) {
                done += 1;
                reporter.progress(Progress::Bytes {
                    done,
                    total: None,
                    bytes_per_sec: None,
                });
            }
            reporter.progress(Progress::Bytes {
                done,
                total: Some(done),
                bytes_per_sec: None,
            });
            Ok(())
        })
        .await
    }
}

#[tokio::test]
async fn progress_is_throttled_to_ten_updates_a_second_and_the_last_value_is_kept() {
    let (dir, store) = temp_store().await;
    let sink = Arc::new(CollectedEvents::default());
    let runner = JobRunner::builder(store.clone(), sink.clone())
        .handler(Flood)
        .start(&dir.path().join("runner.lock"))
        .await
        .unwrap();
    let started = Instant::now();
    let queued = runner.enqueue(job(JobKind::TestFlood)).await.unwrap();
    let done = wait_for_status(&store, &queued.id, JobStatus::Succeeded).await;
    let elapsed_ms = started.elapsed().as_millis() as usize;
    runner.shutdown().await;

    let events = job_events(&sink.take(), &queued.id);
    let progress_events: Vec<_> = events
        .iter()
        .filter(|j| j.status == JobStatus::Running && j.progress.is_some())
        .collect();
    // Millions of reports; one event per 100 ms window at most (+1 for the first).
    assert!(!progress_events.is_empty());
    assert!(
        progress_events.len() <= elapsed_ms / 100 + 1,
        "{} progress events in {elapsed_ms} ms",
        progress_events.len()
    );
    let Some(Progress::Bytes {
        done: n,
        total: Some(total),
        ..
    }) = done.progress
    else {
        panic!("final progress missing: {:?}", done.progress);
    };
    assert_eq!(n, total, "the final report is what the job ends with");
    assert!(n > 1000, "the handler reported {n} times");
}

/// Holds `gate` until released; records how many run at once.
struct Gated {
    concurrency: usize,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    gate: Arc<tokio::sync::Semaphore>,
}

#[async_trait]
impl JobHandler for Gated {
    fn kind(&self) -> JobKind {
        JobKind::TestGated
    }
    fn max_concurrency(&self) -> usize {
        self.concurrency
    }
    async fn run(&self, _ctx: JobContext) -> Result<()> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        let permit = self.gate.acquire().await;
        drop(permit);
        self.running.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn concurrency_is_bounded_per_kind_and_kinds_do_not_block_each_other() {
    let (dir, store) = temp_store().await;
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let (wait, wait_started, _saw) = wait_handler();
    let runner = JobRunner::builder(store.clone(), Arc::new(CollectedEvents::default()))
        .handler(Gated {
            concurrency: 2,
            running: running.clone(),
            peak: peak.clone(),
            gate: gate.clone(),
        })
        .handler(wait)
        .handler(Counter)
        .start(&dir.path().join("runner.lock"))
        .await
        .unwrap();
    let waiting = runner.enqueue(job(JobKind::TestWait)).await.unwrap();
    wait_started.await.unwrap();
    let mut gated = Vec::new();
    for _ in 0..5 {
        gated.push(runner.enqueue(job(JobKind::TestGated)).await.unwrap());
    }
    // While two gated jobs hold their slots, another kind still runs to completion.
    let counted = runner.enqueue(job(JobKind::TestCount)).await.unwrap();
    wait_for_status(&store, &counted.id, JobStatus::Succeeded).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while running.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(store.count_jobs(JobStatus::Running).await.unwrap(), 3); // 2 gated + wait
    assert_eq!(store.count_jobs(JobStatus::Queued).await.unwrap(), 3);
    gate.add_permits(5);
    for j in &gated {
        wait_for_status(&store, &j.id, JobStatus::Succeeded).await;
    }
    assert_eq!(peak.load(Ordering::SeqCst), 2);
    runner.cancel(&waiting.id).await.unwrap();
    runner.shutdown().await;
}

struct Failing;

#[async_trait]
impl JobHandler for Failing {
    fn kind(&self) -> JobKind {
        JobKind::TestFail
    }
    async fn run(&self, ctx: JobContext) -> Result<()> {
        match ctx.job().params["mode"].as_str() {
            Some("panic") => panic!("boom in the handler"),
            _ => Err(Error::invalid(
                "the input has no text column; pick one with --column",
            )),
        }
    }
}

#[tokio::test]
async fn failures_and_panics_are_recorded_with_a_kind_and_a_message() {
    let (dir, store) = temp_store().await;
    let runner = JobRunner::builder(store.clone(), Arc::new(CollectedEvents::default()))
        .handler(Failing)
        .start(&dir.path().join("runner.lock"))
        .await
        .unwrap();
    let err_job = runner
        .enqueue(NewJob {
            kind: JobKind::TestFail,
            target: None,
            params: serde_json::json!({"mode": "error"}),
        })
        .await
        .unwrap();
    let panic_job = runner
        .enqueue(NewJob {
            kind: JobKind::TestFail,
            target: None,
            params: serde_json::json!({"mode": "panic"}),
        })
        .await
        .unwrap();
    let failed = wait_for_status(&store, &err_job.id, JobStatus::Failed).await;
    let error = failed.error.unwrap();
    assert_eq!(error.kind, ErrorKind::InvalidInput);
    assert!(error.message.contains("no text column"));
    let crashed = wait_for_status(&store, &panic_job.id, JobStatus::Failed).await;
    let error = crashed.error.unwrap();
    assert_eq!(error.kind, ErrorKind::Internal);
    assert!(
        error.message.contains("boom in the handler"),
        "{}",
        error.message
    );

    let unknown = runner.enqueue(job(JobKind::TestCount)).await.unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::InvalidInput);
    assert!(unknown.to_string().contains("test.fail"));
    runner.shutdown().await;
}

/// When `block` is set, runs until cancelled (or until the process dies); counts its runs.
struct Resumable {
    runs: Arc<AtomicUsize>,
    block: bool,
}

#[async_trait]
impl JobHandler for Resumable {
    fn kind(&self) -> JobKind {
        JobKind::TestResumable
    }
    async fn run(&self, ctx: JobContext) -> Result<()> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        ctx.progress(Progress::Count {
            done: 1,
            total: Some(2),
        });
        if self.block {
            ctx.cancellation().cancelled().await;
            return Err(Error::Cancelled);
        }
        Ok(())
    }
}

#[test]
fn a_job_interrupted_by_a_crash_is_requeued_and_finishes_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("index.sqlite");
    let lock = dir.path().join("runner.lock");
    let runs = Arc::new(AtomicUsize::new(0));

    // First life: the job starts, then the whole runtime dies with it (as in a crash: no
    // shutdown, no final status written).
    let job_id = {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let id = rt.block_on(async {
            let store = Store::open(&db).await.unwrap();
            let runner = JobRunner::builder(store.clone(), Arc::new(CollectedEvents::default()))
                .handler(Resumable {
                    runs: runs.clone(),
                    block: true,
                })
                .start(&lock)
                .await
                .unwrap();
            let queued = runner.enqueue(job(JobKind::TestResumable)).await.unwrap();
            wait_for_status(&store, &queued.id, JobStatus::Running).await;
            while runs.load(Ordering::SeqCst) == 0 {
                tokio::task::yield_now().await;
            }
            // A crash: no shutdown(), so no final status is written; the runtime and every
            // task in it simply stop existing.
            drop(runner);
            queued.id
        });
        rt.shutdown_background();
        id
    };

    // Second life: same database and lock file.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Store::open(&db).await.unwrap();
        assert_eq!(
            store.get_job(&job_id).await.unwrap().status,
            JobStatus::Running
        );
        let sink = Arc::new(CollectedEvents::default());
        let runner = JobRunner::builder(store.clone(), sink.clone())
            .handler(Resumable {
                runs: runs.clone(),
                block: false,
            })
            .start(&lock)
            .await
            .unwrap();
        let done = wait_for_status(&store, &job_id, JobStatus::Succeeded).await;
        assert_eq!(done.attempts, 2);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        let first = job_events(&sink.snapshot(), &job_id);
        assert_eq!(
            first[0].status,
            JobStatus::Queued,
            "the re-queue is announced"
        );
        assert_eq!(first[0].stage.as_deref(), Some("Resuming after restart"));
        runner.shutdown().await;
    });
}

#[tokio::test]
async fn shutdown_interrupts_running_jobs_and_they_resume_on_the_next_start() {
    let (dir, store) = temp_store().await;
    let lock = dir.path().join("runner.lock");
    let runs = Arc::new(AtomicUsize::new(0));
    let runner = JobRunner::builder(store.clone(), Arc::new(CollectedEvents::default()))
        .handler(Resumable {
            runs: runs.clone(),
            block: true,
        })
        .start(&lock)
        .await
        .unwrap();
    let queued = runner.enqueue(job(JobKind::TestResumable)).await.unwrap();
    wait_for_status(&store, &queued.id, JobStatus::Running).await;
    while runs.load(Ordering::SeqCst) == 0 {
        tokio::task::yield_now().await;
    }
    runner.shutdown().await;
    let requeued = store.get_job(&queued.id).await.unwrap();
    assert_eq!(requeued.status, JobStatus::Queued);
    assert_eq!(requeued.attempts, 0, "an app exit is not a failed attempt");
    assert!(requeued.stage.unwrap().contains("resumes on restart"));
    drop(runner);

    let again = JobRunner::builder(store.clone(), Arc::new(CollectedEvents::default()))
        .handler(Resumable {
            runs: runs.clone(),
            block: false,
        })
        .start(&lock)
        .await
        .unwrap();
    let done = wait_for_status(&store, &queued.id, JobStatus::Succeeded).await;
    assert_eq!(done.attempts, 1);
    again.shutdown().await;
}
