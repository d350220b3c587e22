//! Parquet files, read in batches bounded in rows and bytes.

use super::seekable::{open_seekable, Unpacked};
use super::{BatchSink, RecordSource};
use crate::error::{Error, Result};
use crate::ingest::format::{file_label, Compression, ReadLimits};
use crate::ingest::{BATCH_ROWS, CHUNK_BYTES};
use arrow::datatypes::SchemaRef;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder,
};
use parquet::file::metadata::ParquetMetaDataReader;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

const MAGIC: &[u8; 4] = b"PAR1";

pub(super) struct ParquetSource {
    name: String,
    reader: ParquetRecordBatchReader,
    schema: SchemaRef,
    rows: u64,
    file_bytes: u64,
    /// A decompressed copy (for .parquet.gz / .parquet.zst), removed when the source is dropped.
    _unpacked: Option<Unpacked>,
}

impl ParquetSource {
    pub(super) fn open(
        path: &Path,
        compression: Compression,
        scratch: &Path,
        limits: &ReadLimits,
    ) -> Result<Self> {
        let name = file_label(path);
        let (mut file, unpacked) = open_seekable(path, compression, scratch, limits)?;
        let file_bytes = file
            .metadata()
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?
            .len();
        check_magic(&mut file, file_bytes, &name)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))??;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| {
            Error::Corrupt(format!(
                "{name} is not a readable parquet file ({e}) — was the download complete? Download it again"
            ))
        })?;
        let groups = builder.metadata().num_row_groups();
        Self::build(name, builder, groups, file_bytes, unpacked)
    }

    /// The first `row_groups` row groups of a parquet file of which only the bytes they need
    /// are at `path`; `footer` holds the whole file's metadata (see `hub::parquet_footer`).
    pub(super) fn open_prefix(
        path: &Path,
        listed: &Path,
        footer: &Path,
        row_groups: usize,
    ) -> Result<Self> {
        let name = file_label(listed);
        let damaged = |e: String| {
            Error::Corrupt(format!(
                "the part of {name} fetched for the row budget is unreadable ({e}); delete the dataset and download it again"
            ))
        };
        let meta_bytes = std::fs::read(footer)
            .map_err(|e| Error::io(format!("reading {}", footer.display()), e))?;
        let meta = ParquetMetaDataReader::decode_metadata(&meta_bytes)
            .map_err(|e| damaged(e.to_string()))?;
        let reader_meta = ArrowReaderMetadata::try_new(Arc::new(meta), Default::default())
            .map_err(|e| damaged(e.to_string()))?;
        let file =
            File::open(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        let file_bytes = file
            .metadata()
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?
            .len();
        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, reader_meta);
        let row_groups = row_groups.min(builder.metadata().num_row_groups());
        let builder = builder.with_row_groups((0..row_groups).collect());
        Self::build(name, builder, row_groups, file_bytes, None)
    }

    fn build(
        name: String,
        builder: ParquetRecordBatchReaderBuilder<File>,
        row_groups: usize,
        file_bytes: u64,
        unpacked: Option<Unpacked>,
    ) -> Result<Self> {
        let meta = builder.metadata();
        let groups = &meta.row_groups()[..row_groups];
        let rows = groups
            .iter()
            .map(|g| g.num_rows().max(0) as u64)
            .sum::<u64>();
        let uncompressed: i64 = groups.iter().map(|g| g.total_byte_size()).sum();
        // Long documents would make 8192-row batches huge; cap each batch's size as well.
        let per_row = (uncompressed.max(0) as u64 / rows.max(1)).max(1);
        let batch_rows = (CHUNK_BYTES as u64 / per_row).clamp(1, BATCH_ROWS as u64) as usize;
        let schema = builder.schema().clone();
        let reader = builder
            .with_batch_size(batch_rows)
            .build()
            .map_err(|e| Error::Corrupt(format!("{name} cannot be read: {e}")))?;
        Ok(ParquetSource {
            name,
            reader,
            schema,
            rows,
            file_bytes,
            _unpacked: unpacked,
        })
    }
}

impl RecordSource for ParquetSource {
    fn schema(&self) -> Option<SchemaRef> {
        Some(self.schema.clone())
    }

    /// Reads every row in the file's own columns; the bytes consumed are estimated from the
    /// rows read.
    fn read(&mut self, _target: &SchemaRef, sink: &mut BatchSink<'_>) -> Result<()> {
        let mut done = 0u64;
        for batch in self.reader.by_ref() {
            let batch = batch.map_err(|e| {
                Error::Corrupt(format!(
                    "{} is damaged ({e}) — download it again",
                    self.name
                ))
            })?;
            done += batch.num_rows() as u64;
            let bytes = self.file_bytes * done / self.rows.max(1);
            sink(batch, bytes)?;
        }
        Ok(())
    }
}

fn check_magic(file: &mut File, len: u64, name: &str) -> std::io::Result<Result<()>> {
    if len < 12 {
        return Ok(Err(Error::Corrupt(format!(
            "{name} is too small to be a parquet file ({len} bytes) — was the download complete? Download it again"
        ))));
    }
    let mut head = [0u8; 4];
    let mut tail = [0u8; 4];
    file.read_exact(&mut head)?;
    file.seek(SeekFrom::End(-4))?;
    file.read_exact(&mut tail)?;
    file.seek(SeekFrom::Start(0))?;
    if &head != MAGIC {
        return Ok(Err(Error::Corrupt(format!(
            "{name} is not a parquet file (bad magic) — is it the right file?"
        ))));
    }
    if &tail != MAGIC {
        return Ok(Err(Error::Corrupt(format!(
            "{name} is not a complete parquet file (bad magic at the end) — was the download complete? Download it again"
        ))));
    }
    Ok(Ok(()))
}
