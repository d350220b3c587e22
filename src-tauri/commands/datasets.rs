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

/// A page of a dataset's rows, searched and filtered as asked.
#[tauri::command]
#[specta::specta]
pub async fn list_samples(
    state: State<'_, AppState>,
    query: mistudio_engine::samples::SamplesQuery,
) -> CommandResult<mistudio_engine::samples::SamplesPage> {
    Ok(state.engine.samples(&query).await?)
}

/// Deletes datasets with their data and tokenizations; `hub_files` also removes the raw Hub
/// cache files no other dataset uses. Refused while a job uses one of them.
#[tauri::command]
#[specta::specta]
pub async fn delete_datasets(
    state: State<'_, AppState>,
    ids: Vec<String>,
    hub_files: bool,
) -> CommandResult<mistudio_engine::DeleteReport> {
    Ok(state.engine.delete_datasets(&ids, hub_files).await?)
}

/// Characters and words per row of one split's text (all splits when `split` is null).
#[tauri::command]
#[specta::specta]
pub async fn text_statistics(
    state: State<'_, AppState>,
    dataset_id: String,
    split: Option<String>,
) -> CommandResult<mistudio_engine::browse::TextStatistics> {
    Ok(state
        .engine
        .text_statistics(&dataset_id, split.as_deref())
        .await?)
}

/// One row's text as a tokenization encodes it (the token view).
#[tauri::command]
#[specta::specta]
pub async fn row_tokens(
    state: State<'_, AppState>,
    query: mistudio_engine::browse::RowTokensQuery,
) -> CommandResult<mistudio_engine::tokenize::TokenizePreview> {
    Ok(state.engine.row_tokens(&query).await?)
}

/// Where a dataset's bytes are: Hub cache, canonical data, each tokenization.
#[tauri::command]
#[specta::specta]
pub async fn dataset_storage(
    state: State<'_, AppState>,
    dataset_id: String,
) -> CommandResult<mistudio_engine::browse::DatasetStorage> {
    Ok(state.engine.dataset_storage(&dataset_id).await?)
}

/// Registers a dataset for a local file or folder (from the picker or a drop) and queues its
/// import; returns at once.
#[tauri::command]
#[specta::specta]
pub async fn start_import(
    state: State<'_, AppState>,
    request: mistudio_engine::datasets::ImportRequest,
) -> CommandResult<mistudio_engine::Dataset> {
    Ok(state.engine.start_import(&request).await?)
}

/// Brings this machine's index in line with the data folder's manifests: what another machine
/// sharing the folder made or deleted appears or disappears.
#[tauri::command]
#[specta::specta]
pub async fn rescan(
    state: State<'_, AppState>,
) -> CommandResult<mistudio_engine::rescan::RescanReport> {
    Ok(state.engine.rescan().await?)
}

/// Datasets other processes are working on (another machine sharing the data folder, or
/// another miStudio process here), with who holds them and whether the lock is stale.
#[tauri::command]
#[specta::specta]
pub async fn data_locks(
    state: State<'_, AppState>,
) -> CommandResult<Vec<mistudio_engine::DataLock>> {
    Ok(state.engine.data_locks().await?)
}
