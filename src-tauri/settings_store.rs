//! Settings persisted with tauri-plugin-store in the app's data dir. The file is plain JSON
//! (`{"settings": {...}}`) so the CLI reads the same choice (`mistudio_engine::settings`).

use mistudio_engine::paths::SETTINGS_FILE;
use mistudio_engine::settings::SETTINGS_KEY;
use mistudio_engine::{Error, Result, Settings};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

fn store_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!(
        "the settings file {SETTINGS_FILE} could not be used: {e}"
    ))
}

/// The saved settings, or the defaults on first start. A value the app cannot read is
/// replaced by the defaults rather than stopping the app.
pub fn load<R: Runtime>(app: &AppHandle<R>) -> Result<Settings> {
    let store = app.store(SETTINGS_FILE).map_err(store_error)?;
    match store
        .get(SETTINGS_KEY)
        .map(serde_json::from_value::<Settings>)
    {
        Some(Ok(saved)) => Ok(saved),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "saved settings unreadable; using defaults");
            Settings::defaults()
        }
        None => Settings::defaults(),
    }
}

pub fn save<R: Runtime>(app: &AppHandle<R>, settings: &Settings) -> Result<()> {
    let store = app.store(SETTINGS_FILE).map_err(store_error)?;
    let value = serde_json::to_value(settings).map_err(store_error)?;
    store.set(SETTINGS_KEY, value);
    store.save().map_err(store_error)
}
