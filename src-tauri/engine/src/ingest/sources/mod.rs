//! The format readers, one a file, behind one trait: [`open`] picks the reader for a planned
//! file and the import drives every format through [`RecordSource`] alike.

mod csv;
mod ipc;
mod json;
mod parquet;
mod seekable;
mod txt;

pub use txt::TextMode;

use super::format::{ReadLimits, SourceFormat};
use super::{PlannedFile, BATCH_ROWS, CHUNK_BYTES};
use crate::error::{Error, Result};
use arrow::array::ArrayRef;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use csv::CsvSource;
use ipc::IpcSource;
use json::JsonSource;
use parquet::ParquetSource;
use std::path::Path;
use txt::TextSource;

/// Receives each batch read together with the input bytes consumed so far (compressed bytes,
/// or an estimate for the formats read at random).
pub(super) type BatchSink<'a> = dyn FnMut(RecordBatch, u64) -> Result<()> + 'a;

/// One input file opened for reading.
pub(super) trait RecordSource {
    /// The file's own schema; None for a file without records (an empty JSON or CSV file),
    /// which fits any dataset.
    fn schema(&self) -> Option<SchemaRef>;

    /// Whether the schema was inferred from the first records rather than stated by the file,
    /// so that later records may hold what those did not show (see `schema::check_fits`).
    fn infers_schema(&self) -> bool {
        false
    }

    /// Hands over every record. A reader that decodes by schema decodes straight into
    /// `target`, the dataset's schema; the others hand over batches in the file's own columns,
    /// which the caller conforms to it.
    fn read(&mut self, target: &SchemaRef, sink: &mut BatchSink<'_>) -> Result<()>;

    /// Rows with bytes that were not UTF-8, stored with U+FFFD in their place.
    fn invalid_utf8_rows(&self) -> u64 {
        0
    }

    /// Fields whose type drifted, with the rows written as JSON text, in order of first drift.
    fn drifted_fields(&self) -> &[(String, u64)] {
        &[]
    }
}

/// Opens `file`, found at `path` (where it is listed, or where its supply put it), with the
/// reader for its format; `scratch` holds unpacked copies of compressed files that are read at
/// random.
pub(super) fn open(
    file: &PlannedFile,
    path: &Path,
    scratch: &Path,
    limits: &ReadLimits,
) -> Result<Box<dyn RecordSource>> {
    let compression = file.compression;
    if let Some((footer, row_groups)) = &file.prefix {
        return Ok(Box::new(ParquetSource::open_prefix(
            path,
            &file.path,
            footer,
            *row_groups,
        )?));
    }
    Ok(match file.format {
        SourceFormat::Parquet => Box::new(ParquetSource::open(path, compression, scratch, limits)?),
        SourceFormat::JsonLines => Box::new(JsonSource::open(path, true, compression, limits)?),
        SourceFormat::Json => Box::new(JsonSource::open(path, false, compression, limits)?),
        SourceFormat::Csv => Box::new(CsvSource::open(path, b',', compression, limits)?),
        SourceFormat::Tsv => Box::new(CsvSource::open(path, b'\t', compression, limits)?),
        SourceFormat::Text => {
            Box::new(TextSource::open(path, file.text_mode, compression, limits)?)
        }
        SourceFormat::Ipc => Box::new(IpcSource::open(path, compression, scratch, limits)?),
    })
}

/// Whether a batch being gathered has its rows, or its bytes of values, in full.
fn batch_full(rows: usize, bytes: usize) -> bool {
    rows >= BATCH_ROWS || bytes >= CHUNK_BYTES
}

fn build_batch(schema: &SchemaRef, columns: Vec<ArrayRef>) -> Result<RecordBatch> {
    RecordBatch::try_new(schema.clone(), columns)
        .map_err(|e| Error::Internal(format!("building a batch: {e}")))
}
