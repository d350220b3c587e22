//! Type drift, met twice: before inference ([`mark_drifted`]), so that a drifting field is
//! typed string, and when a chunk fails to decode (`JsonSource::stringify_drift`), so that its
//! lists and objects are written as JSON text and counted for the import's summary.

use super::{JsonSource, Span};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::json::reader::infer_json_schema_from_iterator;
use serde_json::Value;

/// A field whose values are sometimes lists or objects and sometimes something else cannot be
/// one Arrow type; it becomes a string column (the containers are written as JSON text when
/// read). The same goes for a field whose nested values disagree with each other. Both are
/// turned to strings in `values` so that inference sees text.
pub(super) fn mark_drifted(values: &mut [Value]) {
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

impl JsonSource {
    /// Rewrites the chunk's records so that a list or object in a string column becomes its
    /// JSON text; false if no record needed it. Only run when a chunk fails to decode, so files
    /// without drift pay nothing.
    pub(super) fn stringify_drift(&mut self, schema: &SchemaRef) -> bool {
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
}
