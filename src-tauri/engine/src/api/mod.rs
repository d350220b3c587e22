//! The engine's facade: every operation the window's commands and the CLI call, gathered by
//! capability. Each file holds one `impl Engine` block; the modules below (`datasets`,
//! `tokenize`, `samples`, `rescan`, …) do the work as free functions and types.

mod browse;
mod datasets;
mod datatrove;
mod download_plan;
mod jobs;
mod library;
mod tokenize;

pub use datatrove::{DatatroveAdoptRequest, DatatroveExportRequest};
pub use library::MachineStatus;
pub use tokenize::TokenizeRequest;
