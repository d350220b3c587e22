//! Decoding a chunk of records into Arrow batches with arrow-json, and naming the record a
//! chunk failed on.

use super::{arrow_message, JsonSource};
use crate::error::{Error, Result};
use crate::ingest::BATCH_ROWS;
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use arrow::json::reader::{Decoder, ReaderBuilder};
use arrow::record_batch::RecordBatch;

impl JsonSource {
    /// Decodes the chunk with `schema`. A chunk that fails is decoded again with its drifted
    /// lists and objects as JSON text and, failing still, searched for the record to name.
    pub(super) fn decode(&mut self, schema: &SchemaRef) -> Result<Vec<RecordBatch>> {
        match self.decode_chunk(schema) {
            Ok(batches) => Ok(batches),
            Err(e) if self.stringify_drift(schema) => self
                .decode_chunk(schema)
                .map_err(|_| self.locate(schema, e)),
            Err(e) => Err(self.locate(schema, e)),
        }
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
