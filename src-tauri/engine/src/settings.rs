//! The settings a person can change in the window (and that the CLI honours): where the data
//! lives and which Hub to talk to.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const DEFAULT_HUB_ENDPOINT: &str = "https://huggingface.co";
/// The key under which the window's settings store keeps [`Settings`].
pub const SETTINGS_KEY: &str = "settings";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Settings {
    /// Absolute path of the data folder; may be on shared storage.
    pub data_root: String,
    /// Base URL of the Hugging Face Hub or a mirror.
    pub hub_endpoint: String,
    /// Threads a tokenization encodes with; `None` uses every core.
    #[serde(default)]
    pub tokenize_threads: Option<u32>,
    /// Whether downloads keep the raw files in the HF cache (for Python tools to share) once
    /// converted; without, a download's peak disk is one file plus the canonical data.
    #[serde(default = "keep_hub_files_default")]
    pub keep_hub_files: bool,
}

fn keep_hub_files_default() -> bool {
    true
}

impl Settings {
    /// First-start settings. `HF_ENDPOINT`, as Python's huggingface_hub reads it, picks the
    /// Hub until the person saves another one.
    pub fn defaults() -> Result<Self> {
        let hub_endpoint = std::env::var("HF_ENDPOINT")
            .ok()
            .and_then(|e| normalise_endpoint(&e).ok())
            .unwrap_or_else(|| DEFAULT_HUB_ENDPOINT.into());
        Ok(Settings {
            data_root: crate::paths::default_data_root()?
                .to_string_lossy()
                .into_owned(),
            hub_endpoint,
            tokenize_threads: None,
            keep_hub_files: true,
        })
    }

    /// Checks and normalises what a person typed; the error says what to change.
    pub fn validated(&self) -> Result<Settings> {
        let root = self.data_root.trim();
        if root.is_empty() {
            return Err(Error::invalid(
                "the data folder is empty; enter the absolute path of a folder",
            ));
        }
        let root_path = Path::new(root);
        if !root_path.is_absolute() {
            return Err(Error::invalid(format!(
                "the data folder {root:?} is a relative path; enter an absolute path such as /data/mistudio"
            )));
        }
        // Trailing separators are dropped, but "/" stays "/".
        let trimmed = root.trim_end_matches(['/', '\\']);
        let data_root = if trimmed.is_empty() { root } else { trimmed };
        if let Some(threads) = self.tokenize_threads {
            if !(1..=1024).contains(&threads) {
                return Err(Error::invalid(format!(
                    "tokenization threads must be between 1 and 1024, not {threads}; leave it empty to use every core"
                )));
            }
        }
        Ok(Settings {
            data_root: data_root.to_string(),
            hub_endpoint: normalise_endpoint(&self.hub_endpoint)?,
            tokenize_threads: self.tokenize_threads,
            keep_hub_files: self.keep_hub_files,
        })
    }

    pub fn data_root_path(&self) -> PathBuf {
        PathBuf::from(&self.data_root)
    }
}

pub fn normalise_endpoint(endpoint: &str) -> Result<String> {
    let endpoint = endpoint.trim();
    let (scheme, rest) = ["https://", "http://"]
        .iter()
        .find_map(|scheme| endpoint.strip_prefix(scheme).map(|rest| (*scheme, rest)))
        .ok_or_else(|| {
            Error::invalid(format!(
                "the Hub endpoint {endpoint:?} is not an http(s) URL; use https://huggingface.co or your mirror's URL"
            ))
        })?;
    let rest = rest.trim_end_matches('/');
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || rest.contains(char::is_whitespace) {
        return Err(Error::invalid(format!(
            "the Hub endpoint {endpoint:?} has no valid host name; use a URL such as https://huggingface.co"
        )));
    }
    Ok(format!("{scheme}{rest}"))
}

/// Reads the settings the window saved, for the CLI. A missing file means defaults.
pub fn read_settings_file(path: &Path) -> Result<Option<Settings>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    let mut doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::Corrupt(format!(
            "the settings file {} is not valid JSON ({e}); fix or delete it",
            path.display()
        ))
    })?;
    match doc.get_mut(SETTINGS_KEY).map(serde_json::Value::take) {
        None => Ok(None),
        Some(value) => serde_json::from_value(value).map(Some).map_err(|e| {
            Error::Corrupt(format!(
                "the settings in {} cannot be read ({e}); fix or delete the file",
                path.display()
            ))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(root: &str, endpoint: &str) -> Settings {
        Settings {
            data_root: root.into(),
            hub_endpoint: endpoint.into(),
            tokenize_threads: None,
            keep_hub_files: true,
        }
    }

    #[test]
    fn valid_settings_are_normalised() {
        let s = settings(" /mnt/shared/mistudio/ ", "https://huggingface.co/ ")
            .validated()
            .unwrap();
        assert_eq!(s.data_root, "/mnt/shared/mistudio");
        assert_eq!(s.hub_endpoint, "https://huggingface.co");
        assert_eq!(
            settings("/", "http://127.0.0.1:8080")
                .validated()
                .unwrap()
                .data_root,
            "/"
        );
    }

    #[test]
    fn bad_settings_say_what_to_fix() {
        let e = settings("data", DEFAULT_HUB_ENDPOINT)
            .validated()
            .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("absolute path"), "{e}");
        let e = settings("/data", "huggingface.co").validated().unwrap_err();
        assert!(e.to_string().contains("not an http(s) URL"), "{e}");
        let e = settings("/data", "https://").validated().unwrap_err();
        assert!(e.to_string().contains("no valid host name"), "{e}");
        let e = settings("  ", DEFAULT_HUB_ENDPOINT)
            .validated()
            .unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
    }

    #[test]
    fn the_settings_file_of_the_window_is_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        assert_eq!(read_settings_file(&path).unwrap(), None);
        std::fs::write(
            &path,
            r#"{"settings":{"data_root":"/srv/data","hub_endpoint":"http://127.0.0.1:9"}}"#,
        )
        .unwrap();
        assert_eq!(
            read_settings_file(&path).unwrap(),
            Some(settings("/srv/data", "http://127.0.0.1:9"))
        );
        std::fs::write(&path, "{not json").unwrap();
        assert_eq!(
            read_settings_file(&path).unwrap_err().kind(),
            crate::ErrorKind::Corrupt
        );
    }
}
