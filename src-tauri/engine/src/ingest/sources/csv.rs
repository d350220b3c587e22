//! CSV and TSV files with a header row, read record by record into string columns.
//!
//! Fields may be quoted ("a, b", "say ""hi""", line breaks inside quotes); lines end in `\n`,
//! `\r\n` or `\r`; blank lines are skipped. Every column is read as text — a CSV file does not
//! say its types, and guessing (an id column of digits with one "N/A") loses data. An empty
//! field is a null, as pandas and the Hugging Face `datasets` library read it.

use super::{batch_full, build_batch, BatchSink, RecordSource};
use crate::error::{Error, Result};
use crate::ingest::format::{Compression, ReadLimits};
use crate::ingest::text::{too_long, TextStream};
use crate::ingest::BATCH_ROWS;
use arrow::array::{ArrayRef, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use csv_core::{ReadRecordResult, Terminator};
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

pub(super) struct CsvSource {
    stream: TextStream,
    core: csv_core::Reader,
    schema: Option<SchemaRef>,
    max_record: usize,
    /// The current record's unescaped bytes and the end of each field in them.
    fields: Vec<u8>,
    ends: Vec<usize>,
    count: usize,
    invalid_rows: u64,
}

impl CsvSource {
    /// Opens the file and reads its header; `schema()` is None for an empty file.
    pub(super) fn open(
        path: &Path,
        delimiter: u8,
        compression: Compression,
        limits: &ReadLimits,
    ) -> Result<Self> {
        let stream = TextStream::open(path, compression, limits)?;
        let core = csv_core::ReaderBuilder::new()
            .delimiter(delimiter)
            .terminator(Terminator::CRLF)
            .build();
        let mut source = CsvSource {
            stream,
            core,
            schema: None,
            max_record: limits.max_record,
            fields: vec![0; limits.max_record.clamp(1, 64 * 1024)],
            ends: vec![0; 64],
            count: 0,
            invalid_rows: 0,
        };
        if source.next_record()?.is_some() {
            let mut names: Vec<String> = Vec::with_capacity(source.count);
            for i in 0..source.count {
                let raw = String::from_utf8_lossy(source.field(i));
                let mut name = match raw.trim() {
                    "" => format!("column_{}", i + 1),
                    n => n.to_string(),
                };
                // Columns are found by name, so a repeated header gets a suffix, as pandas does.
                let base = name.clone();
                let mut n = 1;
                while names.contains(&name) {
                    name = format!("{base}.{n}");
                    n += 1;
                }
                names.push(name);
            }
            let fields: Vec<Field> = names
                .into_iter()
                .map(|n| Field::new(n, DataType::Utf8, true))
                .collect();
            source.schema = Some(Arc::new(Schema::new(fields)));
        }
        Ok(source)
    }

    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.fields[start..self.ends[i]]
    }

    /// Reads the next record into `fields`/`ends`; returns the line it starts on.
    fn next_record(&mut self) -> Result<Option<u64>> {
        let mut line = self.core.line();
        // Blank lines before a record are skipped by the parser but still count as lines.
        let mut leading = true;
        let (mut out, mut ends) = (0usize, 0usize);
        loop {
            let input = self.stream.fill_buf()?;
            let (result, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.fields[out..], &mut self.ends[ends..]);
            if leading {
                for &b in &input[..nin] {
                    match b {
                        b'\n' => line += 1,
                        b'\r' => {}
                        _ => {
                            leading = false;
                            break;
                        }
                    }
                }
            }
            self.stream.reader.consume(nin);
            out += nout;
            ends += nend;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    if self.fields.len() >= self.max_record {
                        return Err(self.too_long(line));
                    }
                    let grown = (self.fields.len() * 2).min(self.max_record);
                    self.fields.resize(grown, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    // Empty fields take no output, so a line of endless commas is capped here.
                    if self.ends.len() * std::mem::size_of::<usize>() >= self.max_record {
                        return Err(self.too_long(line));
                    }
                    let grown = self.ends.len() * 2;
                    self.ends.resize(grown, 0);
                }
                ReadRecordResult::Record => {
                    self.count = ends;
                    return Ok(Some(line));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }

    fn too_long(&self, line: u64) -> Error {
        too_long(
            &self.stream.name,
            line,
            self.max_record,
            "the record",
            "is a quote left open? A quoted field runs on to the next quote, across lines",
        )
    }
}

impl RecordSource for CsvSource {
    fn schema(&self) -> Option<SchemaRef> {
        self.schema.clone()
    }

    fn invalid_utf8_rows(&self) -> u64 {
        self.invalid_rows
    }

    /// Reads every data row, handing over batches in the file's own column order together with
    /// the compressed bytes read so far.
    fn read(&mut self, _target: &SchemaRef, sink: &mut BatchSink<'_>) -> Result<()> {
        let Some(schema) = self.schema.clone() else {
            return Ok(());
        };
        let width = schema.fields().len();
        let new_builders = || -> Vec<StringBuilder> {
            (0..width)
                .map(|_| StringBuilder::with_capacity(BATCH_ROWS, 1 << 16))
                .collect()
        };
        let mut builders = new_builders();
        let (mut rows, mut bytes) = (0usize, 0usize);
        let mut flush = |builders: &mut Vec<StringBuilder>, read: u64| -> Result<()> {
            let columns: Vec<ArrayRef> = builders
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef)
                .collect();
            sink(build_batch(&schema, columns)?, read)
        };
        while let Some(line) = self.next_record()? {
            if self.count != width {
                return Err(Error::Corrupt(format!(
                    "{} line {line} has {} field{} but the header has {width}; a field that holds the delimiter, a quote or a line break must be quoted (\"a, b\", with quotes doubled inside: \"say \"\"hi\"\"\")",
                    self.stream.name,
                    self.count,
                    if self.count == 1 { "" } else { "s" }
                )));
            }
            let mut repaired = false;
            for (i, builder) in builders.iter_mut().enumerate() {
                let value = self.field(i);
                bytes += value.len();
                if value.is_empty() {
                    builder.append_null();
                    continue;
                }
                match std::str::from_utf8(value) {
                    Ok(s) => builder.append_value(s),
                    Err(_) => {
                        repaired = true;
                        builder.append_value(String::from_utf8_lossy(value));
                    }
                }
            }
            self.invalid_rows += repaired as u64;
            rows += 1;
            if batch_full(rows, bytes) {
                flush(&mut builders, self.stream.bytes_read())?;
                (rows, bytes) = (0, 0);
            }
        }
        if rows > 0 {
            flush(&mut builders, self.stream.bytes_read())?;
        }
        Ok(())
    }
}
