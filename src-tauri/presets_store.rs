//! Named tokenization settings, kept with tauri-plugin-store in `presets.json` beside the
//! settings file.

use mistudio_engine::tokenize::TokenizeSettings;
use mistudio_engine::{Error, Result};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

pub const PRESETS_FILE: &str = "presets.json";
const PRESETS_KEY: &str = "tokenize_presets";
const MAX_NAME: usize = 80;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct TokenizePreset {
    pub name: String,
    pub settings: TokenizeSettings,
}

fn store_error(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!(
        "the presets file {PRESETS_FILE} could not be used: {e}"
    ))
}

/// The saved presets, sorted by name. Entries this version cannot read are skipped.
pub fn list<R: Runtime>(app: &AppHandle<R>) -> Result<Vec<TokenizePreset>> {
    let store = app.store(PRESETS_FILE).map_err(store_error)?;
    let mut presets: Vec<TokenizePreset> = match store.get(PRESETS_KEY) {
        Some(serde_json::Value::Array(items)) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => Vec::new(),
    };
    presets.sort_by_key(|p| p.name.to_lowercase());
    Ok(presets)
}

fn write<R: Runtime>(app: &AppHandle<R>, presets: &[TokenizePreset]) -> Result<()> {
    let store = app.store(PRESETS_FILE).map_err(store_error)?;
    store.set(
        PRESETS_KEY,
        serde_json::to_value(presets).map_err(store_error)?,
    );
    store.save().map_err(store_error)
}

pub fn save<R: Runtime>(
    app: &AppHandle<R>,
    name: &str,
    settings: TokenizeSettings,
) -> Result<Vec<TokenizePreset>> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(Error::invalid(format!(
            "a preset needs a name of 1 to {MAX_NAME} characters"
        )));
    }
    let mut presets = list(app)?;
    presets.retain(|p| p.name != name);
    presets.push(TokenizePreset {
        name: name.to_string(),
        settings,
    });
    write(app, &presets)?;
    list(app)
}

pub fn delete<R: Runtime>(app: &AppHandle<R>, name: &str) -> Result<Vec<TokenizePreset>> {
    let mut presets = list(app)?;
    let before = presets.len();
    presets.retain(|p| p.name != name);
    if presets.len() == before {
        return Err(Error::not_found(format!("the preset \"{name}\"")));
    }
    write(app, &presets)?;
    list(app)
}
