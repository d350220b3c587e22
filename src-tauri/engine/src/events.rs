//! What the engine tells its host (the window shell, the CLI, a test) while it works.
//! The host decides how to deliver it: Tauri events, stderr lines, a vector in a test.

use crate::store::Job;

#[derive(Debug, Clone, PartialEq)]
pub enum EngineEvent {
    /// A job was created, changed status, or made progress (progress is throttled per job).
    Job(Box<Job>),
    /// Datasets were added, changed or removed.
    DatasetsChanged { dataset_ids: Vec<String> },
    /// A dataset's tokenizations were added, changed or removed.
    TokenizationsChanged { dataset_id: String },
    /// Tokenizers were added or removed.
    TokenizersChanged,
    /// Lock files in the data folder came or went: what other processes are busy with changed.
    LocksChanged,
}

pub trait EventSink: Send + Sync + 'static {
    fn emit(&self, event: EngineEvent);
}

/// For hosts that do not listen.
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&self, _event: EngineEvent) {}
}

/// Keeps every event, for tests and for hosts that poll.
#[derive(Default)]
pub struct CollectedEvents(std::sync::Mutex<Vec<EngineEvent>>);

impl CollectedEvents {
    pub fn take(&self) -> Vec<EngineEvent> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn snapshot(&self) -> Vec<EngineEvent> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl EventSink for CollectedEvents {
    fn emit(&self, event: EngineEvent) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(event);
    }
}
