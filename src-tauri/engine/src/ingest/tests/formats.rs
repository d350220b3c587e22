//! The formats beyond parquet and JSON, and the awkward files each meets in practice. Every
//! fixture is made here, small.

use super::*;

const CSV: &[u8] = b"id,title,text\r\n\
1,plain,\"a field, with a comma\"\r\n\
2,\"quoted \"\"title\"\"\",\"two\r\nlines\"\r\n\
3,,\r\n\
\r\n\
4,last,no newline at the end";

fn csv_rows() -> Vec<Option<String>> {
    vec![
        Some("a field, with a comma".into()),
        Some("two\r\nlines".into()),
        None,
        Some("no newline at the end".into()),
    ]
}

#[test]
fn csv_with_quotes_commas_newlines_and_crlf_reads_plain_gz_and_zst() {
    let dir = tempfile::tempdir().unwrap();
    for (i, path) in three_ways(dir.path(), "train", "csv", CSV)
        .iter()
        .enumerate()
    {
        let dest = dir.path().join(format!("out{i}"));
        let summary = run(&[split("train", &[path])], &dest).unwrap();
        assert_eq!(summary.format, "csv");
        assert_eq!(summary.splits[0].num_rows, 4, "{}", path.display());
        assert_eq!(
            names(&summary),
            [("id", "string"), ("title", "string"), ("text", "string")]
                .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert_eq!(summary.text_column.as_deref(), Some("text"));
        assert_eq!(summary.invalid_utf8_rows, 0);
        let batches = read_split(&dest.join("train"));
        assert_eq!(strings(&batches, "text"), csv_rows());
        assert_eq!(
            strings(&batches, "title"),
            [Some("plain"), Some("quoted \"title\""), None, Some("last")]
                .map(|s| s.map(String::from))
        );
    }
}

#[test]
fn tsv_reads_and_picks_the_longest_column_without_a_telling_name() {
    let dir = tempfile::tempdir().unwrap();
    let body = b"\xEF\xBB\xBFlabel\tutterance\tn\npos\tI liked it a lot, really\t1\nneg\t\"tabs\there\"\t2\n";
    for (i, path) in three_ways(dir.path(), "data", "tsv", body)
        .iter()
        .enumerate()
    {
        let dest = dir.path().join(format!("out{i}"));
        let summary = run(&[split("train", &[path])], &dest).unwrap();
        assert_eq!(summary.format, "tsv");
        assert_eq!(summary.splits[0].num_rows, 2);
        // The byte-order mark is not part of the first column's name.
        assert_eq!(summary.columns[0].name, "label");
        assert_eq!(summary.text_column.as_deref(), Some("utterance"));
        assert_eq!(
            strings(&read_split(&dest.join("train")), "utterance"),
            [Some("I liked it a lot, really"), Some("tabs\there")].map(|s| s.map(String::from))
        );
    }
}

#[test]
fn csv_files_with_columns_in_another_order_share_a_split() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv.gz");
    write_bytes(&a, b"text,id\nfirst,1\n");
    write_bytes(&b, &gzip(b"id,text\n2,second\n3,third\n"));
    let dest = dir.path().join("out");
    let summary = run(&[split("train", &[&a, &b])], &dest).unwrap();
    assert_eq!(summary.splits[0].num_rows, 3);
    let batches = read_split(&dest.join("train"));
    assert_eq!(
        strings(&batches, "text"),
        [Some("first"), Some("second"), Some("third")].map(|s| s.map(String::from))
    );
    assert_eq!(
        strings(&batches, "id"),
        [Some("1"), Some("2"), Some("3")].map(|s| s.map(String::from))
    );
}

#[test]
fn csv_headers_that_repeat_or_are_blank_get_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.csv");
    write_bytes(&path, b"a,a,,text\n1,2,3,x\n");
    let summary = run(&[split("train", &[&path])], &dir.path().join("out")).unwrap();
    let cols: Vec<String> = summary.columns.iter().map(|c| c.name.clone()).collect();
    assert_eq!(cols, ["a", "a.1", "column_3", "text"]);
}

#[test]
fn a_ragged_csv_row_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ragged.csv");
    // Line 4 has a stray comma; the quoted line break before it counts as a line.
    write_bytes(&path, b"id,text\n1,\"one\ntwo\"\n\n2,three, four\n");
    let dest = dir.path().join("out");
    let e = run(&[split("train", &[&path])], &dest).unwrap_err();
    assert_failed(
        &e,
        ErrorKind::Corrupt,
        &["ragged.csv line 5", "3 fields", "header has 2"],
        &dest,
    );
}

#[test]
fn an_empty_csv_makes_an_empty_split_and_a_header_only_csv_keeps_its_columns() {
    let dir = tempfile::tempdir().unwrap();
    let header = dir.path().join("header.csv");
    write_bytes(&header, b"id,text\r\n");
    let empty = dir.path().join("empty.csv");
    write_bytes(&empty, b"");
    let full = dir.path().join("full.csv");
    write_bytes(&full, b"id,text\n1,x\n");
    let dest = dir.path().join("out");
    let summary = run(
        &[
            split("validation", &[&header, &empty]),
            split("train", &[&full]),
        ],
        &dest,
    )
    .unwrap();
    assert_eq!(summary.splits[0].num_rows, 0);
    assert_eq!(summary.splits[1].num_rows, 1);
    assert_eq!(summary.columns.len(), 2);
}

#[test]
fn a_cut_gzip_csv_is_corrupt_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = b"id,text\n".to_vec();
    for i in 0..20_000 {
        body.extend_from_slice(format!("{i},row {i} of a csv file that goes on\n").as_bytes());
    }
    let gz = gzip(&body);
    let path = dir.path().join("cut.csv.gz");
    write_bytes(&path, &gz[..gz.len() / 2]);
    let dest = dir.path().join("out");
    let e = run(&[split("train", &[&path])], &dest).unwrap_err();
    assert_failed(&e, ErrorKind::Corrupt, &["cut.csv.gz", "download"], &dest);
}

#[test]
fn txt_lines_keep_empty_lines_strip_crlf_and_drop_the_last_newline() {
    let dir = tempfile::tempdir().unwrap();
    let body = b"\xEF\xBB\xBFfirst line\r\n\r\nthird, after an empty one\nlast\n";
    for (i, path) in three_ways(dir.path(), "book", "txt", body)
        .iter()
        .enumerate()
    {
        let dest = dir.path().join(format!("out{i}"));
        let summary = run(&[split("train", &[path])], &dest).unwrap();
        assert_eq!(summary.format, "txt");
        assert_eq!(
            names(&summary),
            [("text".to_string(), "string".to_string())]
        );
        assert_eq!(summary.text_column.as_deref(), Some("text"));
        assert_eq!(
            strings(&read_split(&dest.join("train")), "text"),
            ["first line", "", "third, after an empty one", "last"].map(|s| Some(s.to_string()))
        );
    }

    // Without a final newline the last line is still a row; an empty file has none.
    let open_end = dir.path().join("open.txt");
    write_bytes(&open_end, b"a\nb");
    let empty = dir.path().join("empty.txt");
    write_bytes(&empty, b"");
    let dest = dir.path().join("more");
    let summary = run(
        &[split("train", &[&open_end]), split("test", &[&empty])],
        &dest,
    )
    .unwrap();
    assert_eq!(summary.splits[0].num_rows, 2);
    assert_eq!(summary.splits[1].num_rows, 0);
}

#[test]
fn txt_whole_file_mode_makes_one_row_per_file_in_one_batch() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..300 {
        let path = dir.path().join(format!("doc-{i:03}.txt"));
        write_bytes(&path, format!("Document {i}.\r\nSecond line.\n").as_bytes());
        files.push(path);
    }
    let gz = dir.path().join("packed.txt.gz");
    write_bytes(&gz, &gzip(b"from a gzip file"));
    files.push(gz);
    let input = SplitInput {
        name: "train".into(),
        files,
        text_mode: TextMode::WholeFile,
        ..Default::default()
    };
    let dest = dir.path().join("out");
    let summary = run(&[input], &dest).unwrap();
    assert_eq!(summary.splits[0].num_rows, 301);
    assert_eq!(
        names(&summary),
        [("text", "string"), ("file_name", "string")].map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(summary.text_column.as_deref(), Some("text"));
    let batches = read_split(&dest.join("train"));
    // Rows from many files are gathered, not written one batch each.
    assert_eq!(batches.len(), 1);
    let texts = strings(&batches, "text");
    assert_eq!(texts[7].as_deref(), Some("Document 7.\r\nSecond line.\n"));
    assert_eq!(texts[300].as_deref(), Some("from a gzip file"));
    let names = strings(&batches, "file_name");
    assert_eq!(names[7].as_deref(), Some("doc-007.txt"));
    assert_eq!(names[300].as_deref(), Some("packed.txt.gz"));
}

fn ipc_batch(rows: usize) -> RecordBatch {
    let ids: Vec<i64> = (0..rows as i64).collect();
    let texts: Vec<String> = (0..rows).map(|i| format!("row {i}")).collect();
    batch(vec![
        ("id", Arc::new(Int64Array::from(ids)), true),
        (
            "text",
            Arc::new(LargeStringArray::from(
                texts.iter().map(String::as_str).collect::<Vec<_>>(),
            )),
            true,
        ),
    ])
}

fn ipc_file(batches: &[RecordBatch], compress: bool) -> Vec<u8> {
    let options = arrow::ipc::writer::IpcWriteOptions::default()
        .try_with_compression(compress.then_some(arrow::ipc::CompressionType::LZ4_FRAME))
        .unwrap();
    let mut w = arrow::ipc::writer::FileWriter::try_new_with_options(
        Vec::new(),
        &batches[0].schema(),
        options,
    )
    .unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.finish().unwrap();
    w.into_inner().unwrap()
}

fn ipc_stream(batches: &[RecordBatch]) -> Vec<u8> {
    let mut w =
        arrow::ipc::writer::StreamWriter::try_new(Vec::new(), &batches[0].schema()).unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.finish().unwrap();
    w.into_inner().unwrap()
}

#[test]
fn arrow_ipc_file_and_stream_read_plain_gz_and_zst_and_are_rechunked() {
    let dir = tempfile::tempdir().unwrap();
    // One batch larger than the canonical batch size, then a few small ones.
    let batches = vec![ipc_batch(BATCH_ROWS + 100), ipc_batch(3), ipc_batch(5)];
    let total = BATCH_ROWS + 108;
    let mut inputs = Vec::new();
    inputs.extend(three_ways(
        dir.path(),
        "file",
        "arrow",
        &ipc_file(&batches, false),
    ));
    inputs.extend(three_ways(
        dir.path(),
        "stream",
        "arrow",
        &ipc_stream(&batches),
    ));
    let feather = dir.path().join("lz4.feather");
    write_bytes(&feather, &ipc_file(&batches, true));
    inputs.push(feather);
    for (i, path) in inputs.iter().enumerate() {
        let dest = dir.path().join(format!("out{i}"));
        let summary = run(&[split("train", &[path])], &dest).unwrap();
        assert_eq!(summary.format, "arrow");
        assert_eq!(
            summary.splits[0].num_rows,
            total as i64,
            "{}",
            path.display()
        );
        // large_utf8 is stored as utf8, like parquet's.
        assert_eq!(
            names(&summary),
            [("id", "int64"), ("text", "string")].map(|(a, b)| (a.to_string(), b.to_string()))
        );
        let out = read_split(&dest.join("train"));
        assert_eq!(
            out.len(),
            2,
            "{}: rechunked to full batches",
            path.display()
        );
        let texts = strings(&out, "text");
        assert_eq!(
            texts[BATCH_ROWS].as_deref(),
            Some(format!("row {BATCH_ROWS}").as_str())
        );
        assert_eq!(texts[total - 1].as_deref(), Some("row 4"));
    }
}

#[test]
fn damaged_arrow_ipc_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = ipc_file(&[ipc_batch(1000)], false);
    let cut = dir.path().join("cut.arrow");
    write_bytes(&cut, &bytes[..bytes.len() / 2]);
    let dest = dir.path().join("out");
    let e = run(&[split("train", &[&cut])], &dest).unwrap_err();
    assert_failed(&e, ErrorKind::Corrupt, &["cut.arrow"], &dest);

    let stream = ipc_stream(&[ipc_batch(1000), ipc_batch(1000)]);
    let cut = dir.path().join("cut.ipc");
    write_bytes(&cut, &stream[..stream.len() - 100]);
    let e = run(&[split("train", &[&cut])], &dest).unwrap_err();
    assert_failed(&e, ErrorKind::Corrupt, &["cut.ipc"], &dest);

    let v1 = dir.path().join("old.feather");
    write_bytes(&v1, b"FEA1\0\0\0\0 and more");
    let e = run(&[split("train", &[&v1])], &dest).unwrap_err();
    assert_failed(
        &e,
        ErrorKind::InvalidInput,
        &["old.feather", "version 1"],
        &dest,
    );

    let empty = dir.path().join("empty.arrow");
    write_bytes(&empty, b"");
    let e = run(&[split("train", &[&empty])], &dest).unwrap_err();
    assert_failed(&e, ErrorKind::Corrupt, &["empty.arrow"], &dest);
}

#[test]
fn bytes_that_are_not_utf8_are_replaced_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    // Latin-1 "café" and a stray continuation byte, in two rows of each format.
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "l.csv",
            b"id,text\n1,caf\xE9\n2,fine\n3,odd \x80 byte\n",
            "text",
        ),
        ("l.txt", b"caf\xE9\nfine\nodd \x80 byte\n", "text"),
        (
            "l.jsonl",
            b"{\"text\": \"caf\xE9\"}\n{\"text\": \"fine\"}\n{\"text\": \"odd \x80 byte\"}\n",
            "text",
        ),
        (
            "l.json",
            b"[{\"text\": \"caf\xE9\"}, {\"text\": \"fine\"}, {\"text\": \"odd \x80 byte\"}]",
            "text",
        ),
    ];
    for (name, body, column) in cases {
        let path = dir.path().join(name);
        write_bytes(&path, body);
        let dest = dir.path().join(format!("out-{name}"));
        let summary = run(&[split("train", &[&path])], &dest).unwrap();
        assert_eq!(summary.invalid_utf8_rows, 2, "{name}");
        assert_eq!(
            strings(&read_split(&dest.join("train")), column),
            ["caf\u{FFFD}", "fine", "odd \u{FFFD} byte"].map(|s| Some(s.to_string())),
            "{name}"
        );
    }
}

#[test]
fn a_binary_file_under_a_text_name_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    // A NUL byte: binary whatever else it holds.
    let zeros = dir.path().join("data.txt");
    write_bytes(&zeros, b"text\nsome\0thing\n");
    let e = run(&[split("train", &[&zeros])], &dest).unwrap_err();
    assert_failed(&e, ErrorKind::InvalidInput, &["data.txt", "binary"], &dest);

    // Mostly bytes that are not UTF-8 (a gzip file without its .gz, say).
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| 0x80 | (i.wrapping_mul(2_654_435_761) >> 25) as u8)
        .collect();
    for name in ["noise.csv", "noise.jsonl", "noise.json", "noise.tsv.zst"] {
        let path = dir.path().join(name);
        if name.ends_with(".zst") {
            write_bytes(&path, &zstd_bytes(&noise));
        } else {
            write_bytes(&path, &noise);
        }
        let e = run(&[split("train", &[&path])], &dest).unwrap_err();
        assert_failed(&e, ErrorKind::InvalidInput, &[name, "binary"], &dest);
    }

    let utf16 = dir.path().join("wide.txt");
    write_bytes(&utf16, b"\xFF\xFEh\0i\0");
    let e = run(&[split("train", &[&utf16])], &dest).unwrap_err();
    assert_failed(&e, ErrorKind::InvalidInput, &["wide.txt", "UTF-16"], &dest);
}

#[test]
fn a_field_whose_type_drifts_is_kept_as_json_text_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::new();
    for i in 0..3000 {
        let tags = match i % 10 {
            0 => r#"["a", "b"]"#.to_string(),
            5 => "null".to_string(),
            _ => format!("\"t{i}\""),
        };
        // Nested drift: meta.v is a number here and a list there.
        let meta = if i == 3 {
            r#"{"v": [1, 2]}"#.to_string()
        } else {
            format!(r#"{{"v": {i}}}"#)
        };
        // Past the records the schema is inferred from, an object where text was.
        let text = if i == 2500 {
            r#"{"oops": "an object"}"#.to_string()
        } else {
            format!("\"row {i}\"")
        };
        body.push_str(&format!(
            "{{\"id\": {i}, \"tags\": {tags}, \"meta\": {meta}, \"text\": {text}}}\n"
        ));
    }
    let path = dir.path().join("drift.jsonl");
    write_bytes(&path, body.as_bytes());
    let dest = dir.path().join("out");
    let summary = run(&[split("train", &[&path])], &dest).unwrap();
    assert_eq!(summary.splits[0].num_rows, 3000);
    let types: std::collections::HashMap<String, String> = names(&summary).into_iter().collect();
    assert_eq!(types["tags"], "string");
    assert_eq!(types["meta"], "string");
    assert_eq!(types["text"], "string");
    assert_eq!(types["id"], "int64");
    let mut drifted = summary.drifted_fields.clone();
    drifted.sort();
    assert_eq!(
        drifted,
        [
            ("meta".to_string(), 3000),
            ("tags".to_string(), 300),
            ("text".to_string(), 1)
        ]
    );
    assert_eq!(summary.text_column.as_deref(), Some("text"));
    let batches = read_split(&dest.join("train"));
    let tags = strings(&batches, "tags");
    assert_eq!(tags[0].as_deref(), Some(r#"["a","b"]"#));
    assert_eq!(tags[1].as_deref(), Some("t1"));
    assert_eq!(tags[5], None);
    let meta = strings(&batches, "meta");
    assert_eq!(meta[3].as_deref(), Some(r#"{"v":[1,2]}"#));
    assert_eq!(meta[4].as_deref(), Some(r#"{"v":4}"#));
    let text = strings(&batches, "text");
    assert_eq!(text[2500].as_deref(), Some(r#"{"oops":"an object"}"#));
    assert_eq!(text[2501].as_deref(), Some("row 2501"));
}

#[test]
fn nested_list_and_struct_columns_keep_their_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested.jsonl");
    write_bytes(
        &path,
        b"{\"text\": \"a\", \"tags\": [\"x\", \"y\"], \"meta\": {\"source\": \"web\", \"score\": 0.5}, \"turns\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n\
          {\"text\": \"\", \"tags\": [], \"meta\": null, \"turns\": null}\n\
          {\"text\": null, \"tags\": null, \"meta\": {\"source\": \"book\", \"score\": 1}, \"turns\": []}\n",
    );
    let dest = dir.path().join("out");
    let summary = run(&[split("train", &[&path])], &dest).unwrap();
    assert_eq!(summary.splits[0].num_rows, 3);
    let types: std::collections::HashMap<String, String> = names(&summary).into_iter().collect();
    assert_eq!(types["tags"], "list<string>");
    assert_eq!(types["meta"], "struct<score: float64, source: string>");
    assert_eq!(
        types["turns"],
        "list<struct<content: string, role: string>>"
    );
    assert!(summary.drifted_fields.is_empty());
    // An empty string and a null stay apart.
    assert_eq!(
        strings(&read_split(&dest.join("train")), "text"),
        [Some("a".to_string()), Some(String::new()), None]
    );
}

#[test]
fn an_import_without_any_row_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, body) in [
        ("a.jsonl", &b""[..]),
        ("b.json", b"[]"),
        ("c.csv", b"id,text\r\n"),
        ("d.txt", b""),
        ("e.json", b"{\"data\": []}"),
    ] {
        let path = dir.path().join(name);
        write_bytes(&path, body);
        files.push(path);
    }
    let dest = dir.path().join("out");
    for file in &files {
        let e = run(&[split("train", &[file])], &dest).unwrap_err();
        let name = file.file_name().unwrap().to_str().unwrap();
        assert_failed(&e, ErrorKind::InvalidInput, &["no rows", name], &dest);
    }
    // Every file but the text file, whose one column differs from the CSV's.
    let all: Vec<&Path> = files
        .iter()
        .map(PathBuf::as_path)
        .filter(|p| !p.ends_with("d.txt"))
        .collect();
    let e = run(&[split("train", &all)], &dest).unwrap_err();
    assert_failed(
        &e,
        ErrorKind::InvalidInput,
        &["a.jsonl, b.json, c.csv and 1 more"],
        &dest,
    );
}

fn small_limits() -> ReadLimits {
    ReadLimits {
        max_record: 1 << 20,
        // gzip expands at most about 1000 times, so the test's bombs use a lower ratio.
        bomb_ratio: 50,
        bomb_floor: 4 << 20,
    }
}

#[test]
fn a_decompression_bomb_is_stopped_at_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    // Highly repetitive rows: tens of megabytes from a few kilobytes.
    let rows = 400_000;
    let jsonl: Vec<u8> = "{\"text\": \"the same row again and again\"}\n"
        .repeat(rows)
        .into_bytes();
    let txt: Vec<u8> = "the same row again and again\n".repeat(rows).into_bytes();
    let mut csv = b"text\n".to_vec();
    csv.extend_from_slice(&txt);
    let zeros = batch(vec![(
        "n",
        Arc::new(Int64Array::from(vec![0i64; 1 << 20])),
        true,
    )]);
    let cases: [(&str, Vec<u8>); 5] = [
        ("bomb.jsonl.zst", zstd_bytes(&jsonl)),
        ("bomb.jsonl.gz", gzip(&jsonl)),
        ("bomb.csv.gz", gzip(&csv)),
        ("bomb.txt.zst", zstd_bytes(&txt)),
        ("bomb.arrow.zst", zstd_bytes(&ipc_stream(&[zeros]))),
    ];
    for (name, bytes) in cases {
        assert!(
            bytes.len() * 50 < (4 << 20),
            "{name}: {} bytes",
            bytes.len()
        );
        let path = dir.path().join(name);
        write_bytes(&path, &bytes);
        let e = run_limited(&[split("train", &[&path])], &dest, small_limits()).unwrap_err();
        assert_failed(
            &e,
            ErrorKind::InvalidInput,
            &[name, "more than 4 MiB", "decompression bomb"],
            &dest,
        );
    }
    // A compressed parquet file is unpacked on the side, under the same cap.
    let big = dir.path().join("big.parquet");
    let text: Vec<&str> = vec!["the same row again and again"; rows];
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::UNCOMPRESSED)
        .set_dictionary_enabled(false)
        .build();
    let b = batch(vec![("text", Arc::new(StringArray::from(text)), true)]);
    {
        let file = File::create(&big).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(file, b.schema(), Some(props)).unwrap();
        w.write(&b).unwrap();
        w.close().unwrap();
    }
    let packed = dir.path().join("big.parquet.zst");
    write_bytes(
        &packed,
        &zstd::encode_all(File::open(&big).unwrap(), 19).unwrap(),
    );
    let e = run_limited(&[split("train", &[&packed])], &dest, small_limits()).unwrap_err();
    assert_failed(
        &e,
        ErrorKind::InvalidInput,
        &["big.parquet.zst", "decompression bomb"],
        &dest,
    );

    // Under the cap, the same data reads.
    let fine = dir.path().join("fine.jsonl.zst");
    write_bytes(&fine, &zstd_bytes(&jsonl[..jsonl.len() / 20]));
    let summary = run_limited(&[split("train", &[&fine])], &dest, small_limits()).unwrap();
    assert_eq!(summary.splits[0].num_rows, rows as i64 / 20);
}

#[test]
fn a_line_past_the_record_cap_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out");
    let huge = "x".repeat(3 << 20);
    let cases: [(&str, String, &str); 4] = [
        (
            "long.jsonl",
            format!("{{\"text\": \"a\"}}\n{{\"text\": \"{huge}\"}}\n"),
            "long.jsonl line 2",
        ),
        ("long.txt", format!("a\nb\n{huge}"), "long.txt line 3"),
        (
            "long.csv",
            format!("text\na\n\"{huge}\"\n"),
            "long.csv line 3",
        ),
        (
            "long.json",
            format!("[\n{{\"text\": \"a\"}},\n{{\"text\": \"{huge}\"}}]"),
            "long.json line 3",
        ),
    ];
    for (name, body, at) in cases {
        let path = dir.path().join(name);
        write_bytes(&path, body.as_bytes());
        let e = run_limited(&[split("train", &[&path])], &dest, small_limits()).unwrap_err();
        assert_failed(
            &e,
            ErrorKind::InvalidInput,
            &[at, "longer than 1 MiB"],
            &dest,
        );
    }
    // A whole file that is too big for one row says how to import it instead.
    let path = dir.path().join("book.txt");
    write_bytes(&path, huge.as_bytes());
    let input = SplitInput {
        name: "train".into(),
        files: vec![path],
        text_mode: TextMode::WholeFile,
        ..Default::default()
    };
    let e = run_limited(&[input], &dest, small_limits()).unwrap_err();
    assert_failed(
        &e,
        ErrorKind::InvalidInput,
        &["book.txt", "one row per line"],
        &dest,
    );
}

#[test]
fn a_single_line_longer_than_64_mib_is_refused_with_the_real_limits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one-line.txt.gz");
    // 80 MiB of text without a line break, as a small gzip file.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let block = vec![b'y'; 1 << 20];
    for _ in 0..80 {
        e.write_all(&block).unwrap();
    }
    write_bytes(&path, &e.finish().unwrap());
    let dest = dir.path().join("out");
    let err = run(&[split("train", &[&path])], &dest).unwrap_err();
    assert_failed(
        &err,
        ErrorKind::InvalidInput,
        &["one-line.txt.gz line 1", "longer than 64 MiB"],
        &dest,
    );
}

#[test]
fn crlf_json_lines_read_and_a_cut_zstd_file_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let body = jsonl(50).replace('\n', "\r\n");
    let paths = three_ways(dir.path(), "crlf", "jsonl", body.as_bytes());
    for (i, path) in paths.iter().enumerate() {
        let dest = dir.path().join(format!("out{i}"));
        let summary = run(&[split("train", &[path])], &dest).unwrap();
        assert_eq!(summary.splits[0].num_rows, 50);
        let texts = strings(&read_split(&dest.join("train")), "text");
        assert_eq!(texts[49].as_deref(), Some("row number 49"));
    }
    let zst = zstd_bytes(jsonl(20_000).as_bytes());
    let cut = dir.path().join("cut.jsonl.zst");
    write_bytes(&cut, &zst[..zst.len() / 2]);
    let dest = dir.path().join("cut-out");
    let e = run(&[split("train", &[&cut])], &dest).unwrap_err();
    assert_failed(
        &e,
        ErrorKind::Corrupt,
        &["cut.jsonl.zst", "download"],
        &dest,
    );
}
