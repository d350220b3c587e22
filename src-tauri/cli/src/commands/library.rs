//! The data folder as other machines and processes share it: rescanning, and their locks.

use crate::output;
use crate::report::emit;
use mistudio_engine::{Engine, Result};

pub async fn rescan(engine: &Engine, json: bool) -> Result<()> {
    let report = engine.rescan().await?;
    emit(json, &report, || {
        format!(
            "{} added, {} updated, {} removed\n",
            report.added.len(),
            report.updated.len(),
            report.removed.len()
        )
    })
}

pub async fn locks(engine: &Engine, json: bool) -> Result<()> {
    let locks = engine.data_locks().await?;
    emit(json, &locks, || output::locks_table(&locks))
}
