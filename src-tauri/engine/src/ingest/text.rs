//! Helpers shared by the text formats (JSON Lines, JSON, CSV, TSV, txt): bounded line reading,
//! repair of bytes that are not UTF-8, and refusing files that are binary.

use super::format::{file_label, human_bytes, read_error, Compression};
use crate::error::{Error, Result};
use std::io::{BufRead, Cursor, Read};
use std::path::Path;

/// How much of a file's start is looked at to tell text from binary.
const SNIFF_BYTES: usize = 64 * 1024;
/// Share of a sample's bytes that may be invalid UTF-8 before the file counts as binary.
const MAX_INVALID_SHARE: f64 = 0.10;

/// Reads the start of `stream` and refuses a binary file (one with NUL bytes, or with more than
/// 10 % of its bytes not UTF-8) with a message naming it; the returned reader yields every
/// byte, the sampled ones included.
pub(super) fn refuse_binary(
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
pub(super) fn read_line(
    reader: &mut dyn BufRead,
    out: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Line> {
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
