//! JSON Lines and JSON-array files, read as a stream of records.
//!
//! Records are collected into chunks (bounded in rows and bytes), each decoded in one go by
//! arrow-json. Only when a chunk fails are its records decoded one by one, to name the line.

use super::{BatchSink, RecordSource};
use crate::error::{Error, Result};
use crate::ingest::format::{file_label, open_stream, read_error, Compression, ReadLimits};
use crate::ingest::text::{read_line, refuse_binary, repair_utf8, too_long, Line};
use crate::ingest::{BATCH_ROWS, CHUNK_BYTES};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::error::ArrowError;
use arrow::json::reader::{infer_json_schema_from_iterator, Decoder, ReaderBuilder};
use arrow::record_batch::RecordBatch;
use serde_json::Value;
use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// How many records the schema is inferred from.
const INFER_RECORDS: usize = 1000;
const READ_BUFFER: usize = 256 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Yields the raw bytes of one record at a time, with the line it starts on.
trait Records {
    fn next_record(&mut self, out: &mut Vec<u8>) -> Result<Option<u64>>;
}

struct Span {
    line: u64,
    start: usize,
    end: usize,
}

pub(super) struct JsonSource {
    name: String,
    records: Box<dyn Records>,
    read: Rc<Cell<u64>>,
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
    pub fn open(
        path: &Path,
        lines: bool,
        compression: Compression,
        limits: &ReadLimits,
    ) -> Result<Self> {
        let read = Rc::new(Cell::new(0));
        let stream = open_stream(path, compression, read.clone(), limits)?;
        let stream =
            BufReader::with_capacity(READ_BUFFER, refuse_binary(path, compression, stream)?);
        let name = file_label(path);
        let max_record = limits.max_record;
        let records: Box<dyn Records> = if lines {
            Box::new(LineRecords {
                reader: stream,
                line: 0,
                path: path.to_path_buf(),
                name: name.clone(),
                compression,
                max_record,
            })
        } else {
            Box::new(ArrayRecords {
                scan: Scanner {
                    reader: stream,
                    line: 1,
                    path: path.to_path_buf(),
                    compression,
                    max_record,
                },
                name: name.clone(),
                state: ArrayState::Start,
                array_key: None,
                index: 0,
            })
        };
        let mut source = JsonSource {
            name,
            records,
            read,
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

    /// Compressed bytes read so far.
    fn bytes_read(&self) -> u64 {
        self.read.get()
    }

    fn fill_chunk(&mut self) -> Result<()> {
        self.chunk.clear();
        self.spans.clear();
        while !self.at_end && self.spans.len() < BATCH_ROWS && self.chunk.len() < CHUNK_BYTES {
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

    fn infer(&self) -> Result<Option<SchemaRef>> {
        if self.spans.is_empty() {
            return Ok(None);
        }
        let mut values = Vec::with_capacity(self.spans.len().min(INFER_RECORDS));
        for (i, span) in self.spans.iter().take(INFER_RECORDS).enumerate() {
            let bytes = &self.chunk[span.start..span.end];
            let value: Value = serde_json::from_slice(bytes).map_err(|e| self.json_error(i, &e))?;
            if !value.is_object() {
                return Err(Error::Corrupt(format!(
                    "{} line {} is a JSON {}, not an object; each record must be an object such as {{\"text\": \"...\"}}",
                    self.name,
                    span.line,
                    kind_of(&value)
                )));
            }
            values.push(value);
        }
        mark_drifted(&mut values);
        let infer = |n: usize| infer_json_schema_from_iterator(values[..n].iter().map(Ok));
        let schema = infer(values.len()).map_err(|e| {
            // Only on failure: find the first record that conflicts, to name its line.
            let (mut ok, mut bad) = (0, values.len());
            while bad - ok > 1 {
                let mid = (ok + bad) / 2;
                if infer(mid).is_ok() {
                    ok = mid;
                } else {
                    bad = mid;
                }
            }
            Error::Corrupt(format!(
                "{} line {} gives a column a different type than the records before it ({}); give each column one type",
                self.name,
                self.spans[bad - 1].line,
                arrow_message(&e)
            ))
        })?;
        Ok(Some(Arc::new(schema)))
    }

    /// Rewrites the chunk's records so that a list or object in a string column becomes its
    /// JSON text; false if no record needed it. Only run when a chunk fails to decode, so files
    /// without drift pay nothing.
    fn stringify_drift(&mut self, schema: &SchemaRef) -> bool {
        let text_fields: Vec<&str> = schema
            .fields()
            .iter()
            .filter(|f| f.data_type() == &DataType::Utf8)
            .map(|f| f.name().as_str())
            .collect();
        if text_fields.is_empty() {
            return false;
        }
        let mut chunk = Vec::with_capacity(self.chunk.len());
        let mut spans = Vec::with_capacity(self.spans.len());
        let mut changed = false;
        for span in &self.spans {
            let bytes = &self.chunk[span.start..span.end];
            let start = chunk.len();
            let mut rewritten = false;
            if let Ok(Value::Object(mut record)) = serde_json::from_slice::<Value>(bytes) {
                for (key, value) in record.iter_mut() {
                    if (value.is_array() || value.is_object())
                        && text_fields.contains(&key.as_str())
                    {
                        *value = Value::String(value.to_string());
                        rewritten = true;
                        match self.drifted.iter_mut().find(|(k, _)| k == key) {
                            Some((_, n)) => *n += 1,
                            None => self.drifted.push((key.clone(), 1)),
                        }
                    }
                }
                if rewritten {
                    serde_json::to_writer(&mut chunk, &record).expect("writing to a Vec");
                }
            }
            if !rewritten {
                chunk.extend_from_slice(bytes);
            }
            changed |= rewritten;
            spans.push(Span {
                line: span.line,
                start,
                end: chunk.len(),
            });
            chunk.push(b'\n');
        }
        if changed {
            self.chunk = chunk;
            self.spans = spans;
        }
        changed
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

    fn decoder(&self, schema: &SchemaRef) -> Result<Decoder> {
        ReaderBuilder::new(schema.clone())
            .with_batch_size(BATCH_ROWS)
            // Inference types a column holding both numbers and strings as string; reading
            // must then accept the numbers too.
            .with_coerce_primitive(true)
            // A field the first records did not have is an error, never silently dropped.
            .with_strict_mode(true)
            .build_decoder()
            .map_err(|e| {
                Error::invalid(format!(
                    "{} cannot be read with the dataset's columns: {}",
                    self.name,
                    arrow_message(&e)
                ))
            })
    }

    fn decode_chunk(&self, schema: &SchemaRef) -> Result<Vec<RecordBatch>, ArrowError> {
        let mut decoder = self
            .decoder(schema)
            .map_err(|e| ArrowError::JsonError(e.to_string()))?;
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < self.chunk.len() {
            let n = decoder.decode(&self.chunk[pos..])?;
            pos += n;
            if pos < self.chunk.len() {
                // The decoder stopped early because it holds a full batch.
                match decoder.flush()? {
                    Some(batch) => out.push(batch),
                    None if n == 0 => {
                        return Err(ArrowError::JsonError("the decoder made no progress".into()))
                    }
                    None => {}
                }
            }
        }
        if decoder.has_partial_record() {
            return Err(ArrowError::JsonError("a record is incomplete".into()));
        }
        out.extend(decoder.flush()?);
        Ok(out)
    }

    /// Finds the record that made a chunk fail, so the message can name its line.
    fn locate(&self, schema: &SchemaRef, chunk_error: ArrowError) -> Error {
        for (i, span) in self.spans.iter().enumerate() {
            let bytes = &self.chunk[span.start..span.end];
            if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
                return self.json_error(i, &e);
            }
            let mut decoder = match self.decoder(schema) {
                Ok(d) => d,
                Err(e) => return e,
            };
            let result = decoder.decode(bytes).and_then(|_| decoder.flush());
            if let Err(e) = result {
                return Error::Corrupt(format!(
                    "{} line {} does not match the columns found in the file's first records: {}; fix that record or give the column one type throughout",
                    self.name,
                    span.line,
                    arrow_message(&e)
                ));
            }
        }
        let (first, last) = (
            self.spans.first().map_or(0, |s| s.line),
            self.spans.last().map_or(0, |s| s.line),
        );
        Error::Corrupt(format!(
            "{} lines {first}–{last} could not be read: {}",
            self.name,
            arrow_message(&chunk_error)
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
            let batches = match self.decode_chunk(schema) {
                Ok(batches) => batches,
                Err(e) if self.stringify_drift(schema) => match self.decode_chunk(schema) {
                    Ok(batches) => batches,
                    Err(_) => return Err(self.locate(schema, e)),
                },
                Err(e) => return Err(self.locate(schema, e)),
            };
            for batch in batches {
                sink(batch, self.bytes_read())?;
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

/// A field whose values are sometimes lists or objects and sometimes something else cannot be
/// one Arrow type; it becomes a string column (the containers are written as JSON text when
/// read). The same goes for a field whose nested values disagree with each other. Both are
/// turned to strings in `values` so that inference sees text.
fn mark_drifted(values: &mut [Value]) {
    // The kinds seen at each path ("meta.v", "turns[]") and the top-level field it is under.
    let mut kinds: std::collections::HashMap<String, (String, u8)> = Default::default();
    for value in values.iter() {
        let Value::Object(record) = value else {
            continue;
        };
        for (key, v) in record {
            note_kinds(key, key, v, &mut kinds);
        }
    }
    let mut drifted: Vec<String> = Vec::new();
    for (top, seen) in kinds.into_values() {
        if seen.count_ones() > 1 && !drifted.contains(&top) {
            drifted.push(top);
        }
    }
    drifted.sort();
    stringify(values, &drifted);
    if infer_json_schema_from_iterator(values.iter().map(Ok)).is_ok() {
        return;
    }
    // A conflict further down: find the top-level fields that cannot be inferred alone.
    let keys: Vec<String> = values
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|r| r.keys().cloned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|k| !drifted.contains(k))
        .collect();
    for key in keys {
        let alone = values.iter().filter_map(|v| {
            let x = v.get(&key)?;
            Some(Ok(Value::Object(
                std::iter::once((key.clone(), x.clone())).collect(),
            )))
        });
        if infer_json_schema_from_iterator(alone).is_err() {
            drifted.push(key);
        }
    }
    stringify(values, &drifted);
}

fn note_kinds(
    top: &str,
    path: &str,
    v: &Value,
    kinds: &mut std::collections::HashMap<String, (String, u8)>,
) {
    let bit = match v {
        Value::Null => return,
        Value::Bool(_) | Value::Number(_) | Value::String(_) => 1,
        Value::Array(_) => 2,
        Value::Object(_) => 4,
    };
    kinds
        .entry(path.to_string())
        .or_insert_with(|| (top.to_string(), 0))
        .1 |= bit;
    match v {
        Value::Array(items) => {
            let inner = format!("{path}[]");
            for item in items {
                note_kinds(top, &inner, item, kinds);
            }
        }
        Value::Object(fields) => {
            for (k, x) in fields {
                note_kinds(top, &format!("{path}.{k}"), x, kinds);
            }
        }
        _ => {}
    }
}

fn stringify(values: &mut [Value], fields: &[String]) {
    for value in values.iter_mut() {
        let Value::Object(record) = value else {
            continue;
        };
        for field in fields {
            if let Some(v) = record.get_mut(field) {
                if v.is_array() || v.is_object() {
                    *v = Value::String(v.to_string());
                }
            }
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
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

struct LineRecords {
    reader: BufReader<Box<dyn Read>>,
    line: u64,
    path: PathBuf,
    name: String,
    compression: Compression,
    max_record: usize,
}

impl Records for LineRecords {
    fn next_record(&mut self, out: &mut Vec<u8>) -> Result<Option<u64>> {
        loop {
            let start = out.len();
            let got = read_line(&mut self.reader, out, self.max_record)
                .map_err(|e| read_error(&self.path, self.compression, e))?;
            match got {
                Line::End => return Ok(None),
                Line::TooLong => {
                    return Err(too_long(
                        &self.name,
                        self.line + 1,
                        self.max_record,
                        "the line",
                        "is the file really JSON Lines, one record per line?",
                    ))
                }
                Line::Read => {}
            }
            self.line += 1;
            if self.line == 1 && out[start..].starts_with(BOM) {
                out.drain(start..start + BOM.len());
            }
            while out.len() > start && out[out.len() - 1].is_ascii_whitespace() {
                out.pop();
            }
            if out[start..].iter().all(u8::is_ascii_whitespace) {
                out.truncate(start);
                continue;
            }
            return Ok(Some(self.line));
        }
    }
}

/// Byte-level reading of a JSON document, tracking the line for messages.
struct Scanner {
    reader: BufReader<Box<dyn Read>>,
    line: u64,
    path: PathBuf,
    compression: Compression,
    max_record: usize,
}

impl Scanner {
    fn fill(&mut self) -> Result<&[u8]> {
        self.reader
            .fill_buf()
            .map_err(|e| read_error(&self.path, self.compression, e))
    }

    fn peek(&mut self) -> Result<Option<u8>> {
        Ok(self.fill()?.first().copied())
    }

    fn bump(&mut self) {
        let b = match self.reader.fill_buf() {
            Ok(buf) if !buf.is_empty() => buf[0],
            _ => return,
        };
        if b == b'\n' {
            self.line += 1;
        }
        self.reader.consume(1);
    }

    fn skip_ws(&mut self) -> Result<()> {
        loop {
            let buf = self
                .reader
                .fill_buf()
                .map_err(|e| read_error(&self.path, self.compression, e))?;
            if buf.is_empty() {
                return Ok(());
            }
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let lines = buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            let all = n == buf.len();
            self.reader.consume(n);
            self.line += lines;
            if !all {
                return Ok(());
            }
        }
    }

    /// Copies (or with `out` None, skips) one object, array or string starting at the next byte.
    fn take_nested(&mut self, mut out: Option<&mut Vec<u8>>) -> Result<bool> {
        let start = out.as_ref().map_or(0, |o| o.len());
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let buf = self
                .reader
                .fill_buf()
                .map_err(|e| read_error(&self.path, self.compression, e))?;
            if buf.is_empty() {
                return Ok(false);
            }
            let mut i = 0;
            let mut done = false;
            let mut lines = 0;
            while i < buf.len() {
                let b = buf[i];
                i += 1;
                if b == b'\n' {
                    lines += 1;
                }
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            done = true;
                            break;
                        }
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            done = true;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            if let Some(out) = out.as_deref_mut() {
                if out.len() - start + i > self.max_record {
                    return Err(too_long(
                        &file_label(&self.path),
                        self.line + lines,
                        self.max_record,
                        "a record reaching this line",
                        "is the file really an array of records?",
                    ));
                }
                out.extend_from_slice(&buf[..i]);
            }
            self.reader.consume(i);
            self.line += lines;
            if done {
                return Ok(true);
            }
        }
    }

    /// Skips a number, true, false or null.
    fn skip_scalar(&mut self) -> Result<()> {
        while let Some(b) = self.peek()? {
            if b == b',' || b == b'}' || b == b']' || b.is_ascii_whitespace() {
                break;
            }
            self.bump();
        }
        Ok(())
    }
}

enum ArrayState {
    Start,
    InArray { first: bool },
    Done,
}

/// The elements of a top-level array, or of the one array field of a top-level object.
struct ArrayRecords {
    scan: Scanner,
    name: String,
    state: ArrayState,
    array_key: Option<String>,
    index: u64,
}

impl ArrayRecords {
    fn truncated(&self) -> Error {
        Error::Corrupt(format!(
            "{} ends in the middle of the JSON (line {}) — was the download complete? Download it again",
            self.name, self.scan.line
        ))
    }

    fn unexpected(&self, what: &str) -> Error {
        Error::Corrupt(format!(
            "{} line {} is not valid JSON: expected {what}",
            self.name, self.scan.line
        ))
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        self.scan.skip_ws()?;
        match self.scan.peek()? {
            Some(b) if b == byte => {
                self.scan.bump();
                Ok(())
            }
            Some(_) => Err(self.unexpected(what)),
            None => Err(self.truncated()),
        }
    }

    fn read_key(&mut self) -> Result<String> {
        self.scan.skip_ws()?;
        if self.scan.peek()? != Some(b'"') {
            return Err(self.unexpected("a quoted field name"));
        }
        let mut raw = Vec::new();
        if !self.scan.take_nested(Some(&mut raw))? {
            return Err(self.truncated());
        }
        serde_json::from_slice(&raw).map_err(|_| self.unexpected("a field name"))
    }

    fn skip_value(&mut self) -> Result<()> {
        self.scan.skip_ws()?;
        match self.scan.peek()? {
            None => Err(self.truncated()),
            Some(b'"' | b'{' | b'[') => {
                if self.scan.take_nested(None)? {
                    Ok(())
                } else {
                    Err(self.truncated())
                }
            }
            Some(_) => self.scan.skip_scalar(),
        }
    }

    /// Reads up to the array's opening bracket. Returns false for an empty file.
    fn begin(&mut self) -> Result<bool> {
        self.scan.skip_ws()?;
        if self.scan.fill()?.starts_with(BOM) {
            self.scan.reader.consume(BOM.len());
            self.scan.skip_ws()?;
        }
        match self.scan.peek()? {
            None => Ok(false),
            Some(b'[') => {
                self.scan.bump();
                Ok(true)
            }
            Some(b'{') => {
                self.scan.bump();
                loop {
                    self.scan.skip_ws()?;
                    if self.scan.peek()? == Some(b'}') {
                        return Err(self.no_array());
                    }
                    let key = self.read_key()?;
                    self.expect(b':', "':' after a field name")?;
                    self.scan.skip_ws()?;
                    if self.scan.peek()? == Some(b'[') {
                        self.scan.bump();
                        self.array_key = Some(key);
                        return Ok(true);
                    }
                    self.skip_value()?;
                    self.scan.skip_ws()?;
                    match self.scan.peek()? {
                        Some(b',') => self.scan.bump(),
                        Some(b'}') => return Err(self.no_array()),
                        Some(_) => return Err(self.unexpected("',' or '}'")),
                        None => return Err(self.truncated()),
                    }
                }
            }
            Some(b) => Err(Error::Corrupt(format!(
                "{} is not a JSON array or object (it starts with {:?}); for one JSON object per line, name the file .jsonl",
                self.name, b as char
            ))),
        }
    }

    fn no_array(&self) -> Error {
        Error::invalid(format!(
            "{} is a JSON object without an array of records; expected [{{...}}, ...] or an object with one field holding such an array",
            self.name
        ))
    }

    /// Reads the rest of the document after the records, which must hold no other array.
    fn end(&mut self) -> Result<()> {
        if let Some(key) = self.array_key.clone() {
            loop {
                self.scan.skip_ws()?;
                match self.scan.peek()? {
                    Some(b'}') => {
                        self.scan.bump();
                        break;
                    }
                    Some(b',') => self.scan.bump(),
                    Some(_) => return Err(self.unexpected("',' or '}'")),
                    None => return Err(self.truncated()),
                }
                let other = self.read_key()?;
                self.expect(b':', "':' after a field name")?;
                self.scan.skip_ws()?;
                if self.scan.peek()? == Some(b'[') {
                    return Err(Error::invalid(format!(
                        "{} has more than one array field ('{key}' and '{other}'); miStudio reads a JSON array of objects, an object with one such array, or JSON Lines",
                        self.name
                    )));
                }
                self.skip_value()?;
            }
        }
        self.scan.skip_ws()?;
        if self.scan.peek()?.is_some() {
            return Err(Error::Corrupt(format!(
                "{} line {} has more JSON after the end of the document; a .json file holds one array — use .jsonl for one object per line",
                self.name, self.scan.line
            )));
        }
        Ok(())
    }
}

impl Records for ArrayRecords {
    fn next_record(&mut self, out: &mut Vec<u8>) -> Result<Option<u64>> {
        let first = match self.state {
            ArrayState::Done => return Ok(None),
            ArrayState::Start => {
                if !self.begin()? {
                    self.state = ArrayState::Done;
                    return Ok(None);
                }
                true
            }
            ArrayState::InArray { first } => first,
        };
        self.scan.skip_ws()?;
        match self.scan.peek()? {
            None => return Err(self.truncated()),
            Some(b']') => {
                self.scan.bump();
                self.state = ArrayState::Done;
                self.end()?;
                return Ok(None);
            }
            Some(b',') if !first => {
                self.scan.bump();
                self.scan.skip_ws()?;
            }
            Some(_) if !first => return Err(self.unexpected("',' or ']' between records")),
            Some(_) => {}
        }
        self.index += 1;
        match self.scan.peek()? {
            Some(b'{') => {}
            None => return Err(self.truncated()),
            Some(_) => {
                let within = match &self.array_key {
                    Some(k) => format!(" of '{k}'"),
                    None => String::new(),
                };
                return Err(Error::Corrupt(format!(
                    "{} line {}: element {}{within} is not a JSON object; each record must be an object such as {{\"text\": \"...\"}}",
                    self.name, self.scan.line, self.index
                )));
            }
        }
        let line = self.scan.line;
        if !self.scan.take_nested(Some(out))? {
            return Err(self.truncated());
        }
        self.state = ArrayState::InArray { first: false };
        Ok(Some(line))
    }
}
