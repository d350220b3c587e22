use super::CommandResult;
use crate::AppState;
use mistudio_engine::Settings;
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, AppState>) -> CommandResult<Settings> {
    Ok(state.engine.settings())
}

/// Validates, applies, then saves. Returns the settings as normalised by the engine.
#[tauri::command]
#[specta::specta]
pub async fn update_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: Settings,
) -> CommandResult<Settings> {
    let applied = state.engine.update_settings(&settings).await?;
    crate::settings_store::save(&app, &applied)?;
    // A folder that already holds a library is adopted as it is: its datasets appear.
    state.engine.rescan().await?;
    Ok(applied)
}
