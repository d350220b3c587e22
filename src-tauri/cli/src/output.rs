//! Human-readable output. Scripts should use `--json`.

use mistudio_engine::tokenize::Statistics;
use mistudio_engine::{Dataset, Job, JobStatus, Progress};
use mistudio_engine::{DatasetSource, DatasetStatus};
use mistudio_engine::{Tokenization, Tokenizer};
use std::fmt::Write;

/// Same units and rounding as the window.
pub fn format_bytes(bytes: i64) -> String {
    mistudio_engine::datasets::format_bytes(bytes.max(0).unsigned_abs())
}

fn status_name(status: DatasetStatus) -> &'static str {
    match status {
        DatasetStatus::Queued => "queued",
        DatasetStatus::Downloading => "downloading",
        DatasetStatus::Processing => "processing",
        DatasetStatus::Ready => "ready",
        DatasetStatus::Error => "error",
        DatasetStatus::Cancelled => "cancelled",
        DatasetStatus::Deleting => "deleting",
    }
}

fn source_name(d: &Dataset) -> String {
    match (d.source, &d.hf_repo_id) {
        (DatasetSource::HuggingFace, Some(repo)) => format!("hf:{repo}"),
        (DatasetSource::HuggingFace, None) => "hf".into(),
        (DatasetSource::Local, _) => "local".into(),
    }
}

pub fn datasets_table(datasets: &[Dataset], data_root: &str) -> String {
    if datasets.is_empty() {
        return format!("No datasets in {data_root}.\n");
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<36}  {:<11}  {:>12}  {:>10}  {:<30}  NAME",
        "ID", "STATUS", "SAMPLES", "SIZE", "SOURCE"
    );
    for d in datasets {
        let _ = writeln!(
            out,
            "{:<36}  {:<11}  {:>12}  {:>10}  {:<30}  {}",
            d.id,
            status_name(d.status),
            d.num_samples
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into()),
            d.size_bytes.map(format_bytes).unwrap_or_else(|| "-".into()),
            source_name(d),
            d.name
        );
    }
    out
}

pub fn dataset_details(d: &Dataset) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", d.name, d.id);
    let _ = writeln!(out, "  status:   {}", status_name(d.status));
    let _ = writeln!(out, "  source:   {}", source_name(d));
    if let Some(config) = &d.hf_config {
        let _ = writeln!(out, "  config:   {config}");
    }
    if let Some(n) = d.num_samples {
        let _ = writeln!(out, "  samples:  {n}");
    }
    if let Some(bytes) = d.size_bytes {
        let _ = writeln!(out, "  size:     {}", format_bytes(bytes));
    }
    if let Some(format) = &d.format {
        let _ = writeln!(out, "  format:   {format}");
    }
    for split in &d.splits {
        let _ = writeln!(out, "  split:    {} ({} rows)", split.name, split.num_rows);
    }
    if !d.columns.is_empty() {
        let cols: Vec<String> = d
            .columns
            .iter()
            .map(|c| {
                let marker = if d.text_column.as_deref() == Some(c.name.as_str()) {
                    " (text)"
                } else {
                    ""
                };
                format!("{}: {}{marker}", c.name, c.data_type)
            })
            .collect();
        let _ = writeln!(out, "  columns:  {}", cols.join(", "));
    }
    if let Some(subset) = &d.subset {
        out.push_str(&subset_details(subset));
    }
    if d.tokenization_count > 0 {
        let _ = writeln!(out, "  tokenizations: {}", d.tokenization_count);
    }
    if let Some(error) = &d.error {
        let _ = writeln!(out, "  error:    {error}");
    }
    out
}

pub fn job_status(job: &Job) -> String {
    let status = match job.status {
        JobStatus::Queued => "queued",
        JobStatus::Running => "running",
        JobStatus::Succeeded => "succeeded",
        JobStatus::Failed => "failed",
        JobStatus::Cancelled => "cancelled",
    };
    let mut text = status.to_string();
    if let Some(fraction) = job.progress.as_ref().and_then(Progress::fraction) {
        let _ = write!(text, " {:.0}%", fraction * 100.0);
    }
    if let Some(stage) = &job.stage {
        let _ = write!(text, " ({stage})");
    }
    if let Some(error) = &job.error {
        let _ = write!(text, ": {}", error.message);
    }
    text
}

pub fn jobs_table(jobs: &[Job]) -> String {
    if jobs.is_empty() {
        return "No jobs.\n".into();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<36}  {:<16}  {:<36}  STATUS",
        "ID", "KIND", "TARGET"
    );
    for job in jobs {
        let _ = writeln!(
            out,
            "{:<36}  {:<16}  {:<36}  {}",
            job.id,
            job.kind,
            job.target.as_deref().unwrap_or("-"),
            job_status(job)
        );
    }
    out
}

pub fn tokenizers_table(tokenizers: &[Tokenizer]) -> String {
    if tokenizers.is_empty() {
        return "No tokenizers yet: add one with `mistudio-cli tokenizer add REPO_ID|PATH`.\n"
            .into();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<36}  {:>8}  {:<28}  NAME",
        "ID", "VOCAB", "SPECIAL TOKENS"
    );
    for t in tokenizers {
        let s = &t.special_tokens;
        let special: Vec<String> = [
            ("bos", &s.bos),
            ("eos", &s.eos),
            ("pad", &s.pad),
            ("unk", &s.unk),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|t| format!("{k}={}", t.id)))
        .collect();
        let _ = writeln!(
            out,
            "{:<36}  {:>8}  {:<28}  {}",
            t.id,
            t.vocab_size
                .map(|v| v.to_string())
                .unwrap_or_else(|| "-".into()),
            special.join(" "),
            t.name
        );
    }
    out
}

pub fn tokenizations_table(all: &[Tokenization]) -> String {
    if all.is_empty() {
        return "No tokenizations yet: make one with `mistudio-cli tokenize DATASET --tokenizer T`.\n"
            .into();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<36}  {:<10}  {:>10}  {:<36}  SETTINGS",
        "ID", "STATUS", "ROWS", "TOKENIZER"
    );
    for tz in all {
        let rows = tz
            .statistics
            .as_ref()
            .map_or_else(|| "-".into(), |s| s.num_rows.to_string());
        let _ = writeln!(
            out,
            "{:<36}  {:<10}  {:>10}  {:<36}  {}",
            tz.id,
            format!("{:?}", tz.status).to_lowercase(),
            rows,
            tz.tokenizer_id,
            tz.settings.summary()
        );
    }
    out
}

pub fn tokenization_details(tz: &Tokenization) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({:?})", tz.id, tz.status);
    let _ = writeln!(out, "  dataset:   {}", tz.dataset_id);
    let _ = writeln!(out, "  tokenizer: {}", tz.tokenizer_id);
    let _ = writeln!(out, "  settings:  {}", tz.settings.summary());
    if let Some(s) = &tz.statistics {
        let _ = writeln!(out, "  rows:      {}", s.num_rows);
        let _ = writeln!(out, "  tokens:    {}", s.num_tokens);
        if let Some(e) = &s.encoder {
            let _ = writeln!(out, "  encoder:   {}", e.label());
        }
    }
    if let Some(bytes) = tz.size_bytes {
        let _ = writeln!(out, "  size:      {}", format_bytes(bytes));
    }
    if let Some(e) = &tz.error {
        let _ = writeln!(out, "  error:     {e}");
    }
    if !tz.path.is_empty() {
        let _ = writeln!(out, "  folder:    {}", tz.path);
    }
    out
}

pub fn statistics(tz: &Tokenization, s: &Statistics) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", tz.id, tz.settings.summary());
    let _ = writeln!(out, "  samples:          {}", s.num_samples);
    let _ = writeln!(out, "  rows:             {}", s.num_rows);
    let _ = writeln!(out, "  tokens:           {}", s.num_tokens);
    if let Some(e) = &s.encoder {
        let _ = writeln!(out, "  encoder:          {}", e.label());
    }
    let l = &s.seq_len;
    let _ = writeln!(
        out,
        "  row length:       min {} · mean {:.1} · median {} · p90 {} · p99 {} · max {}",
        l.min, l.mean, l.median, l.p90, l.p99, l.max
    );
    let _ = writeln!(out, "  truncated:        {}", s.truncated);
    let _ = writeln!(
        out,
        "  padding overhead: {:.1}%",
        s.padding_overhead * 100.0
    );
    let _ = writeln!(
        out,
        "  unique tokens:    {} of {}",
        s.unique_tokens, s.vocab_size
    );
    if s.dropped_tokens > 0 {
        let _ = writeln!(out, "  dropped (packing remainder): {}", s.dropped_tokens);
    }
    if s.filtered_short + s.filtered_long > 0 {
        let _ = writeln!(
            out,
            "  filtered:         {} too short, {} too long",
            s.filtered_short, s.filtered_long
        );
    }
    let top: Vec<String> = s
        .top_tokens
        .iter()
        .take(10)
        .map(|t| format!("{:?}×{}", t.piece, t.count))
        .collect();
    let _ = writeln!(out, "  top tokens:       {}", top.join(" "));
    out
}

pub fn samples(page: &mistudio_engine::samples::SamplesPage) -> String {
    let mut out = String::new();
    let shown = page.samples.len() as u64;
    let _ = writeln!(
        out,
        "rows {}–{} of {}",
        if shown == 0 {
            page.offset
        } else {
            page.offset + 1
        },
        page.offset + shown,
        page.total
    );
    for s in &page.samples {
        let text = page
            .text_column
            .as_deref()
            .and_then(|c| s.fields.get(c))
            .and_then(|v| v.as_str())
            .map(|t| t.replace('\n', " "))
            .unwrap_or_else(|| s.fields.to_string());
        let short: String = text.chars().take(160).collect();
        let more = if text.chars().count() > 160 {
            "…"
        } else {
            ""
        };
        let _ = writeln!(out, "#{} {}  {short}{more}", s.index, s.split);
    }
    out
}

pub fn text_statistics(t: &mistudio_engine::browse::TextStatistics) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Text lengths of {} (column \"{}\")",
        t.split
            .as_deref()
            .map_or("all splits".to_string(), |s| format!("split {s}")),
        t.text_column
    );
    let _ = writeln!(out, "  rows:             {}", t.num_rows);
    let _ = writeln!(
        out,
        "  empty rows:       {} ({} null)",
        t.empty_rows, t.null_rows
    );
    for (what, total, l) in [
        ("characters", t.total_chars, &t.chars),
        ("words", t.total_words, &t.words),
    ] {
        let _ = writeln!(
            out,
            "  {what:<11}       {total} in all · per row min {} · mean {:.1} · median {} · p90 {} · p99 {} · max {}",
            l.min, l.mean, l.median, l.p90, l.p99, l.max
        );
    }
    out
}

pub fn locks_table(locks: &[mistudio_engine::DataLock]) -> String {
    if locks.is_empty() {
        return "No other process is working in the data folder.\n".into();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<36}  {:<20}  {:>8}  {:<10}  DOING",
        "DATASET", "HOST", "PID", "STATE"
    );
    for l in locks {
        let state = match &l.stale {
            None => "busy".to_string(),
            Some(_) => "stale".to_string(),
        };
        let _ = writeln!(
            out,
            "{:<36}  {:<20}  {:>8}  {:<10}  {}{}",
            l.dataset_id,
            l.host,
            l.pid,
            state,
            l.purpose,
            l.stale
                .as_deref()
                .map(|why| format!(" ({why}; broken by the next job)"))
                .unwrap_or_default()
        );
    }
    out
}

/// A subset's lines of `show`: what part of the source the dataset holds.
fn subset_details(subset: &mistudio_engine::DatasetSubset) -> String {
    let mut out = String::new();
    let mut how = Vec::new();
    if let Some(rows) = &subset.rows_budget {
        how.push(format!("--rows {rows}"));
    }
    how.extend(subset.include.iter().map(|p| format!("--include {p:?}")));
    how.extend(subset.exclude.iter().map(|p| format!("--exclude {p:?}")));
    let _ = writeln!(out, "  subset:   {}", how.join(" "));
    for s in &subset.splits {
        let of_rows = s
            .of_rows
            .map(|total| format!(" of {total}"))
            .unwrap_or_default();
        let partial = if s.partial_files.is_empty() {
            String::new()
        } else {
            format!(", {} read in part", s.partial_files.len())
        };
        let _ = writeln!(
            out,
            "            {}: {} rows{of_rows}, {} of {} files{partial}",
            s.name,
            s.rows,
            s.files.len(),
            s.of_files
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::format_bytes;

    #[test]
    fn bytes_are_formatted_like_the_window() {
        assert_eq!(format_bytes(0), "0 B");
        assert_eq!(format_bytes(1023), "1023 B");
        assert_eq!(format_bytes(1536), "1.50 KB");
        assert_eq!(format_bytes(548_000_000), "522.61 MB");
    }
}
