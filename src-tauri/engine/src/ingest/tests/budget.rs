//! Row limits and parquet prefixes: what a row-budgeted download hands the import.

use super::*;
use arrow::array::AsArray;
use parquet::file::properties::WriterProperties;

fn numbered(from: i64, rows: i64) -> RecordBatch {
    let ids: Vec<i64> = (from..from + rows).collect();
    let texts: Vec<String> = ids.iter().map(|i| format!("row {i}")).collect();
    RecordBatch::try_from_iter([
        ("id", Arc::new(Int64Array::from(ids)) as ArrayRef),
        ("text", Arc::new(StringArray::from(texts)) as ArrayRef),
    ])
    .unwrap()
}

/// A parquet file of `rows` rows from `from`, in row groups of `group` rows.
fn grouped_parquet(path: &Path, from: i64, rows: i64, group: usize) {
    let batch = numbered(from, rows);
    let props = WriterProperties::builder()
        .set_max_row_group_size(group)
        .build();
    let mut w = parquet::arrow::ArrowWriter::try_new(
        File::create(path).unwrap(),
        batch.schema(),
        Some(props),
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

fn ids(dest: &Path) -> Vec<i64> {
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dest.join("train"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let reader = arrow::ipc::reader::FileReader::try_new(File::open(f).unwrap(), None).unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            out.extend(
                batch
                    .column(0)
                    .as_primitive::<arrow::datatypes::Int64Type>()
                    .values(),
            );
        }
    }
    out
}

/// Records what the import asked for, and serves each file from where it lies.
#[derive(Default)]
struct Recording {
    fetched: Vec<usize>,
    released: Vec<usize>,
}

impl FileSupply for Recording {
    fn expected_size(&self, _: usize, _: usize) -> Option<u64> {
        None
    }
    fn fetch(&mut self, _: usize, file: usize, listed: &Path) -> Result<PathBuf> {
        self.fetched.push(file);
        Ok(listed.to_path_buf())
    }
    fn release(&mut self, _: usize, file: usize) -> Result<()> {
        self.released.push(file);
        Ok(())
    }
}

#[test]
fn a_row_limit_takes_the_first_rows_in_file_order_and_reads_no_further_file() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = (0..3)
        .map(|i| dir.path().join(format!("{i}.parquet")))
        .collect();
    for (i, p) in paths.iter().enumerate() {
        grouped_parquet(p, i as i64 * 100, 100, 30);
    }
    let dest = dir.path().join("out");
    let mut supply = Recording::default();
    let input = SplitInput {
        name: "train".into(),
        files: paths.clone(),
        row_limit: Some(150),
        ..Default::default()
    };
    let summary = ingest_supplied(
        &[input],
        &dest,
        &CancellationToken::new(),
        &mut |_, _| {},
        &mut supply,
    )
    .unwrap();
    assert_eq!(summary.splits[0].num_rows, 150);
    assert_eq!(summary.files_read, vec![2]);
    assert_eq!(ids(&dest), (0..150).collect::<Vec<_>>());
    assert_eq!(supply.fetched, vec![0, 1]);
    assert_eq!(supply.released, vec![0, 1]);
}

#[test]
fn a_limit_past_the_end_takes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.parquet");
    grouped_parquet(&path, 0, 40, 10);
    let dest = dir.path().join("out");
    let input = SplitInput {
        name: "train".into(),
        files: vec![path],
        row_limit: Some(1_000),
        ..Default::default()
    };
    let summary = ingest(&[input], &dest, &CancellationToken::new(), &mut |_, _| {}).unwrap();
    assert_eq!(summary.splits[0].num_rows, 40);
    assert_eq!(ids(&dest), (0..40).collect::<Vec<_>>());
}

#[test]
fn a_parquet_prefix_is_read_with_its_footer_kept_apart() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("shard.parquet");
    grouped_parquet(&whole, 0, 100, 25);
    let bytes = std::fs::read(&whole).unwrap();
    let meta = parquet::file::metadata::ParquetMetaDataReader::new()
        .parse_and_finish(&bytes::Bytes::from(bytes.clone()))
        .unwrap();
    // The bytes of the first two row groups only, as a budgeted download leaves them.
    let end = meta.row_groups()[..2]
        .iter()
        .flat_map(|g| g.columns())
        .map(|c| c.byte_range().0 + c.byte_range().1)
        .max()
        .unwrap();
    let prefix = dir.path().join("blob.incomplete");
    std::fs::write(&prefix, &bytes[..end as usize]).unwrap();
    let meta_len = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap());
    let footer = dir.path().join("shard.footer");
    std::fs::write(
        &footer,
        &bytes[bytes.len() - 8 - meta_len as usize..bytes.len() - 8],
    )
    .unwrap();

    struct PrefixAt(PathBuf);
    impl FileSupply for PrefixAt {
        fn expected_size(&self, _: usize, _: usize) -> Option<u64> {
            Some(std::fs::metadata(&self.0).unwrap().len())
        }
        fn fetch(&mut self, _: usize, _: usize, _: &Path) -> Result<PathBuf> {
            Ok(self.0.clone())
        }
        fn release(&mut self, _: usize, _: usize) -> Result<()> {
            Ok(())
        }
    }
    // The listed name is the snapshot's; the bytes lie elsewhere, as in the HF cache.
    let listed = dir.path().join("snapshot").join("shard.parquet");
    let input = SplitInput {
        name: "train".into(),
        files: vec![listed.clone()],
        row_limit: Some(40),
        prefixes: vec![ParquetPrefix {
            file: listed,
            footer,
            row_groups: 2,
        }],
        ..Default::default()
    };
    let dest = dir.path().join("out");
    let summary = ingest_supplied(
        &[input],
        &dest,
        &CancellationToken::new(),
        &mut |_, _| {},
        &mut PrefixAt(prefix),
    )
    .unwrap();
    assert_eq!(summary.splits[0].num_rows, 40);
    assert_eq!(ids(&dest), (0..40).collect::<Vec<_>>());
}
