//! A canonical file mapped into memory, so a scan reads its text straight from the page cache
//! instead of copying it. Its footer and each batch's header are checked as [`super::index`]
//! checks them before the Arrow decoder sees a byte.

use super::damaged;
use super::index::{self, TRAILER};
use crate::error::{Error, Result};
use arrow::array::StringArray;
use std::fs::File;
use std::path::Path;

/// Canonical files are never changed in place (a re-ingest writes new files and renames them
/// over), so the mapping stays valid while it is held.
pub(super) struct MappedFile {
    buffer: arrow::buffer::Buffer,
    blocks: Vec<arrow::ipc::Block>,
    /// Where the footer starts: every block lies before it.
    data_end: u64,
    schema: arrow::datatypes::SchemaRef,
    version: arrow::ipc::MetadataVersion,
}

impl MappedFile {
    pub fn open(path: &Path) -> Result<MappedFile> {
        let file =
            File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        // SAFETY: see the type's comment: nothing writes to a canonical file once it is ready.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| Error::io(format!("mapping {}", path.display()), e))?;
        let buffer = arrow::buffer::Buffer::from(bytes::Bytes::from_owner(map));
        let mut trailer = [0u8; TRAILER];
        if let Some(at) = buffer.len().checked_sub(TRAILER) {
            trailer.copy_from_slice(&buffer[at..]);
        }
        let footer_at = index::footer_range(path, buffer.len() as u64, &trailer)?;
        let footer_bytes =
            &buffer[index::to_usize(path, footer_at.start)?..index::to_usize(path, footer_at.end)?];
        let footer = arrow::ipc::root_as_footer(footer_bytes)
            .map_err(|e| damaged(path, format!("the Arrow footer cannot be read ({e})")))?;
        let schema = footer
            .schema()
            .map(arrow::ipc::convert::fb_to_schema)
            .ok_or_else(|| damaged(path, "the Arrow footer has no schema"))?;
        Ok(MappedFile {
            blocks: footer
                .recordBatches()
                .map(|b| b.iter().copied().collect())
                .unwrap_or_default(),
            data_end: footer_at.start,
            schema: std::sync::Arc::new(schema),
            version: footer.version(),
            buffer,
        })
    }

    /// One column of one record batch, as UTF-8.
    pub fn text_column(&self, path: &Path, batch: usize, column: &str) -> Result<StringArray> {
        let col = self.schema.index_of(column).map_err(|_| {
            Error::invalid(format!("{} has no column \"{column}\"", path.display()))
        })?;
        let what = format!("record batch {batch}");
        let block = self.blocks.get(batch).ok_or_else(|| {
            damaged(
                path,
                format!("{what} is missing (the footer lists {})", self.blocks.len()),
            )
        })?;
        let span = index::block_span(path, &what, block, self.data_end)?;
        let bytes = span.bytes(path)?;
        let data = self.buffer.slice_with_length(bytes.start, bytes.len());
        let header = &data[..index::to_usize(path, span.meta_len)?];
        index::batch_header_rows(path, &what, header, span.body_len)?;
        let read = arrow::ipc::reader::FileDecoder::new(self.schema.clone(), self.version)
            .with_projection(vec![col])
            .read_record_batch(block, &data)
            .map_err(|e| damaged(path, format!("{what} cannot be read ({e})")))?
            .ok_or_else(|| damaged(path, format!("{what} is not a record batch")))?;
        crate::ingest::column_as_text(read.column(0), column)
    }
}
