//! Helpers shared by the text formats (JSON Lines, JSON, CSV, TSV, txt): opening a file as a
//! buffered stream, bounded line reading, repair of bytes that are not UTF-8, and refusing
//! files that are binary.

use super::format::{file_label, human_bytes, open_stream, read_error, Compression, ReadLimits};
use crate::error::{Error, Result};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// How much of a file's start is looked at to tell text from binary.
const SNIFF_BYTES: usize = 64 * 1024;
/// Share of a sample's bytes that may be invalid UTF-8 before the file counts as binary.
const MAX_INVALID_SHARE: f64 = 0.10;
const READ_BUFFER: usize = 256 * 1024;
/// The UTF-8 byte-order mark some Windows tools put before the text.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A text file opened for reading: decompressed, refused if binary, buffered. A failed read
/// names the file; the bytes read from the file itself are counted for progress.
pub(super) struct TextStream {
    pub(super) reader: BufReader<Box<dyn Read>>,
    /// The file's name as messages give it.
    pub(super) name: String,
    path: PathBuf,
    compression: Compression,
    read: Rc<Cell<u64>>,
}

impl TextStream {
    pub(super) fn open(path: &Path, compression: Compression, limits: &ReadLimits) -> Result<Self> {
        let read = Rc::new(Cell::new(0));
        let stream = open_stream(path, compression, read.clone(), limits)?;
        let stream = refuse_binary(path, compression, stream)?;
        Ok(TextStream {
            reader: BufReader::with_capacity(READ_BUFFER, stream),
            name: file_label(path),
            path: path.to_path_buf(),
            compression,
            read,
        })
    }

    /// Compressed bytes read so far.
    pub(super) fn bytes_read(&self) -> u64 {
        self.read.get()
    }

    /// The buffered bytes, read on when the buffer is empty; empty only at the end.
    pub(super) fn fill_buf(&mut self) -> Result<&[u8]> {
        let (path, compression) = (&self.path, self.compression);
        self.reader
            .fill_buf()
            .map_err(|e| read_error(path, compression, e))
    }

    /// Appends the next line to `out` as [`read_line`] does.
    pub(super) fn read_line(&mut self, out: &mut Vec<u8>, max: usize) -> Result<Line> {
        read_line(&mut self.reader, out, max).map_err(|e| self.error(e))
    }

    /// Skips a byte-order mark at the current position.
    pub(super) fn skip_bom(&mut self) -> Result<()> {
        if self.fill_buf()?.starts_with(BOM) {
            self.reader.consume(BOM.len());
        }
        Ok(())
    }

    /// The error for a failed read of this file, see [`read_error`].
    pub(super) fn error(&self, e: std::io::Error) -> Error {
        read_error(&self.path, self.compression, e)
    }
}

/// Reads the start of `stream` and refuses a binary file (one with NUL bytes, or with more than
/// 10 % of its bytes not UTF-8) with a message naming it; the returned reader yields every
/// byte, the sampled ones included.
fn refuse_binary(
    path: &Path,
    compression: Compression,
    mut stream: Box<dyn Read>,
) -> Result<Box<dyn Read>> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut stream)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| read_error(path, compression, e))?;
    let name = file_label(path);
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(Error::invalid(format!(
            "{name} is UTF-16 text; save it as UTF-8 and import it again"
        )));
    }
    if head.contains(&0) {
        return Err(Error::invalid(format!(
            "{name} contains NUL bytes, so it is binary, not text; is it the right file (or compressed without a .gz/.zst name)?"
        )));
    }
    // A sample cut inside a multi-byte character leaves at most 3 stray bytes at its end.
    let invalid: usize = head.utf8_chunks().map(|c| c.invalid().len()).sum();
    if head.len() >= 64 && invalid as f64 > head.len() as f64 * MAX_INVALID_SHARE {
        return Err(Error::invalid(format!(
            "{name} is mostly binary: {invalid} of its first {} are not UTF-8 text; is it the right file?",
            human_bytes(head.len() as u64)
        )));
    }
    Ok(Box::new(Cursor::new(head).chain(stream)))
}

/// Replaces the bytes of `buf[start..]` that are not UTF-8 with U+FFFD; true if there were any.
pub(super) fn repair_utf8(buf: &mut Vec<u8>, start: usize) -> bool {
    if std::str::from_utf8(&buf[start..]).is_ok() {
        return false;
    }
    let fixed = String::from_utf8_lossy(&buf[start..]).into_owned();
    buf.truncate(start);
    buf.extend_from_slice(fixed.as_bytes());
    true
}

/// Removes a byte-order mark from the start of `buf[start..]`.
pub(super) fn strip_bom(buf: &mut Vec<u8>, start: usize) {
    if buf[start..].starts_with(BOM) {
        buf.drain(start..start + BOM.len());
    }
}

pub(super) enum Line {
    /// A line was appended (without its `\n`).
    Read,
    /// The stream ended before any byte.
    End,
    /// The line passed the cap; what was read of it is discarded.
    TooLong,
}

/// Appends the next line of `reader` to `out` without its `\n`, reading at most `max` bytes of
/// it: a file that is one endless line must not take endless memory.
fn read_line(reader: &mut dyn BufRead, out: &mut Vec<u8>, max: usize) -> std::io::Result<Line> {
    let start = out.len();
    let mut any = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(if any { Line::Read } else { Line::End });
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        if out.len() - start + take > max {
            out.truncate(start);
            return Ok(Line::TooLong);
        }
        out.extend_from_slice(&buf[..take]);
        reader.consume(if done { take + 1 } else { take });
        if done {
            return Ok(Line::Read);
        }
    }
}

/// The error for a line or record past the cap; `hint` says what the file should have been.
pub(super) fn too_long(name: &str, line: u64, max: usize, what: &str, hint: &str) -> Error {
    Error::invalid(format!(
        "{name} line {line}: {what} is longer than {}, the most one row may hold; {hint}",
        human_bytes(max as u64)
    ))
}
