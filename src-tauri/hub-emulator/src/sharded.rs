//! A repo shaped like FineWeb: parquet shards in one folder per crawl dump
//! (`data/CC-MAIN-2013-20/000_00000.parquet`, …), small row groups, and a card whose `configs:`
//! declare one config per dump by glob plus a `default` of every dump — so a client can choose
//! dumps, files and row groups as it would on the real Hub. Rows are numbered in the repo's
//! file order, so a test knows which rows "the first N" are.

use crate::{RepoFile, RepoSpec};
use arrow::array::{ArrayRef, Int64Array, StringArray};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct ShardedRepo {
    pub dumps: Vec<String>,
    pub shards_per_dump: usize,
    pub rows_per_shard: usize,
    pub rows_per_group: usize,
    /// Whether the card states each config's rows in `dataset_info`.
    pub dataset_info: bool,
}

impl ShardedRepo {
    /// `dumps` folders named like Common Crawl's (`CC-MAIN-2013-20`, `CC-MAIN-2013-48`, …).
    pub fn new(dumps: usize, shards_per_dump: usize, rows_per_shard: usize) -> ShardedRepo {
        ShardedRepo {
            dumps: (0..dumps)
                .map(|i| format!("CC-MAIN-{}-{:02}", 2013 + i / 2, 20 + (i % 2) * 28))
                .collect(),
            shards_per_dump,
            rows_per_shard,
            rows_per_group: 100,
            dataset_info: false,
        }
    }

    pub fn rows_per_group(mut self, rows: usize) -> ShardedRepo {
        self.rows_per_group = rows.max(1);
        self
    }

    pub fn with_dataset_info(mut self) -> ShardedRepo {
        self.dataset_info = true;
        self
    }

    /// The repo path of shard `shard` of dump `dump`.
    pub fn shard_path(&self, dump: usize, shard: usize) -> String {
        format!("data/{}/{shard:03}_00000.parquet", self.dumps[dump])
    }

    /// The `id` column of row `row` in file order: what a test expects back.
    pub fn row_id(row: u64) -> String {
        format!("<urn:row:{row:08}>")
    }

    /// `words` pseudo-random words for row `row` (about 7 bytes a word), numbered by the row:
    /// text that does not compress away, so shards are far bigger than their footers.
    pub fn filler_text(row: u64, words: usize) -> String {
        const WORDS: [&str; 16] = [
            "crawl", "page", "token", "sparse", "feature", "layer", "model", "vector", "dump",
            "shard", "parquet", "budget", "group", "footer", "range", "corpus",
        ];
        let mut state = row.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut out = format!("document {row}:");
        for _ in 0..words {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            out.push(' ');
            out.push_str(WORDS[(state % 16) as usize]);
            out.push_str(&(state % 97).to_string());
        }
        out
    }

    pub fn total_rows(&self) -> u64 {
        (self.dumps.len() * self.shards_per_dump * self.rows_per_shard) as u64
    }

    /// The repo, with `text(row)` as each row's text.
    pub fn build(&self, repo_id: &str, text: impl Fn(u64) -> String) -> RepoSpec {
        let mut files = Vec::new();
        let mut row = 0u64;
        let mut bytes_per_dump = Vec::new();
        for (d, dump) in self.dumps.iter().enumerate() {
            let mut dump_bytes = 0u64;
            for s in 0..self.shards_per_dump {
                let first = row;
                row += self.rows_per_shard as u64;
                let shard = self.shard(dump, first, &text);
                dump_bytes += shard.len() as u64;
                files.push(RepoFile::new(self.shard_path(d, s), shard));
            }
            bytes_per_dump.push(dump_bytes);
        }
        files.insert(0, RepoFile::new("README.md", self.card(&bytes_per_dump)));
        RepoSpec::dataset(repo_id, files)
    }

    fn shard(&self, dump: &str, first: u64, text: &impl Fn(u64) -> String) -> Vec<u8> {
        let rows: Vec<u64> = (first..first + self.rows_per_shard as u64).collect();
        let texts: Vec<String> = rows.iter().map(|&r| text(r)).collect();
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("text", Arc::new(StringArray::from(texts.clone()))),
            (
                "id",
                Arc::new(StringArray::from_iter_values(
                    rows.iter().map(|&r| Self::row_id(r)),
                )),
            ),
            (
                "dump",
                Arc::new(StringArray::from_iter_values(rows.iter().map(|_| dump))),
            ),
            (
                "url",
                Arc::new(StringArray::from_iter_values(
                    rows.iter().map(|r| format!("https://example.org/{r}")),
                )),
            ),
            (
                "token_count",
                Arc::new(Int64Array::from_iter_values(
                    texts.iter().map(|t| t.split_whitespace().count() as i64),
                )),
            ),
        ];
        let batch = RecordBatch::try_from_iter(columns).expect("columns of one length");
        let props = WriterProperties::builder()
            .set_max_row_group_size(self.rows_per_group)
            .build();
        let mut out = Vec::new();
        let mut writer =
            ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).expect("parquet writer");
        writer.write(&batch).expect("writing a shard in memory");
        writer.close().expect("closing a shard in memory");
        out
    }

    /// The card; `dataset_info` states rows and (as the shards' bytes) sizes per config.
    fn card(&self, bytes_per_dump: &[u64]) -> String {
        let mut card = String::from("---\nlicense: odc-by\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/*/*\n");
        for dump in &self.dumps {
            card.push_str(&format!(
                "- config_name: {dump}\n  data_files:\n  - split: train\n    path: data/{dump}/*\n"
            ));
        }
        if self.dataset_info {
            let per_dump = self.shards_per_dump * self.rows_per_shard;
            card.push_str(&format!(
                "dataset_info:\n- config_name: default\n  splits:\n  - name: train\n    num_bytes: {}\n    num_examples: {}\n",
                bytes_per_dump.iter().sum::<u64>(),
                self.total_rows()
            ));
            for (dump, bytes) in self.dumps.iter().zip(bytes_per_dump) {
                card.push_str(&format!(
                    "- config_name: {dump}\n  splits:\n  - name: train\n    num_bytes: {bytes}\n    num_examples: {per_dump}\n"
                ));
            }
        }
        card.push_str("---\n\n# A FineWeb-shaped corpus\n\nShards in dump folders, for tests.\n");
        card
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn shards_lie_in_dump_folders_with_small_row_groups_and_card_globs() {
        let repo = ShardedRepo::new(3, 4, 250)
            .rows_per_group(100)
            .with_dataset_info();
        let spec = repo.build("lab/web", |r| format!("text of row {r}"));
        let paths: Vec<&str> = spec.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths.len(), 1 + 12);
        assert_eq!(paths[1], "data/CC-MAIN-2013-20/000_00000.parquet");
        assert_eq!(paths[5], "data/CC-MAIN-2013-48/000_00000.parquet");
        let card = String::from_utf8(spec.files[0].bytes.to_vec()).unwrap();
        assert!(card.contains("path: data/*/*") && card.contains("path: data/CC-MAIN-2014-20/*"));
        assert!(card.contains("num_examples: 3000") && card.contains("num_examples: 1000"));
        let reader = SerializedFileReader::new(spec.files[2].bytes.clone()).unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 3);
        assert_eq!(reader.metadata().file_metadata().num_rows(), 250);
        assert_eq!(ShardedRepo::row_id(250), "<urn:row:00000250>");
    }
}
