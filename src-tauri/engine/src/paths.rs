//! Where things live on this machine. The window (through Tauri's path resolver) and the CLI
//! (through `dirs`) must agree, so both derive from the same identifier; a test of the shell
//! checks that tauri.conf.json uses it.

use crate::error::{Error, Result};
use std::path::PathBuf;

/// tauri.conf.json `identifier`.
pub const APP_IDENTIFIER: &str = "org.mistudio.datasets";
/// The index and job ledger, in the machine-local app dir.
pub const DATABASE_FILE: &str = "mistudio.sqlite";
/// Held by the one process that runs jobs against the database.
pub const RUNNER_LOCK_FILE: &str = "runner.lock";
/// Written by the window's settings store (tauri-plugin-store) in the app's config dir.
pub const SETTINGS_FILE: &str = "settings.json";

fn base(dir: Option<PathBuf>, what: &str) -> Result<PathBuf> {
    dir.map(|d| d.join(APP_IDENTIFIER)).ok_or_else(|| {
        Error::invalid(format!(
            "this system reports no {what} folder (is HOME set?); pass --data-dir or set MISTUDIO_DATA_DIR"
        ))
    })
}

/// Machine-local: the database never goes on shared storage. Tauri's `app_local_data_dir`.
pub fn local_app_dir() -> Result<PathBuf> {
    base(dirs::data_local_dir(), "local data")
}

/// Tauri's `app_data_dir`, where the settings store writes.
pub fn app_data_dir() -> Result<PathBuf> {
    base(dirs::data_dir(), "data")
}

/// Where datasets go until the user picks another folder.
pub fn default_data_root() -> Result<PathBuf> {
    Ok(app_data_dir()?.join("data"))
}
