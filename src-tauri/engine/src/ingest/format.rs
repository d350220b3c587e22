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
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// Plain text: one row per line, or one row per file (see `TextMode`).
    Text,
    /// Arrow IPC, the file format or the stream format (`.arrow`, `.ipc`, `.feather`).
    Ipc,
}

impl SourceFormat {
    /// The name a person uses for the format.
    pub fn label(self) -> &'static str {
        match self {
            SourceFormat::Parquet => "parquet",
            SourceFormat::JsonLines => "jsonl",
            SourceFormat::Json => "json",
            SourceFormat::Csv => "csv",
            SourceFormat::Tsv => "tsv",
            SourceFormat::Text => "txt",
            SourceFormat::Ipc => "arrow",
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

pub const SUPPORTED_FORMATS: &str = ".parquet, .jsonl, .ndjson, .json, .csv, .tsv, .txt, .arrow, .ipc or .feather, optionally compressed as .gz or .zst";

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
        Some("csv") => SourceFormat::Csv,
        Some("tsv") => SourceFormat::Tsv,
        Some("txt") => SourceFormat::Text,
        Some("arrow") | Some("ipc") | Some("feather") => SourceFormat::Ipc,
        Some(ext) => {
            return Err(Error::invalid(format!(
                "{name}: files ending in .{ext} are not supported; use {SUPPORTED_FORMATS}"
            )))
        }
        None => {
            return Err(Error::invalid(format!(
                "{name} has no file extension, so its format is unknown; name it with {SUPPORTED_FORMATS}"
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
/// A compressed file may not expand past `limits`' cap (see [`ReadLimits::bomb_cap`]).
pub(super) fn open_stream(
    path: &Path,
    compression: Compression,
    count: Rc<Cell<u64>>,
    limits: &ReadLimits,
) -> Result<Box<dyn Read>> {
    let file = File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let compressed = file
        .metadata()
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?
        .len();
    let counted = CountingReader { inner: file, count };
    let cap = limits.bomb_cap(compressed);
    Ok(match compression {
        Compression::None => Box::new(counted),
        // Multi-member, because `cat a.gz b.gz` and pigz output are valid gzip files.
        Compression::Gzip => Box::new(Capped::new(
            flate2::read::MultiGzDecoder::new(BufReader::new(counted)),
            cap,
        )),
        Compression::Zstd => Box::new(Capped::new(
            zstd::stream::read::Decoder::new(counted)
                .map_err(|e| Error::io(format!("opening {}", path.display()), e))?,
            cap,
        )),
    })
}

/// How much reading one file may take.
#[derive(Debug, Clone, Copy)]
pub(super) struct ReadLimits {
    /// Bytes of one record (a line, a CSV record, a JSON record, a whole text file).
    pub max_record: usize,
    /// A compressed file may expand to `bomb_ratio` times its size...
    pub bomb_ratio: u64,
    /// ...or to `bomb_floor` bytes, whichever is more.
    pub bomb_floor: u64,
}

impl ReadLimits {
    pub fn bomb_cap(&self, compressed: u64) -> u64 {
        compressed
            .saturating_mul(self.bomb_ratio)
            .max(self.bomb_floor)
    }
}

/// Marks the error a [`Capped`] reader returns, so it is told apart from a damaged stream.
#[derive(Debug)]
struct TooLarge(u64);

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "decompressed data passes {} bytes", self.0)
    }
}

impl std::error::Error for TooLarge {}

/// Stops a decompressor at a cap: a small file that expands without end (a decompression
/// bomb) would otherwise fill the disk or, for one endless record, the memory.
struct Capped<R> {
    inner: R,
    left: u64,
    cap: u64,
}

impl<R> Capped<R> {
    fn new(inner: R, cap: u64) -> Self {
        Capped {
            inner,
            left: cap,
            cap,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One probe byte tells a stream that ends exactly at the cap from one that goes on.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other(TooLarge(self.cap))),
            };
        }
        let want = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// A failed read is damage when a decompressor is involved (truncated or corrupt stream),
/// and an ordinary I/O failure otherwise.
pub(super) fn read_error(path: &Path, compression: Compression, e: std::io::Error) -> Error {
    if let Some(TooLarge(cap)) = e.get_ref().and_then(|i| i.downcast_ref::<TooLarge>()) {
        return Error::invalid(format!(
            "{} expands to more than {} when decompressed, far more than a compressed file of its size should (a decompression bomb?); refusing to unpack it",
            file_label(path),
            human_bytes(*cap)
        ));
    }
    match compression {
        Compression::None => Error::io(format!("reading {}", path.display()), e),
        _ => Error::Corrupt(format!(
            "{} could not be decompressed ({e}); the file is damaged or incomplete — download it again",
            file_label(path)
        )),
    }
}

pub(super) fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if v.fract() == 0.0 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}
