use super::CommandResult;
use crate::AppState;
use mistudio_engine::Dataset;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn list_datasets(state: State<'_, AppState>) -> CommandResult<Vec<Dataset>> {
    Ok(state.engine.list_datasets().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_dataset(state: State<'_, AppState>, id: String) -> CommandResult<Dataset> {
    Ok(state.engine.get_dataset(&id).await?)
}
