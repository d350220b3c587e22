//! Reading what a datatrove run of an export wrote, and refusing anything partial or
//! inconsistent before a byte of a tokenization is written: every task of every split must
//! have finished, and each task's token file, index and metadata must agree with each other
//! and with the export.

use super::files::Spec;
use super::RUN_FILE;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One task's files.
#[derive(Debug, Clone)]
pub struct RankFiles {
    pub tokens: PathBuf,
    /// Where each document ends, in tokens: datatrove's `.ds.index`, little-endian u64s.
    pub index: PathBuf,
    pub documents: u64,
    pub token_count: u64,
}

#[derive(Debug, Clone)]
pub struct CheckedSplit {
    pub name: String,
    pub ranks: Vec<RankFiles>,
    pub documents: u64,
    pub tokens: u64,
}

/// A finished output, checked.
#[derive(Debug, Clone)]
pub struct CheckedOutput {
    pub dir: PathBuf,
    pub spec: Spec,
    pub tasks: u32,
    pub splits: Vec<CheckedSplit>,
}

/// What the window shows before adopting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DatatroveOutput {
    pub folder: String,
    pub datatrove_version: String,
    pub tokenizer_id: String,
    pub tokenizer_name: String,
    /// The dataset the export read (`None` for a Hub repo read in place).
    pub dataset_id: Option<String>,
    pub source: String,
    pub tasks: u32,
    pub splits: Vec<OutputSplit>,
    /// The export's context size, the adoption's default.
    pub context_size: Option<u32>,
    pub settings_summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OutputSplit {
    pub name: String,
    pub documents: u64,
    pub tokens: u64,
}

impl CheckedOutput {
    pub fn summary(&self) -> DatatroveOutput {
        use super::files::SpecSource;
        let (dataset_id, source) = match &self.spec.source {
            SpecSource::Dataset {
                dataset_id,
                dataset_name,
            } => (Some(dataset_id.clone()), dataset_name.clone()),
            SpecSource::Hub {
                repo_id, config, ..
            } => (None, format!("{repo_id} ({config})")),
        };
        DatatroveOutput {
            folder: self.dir.to_string_lossy().into_owned(),
            datatrove_version: self.spec.datatrove_version.clone(),
            tokenizer_id: self.spec.tokenizer.id.clone(),
            tokenizer_name: self.spec.tokenizer.name.clone(),
            dataset_id,
            source,
            tasks: self.tasks,
            splits: self
                .splits
                .iter()
                .map(|s| OutputSplit {
                    name: s.name.clone(),
                    documents: s.documents,
                    tokens: s.tokens,
                })
                .collect(),
            context_size: self.spec.settings.packing.map(|p| p.context_size),
            settings_summary: self.spec.settings.summary(),
        }
    }
}

#[derive(Deserialize)]
struct RunRecord {
    tasks: u32,
}

fn relative(dir: &Path, rel: &str) -> PathBuf {
    rel.split('/')
        .fold(dir.to_path_buf(), |p, part| p.join(part))
}

/// Checks the output of the export at `dir`.
pub fn check_output(dir: &Path) -> Result<CheckedOutput> {
    if !dir.is_dir() {
        return Err(Error::NotFound {
            what: format!("the folder {}", dir.display()),
        });
    }
    let spec = Spec::read(dir)?;
    let mut tasks = None;
    let mut splits = Vec::new();
    for split in &spec.splits {
        let out = relative(dir, &split.output);
        let run_file = out.join(RUN_FILE);
        let run: RunRecord = match std::fs::read(&run_file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::Corrupt(format!("{} is not readable ({e})", run_file.display()))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::invalid(format!(
                    "split \"{}\" has not been run ({} is missing): run the pipeline (see README.md in {})",
                    split.name,
                    run_file.display(),
                    dir.display()
                )))
            }
            Err(e) => return Err(Error::io(format!("reading {}", run_file.display()), e)),
        };
        if run.tasks == 0 {
            return Err(Error::Corrupt(format!(
                "{} records 0 tasks",
                run_file.display()
            )));
        }
        tasks.get_or_insert(run.tasks);
        let logs = relative(dir, &split.logs);
        splits.push(check_split(&spec, &split.name, &out, &logs, run.tasks)?);
    }
    Ok(CheckedOutput {
        dir: dir.to_path_buf(),
        tasks: tasks.unwrap_or(0),
        spec,
        splits,
    })
}

fn check_split(
    spec: &Spec,
    name: &str,
    out: &Path,
    logs: &Path,
    tasks: u32,
) -> Result<CheckedSplit> {
    // Token files of ranks the run does not have: another run's leftovers.
    let entries =
        std::fs::read_dir(out).map_err(|e| Error::io(format!("reading {}", out.display()), e))?;
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if let Some(rank) = file
            .strip_suffix("_unshuffled.ds")
            .and_then(|r| r.parse::<u32>().ok())
        {
            if rank >= tasks {
                return Err(Error::invalid(format!(
                    "split \"{name}\" holds {file}, a task beyond the {tasks} its run has: the folder mixes two runs; export again into an empty folder"
                )));
            }
        }
    }
    let token_size = u64::from(spec.tokenizer.token_size);
    let mut ranks = Vec::with_capacity(tasks as usize);
    let (mut documents, mut tokens) = (0u64, 0u64);
    for rank in 0..tasks {
        let base = format!("{rank:05}_unshuffled.ds");
        let tokens_path = out.join(&base);
        let index_path = out.join(format!("{base}.index"));
        let metadata_path = out.join(format!("{base}.metadata"));
        let done = logs.join("completions").join(format!("{rank:05}"));
        let present = [&tokens_path, &index_path, &metadata_path].map(|p| p.is_file());
        if !done.is_file() {
            return Err(Error::invalid(format!(
                "task {rank} of split \"{name}\" has not finished (no {}): run the pipeline again with the same command; it redoes unfinished tasks only",
                done.display()
            )));
        }
        if let Some(missing) = [&tokens_path, &index_path, &metadata_path]
            .iter()
            .zip(present)
            .find(|(_, here)| !here)
            .map(|(p, _)| p)
        {
            return Err(Error::invalid(format!(
                "task {rank} of split \"{name}\" is missing {}: the output is incomplete; delete {} and run the pipeline again to redo that task",
                missing.display(),
                done.display()
            )));
        }
        let (count, last) = scan_index(&index_path, rank)?;
        let size = std::fs::metadata(&tokens_path)
            .map_err(|e| Error::io(format!("reading {}", tokens_path.display()), e))?
            .len();
        let expected = last.saturating_mul(token_size);
        if size != expected {
            let how = if size < expected { "shorter" } else { "longer" };
            return Err(Error::Corrupt(format!(
                "{} holds {} tokens ({size} bytes), {how} than its index, which ends at {last}: the token file is {}; delete {} and run the pipeline again to redo task {rank}",
                tokens_path.display(),
                size / token_size,
                if size < expected { "truncated" } else { "not the one its index describes" },
                done.display()
            )));
        }
        check_metadata(spec, &metadata_path, last)?;
        documents += count;
        tokens += last;
        ranks.push(RankFiles {
            tokens: tokens_path,
            index: index_path,
            documents: count,
            token_count: last,
        });
    }
    Ok(CheckedSplit {
        name: name.to_string(),
        ranks,
        documents,
        tokens,
    })
}

/// Streams an index (it holds one u64 per document, which on a web-scale split is more than
/// memory should): its documents and its last end, checked to never go backwards.
fn scan_index(path: &Path, rank: u32) -> Result<(u64, u64)> {
    use std::io::Read;
    let file = std::fs::File::open(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let len = file
        .metadata()
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?
        .len();
    if len % 8 != 0 {
        return Err(Error::Corrupt(format!(
            "{} is {len} bytes, not a whole number of document ends: the file is damaged; redo task {rank}",
            path.display()
        )));
    }
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut buf = [0u8; 8];
    let mut last = 0u64;
    for _ in 0..len / 8 {
        reader
            .read_exact(&mut buf)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        let end = u64::from_le_bytes(buf);
        if end < last {
            return Err(Error::Corrupt(format!(
                "{} has document ends that go backwards: the file is damaged; redo task {rank}",
                path.display()
            )));
        }
        last = end;
    }
    Ok((len / 8, last))
}

/// `.ds.metadata`: `<tokenizer name or path>|<token size>`, the token count, a humanized count.
fn check_metadata(spec: &Spec, path: &Path, tokens: u64) -> Result<()> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let (name, size) = first.rsplit_once('|').unwrap_or((first, ""));
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    if file != spec.tokenizer.file {
        return Err(Error::invalid(format!(
            "{} says its tokens were made with {name:?}, not with this export's {} ({}): the output belongs to another tokenizer or export",
            path.display(),
            spec.tokenizer.file,
            spec.tokenizer.name
        )));
    }
    if size != spec.tokenizer.token_size.to_string() {
        return Err(Error::invalid(format!(
            "{} says its tokens are {size:?} bytes each, where {} needs {}: the output was written by another datatrove setup",
            path.display(),
            spec.tokenizer.name,
            spec.tokenizer.token_size
        )));
    }
    let count = lines.next().and_then(|l| l.trim().parse::<u64>().ok());
    if count != Some(tokens) {
        return Err(Error::Corrupt(format!(
            "{} counts {} tokens where the index ends at {tokens}: the task's files do not belong together; redo it",
            path.display(),
            count.map_or_else(|| "no".to_string(), |c| c.to_string())
        )));
    }
    Ok(())
}
