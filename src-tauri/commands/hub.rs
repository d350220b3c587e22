use super::CommandResult;
use crate::AppState;
use mistudio_engine::datasets::{DownloadPlan, DownloadRequest};
use mistudio_engine::hub::RepoInspection;
use mistudio_engine::Dataset;
use tauri::State;

/// The configs and splits of a dataset repo, with sizes, for the download form's pickers.
/// The token, if given, is used for this call only.
#[tauri::command]
#[specta::specta]
pub async fn inspect_dataset_repo(
    state: State<'_, AppState>,
    repo_id: String,
    token: Option<String>,
    revision: Option<String>,
) -> CommandResult<RepoInspection> {
    Ok(state
        .engine
        .inspect_dataset_repo(&repo_id, token.as_deref(), revision.as_deref())
        .await?)
}

/// The dry run of a download: the files, bytes and rows it would take and the disk it needs.
/// Fetches metadata only (the listing, the card, parquet footers); registers nothing.
#[tauri::command]
#[specta::specta]
pub async fn plan_download(
    state: State<'_, AppState>,
    request: DownloadRequest,
) -> CommandResult<DownloadPlan> {
    Ok(state.engine.plan_download(&request).await?)
}

/// Registers the dataset and queues its download; returns at once.
#[tauri::command]
#[specta::specta]
pub async fn start_download(
    state: State<'_, AppState>,
    request: DownloadRequest,
) -> CommandResult<Dataset> {
    Ok(state.engine.start_download(&request).await?)
}

/// Queues a failed or cancelled download again; bytes already fetched are reused.
#[tauri::command]
#[specta::specta]
pub async fn retry_dataset(state: State<'_, AppState>, id: String) -> CommandResult<Dataset> {
    Ok(state.engine.retry_dataset(&id).await?)
}
