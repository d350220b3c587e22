//! Plain text files: one row per line, or one row per file.
//!
//! Lines mode: each line is a row of the `text` column, without its `\n` or `\r\n`. Empty lines
//! are kept as empty rows (a blank line often means something: a paragraph break, an empty
//! reply), but the newline that ends the last line does not start another row.
//! Whole-file mode: each file is one row, its content exactly as it is (a byte-order mark
//! aside), with the file's name in `file_name`.

use super::{BatchSink, RecordSource};
use crate::error::{Error, Result};
use crate::ingest::format::{file_label, open_stream, read_error, Compression, ReadLimits};
use crate::ingest::text::{read_line, refuse_binary, repair_utf8, too_long, Line};
use crate::ingest::{BATCH_ROWS, CHUNK_BYTES};
use arrow::array::{ArrayRef, StringArray, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use std::cell::Cell;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

const READ_BUFFER: usize = 256 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a `.txt` file becomes rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum TextMode {
    /// One row per line.
    #[default]
    Lines,
    /// One row per file, with its name in a `file_name` column.
    WholeFile,
}

pub(super) struct TextSource {
    name: String,
    path: PathBuf,
    compression: Compression,
    reader: BufReader<Box<dyn Read>>,
    read: Rc<Cell<u64>>,
    mode: TextMode,
    max_record: usize,
    schema: SchemaRef,
    invalid_rows: u64,
}

impl TextSource {
    pub fn open(
        path: &Path,
        mode: TextMode,
        compression: Compression,
        limits: &ReadLimits,
    ) -> Result<Self> {
        let read = Rc::new(Cell::new(0));
        let stream = open_stream(path, compression, read.clone(), limits)?;
        let stream = refuse_binary(path, compression, stream)?;
        let mut fields = vec![Field::new("text", DataType::Utf8, true)];
        if mode == TextMode::WholeFile {
            fields.push(Field::new("file_name", DataType::Utf8, true));
        }
        Ok(TextSource {
            name: file_label(path),
            path: path.to_path_buf(),
            compression,
            reader: BufReader::with_capacity(READ_BUFFER, stream),
            read,
            mode,
            max_record: limits.max_record,
            schema: Arc::new(Schema::new(fields)),
            invalid_rows: 0,
        })
    }

    fn read_lines(&mut self, sink: &mut BatchSink<'_>) -> Result<()> {
        let mut builder = StringBuilder::with_capacity(BATCH_ROWS, 1 << 20);
        let (mut rows, mut bytes, mut line_no) = (0usize, 0usize, 0u64);
        let mut line = Vec::new();
        loop {
            line.clear();
            let got = read_line(&mut self.reader, &mut line, self.max_record)
                .map_err(|e| read_error(&self.path, self.compression, e))?;
            line_no += 1;
            match got {
                Line::End => break,
                Line::TooLong => {
                    return Err(too_long(
                        &self.name,
                        line_no,
                        self.max_record,
                        "the line",
                        "for long documents, import the files one row per file",
                    ))
                }
                Line::Read => {}
            }
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line_no == 1 && line.starts_with(BOM) {
                line.drain(..BOM.len());
            }
            self.invalid_rows += repair_utf8(&mut line, 0) as u64;
            let text = std::str::from_utf8(&line).expect("repaired above");
            builder.append_value(text);
            rows += 1;
            bytes += line.len();
            if rows >= BATCH_ROWS || bytes >= CHUNK_BYTES {
                self.flush(&mut builder, None, sink)?;
                (rows, bytes) = (0, 0);
            }
        }
        if rows > 0 {
            self.flush(&mut builder, None, sink)?;
        }
        Ok(())
    }

    fn read_whole(&mut self, sink: &mut BatchSink<'_>) -> Result<()> {
        let mut content = Vec::new();
        (&mut self.reader)
            .take(self.max_record as u64 + 1)
            .read_to_end(&mut content)
            .map_err(|e| read_error(&self.path, self.compression, e))?;
        if content.len() > self.max_record {
            return Err(Error::invalid(format!(
                "{} is larger than {}, the most one row may hold; import it one row per line instead",
                self.name,
                crate::ingest::format::human_bytes(self.max_record as u64)
            )));
        }
        if content.starts_with(BOM) {
            content.drain(..BOM.len());
        }
        self.invalid_rows += repair_utf8(&mut content, 0) as u64;
        let mut builder = StringBuilder::with_capacity(1, content.len());
        builder.append_value(std::str::from_utf8(&content).expect("repaired above"));
        let name = self.name.clone();
        self.flush(&mut builder, Some(&name), sink)
    }

    fn flush(
        &self,
        builder: &mut StringBuilder,
        file_name: Option<&str>,
        sink: &mut BatchSink<'_>,
    ) -> Result<()> {
        let mut columns: Vec<ArrayRef> = vec![Arc::new(builder.finish())];
        if let Some(n) = file_name {
            columns.push(Arc::new(StringArray::from(vec![n])));
        }
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| Error::Internal(format!("building a batch: {e}")))?;
        sink(batch, self.read.get())
    }
}

impl RecordSource for TextSource {
    fn schema(&self) -> Option<SchemaRef> {
        Some(self.schema.clone())
    }

    fn invalid_utf8_rows(&self) -> u64 {
        self.invalid_rows
    }

    fn read(&mut self, _target: &SchemaRef, sink: &mut BatchSink<'_>) -> Result<()> {
        match self.mode {
            TextMode::Lines => self.read_lines(sink),
            TextMode::WholeFile => self.read_whole(sink),
        }
    }
}
