use super::CommandResult;
use crate::AppState;
use mistudio_engine::MachineStatus;
use tauri::State;

/// This machine's name, the data folder's free space and the job counts, for the header.
#[tauri::command]
#[specta::specta]
pub async fn machine_status(state: State<'_, AppState>) -> CommandResult<MachineStatus> {
    let mut status = state.engine.machine_status().await?;
    status.warning = state.startup_warning.clone();
    Ok(status)
}
