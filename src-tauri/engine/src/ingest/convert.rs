//! The import itself: every planned file read through its source, in split order, into one
//! writer a split, under the one schema the first file with records sets.

use super::sources;
use super::writer::SplitWriter;
use super::{format, schema, FileSupply, IngestSummary, Limits, PlannedSplit};
use crate::error::{Error, Result};
use crate::store::SplitInfo;
use arrow::datatypes::SchemaRef;
use std::path::Path;
use tokio_util::sync::CancellationToken;

/// Progress is reported at most once per this many input bytes (and at each file's end).
const PROGRESS_STEP: u64 = 4 << 20;

/// Reads every planned file (up to a split's row limit) into `out_dir`, a folder a split, and
/// sums up what was read.
pub(super) fn convert(
    plan: &[PlannedSplit],
    out_dir: &Path,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(u64, u64),
    limits: Limits,
    supply: &mut dyn FileSupply,
) -> Result<IngestSummary> {
    let total: u64 = plan.iter().flat_map(|s| &s.files).map(|f| f.bytes).sum();
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
    let mut files_read: Vec<usize> = Vec::with_capacity(plan.len());

    for (split_index, planned) in plan.iter().enumerate() {
        let split = &planned.name;
        let mut writer: Option<SplitWriter> = None;
        let mut split_rows = 0u64;
        let mut read_here = 0usize;
        for (file_index, file) in planned.files.iter().enumerate() {
            if planned.row_limit.is_some_and(|limit| split_rows >= limit) {
                break;
            }
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            if !formats.contains(&file.format.label()) {
                formats.push(file.format.label());
            }
            let on_disk = supply.fetch(split_index, file_index, &file.path)?;
            read_here += 1;
            let mut source = sources::open(file, &on_disk, out_dir, &limits.read)?;
            let Some(file_schema) = source.schema() else {
                drop(source);
                supply.release(split_index, file_index)?;
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
            // Set when the row limit is reached: the source is stopped with an error that is
            // then not one.
            let mut limit_reached = false;
            let read = source.read(&target, &mut |batch, file_done| {
                // A no-op for the batches a source decoded straight into `target`.
                let mut batch = schema::conform(&batch, &target, &name)?;
                if cancel.is_cancelled() {
                    return Err(Error::Cancelled);
                }
                if let Some(limit) = planned.row_limit {
                    let left = limit.saturating_sub(split_rows);
                    if (batch.num_rows() as u64) >= left {
                        // Copied, not sliced: the writer would otherwise store the whole
                        // batch's buffers behind the few rows kept.
                        batch = arrow::compute::concat_batches(
                            &batch.schema(),
                            [&batch.slice(0, left as usize)],
                        )
                        .map_err(|e| Error::Internal(format!("cutting a batch: {e}")))?;
                        limit_reached = true;
                    }
                }
                if first_lengths.is_none() && batch.num_rows() > 0 {
                    first_lengths = Some(schema::mean_lengths(&batch));
                }
                w.write(&batch)?;
                split_rows += batch.num_rows() as u64;
                let done = done_before + file_done.min(file.bytes);
                if done >= last_reported + PROGRESS_STEP {
                    progress(done, total);
                    last_reported = done;
                }
                if limit_reached {
                    return Err(Error::Cancelled);
                }
                Ok(())
            });
            if !limit_reached {
                read?;
            }
            invalid_utf8_rows += source.invalid_utf8_rows();
            for (field, rows) in source.drifted_fields() {
                match drifted_fields.iter_mut().find(|(f, _)| f == field) {
                    Some((_, n)) => *n += rows,
                    None => drifted_fields.push((field.clone(), *rows)),
                }
            }
            drop(source);
            supply.release(split_index, file_index)?;
            done_before += file.bytes;
            progress(done_before, total);
            last_reported = done_before;
        }
        files_read.push(read_here);
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
            .flat_map(|s| &s.files)
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
        let w = SplitWriter::create(out_dir.join(&plan[i].name), schema.clone(), limits.files)?;
        results[i] = w.finish()?;
    }

    let (text_columns, text_column) = schema::rank_text_columns(&schema, first_lengths.as_deref());
    Ok(IngestSummary {
        splits: plan
            .iter()
            .zip(&results)
            .map(|(split, (rows, _))| SplitInfo {
                name: split.name.clone(),
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
        files_read,
    })
}
