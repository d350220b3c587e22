//! Adopting a checked datatrove output: its documents, task after task (which is the dataset's
//! order), lined up with the dataset's rows and handed to the pass's writer, which cuts the
//! stream into rows of the context size, gathers the statistics and writes the usual layout.

use super::files::Spec;
use super::output::{CheckedOutput, CheckedSplit};
use crate::error::{Error, Result};
use crate::tokenize::pipeline::{self, DocumentFeed, PassProgress, PassResult};
use crate::tokenize::source::{read_text_batches, split_files};
use crate::tokenize::{LoadedTokenizer, Packing, PackingToken, ResolvedSettings, TokenizeSettings};
use arrow::array::Array;
use serde::{Deserialize, Serialize};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use tokio_util::sync::CancellationToken;

/// What an adoption chooses; the rest comes from the export.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AdoptOptions {
    /// Rows of this many tokens; `None` takes the export's.
    pub context_size: Option<u32>,
    /// Rows written in a seeded random order (the pass's own shuffle); `None` takes the
    /// export's choice. A seed asks for a shuffle.
    pub shuffle: Option<bool>,
    pub seed: Option<u32>,
}

/// The settings an adopted tokenization records: the export's encoding (special tokens, the
/// document-end token) with rows cut from the stream as they fall.
pub fn adopted_settings(spec: &Spec, options: &AdoptOptions) -> Result<TokenizeSettings> {
    let exported = spec.settings.packing.ok_or_else(|| {
        Error::Corrupt("the export's settings have no packing, which an export always has".into())
    })?;
    let context_size = options.context_size.unwrap_or(exported.context_size);
    let shuffle = options.shuffle.unwrap_or(spec.settings.shuffle) || options.seed.is_some();
    Ok(TokenizeSettings {
        text_column: Some(spec.text_column.clone()),
        splits: spec.splits.iter().map(|s| s.name.clone()).collect(),
        packing: Some(Packing {
            context_size,
            begin_batch_token: PackingToken::None,
            begin_sequence_token: PackingToken::None,
            sequence_separator_token: PackingToken::None,
            disable_concat_sequences: false,
            document_end_token: exported.document_end_token,
        }),
        add_special_tokens: spec.settings.add_special_tokens,
        shuffle,
        seed: options.seed.or(spec.settings.seed).filter(|_| shuffle),
        ..TokenizeSettings::default()
    })
}

/// One split's documents, task after task.
struct DocumentStream<'a> {
    split: &'a CheckedSplit,
    token_size: usize,
    max_id: u32,
    rank: usize,
    tokens: Option<BufReader<std::fs::File>>,
    index: Option<BufReader<std::fs::File>>,
    at: u64,
    bytes: Vec<u8>,
}

impl<'a> DocumentStream<'a> {
    fn new(split: &'a CheckedSplit, token_size: usize, max_id: u32) -> Self {
        DocumentStream {
            split,
            token_size,
            max_id,
            rank: 0,
            tokens: None,
            index: None,
            at: 0,
            bytes: Vec::new(),
        }
    }

    fn open(path: &Path) -> Result<BufReader<std::fs::File>> {
        let f = std::fs::File::open(path)
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        Ok(BufReader::with_capacity(1 << 20, f))
    }

    /// The next document's ids, or `None` after the last task's last document.
    fn next_document(&mut self) -> Result<Option<Vec<u32>>> {
        loop {
            let Some(rank) = self.split.ranks.get(self.rank) else {
                return Ok(None);
            };
            if self.index.is_none() {
                self.index = Some(Self::open(&rank.index)?);
                self.tokens = Some(Self::open(&rank.tokens)?);
                self.at = 0;
            }
            let index = self.index.as_mut().expect("opened above");
            let mut end = [0u8; 8];
            match index.read_exact(&mut end) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.index = None;
                    self.tokens = None;
                    self.rank += 1;
                    continue;
                }
                Err(e) => return Err(Error::io(format!("reading {}", rank.index.display()), e)),
            }
            let end = u64::from_le_bytes(end);
            let n = end.checked_sub(self.at).ok_or_else(|| {
                Error::Corrupt(format!(
                    "{} changed while it was read",
                    rank.index.display()
                ))
            })? as usize;
            self.at = end;
            self.bytes.resize(n * self.token_size, 0);
            let tokens = self.tokens.as_mut().expect("opened above");
            tokens.read_exact(&mut self.bytes).map_err(|e| {
                Error::Corrupt(format!(
                    "{} ended before its index ({e}): redo that task",
                    rank.tokens.display()
                ))
            })?;
            let ids: Vec<u32> = if self.token_size == 2 {
                self.bytes
                    .chunks_exact(2)
                    .map(|c| u32::from(u16::from_le_bytes([c[0], c[1]])))
                    .collect()
            } else {
                self.bytes
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect()
            };
            if let Some(bad) = ids.iter().find(|&&id| id > self.max_id) {
                return Err(Error::invalid(format!(
                    "{} holds token id {bad}, outside the vocabulary of the tokenizer (ids up to {}): it was made with another tokenizer",
                    rank.tokens.display(),
                    self.max_id
                )));
            }
            return Ok(Some(ids));
        }
    }
}

/// Runs the adoption's pass into `out_dir`. `data_dirs` are the dataset's split folders, in
/// the output's split order: each row with text takes the stream's next document (datatrove
/// skips empty texts), so the output must hold exactly the dataset's rows with text.
#[allow(clippy::too_many_arguments)]
pub fn run_adopted_pass(
    tokenizer: &LoadedTokenizer,
    resolved: &ResolvedSettings,
    output: &CheckedOutput,
    data_dirs: &[PathBuf],
    out_dir: &Path,
    fingerprint_base: &str,
    cancel: &CancellationToken,
    progress: &(dyn Fn(PassProgress) + Sync),
) -> Result<PassResult> {
    let names: Vec<String> = output.splits.iter().map(|s| s.name.clone()).collect();
    let token_size = usize::from(output.spec.tokenizer.token_size);
    let column = resolved.text_column.clone();
    pipeline::write_documents(
        tokenizer,
        resolved,
        &names,
        out_dir,
        fingerprint_base,
        cancel,
        progress,
        |feed: &mut DocumentFeed<'_>| {
            for (i, split) in output.splits.iter().enumerate() {
                let mut stream = DocumentStream::new(split, token_size, tokenizer.max_id);
                let mut first = 0u64;
                let mut with_text = 0u64;
                for file in split_files(&data_dirs[i])? {
                    read_text_batches(&file, &column, |texts| {
                        let mut docs = Vec::with_capacity(texts.len());
                        let mut nulls = Vec::with_capacity(texts.len());
                        for k in 0..texts.len() {
                            let null = texts.is_null(k);
                            nulls.push(null);
                            if null || texts.value_length(k) == 0 {
                                docs.push(Some(Vec::new()));
                                continue;
                            }
                            with_text += 1;
                            let doc = stream
                                .next_document()?
                                .ok_or_else(|| mismatch(&split.name, split.documents, "more"))?;
                            docs.push(Some(doc));
                        }
                        let n = texts.len() as u64;
                        feed.batch(i, first, docs, nulls)?;
                        first += n;
                        Ok(())
                    })?;
                }
                if stream.next_document()?.is_some() {
                    return Err(mismatch(&split.name, split.documents, "fewer"));
                }
                debug_assert_eq!(with_text, split.documents);
                feed.end_split(i)?;
            }
            Ok(())
        },
    )
}

fn mismatch(split: &str, documents: u64, dataset_has: &str) -> Error {
    Error::invalid(format!(
        "split \"{split}\" of the output holds {documents} documents, and the dataset has {dataset_has} rows with text: the output was not made from this dataset's rows; adopt it into the dataset it was exported from"
    ))
}
