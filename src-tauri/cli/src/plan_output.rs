//! `download --dry-run` in words: the files, bytes and rows a download would take and the
//! disk it needs.

use mistudio_engine::datasets::{format_bytes, DownloadPlan};
use std::fmt::Write as _;

/// Files listed per split before the rest are counted.
const SHOWN_FILES: usize = 10;

fn files(n: usize) -> String {
    format!("{n} file{}", if n == 1 { "" } else { "s" })
}

fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn describe(plan: &DownloadPlan) -> String {
    let mut out = String::new();
    let at_most = if plan.upper_bound { "at most " } else { "" };
    let _ = writeln!(
        out,
        "{} · config {} · revision {}",
        plan.repo_id,
        plan.config,
        &plan.revision[..plan.revision.len().min(12)]
    );
    for split in &plan.splits {
        let rows = match (split.num_rows, split.split_rows) {
            (Some(n), Some(total)) if n < total => {
                format!(", {} of {} rows", count(n), count(total))
            }
            (Some(n), _) => format!(", {} rows", count(n)),
            (None, _) => match split.row_limit {
                Some(limit) => format!(", up to {} rows (counted while reading)", count(limit)),
                None => String::new(),
            },
        };
        let bytes: u64 = split.files.iter().map(|f| f.fetch_bytes).sum();
        let _ = writeln!(
            out,
            "  {}: {}{} of {}, {}{rows}",
            split.name,
            at_most,
            split.files.len(),
            files(split.split_files as usize),
            format_bytes(bytes)
        );
        for f in split.files.iter().take(SHOWN_FILES) {
            let part = match f.row_groups {
                Some(groups) => format!(
                    " (its first {groups} row group{}: {} of {})",
                    if groups == 1 { "" } else { "s" },
                    format_bytes(f.fetch_bytes),
                    format_bytes(f.file.size)
                ),
                None => String::new(),
            };
            let cached = if f.cached_bytes >= f.fetch_bytes {
                ", cached"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "    {}  {}{part}{cached}",
                f.file.path,
                format_bytes(f.fetch_bytes)
            );
        }
        if split.files.len() > SHOWN_FILES {
            let _ = writeln!(out, "    … and {} more", split.files.len() - SHOWN_FILES);
        }
    }
    let rows = plan
        .num_rows
        .map(|n| format!(", {} rows", count(n)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "Total: {at_most}{}, {} ({} to fetch){rows}",
        files(plan.num_files as usize),
        format_bytes(plan.total_bytes),
        format_bytes(plan.download_bytes)
    );
    let free = match (plan.free_bytes, plan.cache_free_bytes) {
        (Some(free), Some(cache)) => format!(
            "{} free for the data, {} for the HF cache",
            format_bytes(free),
            format_bytes(cache)
        ),
        (Some(free), None) => format!("{} free", format_bytes(free)),
        _ => "free space unknown".into(),
    };
    let _ = writeln!(
        out,
        "Disk: download {}{}, conversion {}, later tokenization {} — {at_most}{} needed, {free}",
        format_bytes(plan.download_peak_bytes),
        if plan.keep_hub_files {
            " (kept in the HF cache)"
        } else {
            " at a time (each file removed once converted)"
        },
        format_bytes(plan.conversion_bytes),
        format_bytes(plan.tokenization_bytes),
        format_bytes(plan.needed_bytes)
    );
    if plan.free_bytes.is_some_and(|free| free < plan.needed_bytes) {
        let _ = writeln!(
            out,
            "Not enough space: free some, narrow the download (--include, --rows) or choose another data folder."
        );
    }
    out.push_str("Dry run: nothing was downloaded or registered.\n");
    out
}
