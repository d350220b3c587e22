//! JSON Lines and JSON-array files, read as a stream of records.
//!
//! Records are collected into chunks (bounded in rows and bytes), each decoded in one go by
//! arrow-json. Only when a chunk fails are its records decoded one by one, to name the line.
//!
//! `lines` and `array` (over `scanner`) cut a file into records; `infer` finds the schema in
//! the first chunk, `decode` turns chunks into batches, and `drift` keeps a field whose type
//! drifts as text.

mod array;
mod decode;
mod drift;
mod infer;
mod lines;
mod scanner;

use super::batch_full;
use super::{BatchSink, RecordSource};
use crate::error::{Error, Result};
use crate::ingest::format::{Compression, ReadLimits};
use crate::ingest::text::{repair_utf8, TextStream};
use array::ArrayRecords;
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use lines::LineRecords;
use scanner::Scanner;
use std::path::Path;

/// Yields the raw bytes of one record at a time, with the line it starts on.
trait Records {
    fn next_record(&mut self, out: &mut Vec<u8>) -> Result<Option<u64>>;

    /// Compressed bytes read so far.
    fn bytes_read(&self) -> u64;
}

/// Where one record lies in the chunk, and the line of the file it starts on.
struct Span {
    line: u64,
    start: usize,
    end: usize,
}

pub(super) struct JsonSource {
    name: String,
    records: Box<dyn Records>,
    chunk: Vec<u8>,
    spans: Vec<Span>,
    at_end: bool,
    schema: Option<SchemaRef>,
    invalid_rows: u64,
    drifted: Vec<(String, u64)>,
}

impl JsonSource {
    /// Opens the file and infers its schema from the first records; `schema()` is None when
    /// the file holds no records at all.
    pub(super) fn open(
        path: &Path,
        lines: bool,
        compression: Compression,
        limits: &ReadLimits,
    ) -> Result<Self> {
        let stream = TextStream::open(path, compression, limits)?;
        let name = stream.name.clone();
        let max_record = limits.max_record;
        let records: Box<dyn Records> = if lines {
            Box::new(LineRecords::new(stream, max_record))
        } else {
            let scan = Scanner::new(stream, max_record);
            Box::new(ArrayRecords::new(scan, name.clone()))
        };
        let mut source = JsonSource {
            name,
            records,
            chunk: Vec::new(),
            spans: Vec::new(),
            at_end: false,
            schema: None,
            invalid_rows: 0,
            drifted: Vec::new(),
        };
        source.fill_chunk()?;
        source.schema = source.infer()?;
        Ok(source)
    }

    /// Replaces the chunk with the next records, as many as one batch may hold.
    fn fill_chunk(&mut self) -> Result<()> {
        self.chunk.clear();
        self.spans.clear();
        while !self.at_end && !batch_full(self.spans.len(), self.chunk.len()) {
            let start = self.chunk.len();
            match self.records.next_record(&mut self.chunk)? {
                Some(line) => {
                    self.invalid_rows += repair_utf8(&mut self.chunk, start) as u64;
                    self.spans.push(Span {
                        line,
                        start,
                        end: self.chunk.len(),
                    });
                    // A separator, so that records never run into each other in the decoder.
                    self.chunk.push(b'\n');
                }
                None => self.at_end = true,
            }
        }
        Ok(())
    }

    /// The error for the `i`th record of the chunk, which serde_json rejected.
    fn json_error(&self, i: usize, e: &serde_json::Error) -> Error {
        let line = self.spans[i].line;
        // A file cut short (an interrupted download) leaves its last record unfinished.
        if e.is_eof() && self.at_end && i + 1 == self.spans.len() {
            return Error::Corrupt(format!(
                "{} ends in the middle of a record (line {line}) — was the download complete? Download it again",
                self.name
            ));
        }
        Error::Corrupt(format!(
            "{} line {line} is not valid JSON: {}; fix or remove that record",
            self.name,
            serde_message(e)
        ))
    }
}

impl RecordSource for JsonSource {
    fn schema(&self) -> Option<SchemaRef> {
        self.schema.clone()
    }

    fn infers_schema(&self) -> bool {
        true
    }

    /// Decodes every record with `schema`, handing over batches of at most `BATCH_ROWS` rows
    /// together with the compressed bytes read so far.
    fn read(&mut self, schema: &SchemaRef, sink: &mut BatchSink<'_>) -> Result<()> {
        loop {
            if self.spans.is_empty() {
                return Ok(());
            }
            for batch in self.decode(schema)? {
                sink(batch, self.records.bytes_read())?;
            }
            self.fill_chunk()?;
        }
    }

    fn invalid_utf8_rows(&self) -> u64 {
        self.invalid_rows
    }

    fn drifted_fields(&self) -> &[(String, u64)] {
        &self.drifted
    }
}

/// serde_json's message without its position, which is relative to the record, not the file.
fn serde_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match full.strip_suffix(&suffix) {
        Some(m) => format!("{m} (column {})", e.column()),
        None => full,
    }
}

fn arrow_message(e: &ArrowError) -> String {
    match e {
        ArrowError::JsonError(m) => m.clone(),
        other => other.to_string(),
    }
}
