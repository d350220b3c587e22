//! The import job: a local file or folder becomes a dataset, through the same conversion a
//! download goes through. Splits come from file and folder names (train / validation / test
//! and their usual spellings); everything else is the `train` split. A single .txt file gives
//! one row per line; in a folder, each .txt file is one row (a document).

use super::check_disk_space;
use crate::error::{Error, Result};
use crate::events::{EngineEvent, EventSink};
use crate::ingest::{detect_format, SplitInput, TextMode, SUPPORTED_FORMATS};
use crate::jobs::{JobContext, JobHandler};
use crate::library::DataRoot;
use crate::settings::Settings;
use crate::store::JobKind;
use crate::store::{DatasetStatus, Store};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// What the window's Import form (or `mistudio-cli import`) asks for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportRequest {
    /// A file or a folder of files.
    pub path: String,
    /// The dataset's name; the file or folder name when `None`.
    pub name: Option<String>,
}

/// Stored with the job: the absolute path, so a retry reads the same files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportParams {
    pub dataset_id: String,
    pub path: String,
}

/// Folders deeper than this under the imported one are not searched.
const MAX_DEPTH: usize = 8;

/// The files an import reads, by split, with their names relative to the imported path.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    pub splits: Vec<SplitInput>,
    /// Relative names of the files read (for the manifest: never an absolute path).
    pub source_files: Vec<String>,
    pub total_bytes: u64,
    /// Files in the folder that are not data (README.md, say), left out.
    pub skipped: Vec<String>,
}

/// The split a file belongs to, by the `datasets` library's naming conventions (the same rule
/// as for Hub repos): the file name's first word (`train-00000.parquet`, `test.jsonl`), else
/// a folder named after a split (`data/validation/part.jsonl`).
pub fn split_from_name(relative_path: &str) -> Option<&'static str> {
    crate::hub::inspect::split_of(&relative_path.replace('\\', "/"))
}

/// The path's own name without its data extensions (`wiki.jsonl.gz` → `wiki`).
fn bare_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    if path.is_dir() {
        return name;
    }
    let mut stem = name.as_str();
    for ext in [".gz", ".zst", ".zstd"] {
        if let Some(s) = stem.strip_suffix(ext) {
            stem = s;
        }
    }
    stem.rsplit_once('.')
        .map(|(s, _)| s)
        .filter(|s| !s.is_empty())
        .unwrap_or(stem)
        .to_string()
}

/// README.txt, LICENSE and the like sit beside data in a folder; they are not rows.
fn is_documentation(path: &Path) -> bool {
    let name = bare_name(path).to_lowercase();
    [
        "readme",
        "license",
        "licence",
        "changelog",
        "citation",
        "notice",
    ]
    .iter()
    .any(|d| name == *d || name.starts_with(&format!("{d}.")) || name.starts_with(&format!("{d}_")))
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::io(format!("reading the folder {}", dir.display()), e))?;
    let mut paths: Vec<PathBuf> = entries
        .map(|e| {
            e.map(|e| e.path())
                .map_err(|e| Error::io(format!("reading the folder {}", dir.display()), e))
        })
        .collect::<Result<_>>()?;
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            if depth < MAX_DEPTH {
                walk(&path, depth + 1, out)?;
            }
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Which files of `path` an import reads, and into which splits.
pub fn plan_import(path: &Path) -> Result<ImportPlan> {
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::not_found(format!("{} (nothing to import there)", path.display()))
        } else {
            Error::io(format!("reading {}", path.display()), e)
        }
    })?;
    let (root, candidates) = if meta.is_dir() {
        let mut files = Vec::new();
        walk(path, 0, &mut files)?;
        (path.to_path_buf(), files)
    } else {
        let parent = path.parent().unwrap_or(Path::new("")).to_path_buf();
        (parent, vec![path.to_path_buf()])
    };
    let mut skipped = Vec::new();
    let mut by_split: Vec<(String, Vec<PathBuf>)> = Vec::new();
    let mut source_files = Vec::new();
    let mut total_bytes = 0;
    for file in candidates {
        let relative = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .to_string_lossy()
            .into_owned();
        if meta.is_dir() && is_documentation(&file) {
            skipped.push(relative);
            continue;
        }
        if let Err(e) = detect_format(&file) {
            // One file picked on purpose must be readable; in a folder, other files are left out.
            if !meta.is_dir() {
                return Err(e);
            }
            skipped.push(relative);
            continue;
        }
        total_bytes += std::fs::metadata(&file)
            .map_err(|e| Error::io(format!("reading {}", file.display()), e))?
            .len();
        let split = split_from_name(&relative).unwrap_or("train");
        match by_split.iter_mut().find(|(name, _)| name == split) {
            Some((_, files)) => files.push(file),
            None => by_split.push((split.to_string(), vec![file])),
        }
        source_files.push(relative);
    }
    if by_split.is_empty() {
        return Err(Error::invalid(format!(
            "{} holds no data files{}; import {SUPPORTED_FORMATS}",
            path.display(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" (found {})", skipped.join(", "))
            }
        )));
    }
    // The usual order, whatever order the files came in.
    let rank = |s: &str| match s {
        "train" => 0,
        "validation" => 1,
        _ => 2,
    };
    by_split.sort_by_key(|(name, _)| rank(name));
    Ok(ImportPlan {
        splits: by_split
            .into_iter()
            .map(|(name, files)| SplitInput {
                name,
                files,
                // A folder of .txt files is a set of documents: one row per file.
                text_mode: if meta.is_dir() {
                    TextMode::WholeFile
                } else {
                    TextMode::Lines
                },
                ..Default::default()
            })
            .collect(),
        source_files,
        total_bytes,
        skipped,
    })
}

/// The name a dataset imported from `path` gets when none is given.
pub fn default_name(path: &Path) -> String {
    bare_name(path)
}

/// A dataset name: not empty, one line, not absurdly long.
pub fn validate_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("the dataset needs a name"));
    }
    if name.chars().count() > 200 {
        return Err(Error::invalid(
            "the dataset's name is longer than 200 characters; shorten it",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "the dataset's name contains a line break or another control character; remove it",
        ));
    }
    Ok(name.to_string())
}

pub struct ImportHandler {
    pub store: Store,
    pub state: Arc<RwLock<(Settings, DataRoot)>>,
    pub sink: Arc<dyn EventSink>,
    pub locks: Arc<crate::locks::DataLocks>,
}

impl ImportHandler {
    fn changed(&self, id: &str) {
        self.sink.emit(EngineEvent::DatasetsChanged {
            dataset_ids: vec![id.to_string()],
        });
    }

    async fn import(&self, ctx: &JobContext, p: &ImportParams) -> Result<()> {
        let data_root = self
            .state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .clone();
        let _lock = self
            .locks
            .acquire_patiently(
                &data_root,
                &p.dataset_id,
                "importing",
                crate::locks::JOB_PATIENCE,
            )
            .await?;
        self.store
            .set_dataset_status(&p.dataset_id, DatasetStatus::Processing, None)
            .await?;
        self.changed(&p.dataset_id);
        ctx.stage("Reading the files");
        let path = PathBuf::from(&p.path);
        let plan = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || plan_import(&path))
                .await
                .map_err(|e| Error::Internal(format!("planning the import crashed: {e}")))??
        };
        // Compressed inputs expand; plain ones stay about the same size as Arrow.
        let estimate: u64 = plan
            .splits
            .iter()
            .flat_map(|s| &s.files)
            .map(|f| {
                let size = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
                let name = f.to_string_lossy().to_lowercase();
                if name.ends_with(".gz") || name.ends_with(".zst") || name.ends_with(".parquet") {
                    size * 4
                } else {
                    size + size / 4
                }
            })
            .sum();
        check_disk_space(data_root.path(), data_root.path(), 0, estimate)?;

        let dataset = super::convert_and_finish(
            ctx,
            &self.store,
            &data_root,
            &p.dataset_id,
            plan.splits,
            None,
            plan.source_files,
            None,
            |_| None,
        )
        .await?;
        self.changed(&p.dataset_id);
        tracing::info!(dataset = %p.dataset_id, rows = dataset.num_samples.unwrap_or(0), "import finished");
        Ok(())
    }
}

#[async_trait]
impl JobHandler for ImportHandler {
    fn kind(&self) -> JobKind {
        JobKind::DatasetImport
    }

    fn max_concurrency(&self) -> usize {
        1
    }

    async fn run(&self, ctx: JobContext) -> Result<()> {
        let p: ImportParams = ctx.params()?;
        let result = self.import(&ctx, &p).await;
        match &result {
            Err(e) if e.kind() != crate::ErrorKind::Cancelled && !ctx.is_cancelled() => {
                let _ = self
                    .store
                    .set_dataset_status(&p.dataset_id, DatasetStatus::Error, Some(&e.to_string()))
                    .await;
                self.changed(&p.dataset_id);
            }
            _ => {}
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_come_from_the_usual_spellings() {
        for (name, want) in [
            ("train.jsonl", Some("train")),
            ("train-00000-of-00002.parquet", Some("train")),
            ("training/part.jsonl", Some("train")),
            ("data/validation/0.parquet", Some("validation")),
            ("valid.csv", Some("validation")),
            ("dev.jsonl", Some("validation")),
            ("val_set.jsonl.gz", Some("validation")),
            ("TEST.json", Some("test")),
            ("eval.jsonl", Some("test")),
            ("contest.jsonl", None),
            ("data/part.jsonl", None),
            ("trainer.parquet", None),
        ] {
            assert_eq!(split_from_name(name), want, "{name}");
        }
    }

    #[test]
    fn a_folder_is_planned_by_split_with_relative_names() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        for (rel, body) in [
            ("data/train-0.jsonl", "{}\n"),
            ("data/train-1.jsonl", "{}\n"),
            ("data/test.jsonl", "{}\n"),
            ("validation/part.json", "[]"),
            ("extra.parquet", "x"),
            ("README.md", "# about"),
            ("LICENSE.txt", "CC-BY"),
            (".hidden/train.jsonl", "{}\n"),
        ] {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
        let plan = plan_import(&root).unwrap();
        let got: Vec<(String, Vec<String>)> = plan
            .splits
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.files
                        .iter()
                        .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "train".to_string(),
                    vec![
                        "data/train-0.jsonl".to_string(),
                        "data/train-1.jsonl".to_string(),
                        "extra.parquet".to_string()
                    ]
                ),
                (
                    "validation".to_string(),
                    vec!["validation/part.json".to_string()]
                ),
                ("test".to_string(), vec!["data/test.jsonl".to_string()]),
            ]
        );
        assert_eq!(
            plan.skipped,
            vec!["LICENSE.txt".to_string(), "README.md".to_string()]
        );
        assert!(plan.source_files.iter().all(|f| !f.starts_with('/')));
        assert_eq!(default_name(&root), "corpus");
    }

    #[test]
    fn bad_paths_get_their_own_errors() {
        let dir = tempfile::tempdir().unwrap();
        let e = plan_import(&dir.path().join("missing.jsonl")).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::NotFound);
        let e = plan_import(dir.path()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("holds no data files"), "{e}");
        let notes = dir.path().join("notes.docx");
        std::fs::write(&notes, "x").unwrap();
        let e = plan_import(&notes).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert_eq!(default_name(&dir.path().join("wiki.jsonl.gz")), "wiki");
        assert!(validate_name("  ").is_err());
        assert!(validate_name("a\nb").is_err());
        assert_eq!(validate_name(" my set ").unwrap(), "my set");
    }
}
