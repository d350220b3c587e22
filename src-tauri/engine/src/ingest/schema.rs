//! The dataset's one schema: canonical types, agreement between files, readable type names
//! and the choice of text column.

use crate::error::{Error, Result};
use crate::store::ColumnInfo;
use arrow::array::AsArray;
use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use std::sync::Arc;

/// Names that say "this is the text", most telling first.
const TEXT_NAMES: &[&str] = &[
    "text", "content", "document", "story", "body", "article", "sentence", "passage", "review",
    "prompt", "question",
];

/// Top-level string columns are stored as `utf8` whatever the source used (large_utf8,
/// utf8_view, dictionary-encoded strings), so every reader of the canonical data handles one
/// string type. Batches are capped in bytes as well as rows, which keeps them far below
/// utf8's 2 GiB-per-array limit.
pub(super) fn canonical_type(dt: &DataType) -> DataType {
    match dt {
        DataType::LargeUtf8 | DataType::Utf8View => DataType::Utf8,
        DataType::Dictionary(_, v) if is_string(v) => DataType::Utf8,
        // View types are new in Arrow IPC and not every reader of the files understands them.
        DataType::BinaryView => DataType::Binary,
        other => other.clone(),
    }
}

fn is_string(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

/// JSON inference types a column it only saw as `null` as Null; reading later values into it
/// would fail, so it becomes a string column (numbers are coerced to text on read).
fn null_to_utf8(dt: &DataType) -> DataType {
    match dt {
        DataType::Null => DataType::Utf8,
        DataType::List(f) => DataType::List(Arc::new(field_with(f, null_to_utf8(f.data_type())))),
        DataType::Struct(fields) => DataType::Struct(
            fields
                .iter()
                .map(|f| field_with(f, null_to_utf8(f.data_type())))
                .collect::<Fields>(),
        ),
        other => other.clone(),
    }
}

fn field_with(f: &Field, dt: DataType) -> Field {
    Field::new(f.name(), dt, f.is_nullable())
}

/// The schema written to disk for a dataset whose first file has `file` as its schema.
/// Every column is nullable so files that differ only in nullability fit; metadata is dropped
/// because it describes the source's types, which canonicalisation may have changed.
pub(super) fn canonical_schema(file: &Schema, from_json: bool) -> SchemaRef {
    let fields: Vec<Field> = file
        .fields()
        .iter()
        .map(|f| {
            let dt = canonical_type(f.data_type());
            let dt = if from_json { null_to_utf8(&dt) } else { dt };
            Field::new(f.name(), dt, true)
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// Equal types up to nested field names and nullability — differences a cast can bridge.
fn same_shape(a: &DataType, b: &DataType) -> bool {
    use DataType::*;
    match (a, b) {
        (List(x), List(y)) | (LargeList(x), LargeList(y)) | (ListView(x), ListView(y)) => {
            same_shape(x.data_type(), y.data_type())
        }
        (FixedSizeList(x, n), FixedSizeList(y, m)) => {
            n == m && same_shape(x.data_type(), y.data_type())
        }
        (Struct(x), Struct(y)) => {
            x.len() == y.len()
                && x.iter().zip(y.iter()).all(|(fx, fy)| {
                    fx.name() == fy.name() && same_shape(fx.data_type(), fy.data_type())
                })
        }
        (Map(x, _), Map(y, _)) => same_shape(x.data_type(), y.data_type()),
        _ => a == b,
    }
}

fn is_int(dt: &DataType) -> bool {
    dt.is_integer()
}

/// Whether values JSON inference typed as `file` read correctly as `dataset`: inference can
/// only see part of a file, so a column it saw as null or as whole numbers is not a conflict.
fn json_fits(file: &DataType, dataset: &DataType) -> bool {
    use DataType::*;
    match (file, dataset) {
        (Null, _) => true,
        (f, d) if is_int(f) && (is_int(d) || d.is_floating()) => true,
        (f, d) if f.is_floating() && d.is_floating() => true,
        (List(x), List(y)) | (List(x), LargeList(y)) => json_fits(x.data_type(), y.data_type()),
        (Struct(x), Struct(y)) => x.iter().all(|fx| {
            y.find(fx.name())
                .is_some_and(|(_, fy)| json_fits(fx.data_type(), fy.data_type()))
        }),
        (f, d) => same_shape(&canonical_type(f), d),
    }
}

/// Checks that a file's schema fits the dataset's. Parquet files must have exactly the same
/// columns (in any order); a JSON file's inferred columns must be among the dataset's, since a
/// column absent from its first records is simply null there.
pub(super) fn check_fits(
    file: &Schema,
    from_json: bool,
    dataset: &Schema,
    file_name: &str,
    dataset_file: &str,
) -> Result<()> {
    let (a, b) = if file_name == dataset_file {
        // Same name in two folders (train/0000.parquet, test/0000.parquet): say which is which.
        (
            format!("the first file ({dataset_file})"),
            format!("another {file_name}"),
        )
    } else {
        (dataset_file.to_string(), file_name.to_string())
    };
    let mut diffs = Vec::new();
    for f in file.fields() {
        match dataset.field_with_name(f.name()) {
            Err(_) => diffs.push(format!("'{}' is only in {b}", f.name())),
            Ok(d) => {
                let fits = if from_json {
                    json_fits(f.data_type(), d.data_type())
                } else {
                    same_shape(&canonical_type(f.data_type()), d.data_type())
                };
                if !fits {
                    diffs.push(format!(
                        "'{}' is {} in {a} but {} in {b}",
                        f.name(),
                        type_name(d.data_type()),
                        type_name(f.data_type())
                    ));
                }
            }
        }
    }
    if !from_json {
        for d in dataset.fields() {
            if file.field_with_name(d.name()).is_err() {
                diffs.push(format!("'{}' is only in {a}", d.name()));
            }
        }
    }
    if diffs.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "{a} and {b} have different columns: {}. All files of a dataset must share one schema; \
         import files with different columns as separate datasets",
        diffs.join("; ")
    )))
}

/// A type as a person reads it: "string", "int64", "list<string>", "struct<a: int64>".
pub fn type_name(dt: &DataType) -> String {
    use DataType::*;
    match dt {
        Null => "null".into(),
        Boolean => "bool".into(),
        Int8 => "int8".into(),
        Int16 => "int16".into(),
        Int32 => "int32".into(),
        Int64 => "int64".into(),
        UInt8 => "uint8".into(),
        UInt16 => "uint16".into(),
        UInt32 => "uint32".into(),
        UInt64 => "uint64".into(),
        Float16 => "float16".into(),
        Float32 => "float32".into(),
        Float64 => "float64".into(),
        Utf8 => "string".into(),
        LargeUtf8 => "large_string".into(),
        Utf8View => "string_view".into(),
        Binary => "binary".into(),
        LargeBinary => "large_binary".into(),
        BinaryView => "binary_view".into(),
        FixedSizeBinary(n) => format!("fixed_size_binary[{n}]"),
        Date32 => "date32".into(),
        Date64 => "date64".into(),
        Timestamp(unit, tz) => match tz {
            Some(tz) => format!("timestamp[{}, tz={tz}]", unit_name(unit)),
            None => format!("timestamp[{}]", unit_name(unit)),
        },
        Time32(unit) | Time64(unit) => format!("time[{}]", unit_name(unit)),
        Duration(unit) => format!("duration[{}]", unit_name(unit)),
        Decimal32(p, s) | Decimal64(p, s) => format!("decimal({p}, {s})"),
        Decimal128(p, s) | Decimal256(p, s) => format!("decimal({p}, {s})"),
        List(f) | ListView(f) => format!("list<{}>", type_name(f.data_type())),
        LargeList(f) | LargeListView(f) => format!("large_list<{}>", type_name(f.data_type())),
        FixedSizeList(f, n) => format!("list<{}, {n}>", type_name(f.data_type())),
        Struct(fields) => format!(
            "struct<{}>",
            fields
                .iter()
                .map(|f| format!("{}: {}", f.name(), type_name(f.data_type())))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Map(f, _) => match f.data_type() {
            Struct(kv) if kv.len() == 2 => format!(
                "map<{}, {}>",
                type_name(kv[0].data_type()),
                type_name(kv[1].data_type())
            ),
            other => format!("map<{}>", type_name(other)),
        },
        Dictionary(_, v) => format!("dictionary<{}>", type_name(v)),
        other => format!("{other}").to_lowercase(),
    }
}

fn unit_name(unit: &TimeUnit) -> &'static str {
    match unit {
        TimeUnit::Second => "s",
        TimeUnit::Millisecond => "ms",
        TimeUnit::Microsecond => "us",
        TimeUnit::Nanosecond => "ns",
    }
}

pub(super) fn column_infos(schema: &Schema) -> Vec<ColumnInfo> {
    schema
        .fields()
        .iter()
        .map(|f| ColumnInfo {
            name: f.name().clone(),
            data_type: type_name(f.data_type()),
        })
        .collect()
}

/// Mean length in bytes of each string column of `batch` (nulls count as empty).
pub(super) fn mean_lengths(batch: &RecordBatch) -> Vec<(String, f64)> {
    let rows = batch.num_rows().max(1) as f64;
    batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .filter_map(|(f, col)| {
            let array = col.as_string_opt::<i32>()?;
            let offsets = array.value_offsets();
            let bytes = offsets[offsets.len() - 1] - offsets[0];
            Some((f.name().clone(), bytes as f64 / rows))
        })
        .collect()
}

/// String columns best first, then chat columns (lists of {role, content} turns), and the
/// default: a column with a telling name, else the one with the longest values in the first
/// batch, else a chat column.
pub(super) fn rank_text_columns(
    schema: &Schema,
    lengths: Option<&[(String, f64)]>,
) -> (Vec<String>, Option<String>) {
    let mut named = Vec::new();
    let mut others = Vec::new();
    for f in schema.fields() {
        if !matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8) {
            continue;
        }
        let lower = f.name().to_lowercase();
        match TEXT_NAMES.iter().position(|n| *n == lower) {
            Some(rank) => named.push((rank, f.name().clone())),
            None => {
                let mean = lengths
                    .and_then(|l| l.iter().find(|(n, _)| n == f.name()))
                    .map_or(0.0, |(_, m)| *m);
                others.push((mean, f.name().clone()));
            }
        }
    }
    // Stable sorts: ties keep the file's column order.
    named.sort_by_key(|(rank, _)| *rank);
    others.sort_by(|a, b| b.0.total_cmp(&a.0));
    // Chat columns come after every string column: offered, chosen only when nothing else is.
    let chats = schema
        .fields()
        .iter()
        .filter(|f| super::chat::is_chat_type(f.data_type()))
        .map(|f| f.name().clone());
    let ranked: Vec<String> = named
        .into_iter()
        .map(|(_, n)| n)
        .chain(others.into_iter().map(|(_, n)| n))
        .chain(chats)
        .collect();
    let default = ranked.first().cloned();
    (ranked, default)
}

/// `batch` in the dataset's column order and types: columns are found by name (files may order
/// them differently) and cast where the source's type differs (large_utf8 to utf8, say).
pub(super) fn conform(batch: &RecordBatch, target: &SchemaRef, name: &str) -> Result<RecordBatch> {
    let source = batch.schema();
    let columns = target
        .fields()
        .iter()
        .map(|field| {
            let i = source
                .index_of(field.name())
                .map_err(|_| Error::invalid(format!("{name} has no column '{}'", field.name())))?;
            let column = batch.column(i);
            if column.data_type() == field.data_type() {
                return Ok(column.clone());
            }
            arrow::compute::cast(column, field.data_type()).map_err(|e| {
                Error::invalid(format!(
                    "{name}: column '{}' cannot be converted to {}: {e}",
                    field.name(),
                    type_name(field.data_type())
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    RecordBatch::try_new(target.clone(), columns)
        .map_err(|e| Error::invalid(format!("{name} does not fit the dataset's columns: {e}")))
}
