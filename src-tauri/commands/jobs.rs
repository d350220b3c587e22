use super::CommandResult;
use crate::AppState;
use mistudio_engine::Job;
use tauri::State;

/// Unfinished jobs first, then the most recent finished ones.
#[tauri::command]
#[specta::specta]
pub async fn list_jobs(state: State<'_, AppState>) -> CommandResult<Vec<Job>> {
    Ok(state.engine.list_jobs().await?)
}

/// Returns once the job has stopped.
#[tauri::command]
#[specta::specta]
pub async fn cancel_job(state: State<'_, AppState>, id: String) -> CommandResult<Job> {
    Ok(state.engine.cancel_job(&id).await?)
}
