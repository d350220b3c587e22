//! A few recent selections, process-wide, so paging through a search's results reads only
//! each page. A selection is remembered under everything it depends on: the split's folder,
//! the column, the search and length bounds, and the token-length file's size and time.

use super::filter::Selection;
use std::path::Path;
use std::sync::{Arc, Mutex};

type SelectionKey = String;
static RECENT_SELECTIONS: Mutex<Vec<(SelectionKey, Arc<Vec<u32>>)>> = Mutex::new(Vec::new());
const RECENT_SELECTIONS_KEPT: usize = 4;

/// Drops the remembered selections, so the next search scans again (for benchmarks).
pub fn forget_recent_selections() {
    RECENT_SELECTIONS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
}

/// What a selection of one split's rows is remembered under.
pub(super) fn key(
    split_dir: &Path,
    split: &str,
    column: &str,
    selection: &Selection,
) -> SelectionKey {
    let tokens_stamp = match &selection.token_lengths {
        Some(dir) => {
            let file = crate::tokenize::pipeline::sample_lengths_file(dir, split);
            let meta = std::fs::metadata(&file).ok();
            format!(
                "{}:{:?}:{:?}",
                file.display(),
                meta.as_ref().map(|m| m.len()),
                meta.and_then(|m| m.modified().ok())
            )
        }
        None => String::new(),
    };
    format!(
        "{}\0{column}\0{:?}\0{:?}\0{:?}\0{tokens_stamp}\0{:?}\0{:?}",
        split_dir.display(),
        selection.search.as_ref().map(|r| r.as_str()),
        selection.min_chars,
        selection.max_chars,
        selection.min_tokens,
        selection.max_tokens,
    )
}

/// The rows remembered under `key`, if they still are.
pub(super) fn recall(key: &str) -> Option<Arc<Vec<u32>>> {
    let recent = RECENT_SELECTIONS.lock().unwrap_or_else(|p| p.into_inner());
    recent
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, rows)| rows.clone())
}

/// Remembers `rows` under `key`, first; the oldest beyond the few kept are dropped.
pub(super) fn remember(key: SelectionKey, rows: Arc<Vec<u32>>) {
    let mut recent = RECENT_SELECTIONS.lock().unwrap_or_else(|p| p.into_inner());
    recent.retain(|(k, _)| k != &key);
    recent.insert(0, (key, rows));
    recent.truncate(RECENT_SELECTIONS_KEPT);
}
