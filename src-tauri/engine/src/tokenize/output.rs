//! Writes a tokenization in the Hugging Face `save_to_disk` layout, so Python's
//! `datasets.load_from_disk` reads it as it is:
//!
//! ```text
//! DIR/dataset_dict.json, README.md (its YAML names each split's files, for load_dataset)
//! DIR/<split>/data-00000-of-00002.arrow, data-00001-of-00002.arrow, dataset_info.json, state.json
//! ```
//!
//! Shards are Arrow IPC *stream* files of at most [`MAX_SHARD_BYTES`], written as rows arrive;
//! their final names (which carry the shard count) are given once the split is complete.

use crate::error::{Error, Result};
use crate::ingest::Counting;
use arrow::array::{
    ArrayRef, Int8Builder, ListBuilder, UInt16Builder, UInt32Builder, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The `max_shard_size` Python's `save_to_disk` uses by default.
pub const MAX_SHARD_BYTES: u64 = 500 << 20;
/// Rows gathered into one record batch at most, and ids.
const BATCH_ROWS: usize = 1000;
const BATCH_IDS: usize = 1 << 20;

/// How `input_ids` are stored: two bytes a token when every id the tokenizer can produce fits
/// (GPT-2, Pythia, Llama-2, Mistral: vocabularies up to 65,536), else four. Python's `datasets`
/// reads both, and `set_format("torch")` widens them to int64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdWidth {
    U16,
    U32,
}

impl IdWidth {
    pub fn for_max_id(max_id: u32) -> IdWidth {
        if max_id <= u32::from(u16::MAX) {
            IdWidth::U16
        } else {
            IdWidth::U32
        }
    }

    /// The `datasets` dtype name.
    pub fn dtype(self) -> &'static str {
        match self {
            IdWidth::U16 => "uint16",
            IdWidth::U32 => "uint32",
        }
    }

    fn arrow(self) -> DataType {
        match self {
            IdWidth::U16 => DataType::UInt16,
            IdWidth::U32 => DataType::UInt32,
        }
    }
}

enum IdsBuilder {
    U16(ListBuilder<UInt16Builder>),
    U32(ListBuilder<UInt32Builder>),
}

impl IdsBuilder {
    fn new(width: IdWidth) -> IdsBuilder {
        match width {
            IdWidth::U16 => IdsBuilder::U16(ListBuilder::new(UInt16Builder::new())),
            IdWidth::U32 => IdsBuilder::U32(ListBuilder::new(UInt32Builder::new())),
        }
    }

    fn push(&mut self, ids: &[u32]) -> Result<()> {
        match self {
            IdsBuilder::U16(b) => {
                for &id in ids {
                    let narrow = u16::try_from(id).map_err(|_| {
                        Error::Internal(format!(
                            "token id {id} does not fit the two-byte ids chosen for this tokenizer"
                        ))
                    })?;
                    b.values().append_value(narrow);
                }
                b.append(true);
            }
            IdsBuilder::U32(b) => {
                b.values().append_slice(ids);
                b.append(true);
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            IdsBuilder::U16(b) => Arc::new(b.finish()),
            IdsBuilder::U32(b) => Arc::new(b.finish()),
        }
    }
}

/// One output row.
pub struct Row<'a> {
    pub ids: &'a [u32],
    pub attention_mask: Option<&'a [u32]>,
    pub sample_index: Option<u64>,
}

fn features_json(width: IdWidth, with_mask: bool, with_index: bool) -> serde_json::Value {
    let seq = |dtype: &str| serde_json::json!({"feature": {"dtype": dtype, "_type": "Value"}, "_type": "Sequence"});
    let mut f = serde_json::Map::new();
    f.insert("input_ids".into(), seq(width.dtype()));
    if with_mask {
        f.insert("attention_mask".into(), seq("int8"));
    }
    if with_index {
        f.insert(
            "sample_index".into(),
            serde_json::json!({"dtype": "uint64", "_type": "Value"}),
        );
    }
    serde_json::Value::Object(f)
}

fn schema(width: IdWidth, with_mask: bool, with_index: bool) -> SchemaRef {
    let list = |inner: DataType| DataType::List(Arc::new(Field::new("item", inner, true)));
    let mut fields = vec![Field::new("input_ids", list(width.arrow()), true)];
    if with_mask {
        fields.push(Field::new("attention_mask", list(DataType::Int8), true));
    }
    if with_index {
        fields.push(Field::new("sample_index", DataType::UInt64, true));
    }
    // The metadata Python's `datasets` writes, so pyarrow-level readers see the features too.
    let hf = serde_json::json!({"info": {"features": features_json(width, with_mask, with_index)}});
    let metadata = HashMap::from([("huggingface".to_string(), hf.to_string())]);
    Arc::new(Schema::new(fields).with_metadata(metadata))
}

/// The error's message is made only when there is an error (some callers run once a row).
pub(crate) fn io_err<'a>(
    path: &'a Path,
    what: &'static str,
) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |e| Error::io(format!("{what} {}", path.display()), e)
}

fn arrow_err(e: arrow::error::ArrowError) -> Error {
    Error::arrow("writing the tokenized data", e)
}

struct Shard {
    path: PathBuf,
    writer: StreamWriter<CountingWriter>,
}

type CountingWriter = Counting<BufWriter<File>>;

/// The writer of one split.
pub struct SplitWriter {
    dir: PathBuf,
    schema: SchemaRef,
    fingerprint: String,
    width: IdWidth,
    ids: IdsBuilder,
    mask: Option<ListBuilder<Int8Builder>>,
    index: Option<UInt64Builder>,
    pending_rows: usize,
    pending_ids: usize,
    shard: Option<Shard>,
    /// Paths of the finished shards, in order.
    shards: Vec<PathBuf>,
    pub rows: u64,
    bytes: u64,
}

impl SplitWriter {
    pub fn new(
        dir: &Path,
        width: IdWidth,
        with_mask: bool,
        with_index: bool,
        fingerprint: String,
    ) -> Result<SplitWriter> {
        std::fs::create_dir_all(dir).map_err(io_err(dir, "creating"))?;
        Ok(SplitWriter {
            dir: dir.to_path_buf(),
            schema: schema(width, with_mask, with_index),
            fingerprint,
            width,
            ids: IdsBuilder::new(width),
            mask: with_mask.then(|| ListBuilder::new(Int8Builder::new())),
            index: with_index.then(UInt64Builder::new),
            pending_rows: 0,
            pending_ids: 0,
            shard: None,
            shards: Vec::new(),
            rows: 0,
            bytes: 0,
        })
    }

    pub fn push(&mut self, row: Row<'_>) -> Result<()> {
        self.ids.push(row.ids)?;
        if let Some(mask) = &mut self.mask {
            let m = row.attention_mask.unwrap_or(&[]);
            for &v in m {
                mask.values().append_value(v as i8);
            }
            mask.append(true);
        }
        if let Some(index) = &mut self.index {
            index.append_value(row.sample_index.unwrap_or(0));
        }
        self.pending_rows += 1;
        self.pending_ids += row.ids.len();
        self.rows += 1;
        if self.pending_rows >= BATCH_ROWS || self.pending_ids >= BATCH_IDS {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> Result<()> {
        if self.pending_rows == 0 && self.shard.is_some() {
            return Ok(());
        }
        let mut columns: Vec<ArrayRef> = vec![self.ids.finish()];
        if let Some(mask) = &mut self.mask {
            columns.push(Arc::new(mask.finish()));
        }
        if let Some(index) = &mut self.index {
            columns.push(Arc::new(index.finish()));
        }
        let batch = RecordBatch::try_new(self.schema.clone(), columns).map_err(arrow_err)?;
        self.pending_rows = 0;
        self.pending_ids = 0;
        if self
            .shard
            .as_ref()
            .is_some_and(|s| s.writer.get_ref().written >= MAX_SHARD_BYTES)
        {
            self.close_shard()?;
        }
        if self.shard.is_none() {
            let path = self
                .dir
                .join(format!("shard-{:05}.partial", self.shards.len()));
            let file = File::create(&path).map_err(io_err(&path, "creating"))?;
            let out = CountingWriter {
                inner: BufWriter::with_capacity(1 << 20, file),
                written: 0,
            };
            let writer = StreamWriter::try_new(out, &self.schema).map_err(arrow_err)?;
            self.shard = Some(Shard { path, writer });
        }
        if let Some(shard) = &mut self.shard {
            shard.writer.write(&batch).map_err(arrow_err)?;
        }
        Ok(())
    }

    fn close_shard(&mut self) -> Result<()> {
        if let Some(mut shard) = self.shard.take() {
            shard.writer.finish().map_err(arrow_err)?;
            let mut out = shard.writer.into_inner().map_err(arrow_err)?;
            out.flush().map_err(io_err(&shard.path, "writing"))?;
            self.bytes += out.written;
            let file = out
                .inner
                .into_inner()
                .map_err(|e| Error::io("writing a shard", e.into_error()))?;
            file.sync_all().map_err(io_err(&shard.path, "flushing"))?;
            self.shards.push(shard.path);
        }
        Ok(())
    }

    /// Closes the last shard, names the shards `data-0000i-of-0000n.arrow` and writes
    /// `dataset_info.json` and `state.json`. Returns the bytes written.
    pub fn finish(mut self, description: &str) -> Result<u64> {
        // A split with no rows still gets one (empty) shard, so its schema can be read.
        if self.pending_rows > 0 || self.shards.is_empty() {
            self.flush_batch()?;
        }
        self.close_shard()?;
        let n = self.shards.len();
        let mut names = Vec::with_capacity(n);
        for (i, path) in self.shards.iter().enumerate() {
            let name = format!("data-{i:05}-of-{n:05}.arrow");
            let target = self.dir.join(&name);
            std::fs::rename(path, &target).map_err(io_err(&target, "naming"))?;
            names.push(name);
        }
        let with_mask = self.mask.is_some();
        let with_index = self.index.is_some();
        let info = serde_json::json!({
            "citation": "",
            "description": description,
            "features": features_json(self.width, with_mask, with_index),
            "homepage": "",
            "license": "",
        });
        let state = serde_json::json!({
            "_data_files": names.iter().map(|n| serde_json::json!({"filename": n})).collect::<Vec<_>>(),
            "_fingerprint": self.fingerprint,
            "_format_columns": null,
            "_format_kwargs": {},
            "_format_type": null,
            "_output_all_columns": false,
            "_split": null,
        });
        write_json(&self.dir.join("dataset_info.json"), &info)?;
        write_json(&self.dir.join("state.json"), &state)?;
        Ok(self.bytes)
    }
}

pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::Internal(format!("serialising {}: {e}", path.display())))?;
    bytes.push(b'\n');
    let mut f = File::create(path).map_err(io_err(path, "creating"))?;
    f.write_all(&bytes).map_err(io_err(path, "writing"))?;
    f.sync_all().map_err(io_err(path, "flushing"))
}

/// Where each split goes: a subfolder per split, however many there are. A folder with
/// `state.json` at its top is one `datasets.load_dataset` refuses ("saved using save_to_disk"),
/// so even one split sits in its own folder under a `dataset_dict.json` (docs/design.md §5).
pub fn split_dirs(dir: &Path, splits: &[String]) -> Vec<PathBuf> {
    splits.iter().map(|s| dir.join(s)).collect()
}

/// `dataset_dict.json`, which makes `load_from_disk` return a `DatasetDict` of the splits.
pub fn write_dataset_dict(dir: &Path, splits: &[String]) -> Result<()> {
    write_json(
        &dir.join("dataset_dict.json"),
        &serde_json::json!({"splits": splits}),
    )
}
