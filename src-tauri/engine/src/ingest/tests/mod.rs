use super::*;
use crate::error::ErrorKind;

mod budget;
mod formats;
use arrow::array::{Array, ArrayRef, AsArray, Int64Array, LargeStringArray, StringArray};
use arrow::datatypes::{Field, Schema};
use arrow::record_batch::RecordBatch;
use std::fs::File;
use std::io::Write;
use std::sync::Arc;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/corpus.parquet")
}

fn split(name: &str, files: &[&Path]) -> SplitInput {
    SplitInput {
        name: name.into(),
        files: files.iter().map(|p| p.to_path_buf()).collect(),
        ..Default::default()
    }
}

fn run(inputs: &[SplitInput], dest: &Path) -> Result<IngestSummary> {
    ingest(inputs, dest, &CancellationToken::new(), &mut |_, _| {})
}

fn run_limited(inputs: &[SplitInput], dest: &Path, read: ReadLimits) -> Result<IngestSummary> {
    let limits = Limits {
        files: FILE_LIMITS,
        read,
    };
    ingest_with_limits(
        inputs,
        dest,
        &CancellationToken::new(),
        &mut |_, _| {},
        limits,
        &mut OnDisk,
    )
}

fn zstd_bytes(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

/// Plain, gzip and zstd copies of `bytes` as `dir/stem.ext[.gz|.zst]`.
fn three_ways(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Vec<PathBuf> {
    let plain = dir.join(format!("{stem}.{ext}"));
    let gz = dir.join(format!("{stem}.{ext}.gz"));
    let zst = dir.join(format!("{stem}.{ext}.zst"));
    write_bytes(&plain, bytes);
    write_bytes(&gz, &gzip(bytes));
    write_bytes(&zst, &zstd_bytes(bytes));
    vec![plain, gz, zst]
}

/// Asserts that `e` is of `kind`, that its message holds every part, and that nothing was left
/// at `dest` or beside it.
fn assert_failed(e: &Error, kind: ErrorKind, parts: &[&str], dest: &Path) {
    assert_eq!(e.kind(), kind, "{e}");
    let message = e.to_string();
    for part in parts {
        assert!(message.contains(part), "{part:?} missing from: {message}");
    }
    assert!(!dest.exists(), "{} exists", dest.display());
    assert!(leftovers(dest.parent().unwrap()).is_empty());
}

fn data_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn read_split(dir: &Path) -> Vec<RecordBatch> {
    let mut out = Vec::new();
    for path in data_files(dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("data-") && name.ends_with(".arrow"),
            "{name}"
        );
        let reader =
            arrow::ipc::reader::FileReader::try_new(File::open(&path).unwrap(), None).unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            assert!(batch.num_rows() <= BATCH_ROWS);
            out.push(batch);
        }
    }
    out
}

fn strings(batches: &[RecordBatch], column: &str) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            let array = b.column_by_name(column).unwrap().as_string::<i32>().clone();
            (0..array.len())
                .map(|i| array.is_valid(i).then(|| array.value(i).to_string()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = File::create(path).unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

fn batch(columns: Vec<(&str, ArrayRef, bool)>) -> RecordBatch {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a, nullable)| Field::new(*n, a.data_type().clone(), *nullable))
        .collect();
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns.into_iter().map(|(_, a, _)| a).collect(),
    )
    .unwrap()
}

fn jsonl(rows: usize) -> String {
    (0..rows)
        .map(|i| {
            format!(
                "{{\"id\": {i}, \"label\": \"l{}\", \"text\": \"row number {i}\"}}\n",
                i % 3
            )
        })
        .collect()
}

fn write_bytes(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn names(summary: &IngestSummary) -> Vec<(String, String)> {
    summary
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.data_type.clone()))
        .collect()
}

fn leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial") || n.contains(".old"))
        .collect()
}

#[test]
fn formats_are_recognised_by_name() {
    let cases = [
        ("a.parquet", SourceFormat::Parquet, Compression::None),
        ("A.PARQUET.zst", SourceFormat::Parquet, Compression::Zstd),
        ("b.jsonl", SourceFormat::JsonLines, Compression::None),
        ("b.ndjson.gz", SourceFormat::JsonLines, Compression::Gzip),
        ("c.json", SourceFormat::Json, Compression::None),
        ("dir.v2/c.json.zst", SourceFormat::Json, Compression::Zstd),
        ("d.csv", SourceFormat::Csv, Compression::None),
        ("d.CSV.gz", SourceFormat::Csv, Compression::Gzip),
        ("e.tsv.zst", SourceFormat::Tsv, Compression::Zstd),
        ("f.txt.gz", SourceFormat::Text, Compression::Gzip),
        ("g.arrow", SourceFormat::Ipc, Compression::None),
        ("g.ipc.zst", SourceFormat::Ipc, Compression::Zstd),
        ("h.feather", SourceFormat::Ipc, Compression::None),
    ];
    for (name, format, compression) in cases {
        assert_eq!(
            detect_format(Path::new(name)).unwrap(),
            (format, compression),
            "{name}"
        );
    }
    let e = detect_format(Path::new("data/train.xlsx")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string().contains(".xlsx") && e.to_string().contains(".jsonl"),
        "{e}"
    );
    let e = detect_format(Path::new("README")).unwrap_err();
    assert!(e.to_string().contains("no file extension"), "{e}");
}

#[test]
fn the_corpus_arrives_whole() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("ds").join("data");
    let mut calls: Vec<(u64, u64)> = Vec::new();
    let summary = ingest(
        &[split("train", &[&corpus()])],
        &dest,
        &CancellationToken::new(),
        &mut |d, t| calls.push((d, t)),
    )
    .unwrap();

    assert_eq!(
        summary.splits,
        vec![SplitInfo {
            name: "train".into(),
            num_rows: 134_310
        }]
    );
    assert_eq!(summary.format, "parquet");
    assert_eq!(summary.text_column.as_deref(), Some("text"));
    assert_eq!(summary.text_columns[0], "text");
    assert!(summary.text_columns.contains(&"source".to_string()));
    let cols = names(&summary);
    assert_eq!(
        cols.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        ["id", "source", "text"]
    );
    assert_eq!(cols[1].1, "string");
    assert_eq!(cols[2].1, "string");

    let files = data_files(&dest.join("train"));
    let on_disk: u64 = files.iter().map(|f| f.metadata().unwrap().len()).sum();
    assert_eq!(summary.size_bytes as u64, on_disk);
    assert_eq!(
        leftovers(dir.path().join("ds").as_path()),
        Vec::<String>::new()
    );

    // Progress: starts at zero, never goes back, ends complete, and is not chatty.
    let total = std::fs::metadata(corpus()).unwrap().len();
    assert_eq!(calls.first(), Some(&(0, total)));
    assert_eq!(calls.last(), Some(&(total, total)));
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0));
    assert!(calls.len() < 20, "{} progress calls", calls.len());

    // Compare rows at the start, across a row group and at the end with the source.
    let canonical = read_split(&dest.join("train"));
    let rows: usize = canonical.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 134_310);
    let source: Vec<RecordBatch> =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
            File::open(corpus()).unwrap(),
        )
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect();
    let source = arrow::compute::concat_batches(&source[0].schema(), &source).unwrap();
    let ours = arrow::compute::concat_batches(&canonical[0].schema(), &canonical).unwrap();
    for row in [0usize, 1, 19_999, 20_000, 77_777, 134_309] {
        for column in ["id", "source", "text"] {
            let a = source.column_by_name(column).unwrap().slice(row, 1);
            let b = ours.column_by_name(column).unwrap().slice(row, 1);
            let a = arrow::compute::cast(&a, b.data_type()).unwrap();
            assert_eq!(&a, &b, "row {row} column {column}");
        }
    }
}

#[test]
fn several_parquet_files_make_one_split_despite_order_and_nullability() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("part-0.parquet");
    let b = dir.path().join("part-1.parquet");
    write_parquet(
        &a,
        &batch(vec![
            ("id", Arc::new(Int64Array::from(vec![1, 2])), false),
            (
                "text",
                Arc::new(StringArray::from(vec!["one", "two"])),
                true,
            ),
        ]),
    );
    // Reordered, nullable where the first was not, and large_utf8.
    write_parquet(
        &b,
        &batch(vec![
            (
                "text",
                Arc::new(LargeStringArray::from(vec!["three", "four", "five"])),
                false,
            ),
            (
                "id",
                Arc::new(Int64Array::from(vec![Some(3), None, Some(5)])),
                true,
            ),
        ]),
    );
    let dest = dir.path().join("out");
    let summary = run(&[split("train", &[&a, &b])], &dest).unwrap();
    assert_eq!(summary.splits[0].num_rows, 5);
    assert_eq!(
        names(&summary),
        [
            ("id".into(), "int64".into()),
            ("text".into(), "string".into())
        ]
    );
    let batches = read_split(&dest.join("train"));
    assert_eq!(
        strings(&batches, "text"),
        ["one", "two", "three", "four", "five"].map(|s| Some(s.to_string()))
    );
    let ids: Vec<Option<i64>> = batches
        .iter()
        .flat_map(|b| {
            b.column(0)
                .as_primitive::<arrow::datatypes::Int64Type>()
                .iter()
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(ids, [Some(1), Some(2), Some(3), None, Some(5)]);
}

#[test]
fn jsonl_reads_plain_gzip_and_zstd_alike() {
    let dir = tempfile::tempdir().unwrap();
    let text = jsonl(2500);
    let plain = dir.path().join("d.jsonl");
    let gz = dir.path().join("d.jsonl.gz");
    let zst = dir.path().join("d.ndjson.zst");
    write_bytes(&plain, text.as_bytes());
    write_bytes(&gz, &gzip(text.as_bytes()));
    write_bytes(&zst, &zstd::encode_all(text.as_bytes(), 3).unwrap());
    let mut seen = Vec::new();
    for (i, path) in [&plain, &gz, &zst].into_iter().enumerate() {
        let dest = dir.path().join(format!("out{i}"));
        let summary = run(&[split("train", &[path])], &dest).unwrap();
        assert_eq!(summary.format, "jsonl");
        assert_eq!(summary.splits[0].num_rows, 2500);
        assert_eq!(
            names(&summary),
            [
                ("id".into(), "int64".into()),
                ("label".into(), "string".into()),
                ("text".into(), "string".into())
            ]
        );
        assert_eq!(summary.text_column.as_deref(), Some("text"));
        let texts = strings(&read_split(&dest.join("train")), "text");
        assert_eq!(texts[2499].as_deref(), Some("row number 2499"));
        seen.push(texts);
    }
    assert!(seen.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn json_arrays_and_objects_holding_one_array_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let array = dir.path().join("a.json");
    write_bytes(
        &array,
        b"[\n  {\"text\": \"a [tricky] {value}\", \"n\": 1},\n  {\"text\": \"say \\\"hi\\\"\", \"n\": 2}\n]\n",
    );
    let wrapped = dir.path().join("b.json.gz");
    write_bytes(
        &wrapped,
        &gzip(
            br#"{"version": "1.0", "meta": {"tags": ["x", "y"]}, "data": [
                {"text": "c", "n": 3}, {"text": "d", "n": 4}, {"text": "e", "n": 5}
            ], "count": 3}"#,
        ),
    );
    let dest = dir.path().join("out");
    let summary = run(&[split("train", &[&array, &wrapped])], &dest).unwrap();
    assert_eq!(summary.format, "json");
    assert_eq!(summary.splits[0].num_rows, 5);
    assert_eq!(
        strings(&read_split(&dest.join("train")), "text"),
        ["a [tricky] {value}", "say \"hi\"", "c", "d", "e"].map(|s| Some(s.to_string()))
    );

    let two = dir.path().join("two.json");
    write_bytes(&two, br#"{"a": [{"text": "x"}], "b": [{"text": "y"}]}"#);
    let e = run(&[split("train", &[&two])], &dir.path().join("out2")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("more than one array"), "{e}");
}

#[test]
fn two_splits_keep_their_order_and_folders() {
    let dir = tempfile::tempdir().unwrap();
    let train = dir.path().join("train.jsonl");
    let test = dir.path().join("test.jsonl");
    write_bytes(&train, jsonl(30).as_bytes());
    write_bytes(&test, jsonl(7).as_bytes());
    let dest = dir.path().join("out");
    let summary = run(&[split("train", &[&train]), split("test", &[&test])], &dest).unwrap();
    let splits: Vec<(String, i64)> = summary
        .splits
        .iter()
        .map(|s| (s.name.clone(), s.num_rows))
        .collect();
    assert_eq!(splits, [("train".into(), 30), ("test".into(), 7)]);
    assert_eq!(
        read_split(&dest.join("test"))
            .iter()
            .map(|b| b.num_rows())
            .sum::<usize>(),
        7
    );
    assert!(dest.join("train/data-00000.arrow").is_file());
}

#[test]
fn the_text_column_is_chosen_by_name_then_by_length() {
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join("named.jsonl");
    write_bytes(
        &named,
        br#"{"title": "a much longer title than the rest", "review": "good", "Content": "ok", "stars": 5}
"#,
    );
    let summary = run(&[split("train", &[&named])], &dir.path().join("o1")).unwrap();
    assert_eq!(summary.text_column.as_deref(), Some("Content"));
    assert_eq!(summary.text_columns, ["Content", "review", "title"]);

    let unnamed = dir.path().join("unnamed.jsonl");
    write_bytes(
        &unnamed,
        b"{\"a\": \"short\", \"b\": \"a long piece of prose\", \"c\": 1}\n{\"a\": \"tiny\", \"b\": \"more prose here\", \"c\": 2}\n",
    );
    let summary = run(&[split("train", &[&unnamed])], &dir.path().join("o2")).unwrap();
    assert_eq!(summary.text_column.as_deref(), Some("b"));
    assert_eq!(summary.text_columns, ["b", "a"]);

    let numbers = dir.path().join("numbers.parquet");
    write_parquet(
        &numbers,
        &batch(vec![("x", Arc::new(Int64Array::from(vec![1, 2, 3])), true)]),
    );
    let summary = run(&[split("train", &[&numbers])], &dir.path().join("o3")).unwrap();
    assert_eq!(summary.text_column, None);
    assert!(summary.text_columns.is_empty());
}

#[test]
fn files_with_different_columns_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("first.parquet");
    let b = dir.path().join("second.parquet");
    write_parquet(
        &a,
        &batch(vec![
            ("label", Arc::new(Int64Array::from(vec![1])), true),
            ("text", Arc::new(StringArray::from(vec!["x"])), true),
        ]),
    );
    write_parquet(
        &b,
        &batch(vec![
            ("label", Arc::new(StringArray::from(vec!["pos"])), true),
            ("text", Arc::new(StringArray::from(vec!["y"])), true),
        ]),
    );
    let dest = dir.path().join("out");
    let e = run(&[split("train", &[&a]), split("test", &[&b])], &dest).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let message = e.to_string();
    for part in [
        "first.parquet",
        "second.parquet",
        "'label'",
        "int64",
        "string",
    ] {
        assert!(message.contains(part), "{part} missing from: {message}");
    }
    assert!(!dest.exists());
    assert!(leftovers(dir.path()).is_empty());

    let c = dir.path().join("third.jsonl");
    write_bytes(&c, b"{\"text\": \"z\", \"extra\": true}\n");
    let e = run(&[split("train", &[&a, &c])], &dest).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(
        e.to_string().contains("'extra' is only in third.jsonl"),
        "{e}"
    );
}

#[test]
fn damaged_parquet_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.parquet");
    write_bytes(&fake, b"<html>503 Service Unavailable</html>");
    let e = run(&[split("train", &[&fake])], &dir.path().join("o1")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert!(
        e.to_string().contains("fake.parquet") && e.to_string().contains("magic"),
        "{e}"
    );

    // An interrupted download: the first half of a real file.
    let bytes = std::fs::read(corpus()).unwrap();
    let cut = dir.path().join("cut.parquet");
    write_bytes(&cut, &bytes[..bytes.len() / 2]);
    let e = run(&[split("train", &[&cut])], &dir.path().join("o2")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert!(e.to_string().contains("download"), "{e}");
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn bad_json_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");

    // Within the records the schema is inferred from.
    let mut early = jsonl(40);
    early = early.replacen("{\"id\": 16,", "{\"id\": 16 \"oops\",", 1);
    let path = dir.path().join("early.jsonl");
    write_bytes(&path, early.as_bytes());
    let e = run(&[split("train", &[&path])], &dest).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert!(
        e.to_string()
            .starts_with("early.jsonl line 17 is not valid JSON"),
        "{e}"
    );

    // Far past them, and after blank lines.
    let mut late = jsonl(3000);
    late.insert_str(0, "\n\n");
    let late = late.replacen("{\"id\": 2500,", "{\"id\": 2500, oops", 1);
    let path = dir.path().join("late.jsonl");
    write_bytes(&path, late.as_bytes());
    let e = run(&[split("train", &[&path])], &dest).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert!(
        e.to_string()
            .contains("late.jsonl line 2503 is not valid JSON"),
        "{e}"
    );

    // Valid JSON of the wrong type.
    let typed = jsonl(3000).replacen("{\"id\": 2000,", "{\"id\": \"two thousand\",", 1);
    let path = dir.path().join("typed.jsonl");
    write_bytes(&path, typed.as_bytes());
    let e = run(&[split("train", &[&path])], &dest).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert!(e.to_string().contains("typed.jsonl line 2001"), "{e}");

    // A cut-off compressed file.
    let gz = gzip(jsonl(5000).as_bytes());
    let path = dir.path().join("cut.jsonl.gz");
    write_bytes(&path, &gz[..gz.len() / 2]);
    let e = run(&[split("train", &[&path])], &dest).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert!(e.to_string().contains("cut.jsonl.gz"), "{e}");

    // A cut-off last line.
    let text = jsonl(10);
    let path = dir.path().join("short.jsonl");
    write_bytes(&path, &text.as_bytes()[..text.len() - 10]);
    let e = run(&[split("train", &[&path])], &dest).unwrap_err();
    assert!(e.to_string().contains("was the download complete"), "{e}");

    assert!(!dest.exists());
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn empty_inputs_make_empty_splits() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    write_bytes(&empty, b"");
    let full = dir.path().join("full.jsonl");
    write_bytes(&full, jsonl(3).as_bytes());
    let dest = dir.path().join("out");
    let summary = run(
        &[
            split("validation", &[&empty]),
            split("train", &[&full, &empty]),
        ],
        &dest,
    )
    .unwrap();
    assert_eq!(summary.splits[0].num_rows, 0);
    assert_eq!(summary.splits[1].num_rows, 3);
    // The empty split still carries the schema.
    let reader = arrow::ipc::reader::FileReader::try_new(
        File::open(dest.join("validation/data-00000.arrow")).unwrap(),
        None,
    )
    .unwrap();
    assert_eq!(reader.schema().fields().len(), 3);
    assert_eq!(reader.num_batches(), 0);
}

#[test]
fn cancelling_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("ds");
    let dest = parent.join("data");
    let cancel = CancellationToken::new();
    let mut calls = 0;
    let e = ingest(
        &[split("train", &[&corpus()])],
        &dest,
        &cancel,
        &mut |done, _| {
            calls += 1;
            if done > 0 {
                cancel.cancel();
            }
        },
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(calls >= 2);
    assert!(!dest.exists());
    assert_eq!(std::fs::read_dir(&parent).unwrap().count(), 0);
}

#[test]
fn a_failed_reingest_keeps_the_previous_data() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.jsonl");
    write_bytes(&good, jsonl(12).as_bytes());
    let dest = dir.path().join("data");
    run(&[split("train", &[&good])], &dest).unwrap();

    let bad = dir.path().join("bad.parquet");
    write_bytes(&bad, b"not parquet at all");
    let e = run(&[split("train", &[&good]), split("test", &[&bad])], &dest).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt);
    assert_eq!(strings(&read_split(&dest.join("train")), "text").len(), 12);
    assert!(!dest.join("test").exists());
    assert!(leftovers(dir.path()).is_empty());

    // A successful one replaces it.
    let other = dir.path().join("other.jsonl");
    write_bytes(&other, jsonl(4).as_bytes());
    let summary = run(&[split("test", &[&other])], &dest).unwrap();
    assert_eq!(summary.splits[0].num_rows, 4);
    assert!(!dest.join("train").exists());
    assert_eq!(strings(&read_split(&dest.join("test")), "text").len(), 4);
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn compressed_parquet_is_unpacked_on_the_side() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("p.parquet");
    write_parquet(
        &plain,
        &batch(vec![(
            "text",
            Arc::new(StringArray::from(vec!["a", "b"])),
            true,
        )]),
    );
    let zst = dir.path().join("p.parquet.zst");
    write_bytes(
        &zst,
        &zstd::encode_all(File::open(&plain).unwrap(), 3).unwrap(),
    );
    let dest = dir.path().join("out");
    let summary = run(&[split("train", &[&zst])], &dest).unwrap();
    assert_eq!(summary.splits[0].num_rows, 2);
    assert_eq!(data_files(&dest).len(), 1, "only the split folder");
}

#[test]
fn a_large_jsonl_streams_into_several_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let rows = 200_000;
    let filler = "lorem ipsum dolor sit amet ".repeat(15);
    {
        let mut w = std::io::BufWriter::new(File::create(&path).unwrap());
        for i in 0..rows {
            writeln!(w, "{{\"id\": {i}, \"text\": \"{i} {filler}\"}}").unwrap();
        }
    }
    let dest = dir.path().join("out");
    let summary = run(&[split("train", &[&path])], &dest).unwrap();
    assert_eq!(summary.splits[0].num_rows, rows as i64);
    let files = data_files(&dest.join("train"));
    assert!(files.len() > 1, "{} files", files.len());
    for f in &files {
        // A file passes the limit by at most one batch.
        assert!(f.metadata().unwrap().len() < FILE_LIMITS.max_bytes + (8 << 20));
    }
    let batches = read_split(&dest.join("train"));
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), rows);
    let last = strings(&batches[batches.len() - 1..], "text");
    assert!(last
        .last()
        .unwrap()
        .as_deref()
        .unwrap()
        .starts_with("199999 lorem"));
}

#[test]
fn bad_split_names_and_missing_files_fail_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    let f = dir.path().join("a.jsonl");
    write_bytes(&f, jsonl(1).as_bytes());
    for name in ["", "..", "a/b", ".hidden"] {
        let e = run(&[split(name, &[&f])], &dest).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{name:?}");
    }
    let e = run(
        &[split("train", &[&dir.path().join("missing.jsonl")])],
        &dest,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(!dest.exists());
}

#[test]
fn a_small_file_limit_rotates_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.jsonl");
    write_bytes(&path, jsonl(20_000).as_bytes());
    let dest = dir.path().join("out");
    let limits = FileLimits {
        max_bytes: u64::MAX,
        max_rows: BATCH_ROWS,
    };
    let summary = ingest_with_limits(
        &[split("train", &[&path])],
        &dest,
        &CancellationToken::new(),
        &mut |_, _| {},
        Limits {
            files: limits,
            read: READ_LIMITS,
        },
        &mut OnDisk,
    )
    .unwrap();
    assert_eq!(summary.splits[0].num_rows, 20_000);
    let names: Vec<String> = data_files(&dest.join("train"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["data-00000.arrow", "data-00001.arrow", "data-00002.arrow"]
    );
}

#[test]
fn a_field_that_appears_after_the_inferred_records_is_an_error_not_a_loss() {
    let dir = tempfile::tempdir().unwrap();
    let late_field = jsonl(3000).replacen(
        "{\"id\": 2000,",
        "{\"id\": 2000, \"extra\": \"surprise\",",
        1,
    );
    let path = dir.path().join("late-field.jsonl");
    write_bytes(&path, late_field.as_bytes());
    let dest = dir.path().join("out");
    let e = run(&[split("train", &[&path])], &dest).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("late-field.jsonl") && msg.contains("extra"),
        "{msg}"
    );
    assert!(!dest.exists(), "nothing is published");
}
