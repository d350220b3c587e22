//! Reading a dataset's rows: pages at any offset, full-text search and a text-length filter,
//! straight from the canonical Arrow files. A split's index (how many rows each record batch
//! holds) comes from the files' metadata alone, so a page costs one batch read.

use crate::error::{Error, Result};
use arrow::array::{Array, RecordBatch, StringArray};
use arrow::ipc::reader::FileReader;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub const MAX_PAGE: u32 = 500;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SamplesQuery {
    pub dataset_id: String,
    /// One split; all splits, in order, when `None`.
    pub split: Option<String>,
    pub offset: u64,
    pub limit: u32,
    /// Case-insensitive text to find in the text column.
    pub search: Option<String>,
    /// Only rows whose text has at least / at most this many characters.
    pub min_chars: Option<u64>,
    pub max_chars: Option<u64>,
    /// Only rows whose length in tokens under this tokenization (before truncation or
    /// packing) is within `min_tokens..=max_tokens`.
    pub tokenization_id: Option<String>,
    pub min_tokens: Option<u64>,
    pub max_tokens: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Sample {
    pub split: String,
    /// The row's index within its split.
    pub index: u64,
    /// Column name → value, as JSON.
    pub fields: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SamplesPage {
    /// Rows in the selection (matching rows when searching or filtering).
    pub total: u64,
    pub offset: u64,
    pub samples: Vec<Sample>,
    pub text_column: Option<String>,
}

/// Where each record batch of a split starts.
struct Batch {
    file: PathBuf,
    index: usize,
    first_row: u64,
    rows: u64,
}

/// Row counts of the record batches of one IPC file, from the footer and the batch headers
/// only (no data is read).
fn batch_rows(path: &Path) -> Result<Vec<u64>> {
    let corrupt = |what: &str| {
        Error::Corrupt(format!(
            "{} is not readable Arrow data ({what})",
            path.display()
        ))
    };
    let io = |e| Error::io(format!("reading {}", path.display()), e);
    let mut f = File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    if len < 10 {
        return Err(corrupt("too short"));
    }
    let mut tail = [0u8; 10];
    f.seek(SeekFrom::Start(len - 10)).map_err(io)?;
    f.read_exact(&mut tail).map_err(io)?;
    if &tail[4..] != b"ARROW1" {
        return Err(corrupt("no footer"));
    }
    let footer_len = i32::from_le_bytes(tail[..4].try_into().expect("4 bytes")) as u64;
    if footer_len + 10 > len {
        return Err(corrupt("bad footer length"));
    }
    let mut footer = vec![0u8; footer_len as usize];
    f.seek(SeekFrom::Start(len - 10 - footer_len)).map_err(io)?;
    f.read_exact(&mut footer).map_err(io)?;
    let footer = arrow::ipc::root_as_footer(&footer).map_err(|_| corrupt("bad footer"))?;
    let mut rows = Vec::new();
    for block in footer.recordBatches().into_iter().flatten() {
        let mut meta = vec![0u8; block.metaDataLength() as usize];
        f.seek(SeekFrom::Start(block.offset() as u64)).map_err(io)?;
        f.read_exact(&mut meta).map_err(io)?;
        // A continuation marker and a length come before the flatbuffer.
        let body = if meta.len() >= 8 && meta[..4] == [0xff; 4] {
            &meta[8..]
        } else {
            &meta[4..]
        };
        let message = arrow::ipc::root_as_message(body).map_err(|_| corrupt("bad batch header"))?;
        let batch = message
            .header_as_record_batch()
            .ok_or_else(|| corrupt("a block that is not a record batch"))?;
        rows.push(batch.length() as u64);
    }
    Ok(rows)
}

fn split_index(split_dir: &Path) -> Result<Vec<Batch>> {
    let mut out = Vec::new();
    let mut first_row = 0;
    for file in crate::tokenize::source::split_files(split_dir)? {
        for (index, rows) in batch_rows(&file)?.into_iter().enumerate() {
            out.push(Batch {
                file: file.clone(),
                index,
                first_row,
                rows,
            });
            first_row += rows;
        }
    }
    Ok(out)
}

fn read_batch(batch: &Batch) -> Result<RecordBatch> {
    let file = File::open(&batch.file)
        .map_err(|e| Error::io(format!("opening {}", batch.file.display()), e))?;
    let mut reader = FileReader::try_new(file, None)
        .map_err(|e| Error::Corrupt(format!("{}: {e}", batch.file.display())))?;
    reader
        .set_index(batch.index)
        .map_err(|e| Error::Corrupt(format!("{}: {e}", batch.file.display())))?;
    reader
        .next()
        .ok_or_else(|| {
            Error::Corrupt(format!(
                "{} has fewer batches than its footer says",
                batch.file.display()
            ))
        })?
        .map_err(|e| Error::Corrupt(format!("{}: {e}", batch.file.display())))
}

fn to_json_rows(batch: &RecordBatch) -> Result<Vec<serde_json::Value>> {
    let mut writer = arrow::json::ArrayWriter::new(Vec::new());
    writer
        .write_batches(&[batch])
        .and_then(|()| writer.finish())
        .map_err(|e| Error::Internal(format!("rendering rows: {e}")))?;
    let bytes = writer.into_inner();
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_slice(&bytes).map_err(|e| Error::Internal(format!("rendering rows: {e}")))
}

/// A case-insensitive matcher for the search text, and the length filters.
struct Selection {
    search: Option<regex::bytes::Regex>,
    min_chars: Option<u64>,
    max_chars: Option<u64>,
    /// The tokenization's folder, when filtering by token length.
    token_lengths: Option<PathBuf>,
    min_tokens: Option<u64>,
    max_tokens: Option<u64>,
}

fn check_range(what: &str, min: Option<u64>, max: Option<u64>) -> Result<()> {
    match (min, max) {
        (Some(a), Some(b)) if a > b => Err(Error::invalid(format!(
            "the minimum {what} ({a}) is above the maximum ({b})"
        ))),
        _ => Ok(()),
    }
}

/// Each row's length in tokens, from the tokenization's sidecar file.
fn read_token_lengths(tokenization_dir: &Path, split: &str, rows: u64) -> Result<Vec<u32>> {
    let path = crate::tokenize::pipeline::sample_lengths_file(tokenization_dir, split);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::invalid(
            "this tokenization has no per-row token lengths (it was made by an older version); \
                 tokenize the dataset again to filter by token length",
        )),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    if bytes.len() as u64 != rows * 4 {
        return Err(Error::Corrupt(format!(
            "{} holds {} lengths for a split of {rows} rows; tokenize the dataset again",
            path.display(),
            bytes.len() / 4
        )));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect())
}

impl Selection {
    fn new(q: &SamplesQuery, token_lengths: Option<PathBuf>) -> Result<Selection> {
        let search = match q.search.as_deref().filter(|s| !s.is_empty()) {
            Some(text) => Some(
                regex::bytes::RegexBuilder::new(&regex::escape(text))
                    .case_insensitive(true)
                    .build()
                    .map_err(|e| Error::invalid(format!("the search text cannot be used: {e}")))?,
            ),
            None => None,
        };
        check_range("length", q.min_chars, q.max_chars)?;
        check_range("token length", q.min_tokens, q.max_tokens)?;
        let by_tokens = q.min_tokens.is_some() || q.max_tokens.is_some();
        if by_tokens && token_lengths.is_none() {
            return Err(Error::invalid(
                "choose a tokenization to filter rows by token length",
            ));
        }
        Ok(Selection {
            search,
            min_chars: q.min_chars,
            max_chars: q.max_chars,
            token_lengths: token_lengths.filter(|_| by_tokens),
            min_tokens: q.min_tokens,
            max_tokens: q.max_tokens,
        })
    }

    fn is_all(&self) -> bool {
        self.search.is_none()
            && self.min_chars.is_none()
            && self.max_chars.is_none()
            && self.token_lengths.is_none()
    }

    /// Indices of the rows of `texts` that are selected; `tokens` holds the rows' token
    /// lengths when filtering by them.
    fn select(&self, texts: &StringArray, tokens: Option<&[u32]>) -> Vec<usize> {
        let candidates = match &self.search {
            Some(re) => matching_rows(re, texts),
            None => (0..texts.len()).collect(),
        };
        candidates
            .into_iter()
            .filter(|&i| {
                if let Some(tokens) = tokens {
                    let n = u64::from(tokens[i]);
                    if self.min_tokens.is_some_and(|m| n < m)
                        || self.max_tokens.is_some_and(|m| n > m)
                    {
                        return false;
                    }
                }
                if self.min_chars.is_some() || self.max_chars.is_some() {
                    let text = if texts.is_null(i) { "" } else { texts.value(i) };
                    let n = text.chars().count() as u64;
                    if self.min_chars.is_some_and(|m| n < m)
                        || self.max_chars.is_some_and(|m| n > m)
                    {
                        return false;
                    }
                }
                true
            })
            .collect()
    }
}

/// A canonical file mapped into memory, so a scan reads its text straight from the page cache
/// instead of copying it. Canonical files are never changed in place (a re-ingest writes new
/// files and renames them over), so the mapping stays valid while it is held.
struct MappedFile {
    buffer: arrow::buffer::Buffer,
    blocks: Vec<arrow::ipc::Block>,
    schema: arrow::datatypes::SchemaRef,
    version: arrow::ipc::MetadataVersion,
}

impl MappedFile {
    fn open(path: &Path) -> Result<MappedFile> {
        let corrupt =
            |what: &dyn std::fmt::Display| Error::Corrupt(format!("{}: {what}", path.display()));
        let file =
            File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        // SAFETY: see the type's comment: nothing writes to a canonical file once it is ready.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| Error::io(format!("mapping {}", path.display()), e))?;
        let buffer = arrow::buffer::Buffer::from(bytes::Bytes::from_owner(map));
        if buffer.len() < 10 {
            return Err(corrupt(&"too short to be Arrow data"));
        }
        let trailer = buffer.len() - 10;
        let footer_len =
            arrow::ipc::reader::read_footer_length(buffer[trailer..].try_into().expect("10 bytes"))
                .map_err(|e| corrupt(&e))?;
        if footer_len > trailer {
            return Err(corrupt(&"bad footer length"));
        }
        let footer = arrow::ipc::root_as_footer(&buffer[trailer - footer_len..trailer])
            .map_err(|e| corrupt(&e))?;
        let schema = footer
            .schema()
            .map(arrow::ipc::convert::fb_to_schema)
            .ok_or_else(|| corrupt(&"no schema"))?;
        Ok(MappedFile {
            blocks: footer
                .recordBatches()
                .map(|b| b.iter().copied().collect())
                .unwrap_or_default(),
            schema: std::sync::Arc::new(schema),
            version: footer.version(),
            buffer,
        })
    }

    /// One column of one record batch, as UTF-8.
    fn text_column(&self, path: &Path, batch: usize, column: &str) -> Result<StringArray> {
        let corrupt =
            |what: &dyn std::fmt::Display| Error::Corrupt(format!("{}: {what}", path.display()));
        let col = self.schema.index_of(column).map_err(|_| {
            Error::invalid(format!("{} has no column \"{column}\"", path.display()))
        })?;
        let block = self
            .blocks
            .get(batch)
            .ok_or_else(|| corrupt(&"fewer batches than its footer says"))?;
        let len = block.metaDataLength() as usize + block.bodyLength() as usize;
        let offset = block.offset() as usize;
        if offset + len > self.buffer.len() {
            return Err(corrupt(&"a batch runs past the end of the file"));
        }
        let data = self.buffer.slice_with_length(offset, len);
        let read = arrow::ipc::reader::FileDecoder::new(self.schema.clone(), self.version)
            .with_projection(vec![col])
            .read_record_batch(block, &data)
            .map_err(|e| corrupt(&e))?
            .ok_or_else(|| corrupt(&"a block that is not a record batch"))?;
        crate::ingest::column_as_text(read.column(0), column)
    }
}

/// Rows of `texts` that hold a match: one pass of the matcher over the batch's whole value
/// buffer, not one call per row; a match that runs from one row into the next is not one.
fn matching_rows(re: &regex::bytes::Regex, texts: &StringArray) -> Vec<usize> {
    let offsets = texts.value_offsets();
    let values = texts.value_data();
    let (first, last) = (offsets[0] as usize, offsets[texts.len()] as usize);
    let haystack = &values[..last];
    let mut rows = Vec::new();
    let mut at = first;
    while let Some(m) = re.find_at(haystack, at) {
        // The row holding the match's first byte.
        let row = offsets.partition_point(|&o| o as usize <= m.start()) - 1;
        let row_end = offsets[row + 1] as usize;
        if m.end() <= row_end {
            if !texts.is_null(row) {
                rows.push(row);
            }
            at = row_end;
        } else {
            // Across a row boundary: look again just after where this one started.
            at = m.start() + 1;
        }
        if at >= last {
            break;
        }
    }
    rows
}

/// A few recent selections, so paging through a search's results reads only each page.
type SelectionKey = String;
static RECENT_SELECTIONS: std::sync::Mutex<Vec<(SelectionKey, std::sync::Arc<Vec<u32>>)>> =
    std::sync::Mutex::new(Vec::new());
const RECENT_SELECTIONS_KEPT: usize = 4;

/// Drops the remembered selections, so the next search scans again (for benchmarks).
pub fn forget_recent_selections() {
    RECENT_SELECTIONS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
}

/// The rows of one split the selection keeps, in order.
fn selected_rows(
    split_dir: &Path,
    split: &str,
    index: &[Batch],
    column: &str,
    selection: &Selection,
) -> Result<std::sync::Arc<Vec<u32>>> {
    use rayon::prelude::*;
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
    let key = format!(
        "{}\0{column}\0{:?}\0{:?}\0{:?}\0{tokens_stamp}\0{:?}\0{:?}",
        split_dir.display(),
        selection.search.as_ref().map(|r| r.as_str()),
        selection.min_chars,
        selection.max_chars,
        selection.min_tokens,
        selection.max_tokens,
    );
    {
        let recent = RECENT_SELECTIONS.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, rows)) = recent.iter().find(|(k, _)| k == &key) {
            return Ok(rows.clone());
        }
    }
    let token_lengths = match &selection.token_lengths {
        Some(dir) => Some(read_token_lengths(
            dir,
            split,
            index.iter().map(|b| b.rows).sum(),
        )?),
        None => None,
    };
    let mut mapped: Vec<(PathBuf, MappedFile)> = Vec::new();
    for b in index {
        if !mapped.iter().any(|(p, _)| p == &b.file) {
            mapped.push((b.file.clone(), MappedFile::open(&b.file)?));
        }
    }
    let per_batch: Vec<Vec<u32>> = index
        .par_iter()
        .map(|b| {
            let (_, file) = mapped
                .iter()
                .find(|(p, _)| p == &b.file)
                .expect("mapped above");
            let texts = file.text_column(&b.file, b.index, column)?;
            let tokens = token_lengths
                .as_deref()
                .map(|l| &l[b.first_row as usize..(b.first_row + b.rows) as usize]);
            Ok(selection
                .select(&texts, tokens)
                .into_iter()
                .map(|i| (b.first_row + i as u64) as u32)
                .collect())
        })
        .collect::<Result<_>>()?;
    let rows = std::sync::Arc::new(per_batch.concat());
    let mut recent = RECENT_SELECTIONS.lock().unwrap_or_else(|p| p.into_inner());
    recent.retain(|(k, _)| k != &key);
    recent.insert(0, (key, rows.clone()));
    recent.truncate(RECENT_SELECTIONS_KEPT);
    Ok(rows)
}

/// One page of rows of the named splits (in order), as the query selects them.
/// `tokenization_dir` is the chosen tokenization's folder (for the token-length filter).
pub fn page(
    data_dir: &Path,
    splits: &[String],
    text_column: Option<&str>,
    tokenization_dir: Option<&Path>,
    q: &SamplesQuery,
) -> Result<SamplesPage> {
    let limit = q.limit.clamp(1, MAX_PAGE) as u64;
    let selection = Selection::new(q, tokenization_dir.map(Path::to_path_buf))?;
    let mut samples = Vec::new();
    let mut total = 0u64;
    if !selection.is_all() && text_column.is_none() {
        return Err(Error::invalid(
            "this dataset has no text column to search or filter by length",
        ));
    }
    for split in splits {
        let index = split_index(&data_dir.join(split))?;
        if selection.is_all() {
            let rows: u64 = index.iter().map(|b| b.rows).sum();
            // Only the batches that hold the page are read.
            for b in &index {
                let g = total + b.first_row;
                let lo = g.max(q.offset);
                let hi = (g + b.rows).min(q.offset + limit);
                if lo >= hi {
                    continue;
                }
                let batch = read_batch(b)?;
                let from = lo - g;
                let rows = to_json_rows(&batch.slice(from as usize, (hi - lo) as usize))?;
                for (k, fields) in rows.into_iter().enumerate() {
                    samples.push(Sample {
                        split: split.clone(),
                        index: b.first_row + from + k as u64,
                        fields,
                    });
                }
            }
            total += rows;
            continue;
        }
        // Searching or filtering selects rows from the text column of every batch (in
        // parallel, every match counted), then reads whole rows only for the page.
        let column = text_column.expect("checked above");
        let hits = selected_rows(&data_dir.join(split), split, &index, column, &selection)?;
        let n = hits.len() as u64;
        let lo = q.offset.saturating_sub(total).min(n) as usize;
        let hi = (q.offset + limit).saturating_sub(total).min(n) as usize;
        total += n;
        let wanted = &hits[lo..hi];
        for b in &index {
            let mine: Vec<u64> = wanted
                .iter()
                .map(|&r| u64::from(r))
                .filter(|r| (b.first_row..b.first_row + b.rows).contains(r))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let batch = read_batch(b)?;
            for r in mine {
                let fields = to_json_rows(&batch.slice((r - b.first_row) as usize, 1))?;
                samples.push(Sample {
                    split: split.clone(),
                    index: r,
                    fields: fields.into_iter().next().unwrap_or(serde_json::Value::Null),
                });
            }
        }
    }
    Ok(SamplesPage {
        total,
        offset: q.offset,
        samples,
        text_column: text_column.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ingest, SplitInput};
    use tokio_util::sync::CancellationToken;

    const WORDS: &[&str] = &[
        "alpha", "Café", "CAFÉ", "東京", "beta", "needle", "Straße", "x",
    ];

    fn text(split: usize, i: usize) -> String {
        let mut t = format!("row {i} of split {split}:");
        for k in 0..(i % 7) {
            t.push(' ');
            t.push_str(WORDS[(i * 31 + k * 7 + split) % WORDS.len()]);
        }
        t
    }

    /// `train` with 20,000 rows (three record batches), `test` with 50.
    fn dataset(dir: &Path) -> (PathBuf, Vec<Vec<String>>) {
        let sizes = [20_000, 50];
        let mut all = Vec::new();
        let mut inputs = Vec::new();
        for (s, (name, n)) in ["train", "test"].iter().zip(sizes).enumerate() {
            let texts: Vec<String> = (0..n).map(|i| text(s, i)).collect();
            let body: String = texts
                .iter()
                .enumerate()
                .map(|(i, t)| serde_json::json!({"id": i, "text": t}).to_string() + "\n")
                .collect();
            let path = dir.join(format!("{name}.jsonl"));
            std::fs::write(&path, body).unwrap();
            inputs.push(SplitInput {
                name: name.to_string(),
                files: vec![path],
                ..Default::default()
            });
            all.push(texts);
        }
        let data = dir.join("data");
        ingest(&inputs, &data, &CancellationToken::new(), &mut |_, _| {}).unwrap();
        (data, all)
    }

    fn q(offset: u64, limit: u32) -> SamplesQuery {
        SamplesQuery {
            offset,
            limit,
            ..SamplesQuery::default()
        }
    }

    fn splits(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_index_comes_from_the_metadata_and_adds_up() {
        let dir = tempfile::tempdir().unwrap();
        let (data, _) = dataset(dir.path());
        let index = split_index(&data.join("train")).unwrap();
        assert!(index.len() >= 3, "{} batches", index.len());
        assert_eq!(index.iter().map(|b| b.rows).sum::<u64>(), 20_000);
    }

    #[test]
    fn pages_at_the_edges() {
        let dir = tempfile::tempdir().unwrap();
        let (data, texts) = dataset(dir.path());
        let train = splits(&["train"]);
        let text_of = |s: &Sample| s.fields["text"].as_str().unwrap().to_string();

        let first = page(&data, &train, Some("text"), None, &q(0, 20)).unwrap();
        assert_eq!(first.total, 20_000);
        assert_eq!(first.samples.len(), 20);
        assert_eq!(text_of(&first.samples[0]), texts[0][0]);
        assert_eq!(first.samples[0].fields["id"], 0);

        // Across the boundary of two record batches.
        let across = page(&data, &train, Some("text"), None, &q(8190, 5)).unwrap();
        let got: Vec<u64> = across.samples.iter().map(|s| s.index).collect();
        assert_eq!(got, vec![8190, 8191, 8192, 8193, 8194]);
        for s in &across.samples {
            assert_eq!(text_of(s), texts[0][s.index as usize]);
        }

        let last = page(&data, &train, Some("text"), None, &q(19_997, 20)).unwrap();
        assert_eq!(last.samples.len(), 3);
        assert_eq!(last.samples[2].index, 19_999);

        let past = page(&data, &train, Some("text"), None, &q(25_000, 20)).unwrap();
        assert!(past.samples.is_empty());
        assert_eq!(past.total, 20_000);

        // All splits run on from one into the next.
        let both = page(
            &data,
            &splits(&["train", "test"]),
            Some("text"),
            None,
            &q(19_998, 4),
        )
        .unwrap();
        assert_eq!(both.total, 20_050);
        let got: Vec<(String, u64)> = both
            .samples
            .iter()
            .map(|s| (s.split.clone(), s.index))
            .collect();
        assert_eq!(
            got,
            vec![
                ("train".into(), 19_998),
                ("train".into(), 19_999),
                ("test".into(), 0),
                ("test".into(), 1)
            ]
        );
    }

    #[test]
    fn an_empty_split_has_no_pages_and_no_matches() {
        use arrow::datatypes::{DataType, Field, Schema};
        let dir = tempfile::tempdir().unwrap();
        let (data, _) = dataset(dir.path());
        let empty = data.join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let schema = Schema::new(vec![Field::new("text", DataType::Utf8, true)]);
        let file = File::create(empty.join("data-00000-of-00001.arrow")).unwrap();
        arrow::ipc::writer::FileWriter::try_new(file, &schema)
            .unwrap()
            .finish()
            .unwrap();
        let only = splits(&["empty"]);
        let p = page(&data, &only, Some("text"), None, &q(0, 20)).unwrap();
        assert_eq!((p.total, p.samples.len()), (0, 0));
        let searched = SamplesQuery {
            search: Some("row".into()),
            ..q(0, 20)
        };
        let p = page(&data, &only, Some("text"), None, &searched).unwrap();
        assert_eq!((p.total, p.samples.len()), (0, 0));
        // Between two splits it adds nothing.
        let p = page(
            &data,
            &splits(&["train", "empty", "test"]),
            Some("text"),
            None,
            &q(19_999, 2),
        )
        .unwrap();
        assert_eq!(p.total, 20_050);
        let got: Vec<&str> = p.samples.iter().map(|s| s.split.as_str()).collect();
        assert_eq!(got, ["train", "test"]);
    }

    #[test]
    fn a_match_across_two_rows_is_not_a_match() {
        let texts = StringArray::from(vec![
            Some("ends with ne"),
            Some("edle starts"),
            None,
            Some(""),
            Some("a NEEDLE here"),
            Some("needleneedle"),
        ]);
        let re = regex::bytes::RegexBuilder::new("needle")
            .case_insensitive(true)
            .build()
            .unwrap();
        assert_eq!(matching_rows(&re, &texts), vec![4, 5]);
        // The same on a slice (offsets that do not start at zero).
        assert_eq!(matching_rows(&re, &texts.slice(1, 5)), vec![3, 4]);
        let re = regex::bytes::RegexBuilder::new("nee")
            .case_insensitive(true)
            .build()
            .unwrap();
        assert_eq!(matching_rows(&re, &texts), vec![4, 5]);
    }

    #[test]
    fn search_finds_exactly_the_rows_a_naive_scan_finds() {
        let dir = tempfile::tempdir().unwrap();
        let (data, texts) = dataset(dir.path());
        let both = splits(&["train", "test"]);
        for needle in [
            "café",
            "東京",
            "NEEDLE",
            "row 1999 ",
            "straße",
            "no such text",
        ] {
            let want: Vec<(usize, usize)> = texts
                .iter()
                .enumerate()
                .flat_map(|(s, t)| {
                    t.iter()
                        .enumerate()
                        .filter(|(_, x)| x.to_lowercase().contains(&needle.to_lowercase()))
                        .map(move |(i, _)| (s, i))
                })
                .collect();
            let mut got = Vec::new();
            let mut offset = 0;
            loop {
                let p = page(
                    &data,
                    &both,
                    Some("text"),
                    None,
                    &SamplesQuery {
                        search: Some(needle.into()),
                        offset,
                        limit: 500,
                        ..SamplesQuery::default()
                    },
                )
                .unwrap();
                assert_eq!(p.total as usize, want.len(), "{needle}: total");
                if p.samples.is_empty() {
                    break;
                }
                offset += p.samples.len() as u64;
                got.extend(
                    p.samples
                        .iter()
                        .map(|s| (usize::from(s.split == "test"), s.index as usize)),
                );
            }
            assert_eq!(got, want, "{needle}");
        }
    }

    #[test]
    fn the_length_filter_matches_a_naive_count_and_bad_ranges_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (data, texts) = dataset(dir.path());
        let query = SamplesQuery {
            min_chars: Some(30),
            max_chars: Some(40),
            limit: 10,
            ..SamplesQuery::default()
        };
        let p = page(&data, &splits(&["train"]), Some("text"), None, &query).unwrap();
        let want = texts[0]
            .iter()
            .filter(|t| (30..=40).contains(&t.chars().count()))
            .count();
        assert_eq!(p.total as usize, want);
        assert!(p.samples.iter().all(|s| {
            let n = s.fields["text"].as_str().unwrap().chars().count();
            (30..=40).contains(&n)
        }));
        let e = page(
            &data,
            &splits(&["train"]),
            Some("text"),
            None,
            &SamplesQuery {
                min_chars: Some(50),
                max_chars: Some(10),
                ..SamplesQuery::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
    }
}
