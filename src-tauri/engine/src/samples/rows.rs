//! The rows of a page: the record batch that holds them read whole, and rendered as JSON.

use super::damaged;
use super::index::{to_usize, Batch};
use crate::error::{Error, Result};
use arrow::array::RecordBatch;
use arrow::ipc::reader::FileReader;
use std::fs::File;

/// One record batch of the index, every column, checked to hold the rows the index says.
pub(super) fn read_batch(batch: &Batch) -> Result<RecordBatch> {
    let path = &batch.file;
    let what = format!("record batch {}", batch.index);
    let file = File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let mut reader = FileReader::try_new(file, None)
        .map_err(|e| damaged(path, format!("it cannot be read as Arrow data ({e})")))?;
    reader
        .set_index(batch.index)
        .map_err(|e| damaged(path, format!("{what} is missing ({e})")))?;
    let read = reader
        .next()
        .ok_or_else(|| damaged(path, format!("{what} is missing")))?
        .map_err(|e| damaged(path, format!("{what} cannot be read ({e})")))?;
    if read.num_rows() as u64 != batch.rows {
        return Err(damaged(
            path,
            format!(
                "{what} holds {} rows where its header says {}",
                read.num_rows(),
                batch.rows
            ),
        ));
    }
    Ok(read)
}

/// `len` rows of a batch [`read_batch`] returned, from its row `from`.
pub(super) fn slice(batch: &Batch, read: &RecordBatch, from: u64, len: u64) -> Result<RecordBatch> {
    let (from, len) = (to_usize(&batch.file, from)?, to_usize(&batch.file, len)?);
    match from.checked_add(len) {
        Some(end) if end <= read.num_rows() => Ok(read.slice(from, len)),
        _ => Err(Error::Internal(format!(
            "rows {from}..+{len} asked of record batch {} of {}, which holds {}",
            batch.index,
            batch.file.display(),
            read.num_rows()
        ))),
    }
}

/// Rows as JSON objects, column name → value.
pub(super) fn to_json_rows(batch: &RecordBatch) -> Result<Vec<serde_json::Value>> {
    let mut writer = arrow::json::ArrayWriter::new(Vec::new());
    writer
        .write_batches(&[batch])
        .and_then(|()| writer.finish())
        .map_err(|e| Error::Internal(format!("rendering rows: {e}")))?;
    let bytes = writer.into_inner();
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_slice(&bytes).map_err(|e| Error::Internal(format!("rendering rows: {e}")))
}
