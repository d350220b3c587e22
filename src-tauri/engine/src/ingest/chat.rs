//! Chat-style columns (a list of `{role, content}` turns per row) used as text: each row's
//! turns rendered as `role: content` lines, so such a column can be searched, measured and
//! tokenized like a string column.

use crate::error::{Error, Result};
use arrow::array::{Array, ArrayRef, AsArray, StringArray, StringBuilder};
use arrow::datatypes::DataType;

/// Whether a column holds chat turns: a list of structs with text `role` and `content` fields.
pub fn is_chat_type(data_type: &DataType) -> bool {
    let item = match data_type {
        DataType::List(f) | DataType::LargeList(f) => f.data_type(),
        _ => return false,
    };
    let DataType::Struct(fields) = item else {
        return false;
    };
    let text = |name: &str| {
        fields.iter().any(|f| {
            f.name() == name && matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8)
        })
    };
    text("role") && text("content")
}

/// The column as UTF-8 text: string columns as they are (cast from large or view strings),
/// chat columns rendered turn by turn.
pub fn column_as_text(column: &ArrayRef, name: &str) -> Result<StringArray> {
    if is_chat_type(column.data_type()) {
        return Ok(render_chat(column));
    }
    let text = arrow::compute::cast(column, &DataType::Utf8)
        .map_err(|e| Error::invalid(format!("column \"{name}\" is not text: {e}")))?;
    text.as_any()
        .downcast_ref::<StringArray>()
        .cloned()
        .ok_or_else(|| Error::invalid(format!("column \"{name}\" is not text")))
}

fn render_chat(column: &ArrayRef) -> StringArray {
    let mut out = StringBuilder::new();
    let mut row = String::new();
    let turns_of = |i: usize| -> Option<ArrayRef> {
        if column.is_null(i) {
            return None;
        }
        match column.data_type() {
            DataType::List(_) => Some(column.as_list::<i32>().value(i)),
            _ => Some(column.as_list::<i64>().value(i)),
        }
    };
    for i in 0..column.len() {
        let Some(turns) = turns_of(i) else {
            out.append_null();
            continue;
        };
        let turns = turns.as_struct();
        let field = |name: &str| {
            turns
                .column_by_name(name)
                .and_then(|c| arrow::compute::cast(c, &DataType::Utf8).ok())
        };
        let (roles, contents) = (field("role"), field("content"));
        row.clear();
        if let (Some(roles), Some(contents)) = (roles, contents) {
            let (roles, contents) = (roles.as_string::<i32>(), contents.as_string::<i32>());
            for t in 0..turns.len() {
                if turns.is_null(t) {
                    continue;
                }
                if !row.is_empty() {
                    row.push('\n');
                }
                if roles.is_valid(t) {
                    row.push_str(roles.value(t));
                    row.push_str(": ");
                }
                if contents.is_valid(t) {
                    row.push_str(contents.value(t));
                }
            }
        }
        out.append_value(&row);
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn turns_are_rendered_one_per_line() {
        let json = r#"{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!\nHow can I help?"}]}
{"messages": null}
{"messages": []}
"#;
        let mut reader = arrow::json::ReaderBuilder::new(Arc::new(
            arrow::json::reader::infer_json_schema(&mut std::io::Cursor::new(json), None)
                .unwrap()
                .0,
        ))
        .build(std::io::Cursor::new(json))
        .unwrap();
        let batch = reader.next().unwrap().unwrap();
        let column = batch.column(0);
        assert!(is_chat_type(column.data_type()));
        let text = column_as_text(column, "messages").unwrap();
        assert_eq!(
            text.value(0),
            "user: Hi\nassistant: Hello!\nHow can I help?"
        );
        assert!(text.is_null(1));
        assert_eq!(text.value(2), "");
        assert!(!is_chat_type(&DataType::Utf8));
    }
}
