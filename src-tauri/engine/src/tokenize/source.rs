//! Reads one column of a dataset's canonical Arrow data, batch by batch.

use crate::error::{Error, Result};
use arrow::array::{Array, StringArray};
use arrow::ipc::reader::FileReader;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Whether a column (by its readable type name) can be read as text: strings, and chat turns
/// (a list of structs with `role` and `content` strings), which are rendered.
pub fn is_text_type(data_type: &str) -> bool {
    let chat = (data_type.starts_with("list<struct<")
        || data_type.starts_with("large_list<struct<"))
        && ["role", "content"].iter().all(|f| {
            data_type.contains(&format!("<{f}: string"))
                || data_type.contains(&format!(" {f}: string"))
                || data_type.contains(&format!("<{f}: large_string"))
                || data_type.contains(&format!(" {f}: large_string"))
        });
    chat || matches!(data_type, "string" | "large_string" | "string_view")
}

/// The canonical files of a split, in order.
pub fn split_files(split_dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(split_dir).map_err(|e| {
        Error::io(
            format!(
                "reading {} (the dataset's data is missing: retry its download or import)",
                split_dir.display()
            ),
            e,
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "arrow")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("data-"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Calls `each` with every batch of `column` in the file, as UTF-8 strings.
pub fn read_text_batches(
    path: &Path,
    column: &str,
    mut each: impl FnMut(StringArray) -> Result<()>,
) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    let probe = FileReader::try_new(
        File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?,
        None,
    )
    .map_err(|e| {
        Error::Corrupt(format!(
            "{} is not readable Arrow data: {e}",
            path.display()
        ))
    })?;
    let index = probe
        .schema()
        .index_of(column)
        .map_err(|_| Error::invalid(format!("{} has no column \"{column}\"", path.display())))?;
    drop(probe);
    let reader = FileReader::try_new(file, Some(vec![index])).map_err(|e| {
        Error::Corrupt(format!(
            "{} is not readable Arrow data: {e}",
            path.display()
        ))
    })?;
    for batch in reader {
        let batch =
            batch.map_err(|e| Error::Corrupt(format!("reading {}: {e}", path.display())))?;
        let text = crate::ingest::column_as_text(batch.column(0), column)?;
        // Big batches are handed on in slices, so the encoder can spread them over cores and
        // the memory held at once stays small.
        let mut start = 0;
        while start < text.len() {
            let mut end = start;
            let mut bytes = 0usize;
            while end < text.len() && (end == start || (end - start < 1024 && bytes < 2 << 20)) {
                bytes += text.value_length(end) as usize;
                end += 1;
            }
            each(text.slice(start, end - start))?;
            start = end;
        }
    }
    Ok(())
}
