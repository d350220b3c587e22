//! Turns downloaded or local files into a dataset's canonical Arrow data. Formats, known by the
//! file name, each optionally gzip (`.gz`) or zstd (`.zst`) compressed: parquet; JSON Lines
//! (`.jsonl`, `.ndjson`); JSON (an array of objects, or an object with one array field); CSV
//! and TSV with a header row (every column read as text, an empty field null); `.txt`, one row
//! per line or one row per file ([`TextMode`]); Arrow IPC (`.arrow`, `.ipc`, `.feather`), the
//! file or the stream format, told apart by the `ARROW1` magic.
//!
//! ```text
//! DEST/<split>/data-00000.arrow, data-00001.arrow, ...
//! ```
//!
//! Each file is in the Arrow IPC *file* format (random access for pagination), uncompressed,
//! holds record batches of at most 8192 rows (fewer when rows are long: batches are also capped
//! near 16 MiB; sources' batches are cut or gathered to fit), and is closed once it passes
//! 64 MiB or 1,048,576 rows. Every split has at least one file, so the schema is readable even
//! when a split has no rows. All files of all splits share one schema: the first file's, with
//! every column nullable and top-level string columns stored as `utf8` (large_utf8, utf8_view
//! and dictionary-encoded strings are cast).
//!
//! Real files are untidy, and what can be kept is kept and reported in [`IngestSummary`]: a
//! JSON field whose type drifts (text here, a list there) becomes text, its lists and objects
//! written as JSON text; bytes that are not UTF-8 in a text format become U+FFFD. What cannot
//! is refused with the file (and line) named: a binary file under a text name, a record longer
//! than 64 MiB, a compressed file expanding past 1000 times its size and 1 GiB, damaged or
//! truncated files, and an import without a single row.
//!
//! Everything streams: memory is bounded by the batch size (and one record), never by the
//! dataset's size. The data is written into `DEST.partial` and renamed to `DEST` only when
//! every split is complete, so a reader never sees half-written data and a failed re-ingest
//! keeps the old.

mod chat;
mod convert;
mod format;
mod schema;
mod sources;
mod text;
mod writer;

#[cfg(test)]
mod tests;

pub use chat::column_as_text;
pub use format::{detect_format, Compression, SourceFormat, SUPPORTED_FORMATS};
pub use sources::TextMode;
pub(crate) use writer::Counting;

use crate::error::{Error, Result};
use crate::store::{ColumnInfo, SplitInfo};
use format::ReadLimits;
use std::path::{Path, PathBuf};
use tokio_util::sync::CancellationToken;
use writer::FileLimits;

/// Rows per record batch, in the source readers and in the canonical files.
const BATCH_ROWS: usize = 8192;
/// Bytes of source data gathered into one batch at most (long documents make fewer rows).
const CHUNK_BYTES: usize = 16 << 20;
const FILE_LIMITS: FileLimits = FileLimits {
    max_bytes: 64 << 20,
    max_rows: 128 * BATCH_ROWS,
};
/// Caps the rows of each canonical file below [`FILE_LIMITS`]: datatrove gives each task whole
/// files, so a dataset meant for many tasks needs many files (README: "Run on a cluster").
pub const FILE_ROWS_ENV: &str = "MISTUDIO_CANONICAL_FILE_ROWS";

fn file_limits() -> FileLimits {
    let rows = std::env::var(FILE_ROWS_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&r| r > 0);
    FileLimits {
        max_rows: rows.map_or(FILE_LIMITS.max_rows, |r| r.min(FILE_LIMITS.max_rows)),
        ..FILE_LIMITS
    }
}

const READ_LIMITS: ReadLimits = ReadLimits {
    max_record: 64 << 20,
    bomb_ratio: 1000,
    bomb_floor: 1 << 30,
};

#[derive(Debug, Clone, Copy)]
struct Limits {
    files: FileLimits,
    read: ReadLimits,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SplitInput {
    pub name: String,
    pub files: Vec<PathBuf>,
    /// How the split's `.txt` files become rows; other formats ignore it.
    pub text_mode: TextMode,
    /// Take the first this many rows of the split, in file order, and read no further file.
    pub row_limit: Option<u64>,
    /// Parquet files of which only a prefix is on disk, read with their footer kept apart.
    pub prefixes: Vec<ParquetPrefix>,
}

/// The first `row_groups` row groups of a parquet file whose bytes end early (a row budget
/// fetched only what they need); its footer, the file's metadata bytes, lies in `footer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParquetPrefix {
    /// The file as listed in [`SplitInput::files`].
    pub file: PathBuf,
    pub footer: PathBuf,
    pub row_groups: usize,
}

/// Hands the import its files one at a time, for a download that fetches each only when it
/// is read (a row budget stops early) and can drop it once read (`--no-keep-hub-files`).
pub trait FileSupply {
    /// Size of a listed file that may not be on disk yet; `None` reads it from disk.
    fn expected_size(&self, split: usize, file: usize) -> Option<u64>;
    /// Makes file `file` of split `split` readable and returns where it is.
    fn fetch(&mut self, split: usize, file: usize, listed: &Path) -> Result<PathBuf>;
    /// The file is converted; whatever it occupied may go.
    fn release(&mut self, split: usize, file: usize) -> Result<()>;
}

/// Files already on disk, read where they are.
struct OnDisk;

impl FileSupply for OnDisk {
    fn expected_size(&self, _: usize, _: usize) -> Option<u64> {
        None
    }
    fn fetch(&mut self, _: usize, _: usize, listed: &Path) -> Result<PathBuf> {
        Ok(listed.to_path_buf())
    }
    fn release(&mut self, _: usize, _: usize) -> Result<()> {
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IngestSummary {
    /// Rows per split, in input order.
    pub splits: Vec<SplitInfo>,
    /// Name and readable type ("string", "int64", "list<string>", ...) of each column.
    pub columns: Vec<ColumnInfo>,
    /// Every column usable as text, best first.
    pub text_columns: Vec<String>,
    /// The default text column: the first of `text_columns`, if any.
    pub text_column: Option<String>,
    /// Bytes of the canonical files on disk.
    pub size_bytes: i64,
    /// The source format as a person says it: "parquet", "jsonl", "json", "csv", "tsv", "txt",
    /// "arrow" ("jsonl+json" when files of several formats were combined).
    pub format: String,
    /// Rows of text formats that held bytes which are not UTF-8, stored with U+FFFD in their
    /// place.
    pub invalid_utf8_rows: u64,
    /// JSON fields whose type drifted between records (text in one, a list in another), stored
    /// as text, with the number of rows whose value was written as JSON text.
    pub drifted_fields: Vec<(String, u64)>,
    /// Per split, how many of its files (the first ones) were read: fewer than listed when a
    /// row limit was reached early.
    pub files_read: Vec<usize>,
}

/// Converts `inputs` into canonical Arrow data at `dest`, replacing what was there only on
/// success. `progress(done, total)` counts input bytes as stored (compressed sizes).
pub fn ingest(
    inputs: &[SplitInput],
    dest: &Path,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<IngestSummary> {
    let limits = Limits {
        files: file_limits(),
        read: READ_LIMITS,
    };
    ingest_with_limits(inputs, dest, cancel, progress, limits, &mut OnDisk)
}

/// [`ingest`] with the files handed over by `supply` as they are reached.
pub fn ingest_supplied(
    inputs: &[SplitInput],
    dest: &Path,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(u64, u64),
    supply: &mut dyn FileSupply,
) -> Result<IngestSummary> {
    let limits = Limits {
        files: file_limits(),
        read: READ_LIMITS,
    };
    ingest_with_limits(inputs, dest, cancel, progress, limits, supply)
}

fn ingest_with_limits(
    inputs: &[SplitInput],
    dest: &Path,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(u64, u64),
    limits: Limits,
    supply: &mut dyn FileSupply,
) -> Result<IngestSummary> {
    let plan = plan(inputs, supply)?;
    let (parent, dest_name) = match (dest.parent(), dest.file_name()) {
        (Some(p), Some(n)) => (p, n.to_string_lossy().into_owned()),
        _ => {
            return Err(Error::invalid(format!(
                "{} cannot hold a dataset's data; give a folder path",
                dest.display()
            )))
        }
    };
    std::fs::create_dir_all(parent)
        .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
    let partial = parent.join(format!("{dest_name}.partial"));
    // A leftover from a run that crashed; the job lock means no live run owns it.
    remove_dir_if_present(&partial)?;
    std::fs::create_dir(&partial)
        .map_err(|e| Error::io(format!("creating {}", partial.display()), e))?;
    let guard = RemoveOnDrop(Some(partial.clone()));

    let summary = convert::convert(&plan, &partial, cancel, progress, limits, supply)?;
    if cancel.is_cancelled() {
        return Err(Error::Cancelled);
    }
    replace_dir(&partial, dest, parent, &dest_name)?;
    guard.disarm();
    Ok(summary)
}

struct PlannedFile {
    path: PathBuf,
    text_mode: TextMode,
    format: SourceFormat,
    compression: Compression,
    bytes: u64,
    /// Only the first row groups are on disk, read with this footer: (footer, row groups).
    prefix: Option<(PathBuf, usize)>,
}

struct PlannedSplit {
    name: String,
    files: Vec<PlannedFile>,
    row_limit: Option<u64>,
}

/// Checks every input before any work, so a bad name or a missing file fails at once.
fn plan(inputs: &[SplitInput], supply: &dyn FileSupply) -> Result<Vec<PlannedSplit>> {
    if inputs.is_empty() {
        return Err(Error::invalid("there are no files to import"));
    }
    let mut out: Vec<PlannedSplit> = Vec::with_capacity(inputs.len());
    for (split_index, split) in inputs.iter().enumerate() {
        validate_split_name(&split.name)?;
        if split.row_limit == Some(0) {
            return Err(Error::invalid(format!(
                "split '{}' is limited to 0 rows; take at least one row",
                split.name
            )));
        }
        if out.iter().any(|s| s.name == split.name) {
            return Err(Error::invalid(format!(
                "split '{}' is listed twice; list each split once with all its files",
                split.name
            )));
        }
        if split.files.is_empty() {
            return Err(Error::invalid(format!(
                "split '{}' has no files",
                split.name
            )));
        }
        let mut files = Vec::with_capacity(split.files.len());
        for (file_index, path) in split.files.iter().enumerate() {
            let (format, compression) = detect_format(path)?;
            let prefix = split.prefixes.iter().find(|p| p.file == *path);
            if prefix.is_some()
                && (format != SourceFormat::Parquet || compression != Compression::None)
            {
                return Err(Error::Internal(format!(
                    "{} is read in part but is not an uncompressed parquet file",
                    path.display()
                )));
            }
            let bytes = match supply.expected_size(split_index, file_index) {
                Some(bytes) => bytes,
                None => std::fs::metadata(path)
                    .map_err(|e| Error::io(format!("opening {}", path.display()), e))?
                    .len(),
            };
            files.push(PlannedFile {
                path: path.clone(),
                text_mode: split.text_mode,
                format,
                compression,
                bytes,
                prefix: prefix.map(|p| (p.footer.clone(), p.row_groups)),
            });
        }
        out.push(PlannedSplit {
            name: split.name.clone(),
            files,
            row_limit: split.row_limit,
        });
    }
    Ok(out)
}

/// Split names become folder names.
fn validate_split_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "'{name}' cannot be a split name; use letters, digits, '-', '_', '.' or '+', not starting with '.'"
        )))
    }
}

fn remove_dir_if_present(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io(format!("removing {}", dir.display()), e))
        }
        _ => Ok(()),
    }
}

/// Puts `new` at `dest`. An existing `dest` is moved aside first (a directory cannot be renamed
/// over a non-empty one) and restored if the swap fails.
fn replace_dir(new: &Path, dest: &Path, parent: &Path, dest_name: &str) -> Result<()> {
    if !dest.exists() {
        return std::fs::rename(new, dest)
            .map_err(|e| Error::io(format!("moving data into {}", dest.display()), e));
    }
    let old = parent.join(format!("{dest_name}.old"));
    remove_dir_if_present(&old)?;
    std::fs::rename(dest, &old)
        .map_err(|e| Error::io(format!("moving {} aside", dest.display()), e))?;
    if let Err(e) = std::fs::rename(new, dest) {
        let _ = std::fs::rename(&old, dest);
        return Err(Error::io(format!("moving data into {}", dest.display()), e));
    }
    if let Err(e) = std::fs::remove_dir_all(&old) {
        // The new data is in place; a stale copy only costs space and goes on the next run.
        tracing::warn!(path = %old.display(), error = %e, "could not remove the previous data");
    }
    Ok(())
}

/// Removes the temporary folder on every way out (errors, cancellation, panics) but success.
struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
