//! The schema of a JSON file, inferred by arrow-json from its first records once the fields
//! whose type drifts have been turned to text.

use super::drift::mark_drifted;
use super::{arrow_message, JsonSource};
use crate::error::{Error, Result};
use arrow::datatypes::SchemaRef;
use arrow::json::reader::infer_json_schema_from_iterator;
use serde_json::Value;
use std::sync::Arc;

/// How many records the schema is inferred from.
const INFER_RECORDS: usize = 1000;

impl JsonSource {
    /// The schema of the chunk's records, None without records; the first record that is not
    /// an object, or that gives a column a second type, is named.
    pub(super) fn infer(&self) -> Result<Option<SchemaRef>> {
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
