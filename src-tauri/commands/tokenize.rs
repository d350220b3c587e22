use super::CommandResult;
use crate::presets_store::{self, TokenizePreset};
use crate::AppState;
use mistudio_engine::tokenize::{TokenizePreview, TokenizeSettings};
use mistudio_engine::TokenizeRequest;
use mistudio_engine::{Tokenization, Tokenizer};
use std::path::PathBuf;
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
#[specta::specta]
pub async fn list_tokenizers(state: State<'_, AppState>) -> CommandResult<Vec<Tokenizer>> {
    Ok(state.engine.list_tokenizers().await?)
}

/// Adds a local `tokenizer.json` (the path comes from the native file picker).
#[tauri::command]
#[specta::specta]
pub async fn add_tokenizer_file(
    state: State<'_, AppState>,
    path: String,
    name: Option<String>,
) -> CommandResult<Tokenizer> {
    Ok(state
        .engine
        .add_tokenizer_file(&PathBuf::from(path), name.as_deref())
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_tokenizer_hub(
    state: State<'_, AppState>,
    repo_id: String,
    revision: Option<String>,
    token: Option<String>,
) -> CommandResult<Tokenizer> {
    Ok(state
        .engine
        .add_tokenizer_hub(&repo_id, revision.as_deref(), token.as_deref())
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_tokenizer(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    Ok(state.engine.delete_tokenizer(&id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_tokenizations(
    state: State<'_, AppState>,
    dataset_id: String,
) -> CommandResult<Vec<Tokenization>> {
    Ok(state.engine.list_tokenizations(&dataset_id).await?)
}

/// Starts a tokenization, or answers with the unfinished one of the same dataset and tokenizer
/// (a job interrupted by the last app exit resumes on its own), as the CLI does.
#[tauri::command]
#[specta::specta]
pub async fn start_tokenization(
    state: State<'_, AppState>,
    request: TokenizeRequest,
) -> CommandResult<Tokenization> {
    Ok(state.engine.resume_or_start_tokenization(&request).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_tokenization(state: State<'_, AppState>, id: String) -> CommandResult<()> {
    Ok(state.engine.delete_tokenization(&id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn preview_tokenization(
    state: State<'_, AppState>,
    tokenizer_id: String,
    settings: TokenizeSettings,
    text: String,
) -> CommandResult<TokenizePreview> {
    Ok(state
        .engine
        .preview_tokenization(&tokenizer_id, &settings, &text)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_tokenize_presets<R: Runtime>(
    app: AppHandle<R>,
) -> CommandResult<Vec<TokenizePreset>> {
    Ok(presets_store::list(&app)?)
}

/// Saves (or overwrites) a named preset; returns them all.
#[tauri::command]
#[specta::specta]
pub async fn save_tokenize_preset<R: Runtime>(
    app: AppHandle<R>,
    name: String,
    settings: TokenizeSettings,
) -> CommandResult<Vec<TokenizePreset>> {
    Ok(presets_store::save(&app, &name, settings)?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_tokenize_preset<R: Runtime>(
    app: AppHandle<R>,
    name: String,
) -> CommandResult<Vec<TokenizePreset>> {
    Ok(presets_store::delete(&app, &name)?)
}
