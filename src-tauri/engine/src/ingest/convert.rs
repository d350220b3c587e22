//! The import itself: every planned file read through its source, in split order, into one
//! writer a split, under the one schema the first file with records sets.

use super::sources;
use super::writer::SplitWriter;
use super::{format, schema, IngestSummary, Limits, PlannedFile};
use crate::error::{Error, Result};
use crate::store::SplitInfo;
use arrow::datatypes::SchemaRef;
use std::path::Path;
use tokio_util::sync::CancellationToken;

/// Progress is reported at most once per this many input bytes (and at each file's end).
const PROGRESS_STEP: u64 = 4 << 20;

/// Reads every planned file into `out_dir`, a folder a split, and sums up what was read.
pub(super) fn convert(
    plan: &[(String, Vec<PlannedFile>)],
    out_dir: &Path,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(u64, u64),
    limits: Limits,
) -> Result<IngestSummary> {
    let total: u64 = plan.iter().flat_map(|(_, f)| f).map(|f| f.bytes).sum();
    progress(0, total);
    let mut done_before = 0u64;
    let mut last_reported = 0u64;
    // The dataset's schema and the file that set it (named when another file disagrees).
    let mut dataset: Option<(SchemaRef, String)> = None;
    let mut first_lengths: Option<Vec<(String, f64)>> = None;
    let mut formats: Vec<&'static str> = Vec::new();
    let mut results: Vec<(i64, u64)> = Vec::with_capacity(plan.len());
    // Splits that got no rows before the schema was known are written at the end.
    let mut pending_empty: Vec<usize> = Vec::new();
    let mut invalid_utf8_rows = 0u64;
    let mut drifted_fields: Vec<(String, u64)> = Vec::new();

    for (split_index, (split, files)) in plan.iter().enumerate() {
        let mut writer: Option<SplitWriter> = None;
        for file in files {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            if !formats.contains(&file.format.label()) {
                formats.push(file.format.label());
            }
            let mut source = sources::open(file, out_dir, &limits.read)?;
            let Some(file_schema) = source.schema() else {
                done_before += file.bytes;
                continue;
            };
            let name = format::file_label(&file.path);
            let inferred = source.infers_schema();
            let target = match &dataset {
                None => {
                    let s = schema::canonical_schema(&file_schema, inferred);
                    dataset = Some((s.clone(), name.clone()));
                    s
                }
                Some((s, defined_by)) => {
                    schema::check_fits(&file_schema, inferred, s, &name, defined_by)?;
                    s.clone()
                }
            };
            if writer.is_none() {
                writer = Some(SplitWriter::create(
                    out_dir.join(split),
                    target.clone(),
                    limits.files,
                )?);
            }
            let w = writer.as_mut().expect("created above");
            source.read(&target, &mut |batch, file_done| {
                // A no-op for the batches a source decoded straight into `target`.
                let batch = schema::conform(&batch, &target, &name)?;
                if cancel.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                if first_lengths.is_none() && batch.num_rows() > 0 {
                    first_lengths = Some(schema::mean_lengths(&batch));
                }
                w.write(&batch)?;
                let done = done_before + file_done.min(file.bytes);
                if done >= last_reported + PROGRESS_STEP {
                    progress(done, total);
                    last_reported = done;
                }
                Ok(())
            })?;
            invalid_utf8_rows += source.invalid_utf8_rows();
            for (field, rows) in source.drifted_fields() {
                match drifted_fields.iter_mut().find(|(f, _)| f == field) {
                    Some((_, n)) => *n += rows,
                    None => drifted_fields.push((field.clone(), *rows)),
                }
            }
            done_before += file.bytes;
            progress(done_before, total);
            last_reported = done_before;
        }
        match writer {
            Some(w) => results.push(w.finish()?),
            None => {
                pending_empty.push(split_index);
                results.push((0, 0));
            }
        }
    }

    if results.iter().all(|(rows, _)| *rows == 0) {
        let files: Vec<String> = plan
            .iter()
            .flat_map(|(_, f)| f)
            .map(|f| format::file_label(&f.path))
            .collect();
        let shown = match files.len() {
            1 => files[0].clone(),
            n if n <= 3 => files.join(", "),
            n => format!("{} and {} more", files[..3].join(", "), n - 3),
        };
        return Err(Error::invalid(format!(
            "there are no rows to import: {shown} {} no records",
            if files.len() == 1 { "holds" } else { "hold" }
        )));
    }
    let schema = dataset
        .map(|(s, _)| s)
        .unwrap_or_else(|| std::sync::Arc::new(arrow::datatypes::Schema::empty()));
    for i in pending_empty {
        let w = SplitWriter::create(out_dir.join(&plan[i].0), schema.clone(), limits.files)?;
        results[i] = w.finish()?;
    }

    let (text_columns, text_column) = schema::rank_text_columns(&schema, first_lengths.as_deref());
    Ok(IngestSummary {
        splits: plan
            .iter()
            .zip(&results)
            .map(|((name, _), (rows, _))| SplitInfo {
                name: name.clone(),
                num_rows: *rows,
            })
            .collect(),
        columns: schema::column_infos(&schema),
        text_columns,
        text_column,
        size_bytes: results.iter().map(|(_, b)| *b as i64).sum(),
        format: formats.join("+"),
        invalid_utf8_rows,
        drifted_fields,
    })
}
