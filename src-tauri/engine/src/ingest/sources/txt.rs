//! Plain text files: one row per line, or one row per file.
//!
//! Lines mode: each line is a row of the `text` column, without its `\n` or `\r\n`. Empty lines
//! are kept as empty rows (a blank line often means something: a paragraph break, an empty
//! reply), but the newline that ends the last line does not start another row.
//! Whole-file mode: each file is one row, its content exactly as it is (a byte-order mark
//! aside), with the file's name in `file_name`.

use super::{batch_full, build_batch, BatchSink, RecordSource};
use crate::error::{Error, Result};
use crate::ingest::format::{human_bytes, Compression, ReadLimits};
use crate::ingest::text::{repair_utf8, strip_bom, too_long, Line, TextStream};
use crate::ingest::BATCH_ROWS;
use arrow::array::{ArrayRef, StringArray, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

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
    stream: TextStream,
    mode: TextMode,
    max_record: usize,
    schema: SchemaRef,
    invalid_rows: u64,
}

impl TextSource {
    pub(super) fn open(
        path: &Path,
        mode: TextMode,
        compression: Compression,
        limits: &ReadLimits,
    ) -> Result<Self> {
        let stream = TextStream::open(path, compression, limits)?;
        let mut fields = vec![Field::new("text", DataType::Utf8, true)];
        if mode == TextMode::WholeFile {
            fields.push(Field::new("file_name", DataType::Utf8, true));
        }
        Ok(TextSource {
            stream,
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
            let got = self.stream.read_line(&mut line, self.max_record)?;
            line_no += 1;
            match got {
                Line::End => break,
                Line::TooLong => {
                    return Err(too_long(
                        &self.stream.name,
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
            if line_no == 1 {
                strip_bom(&mut line, 0);
            }
            self.invalid_rows += repair_utf8(&mut line, 0) as u64;
            let text = std::str::from_utf8(&line).expect("repaired above");
            builder.append_value(text);
            rows += 1;
            bytes += line.len();
            if batch_full(rows, bytes) {
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
        (&mut self.stream.reader)
            .take(self.max_record as u64 + 1)
            .read_to_end(&mut content)
            .map_err(|e| self.stream.error(e))?;
        if content.len() > self.max_record {
            return Err(Error::invalid(format!(
                "{} is larger than {}, the most one row may hold; import it one row per line instead",
                self.stream.name,
                human_bytes(self.max_record as u64)
            )));
        }
        strip_bom(&mut content, 0);
        self.invalid_rows += repair_utf8(&mut content, 0) as u64;
        let mut builder = StringBuilder::with_capacity(1, content.len());
        builder.append_value(std::str::from_utf8(&content).expect("repaired above"));
        let name = self.stream.name.clone();
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
        sink(
            build_batch(&self.schema, columns)?,
            self.stream.bytes_read(),
        )
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
