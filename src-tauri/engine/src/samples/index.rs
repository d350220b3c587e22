//! A split's index: how many rows each record batch of its canonical files holds, from each
//! file's footer and batch headers alone (no data is read).
//!
//! An IPC file is `ARROW1`, two bytes of padding, the blocks (each a batch header and a body),
//! the footer (a flatbuffer listing the blocks), the footer's length as an `i32` and `ARROW1`.
//! Every length and offset in that metadata is signed and comes from the file, so each one is
//! checked (not negative, no overflow when added, inside the file) before it is used: a damaged
//! file is reported as [`crate::Error::Corrupt`] naming it, and never reaches a cast or a slice
//! that would panic. [`super::mapped`] reads the same metadata with the same checks.

use super::damaged;
use crate::error::{Error, Result};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The bytes at the start of an IPC file: `ARROW1` and two of padding.
const HEAD: u64 = 8;
/// The bytes at its end: the footer's length and `ARROW1`.
pub(super) const TRAILER: usize = 10;

/// Where each record batch of a split starts.
pub(super) struct Batch {
    pub file: PathBuf,
    /// The batch's position in its file.
    pub index: usize,
    /// Its first row's index within the split.
    pub first_row: u64,
    pub rows: u64,
}

/// A length or an offset the file gave (already checked against the file's length), as a
/// `usize`.
pub(super) fn to_usize(path: &Path, n: u64) -> Result<usize> {
    usize::try_from(n).map_err(|_| {
        damaged(
            path,
            format!("it gives a length ({n}) this computer cannot address"),
        )
    })
}

/// Where the footer of a file of `file_len` bytes lies, from its last [`TRAILER`] bytes
/// (not looked at when the file is shorter than an IPC file can be).
pub(super) fn footer_range(
    path: &Path,
    file_len: u64,
    trailer: &[u8; TRAILER],
) -> Result<Range<u64>> {
    let trailer_at = file_len
        .checked_sub(TRAILER as u64)
        .filter(|&at| at >= HEAD)
        .ok_or_else(|| {
            damaged(
                path,
                format!("it is too short to be Arrow data ({file_len} bytes)"),
            )
        })?;
    if &trailer[4..] != b"ARROW1" {
        return Err(damaged(
            path,
            "the Arrow footer is missing (the file was cut short, or is not Arrow data)",
        ));
    }
    let raw = i32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let footer_len = u64::try_from(raw)
        .map_err(|_| damaged(path, format!("the Arrow footer length is negative ({raw})")))?;
    let start = trailer_at
        .checked_sub(footer_len)
        .filter(|&start| start >= HEAD)
        .ok_or_else(|| {
            damaged(
                path,
                format!(
                    "the Arrow footer length ({footer_len} bytes) is larger than the file \
                     has room for ({file_len} bytes in all)"
                ),
            )
        })?;
    Ok(start..trailer_at)
}

/// Where one block of a file lies: its header, then its body. Made by [`block_span`] only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    pub offset: u64,
    pub meta_len: u64,
    pub body_len: u64,
    /// Where the body ends, inside the file's data.
    end: u64,
}

impl Span {
    /// The whole block, header and body, as a range of bytes of the file.
    pub fn bytes(&self, path: &Path) -> Result<Range<usize>> {
        Ok(to_usize(path, self.offset)?..to_usize(path, self.end)?)
    }
}

/// The span of a block the footer lists (`what` names it in messages), checked to lie between
/// the file's head and `data_end`, where its footer starts.
pub(super) fn block_span(
    path: &Path,
    what: &str,
    block: &arrow::ipc::Block,
    data_end: u64,
) -> Result<Span> {
    let negative = |field: &str, value: i64| {
        damaged(
            path,
            format!("the footer gives {what} a negative {field} ({value})"),
        )
    };
    let offset = u64::try_from(block.offset()).map_err(|_| negative("offset", block.offset()))?;
    let meta_len = u64::try_from(block.metaDataLength())
        .map_err(|_| negative("header length", block.metaDataLength().into()))?;
    let body_len = u64::try_from(block.bodyLength())
        .map_err(|_| negative("body length", block.bodyLength()))?;
    let end = offset
        .checked_add(meta_len)
        .and_then(|end| end.checked_add(body_len));
    match end {
        Some(end) if offset >= HEAD && end <= data_end => Ok(Span {
            offset,
            meta_len,
            body_len,
            end,
        }),
        _ => Err(damaged(
            path,
            format!(
                "the footer places {what} (at byte {offset}, {meta_len} + {body_len} bytes) \
                 outside the file's data (bytes {HEAD} to {data_end})"
            ),
        )),
    }
}

/// The flatbuffer of an encapsulated message: after a continuation marker and a length (or,
/// in files older than Arrow 0.15, after the length alone), as long as that length says.
fn message_flatbuffer(header: &[u8]) -> Option<&[u8]> {
    let (prefix, len): (usize, _) = match *header {
        [0xff, 0xff, 0xff, 0xff, a, b, c, d, ..] => (8, [a, b, c, d]),
        [a, b, c, d, ..] => (4, [a, b, c, d]),
        _ => return None,
    };
    let len = usize::try_from(i32::from_le_bytes(len)).ok()?;
    header.get(prefix..prefix.checked_add(len)?)
}

/// The number of rows a record batch's header gives (`header` is the block's header bytes),
/// after checking the header: its flatbuffer, and that no count is negative and every buffer
/// it lists lies within the block's body, which the Arrow reader slices without checking.
pub(super) fn batch_header_rows(
    path: &Path,
    what: &str,
    header: &[u8],
    body_len: u64,
) -> Result<u64> {
    let flatbuffer = message_flatbuffer(header)
        .ok_or_else(|| damaged(path, format!("the header of {what} is cut short")))?;
    let message = arrow::ipc::root_as_message(flatbuffer)
        .map_err(|e| damaged(path, format!("the header of {what} cannot be read ({e})")))?;
    let batch = message
        .header_as_record_batch()
        .ok_or_else(|| damaged(path, format!("{what} is not a record batch")))?;
    let rows = u64::try_from(batch.length()).map_err(|_| {
        damaged(
            path,
            format!("{what} has a negative number of rows ({})", batch.length()),
        )
    })?;
    for node in batch.nodes().into_iter().flatten() {
        if node.length() < 0 || node.null_count() < 0 {
            return Err(damaged(
                path,
                format!(
                    "{what} gives a column a negative length ({}) or null count ({})",
                    node.length(),
                    node.null_count()
                ),
            ));
        }
    }
    for buffer in batch.buffers().into_iter().flatten() {
        let end = u64::try_from(buffer.offset())
            .ok()
            .zip(u64::try_from(buffer.length()).ok())
            .and_then(|(offset, len)| offset.checked_add(len));
        if end.is_none_or(|end| end > body_len) {
            return Err(damaged(
                path,
                format!(
                    "{what} places a buffer (at byte {}, {} bytes) outside its body \
                     ({body_len} bytes)",
                    buffer.offset(),
                    buffer.length()
                ),
            ));
        }
    }
    Ok(rows)
}

/// Row counts of the record batches of one IPC file, from the footer and the batch headers
/// only (no data is read).
pub(super) fn batch_rows(path: &Path) -> Result<Vec<u64>> {
    let io = |e| Error::io(format!("reading {}", path.display()), e);
    let mut f = File::open(path).map_err(io)?;
    let file_len = f.metadata().map_err(io)?.len();
    let mut trailer = [0u8; TRAILER];
    if let Some(at) = file_len.checked_sub(TRAILER as u64) {
        f.seek(SeekFrom::Start(at)).map_err(io)?;
        f.read_exact(&mut trailer).map_err(io)?;
    }
    let footer_at = footer_range(path, file_len, &trailer)?;
    let mut footer = vec![0u8; to_usize(path, footer_at.end - footer_at.start)?];
    f.seek(SeekFrom::Start(footer_at.start)).map_err(io)?;
    f.read_exact(&mut footer).map_err(io)?;
    let footer = arrow::ipc::root_as_footer(&footer)
        .map_err(|e| damaged(path, format!("the Arrow footer cannot be read ({e})")))?;
    // The Arrow reader reads every dictionary when it opens the file.
    for (i, block) in footer.dictionaries().into_iter().flatten().enumerate() {
        block_span(path, &format!("dictionary {i}"), block, footer_at.start)?;
    }
    let mut rows = Vec::new();
    for (i, block) in footer.recordBatches().into_iter().flatten().enumerate() {
        let what = format!("record batch {i}");
        let span = block_span(path, &what, block, footer_at.start)?;
        let mut header = vec![0u8; to_usize(path, span.meta_len)?];
        f.seek(SeekFrom::Start(span.offset)).map_err(io)?;
        f.read_exact(&mut header).map_err(io)?;
        rows.push(batch_header_rows(path, &what, &header, span.body_len)?);
    }
    Ok(rows)
}

/// Every record batch of a split's files, in order, with the rows before it.
pub(super) fn split_index(split_dir: &Path) -> Result<Vec<Batch>> {
    let mut out = Vec::new();
    let mut first_row = 0u64;
    for file in crate::tokenize::source::split_files(split_dir)? {
        for (index, rows) in batch_rows(&file)?.into_iter().enumerate() {
            let next = first_row.checked_add(rows).ok_or_else(|| {
                damaged(
                    &file,
                    "its record batches hold more rows than can be counted",
                )
            })?;
            out.push(Batch {
                file: file.clone(),
                index,
                first_row,
                rows,
            });
            first_row = next;
        }
    }
    Ok(out)
}
