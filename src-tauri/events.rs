//! Engine events, delivered to the window as typed Tauri events.

use mistudio_engine::{EngineEvent, EventSink, Job};
use serde::{Deserialize, Serialize};
use tauri::AppHandle;
use tauri_specta::Event;

/// A job was created, changed status or made progress (at most 10 per second per job).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct JobEvent {
    pub job: Job,
}

/// Datasets were added, changed or removed; an empty list means "reload everything".
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct DatasetsChanged {
    pub dataset_ids: Vec<String>,
}

/// A dataset's tokenizations were added, changed or removed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct TokenizationsChanged {
    pub dataset_id: String,
}

/// Tokenizers were added or removed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct TokenizersChanged {}

/// Lock files in the data folder came or went: another process started or finished work on
/// a dataset.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, Event)]
pub struct LocksChanged {}

pub struct TauriSink {
    app: AppHandle,
}

impl TauriSink {
    pub fn new(app: AppHandle) -> Self {
        TauriSink { app }
    }
}

impl EventSink for TauriSink {
    fn emit(&self, event: EngineEvent) {
        let sent = match event {
            EngineEvent::Job(job) => JobEvent { job: *job }.emit(&self.app),
            EngineEvent::DatasetsChanged { dataset_ids } => {
                DatasetsChanged { dataset_ids }.emit(&self.app)
            }
            EngineEvent::TokenizationsChanged { dataset_id } => {
                TokenizationsChanged { dataset_id }.emit(&self.app)
            }
            EngineEvent::TokenizersChanged => TokenizersChanged {}.emit(&self.app),
            EngineEvent::LocksChanged => LocksChanged {}.emit(&self.app),
        };
        if let Err(e) = sent {
            tracing::warn!(error = %e, "could not deliver an event to the window");
        }
    }
}
