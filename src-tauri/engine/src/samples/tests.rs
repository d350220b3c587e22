//! Pages, search and the length filters against naive counts, on data the ingest wrote; and
//! damaged files (cut short, lengths and offsets that are negative or do not fit), each
//! reported as Corrupt naming the file, by the index, a page, a search and the mapped reader.

use super::index::{batch_rows, split_index};
use super::mapped::MappedFile;
use super::*;
use crate::ingest::{ingest, SplitInput};
use crate::ErrorKind;
use arrow::array::{RecordBatch, StringArray};
use std::fs::File;
use std::path::PathBuf;
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
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[test]
fn an_offset_at_the_end_of_the_range_is_past_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _) = small_split(dir.path());
    let train = splits(&["train"]);
    let searched = SamplesQuery {
        search: Some("row".into()),
        ..q(u64::MAX, MAX_PAGE)
    };
    for query in [q(u64::MAX, MAX_PAGE), q(u64::MAX - 1, 2), searched] {
        let p = page(&data, &train, Some("text"), None, &query).unwrap();
        assert_eq!((p.total, p.samples.len()), (6, 0), "{query:?}");
    }
}

// Damaged files. A canonical file sits in a data folder that may be shared, so it can be cut
// short or changed under the engine; whatever its bytes, reading it gives Corrupt.

/// A split `train` of one canonical file holding two record batches of three rows (`id`,
/// `text`); the data folder and the file.
fn small_split(dir: &Path) -> (PathBuf, PathBuf) {
    use arrow::array::Int64Array;
    use arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;
    let data = dir.join("data");
    std::fs::create_dir_all(data.join("train")).unwrap();
    let path = data.join("train").join("data-00000-of-00001.arrow");
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("text", DataType::Utf8, true),
    ]));
    let mut writer =
        arrow::ipc::writer::FileWriter::try_new(File::create(&path).unwrap(), &schema).unwrap();
    for b in 0..2i64 {
        let ids = Int64Array::from_iter_values((0..3).map(|i| b * 3 + i));
        let texts = StringArray::from_iter_values(
            (0..3).map(|i| format!("row {} of the small split", b * 3 + i)),
        );
        let batch =
            RecordBatch::try_new(schema.clone(), vec![Arc::new(ids), Arc::new(texts)]).unwrap();
        writer.write(&batch).unwrap();
    }
    writer.finish().unwrap();
    (data, path)
}

/// Where the footer of an IPC file's bytes lies.
fn footer_of(bytes: &[u8]) -> std::ops::Range<usize> {
    let end = bytes.len() - 10;
    let len = i32::from_le_bytes(bytes[end..end + 4].try_into().unwrap());
    end - usize::try_from(len).unwrap()..end
}

/// Where `inside` (a flatbuffer struct read from `bytes`) lies in `bytes`.
fn position<T>(bytes: &[u8], inside: &T) -> usize {
    inside as *const T as usize - bytes.as_ptr() as usize
}

/// Where the footer's entry for record batch `i` is in the file (a Block: the offset as an
/// i64, the header length as an i32, four bytes of padding, the body length as an i64), and
/// the entry.
fn block_entry(bytes: &[u8], i: usize) -> (usize, arrow::ipc::Block) {
    let footer = arrow::ipc::root_as_footer(&bytes[footer_of(bytes)]).unwrap();
    let block = footer.recordBatches().unwrap().get(i);
    (position(bytes, block), *block)
}

/// Where the header of record batch `i` keeps its row count (an i64), and its last buffer (the
/// text column's values: the offset and the length as i64s), in the file.
fn header_fields(bytes: &[u8], i: usize) -> (usize, usize) {
    let (_, block) = block_entry(bytes, i);
    let start = usize::try_from(block.offset()).unwrap();
    let meta_len = usize::try_from(block.metaDataLength()).unwrap();
    // After the continuation marker and the flatbuffer's length.
    let flatbuffer = &bytes[start + 8..start + meta_len];
    let message = arrow::ipc::root_as_message(flatbuffer).unwrap();
    let batch = message.header_as_record_batch().unwrap();
    let table = batch._tab;
    let length_at = position(bytes, &table.buf()[0])
        + table.loc()
        + usize::from(table.vtable().get(arrow::ipc::RecordBatch::VT_LENGTH));
    assert_eq!(
        bytes[length_at..length_at + 8],
        3i64.to_le_bytes(),
        "found the row count"
    );
    let buffers = batch.buffers().unwrap();
    (length_at, position(bytes, buffers.get(buffers.len() - 1)))
}

fn patched(bytes: &[u8], at: usize, with: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at..at + with.len()].copy_from_slice(with);
    out
}

/// The error is Corrupt and names the file, what is wrong and the fix.
#[track_caller]
fn assert_damaged(e: Error, file: &Path, what: &str, case: &str) {
    let message = e.to_string();
    assert_eq!(e.kind(), ErrorKind::Corrupt, "{case}: {message}");
    assert!(
        message.contains(&file.display().to_string()),
        "{case}: the file is named: {message}"
    );
    assert!(message.contains(what), "{case}: says {what:?}: {message}");
    assert!(
        message
            .contains("the file is damaged — delete the dataset and download or import it again"),
        "{case}: gives the fix: {message}"
    );
}

/// Each damaged copy of the small split's file, read every way the engine reads it: the
/// index, a page, a search (the mapped reader, after the index), and the mapped reader alone,
/// asked for record batch `batch` (the damaged one).
fn each_way_is_corrupt(cases: Vec<(&str, Vec<u8>, &str)>, batch: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (data, file) = small_split(dir.path());
    let train = splits(&["train"]);
    let searched = SamplesQuery {
        search: Some("row".into()),
        ..q(0, 20)
    };
    // The cases are damaged copies of this file: `small_split` writes the same bytes each time.
    for (case, bytes, what) in cases {
        std::fs::write(&file, &bytes).unwrap();
        forget_recent_selections();
        assert_damaged(batch_rows(&file).unwrap_err(), &file, what, case);
        for query in [q(0, 20), searched.clone()] {
            let e = page(&data, &train, Some("text"), None, &query).unwrap_err();
            assert_damaged(e, &file, what, case);
        }
        let e = MappedFile::open(&file)
            .and_then(|m| m.text_column(&file, batch, "text"))
            .unwrap_err();
        assert_damaged(e, &file, what, &format!("{case}, mapped"));
    }
}

#[test]
fn the_small_split_reads_every_way() {
    let dir = tempfile::tempdir().unwrap();
    let (data, file) = small_split(dir.path());
    assert_eq!(batch_rows(&file).unwrap(), vec![3, 3]);
    let p = page(&data, &splits(&["train"]), Some("text"), None, &q(2, 2)).unwrap();
    assert_eq!(p.samples[1].fields["text"], "row 3 of the small split");
    let mapped = MappedFile::open(&file).unwrap();
    assert_eq!(
        mapped.text_column(&file, 1, "text").unwrap().value(2),
        "row 5 of the small split"
    );
    // The helpers find what the other tests change.
    let bytes = std::fs::read(&file).unwrap();
    let (_, block) = block_entry(&bytes, 1);
    assert!(block.offset() > 0 && block.bodyLength() > 0);
    header_fields(&bytes, 1);
}

#[test]
fn a_truncated_file_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = small_split(dir.path());
    let good = std::fs::read(&file).unwrap();
    let footer = footer_of(&good);
    // 64 bytes before the footer lost, the footer kept: the copy lost a piece in the middle.
    let mut holed = good[..footer.start - 64].to_vec();
    holed.extend_from_slice(&good[footer.start..]);
    each_way_is_corrupt(
        vec![
            ("empty", Vec::new(), "too short to be Arrow data (0 bytes)"),
            (
                "12 bytes",
                good[..12].to_vec(),
                "too short to be Arrow data",
            ),
            (
                "half",
                good[..good.len() / 2].to_vec(),
                "the Arrow footer is missing",
            ),
            (
                "one byte short",
                good[..good.len() - 1].to_vec(),
                "the Arrow footer is missing",
            ),
            (
                "the footer cut",
                good[..footer.end].to_vec(),
                "the Arrow footer is missing",
            ),
            ("a piece lost", holed, "outside the file's data"),
        ],
        1,
    );
}

#[test]
fn a_negative_footer_length_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = small_split(dir.path());
    let good = std::fs::read(&file).unwrap();
    let at = good.len() - 10;
    each_way_is_corrupt(
        [-1, -10, i32::MIN]
            .iter()
            .map(|n: &i32| {
                (
                    "negative",
                    patched(&good, at, &n.to_le_bytes()),
                    "the Arrow footer length is negative",
                )
            })
            .collect(),
        0,
    );
}

#[test]
fn a_footer_length_larger_than_the_file_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = small_split(dir.path());
    let good = std::fs::read(&file).unwrap();
    let at = good.len() - 10;
    let len = i32::try_from(good.len()).unwrap();
    each_way_is_corrupt(
        // Past the start of the file, the whole file, and into its first eight bytes.
        [len + 1, len, len - 17, i32::MAX]
            .iter()
            .map(|n: &i32| {
                (
                    "too long",
                    patched(&good, at, &n.to_le_bytes()),
                    "is larger than the file",
                )
            })
            .collect(),
        0,
    );
}

#[test]
fn a_block_with_negative_or_outside_lengths_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = small_split(dir.path());
    let good = std::fs::read(&file).unwrap();
    let (at, block) = block_entry(&good, 1);
    let (offset, meta_len, body_len) = (at, at + 8, at + 16);
    let len = i64::try_from(good.len()).unwrap();
    each_way_is_corrupt(
        vec![
            (
                "negative offset",
                patched(&good, offset, &(-8i64).to_le_bytes()),
                "a negative offset (-8)",
            ),
            (
                "negative header length",
                patched(&good, meta_len, &(-1i32).to_le_bytes()),
                "a negative header length (-1)",
            ),
            (
                "negative body length",
                patched(&good, body_len, &(-1i64).to_le_bytes()),
                "a negative body length (-1)",
            ),
            (
                "body past the end",
                patched(&good, body_len, &len.to_le_bytes()),
                "outside the file's data",
            ),
            (
                "lengths that overflow",
                patched(&good, body_len, &i64::MAX.to_le_bytes()),
                "outside the file's data",
            ),
            (
                "offset past the end",
                patched(&good, offset, &(len + 1).to_le_bytes()),
                "outside the file's data",
            ),
            (
                "offset in the file's head",
                patched(&good, offset, &2i64.to_le_bytes()),
                "outside the file's data",
            ),
            (
                "header too short",
                patched(&good, meta_len, &2i32.to_le_bytes()),
                "the header of record batch 1 is cut short",
            ),
        ],
        1,
    );
    assert!(block.metaDataLength() > 8);
}

#[test]
fn a_batch_header_with_a_negative_count_or_a_buffer_outside_its_body_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let (_, file) = small_split(dir.path());
    let good = std::fs::read(&file).unwrap();
    let (length_at, buffer_at) = header_fields(&good, 0);
    let (_, block) = block_entry(&good, 0);
    each_way_is_corrupt(
        vec![
            (
                "negative row count",
                patched(&good, length_at, &(-1i64).to_le_bytes()),
                "record batch 0 has a negative number of rows (-1)",
            ),
            (
                "buffer past the body",
                patched(
                    &good,
                    buffer_at + 8,
                    &(block.bodyLength() + 1).to_le_bytes(),
                ),
                "places a buffer",
            ),
            (
                "buffer at a negative offset",
                patched(&good, buffer_at, &(-64i64).to_le_bytes()),
                "places a buffer (at byte -64",
            ),
            (
                "buffer overflowing",
                patched(&good, buffer_at + 8, &i64::MAX.to_le_bytes()),
                "places a buffer",
            ),
        ],
        0,
    );
}
