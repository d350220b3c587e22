//! The data folder: its layout, the checks that keep every path inside it, and the atomic
//! replacement its manifests and caches are written with, so readers never see half a file.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

pub const DATASETS_DIR: &str = "datasets";
pub const TOKENIZERS_DIR: &str = "tokenizers";
/// Lock files of jobs writing into the folder (see [`crate::locks`]).
pub const LOCKS_DIR: &str = "locks";

/// Ids become folder names, so they are checked before any path is built from them:
/// a known prefix, then 1–64 of `[a-z0-9_-]`. No separators, no dots, no surprises.
pub fn validate_id(id: &str, prefix: &str) -> Result<()> {
    let ok = id
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|rest| {
            !rest.is_empty()
                && rest.len() <= 64
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "{id:?} is not a valid id; ids look like {prefix}_ followed by lowercase letters, digits, '-' or '_'"
        )))
    }
}

pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::new_v4().simple())
}

/// A data folder that exists, is writable, and has the expected layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRoot(PathBuf);

impl DataRoot {
    /// Creates the folder and its layout if needed and proves it is writable.
    pub fn prepare(path: &Path) -> Result<DataRoot> {
        if !path.is_absolute() {
            return Err(Error::invalid(format!(
                "the data folder {} is not an absolute path",
                path.display()
            )));
        }
        if path.exists() && !path.is_dir() {
            return Err(Error::invalid(format!(
                "the data folder {} is a file, not a folder; choose a folder",
                path.display()
            )));
        }
        for sub in [DATASETS_DIR, TOKENIZERS_DIR, LOCKS_DIR] {
            let dir = path.join(sub);
            std::fs::create_dir_all(&dir).map_err(|e| {
                let mut err = Error::io(format!("creating {}", dir.display()), e);
                if let Error::Io { source, .. } = &err {
                    if source.kind() == std::io::ErrorKind::PermissionDenied {
                        err = Error::invalid(format!(
                            "the data folder {} cannot be written by this user; choose another folder or fix its permissions",
                            path.display()
                        ));
                    } else if source.kind() == std::io::ErrorKind::NotADirectory {
                        err = Error::invalid(format!(
                            "the data folder {} lies inside a file, not a folder; choose a folder",
                            path.display()
                        ));
                    }
                }
                err
            })?;
        }
        let probe = path.join(format!(".write-test-{}", std::process::id()));
        std::fs::write(&probe, b"ok").map_err(|e| {
            if e.kind() == std::io::ErrorKind::PermissionDenied
                || e.kind() == std::io::ErrorKind::ReadOnlyFilesystem
            {
                Error::invalid(format!(
                    "the data folder {} is read-only for this user; choose another folder or fix its permissions",
                    path.display()
                ))
            } else {
                Error::io(format!("writing a test file in {}", path.display()), e)
            }
        })?;
        let _ = std::fs::remove_file(&probe);
        Ok(DataRoot(path.to_path_buf()))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn dataset_dir(&self, id: &str) -> Result<PathBuf> {
        validate_id(id, "ds")?;
        Ok(self.0.join(DATASETS_DIR).join(id))
    }

    /// `datasets/<ds>/tokenized/<tok>`: a tokenization in the `save_to_disk` layout.
    pub fn tokenization_dir(&self, dataset_id: &str, id: &str) -> Result<PathBuf> {
        validate_id(id, "tok")?;
        Ok(self.dataset_dir(dataset_id)?.join("tokenized").join(id))
    }

    pub fn tokenizer_dir(&self, id: &str) -> Result<PathBuf> {
        validate_id(id, "tk")?;
        Ok(self.0.join(TOKENIZERS_DIR).join(id))
    }

    /// Free and total bytes of the file system that holds the data folder.
    pub fn disk_space(&self) -> Option<(u64, u64)> {
        let free = fs4::available_space(&self.0).ok()?;
        let total = fs4::total_space(&self.0).ok()?;
        Some((free, total))
    }
}

/// Temp file, fsync, rename: a reader sees the old file or the new one, never half of one.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp)
        .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path)
        .map_err(|e| Error::io(format!("replacing {}", path.display()), e))?;
    if let Some(dir) = path.parent() {
        // The rename itself is durable once the folder is synced (where folders can be opened).
        if let Ok(handle) = std::fs::File::open(dir) {
            let _ = handle.sync_all();
        }
        // A temp file of a writer killed mid-write would stay forever; whoever writes this file
        // holds its dataset's lock, so no other writer's temp file can be live now.
        if let (Some(stem), Ok(entries)) = (
            path.file_stem()
                .map(|s| format!("{}.tmp-", s.to_string_lossy())),
            std::fs::read_dir(dir),
        ) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with(&stem) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_before_paths_are_built() {
        assert!(validate_id("ds_0a1b2c", "ds").is_ok());
        assert!(validate_id(&new_id("ds"), "ds").is_ok());
        for bad in [
            "ds_",
            "ds_../etc",
            "ds_a/b",
            "tk_abc",
            "ds_ABC",
            "ds_a.b",
            "dsabc",
            "",
        ] {
            let e = validate_id(bad, "ds").unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{bad}");
        }
        assert!(validate_id(&format!("ds_{}", "a".repeat(65)), "ds").is_err());
    }

    #[test]
    fn prepare_creates_the_layout() {
        let dir = tempfile::tempdir().unwrap();
        let root = DataRoot::prepare(&dir.path().join("data")).unwrap();
        assert!(root.path().join("datasets").is_dir());
        assert!(root.path().join("tokenizers").is_dir());
        assert_eq!(
            root.dataset_dir("ds_abc").unwrap(),
            dir.path().join("data/datasets/ds_abc")
        );
        assert!(root.dataset_dir("../x").is_err());
        let (free, total) = root.disk_space().unwrap();
        assert!(total >= free && total > 0);
    }

    #[test]
    fn prepare_rejects_files_and_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        let e = DataRoot::prepare(&file).unwrap_err();
        assert!(e.to_string().contains("is a file"), "{e}");
        assert_eq!(
            DataRoot::prepare(Path::new("relative/data"))
                .unwrap_err()
                .kind(),
            crate::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn manifests_are_replaced_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("manifest.json");
        write_atomic(&path, b"{\"a\":1}").unwrap();
        write_atomic(&path, b"{\"a\":2}").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"a\":2}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
        // A writer killed mid-write left its temp file: the next write clears it, and leaves
        // other files alone.
        std::fs::write(dir.path().join("manifest.tmp-4242"), b"{\"a\":").unwrap();
        std::fs::write(dir.path().join("notes.json"), b"{}").unwrap();
        write_atomic(&path, b"{\"a\":3}").unwrap();
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["manifest.json", "notes.json"]);
    }
}
