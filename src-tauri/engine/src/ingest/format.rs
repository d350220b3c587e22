//! Recognising an input file by its name and opening it as a byte stream.

use crate::error::{Error, Result};
use std::cell::Cell;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    Parquet,
    /// One JSON object per line (`.jsonl`, `.ndjson`).
    JsonLines,
    /// A top-level array of objects, or an object with one array field holding them.
    Json,
}

impl SourceFormat {
    /// The name a person uses for the format.
    pub fn label(self) -> &'static str {
        match self {
            SourceFormat::Parquet => "parquet",
            SourceFormat::JsonLines => "jsonl",
            SourceFormat::Json => "json",
        }
    }
}

/// Compression wrapped around the whole file (not parquet's internal page compression).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

const SUPPORTED: &str = ".parquet, .jsonl, .ndjson or .json, optionally compressed as .gz or .zst";

/// Recognises a file by its name alone, so a whole download can be checked before any work.
pub fn detect_format(path: &Path) -> Result<(SourceFormat, Compression)> {
    let name = file_label(path);
    let lower = name.to_lowercase();
    let (stem, compression) = if let Some(s) = lower.strip_suffix(".gz") {
        (s, Compression::Gzip)
    } else if let Some(s) = lower
        .strip_suffix(".zst")
        .or_else(|| lower.strip_suffix(".zstd"))
    {
        (s, Compression::Zstd)
    } else {
        (lower.as_str(), Compression::None)
    };
    let format = match stem.rsplit_once('.').map(|(_, ext)| ext) {
        Some("parquet") => SourceFormat::Parquet,
        Some("jsonl") | Some("ndjson") => SourceFormat::JsonLines,
        Some("json") => SourceFormat::Json,
        Some(ext) => {
            return Err(Error::invalid(format!(
                "{name}: files ending in .{ext} are not supported; use {SUPPORTED}"
            )))
        }
        None => {
            return Err(Error::invalid(format!(
                "{name} has no file extension, so its format is unknown; name it with {SUPPORTED}"
            )))
        }
    };
    Ok((format, compression))
}

/// The file's name as it appears in messages.
pub(super) fn file_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Counts the bytes read from the file itself (before decompression), for progress.
pub(super) struct CountingReader<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Opens `path` as a stream of decompressed bytes; `count` tracks the compressed bytes read.
pub(super) fn open_stream(
    path: &Path,
    compression: Compression,
    count: Rc<Cell<u64>>,
) -> Result<Box<dyn Read>> {
    let file = File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let counted = CountingReader { inner: file, count };
    Ok(match compression {
        Compression::None => Box::new(counted),
        // Multi-member, because `cat a.gz b.gz` and pigz output are valid gzip files.
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(counted))),
        Compression::Zstd => Box::new(
            zstd::stream::read::Decoder::new(counted)
                .map_err(|e| Error::io(format!("opening {}", path.display()), e))?,
        ),
    })
}

/// A failed read is damage when a decompressor is involved (truncated or corrupt stream),
/// and an ordinary I/O failure otherwise.
pub(super) fn read_error(path: &Path, compression: Compression, e: std::io::Error) -> Error {
    match compression {
        Compression::None => Error::io(format!("reading {}", path.display()), e),
        _ => Error::Corrupt(format!(
            "{} could not be decompressed ({e}); the file is damaged or incomplete — download it again",
            file_label(path)
        )),
    }
}
