//! The streaming tokenization pass: a reader thread, encoding on a thread pool with two batches
//! in flight (so a long document at the end of one batch does not leave cores idle), and a
//! writer thread that packs, counts and writes in order. At most [`IN_FLIGHT`] batches exist at
//! once, so memory follows the batch size, not the dataset's.

mod shuffle;
mod writer;

pub use shuffle::Permutation;

use super::model::LoadedTokenizer;
use super::output::{split_dirs, write_dataset_dict};
use super::settings::ResolvedSettings;
use super::source::{read_text_batches, split_files};
use super::stats::Statistics;
use crate::error::{Error, Result};
use arrow::array::{Array, StringArray};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

const IN_FLIGHT: usize = 4;
const ENCODERS: usize = 2;

pub struct SplitSource {
    pub name: String,
    /// The split's folder of canonical data.
    pub dir: PathBuf,
}

/// Where the pass is, for progress reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct PassProgress {
    pub samples: u64,
    pub tokens: u64,
}

pub struct PassResult {
    pub statistics: Statistics,
    pub bytes: u64,
}

struct Work {
    seq: u64,
    split: usize,
    /// The split row index of the batch's first row.
    first: u64,
    texts: StringArray,
}

enum Encoded {
    /// Per-sample mode: each sample's untruncated length and its rows (ids, attention mask).
    Samples(Vec<Option<SampleOut>>),
    /// Packed mode: each document's ids.
    Documents(Vec<Option<Vec<u32>>>),
}

struct SampleOut {
    full_len: usize,
    rows: Vec<(Vec<u32>, Option<Vec<u32>>)>,
}

struct Done {
    seq: u64,
    split: usize,
    first: u64,
    nulls: Vec<bool>,
    encoded: Result<Encoded>,
}

enum Msg {
    Batch(Done),
    /// Every batch of the split before `seq` has been sent.
    SplitEnd {
        seq: u64,
        split: usize,
    },
}

/// Beside the `save_to_disk` files (which `load_from_disk` ignores it): each source row's
/// length in tokens, before truncation or packing, as little-endian u32s per split, so the
/// Samples tab can filter rows by token length without tokenizing again.
pub const SAMPLE_LENGTHS_DIR: &str = "sample_lengths";

pub fn sample_lengths_file(tokenization_dir: &Path, split: &str) -> PathBuf {
    tokenization_dir
        .join(SAMPLE_LENGTHS_DIR)
        .join(format!("{split}.u32"))
}

/// A stable fingerprint for `state.json`: the same inputs give the same bytes on disk.
pub fn fingerprint(parts: &[&str]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..8])
}

#[allow(clippy::too_many_arguments)]
pub fn run(
    tokenizer: &LoadedTokenizer,
    settings: &ResolvedSettings,
    splits: &[SplitSource],
    out_dir: &Path,
    threads: usize,
    fingerprint_base: &str,
    cancel: &CancellationToken,
    progress: &(dyn Fn(PassProgress) + Sync),
) -> Result<PassResult> {
    let configured = tokenizer.configured(settings)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("tokenize-{i}"))
        .build()
        .map_err(|e| Error::Internal(format!("starting the encoding threads: {e}")))?;
    let packed = settings.settings.packing.is_some();
    let names: Vec<String> = splits.iter().map(|s| s.name.clone()).collect();
    let dirs = split_dirs(out_dir, &names);
    let with_mask = !packed && settings.settings.padding == super::settings::Padding::MaxLength;

    let (work_tx, work_rx) = sync_channel::<Work>(1);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<Msg>(IN_FLIGHT);
    // Tickets bound the batches between the reader and the writer.
    let (ticket_tx, ticket_rx) = sync_channel::<()>(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        let _ = ticket_tx.send(());
    }

    std::thread::scope(|scope| {
        let reader = {
            let done_tx = done_tx.clone();
            scope.spawn(move || -> Result<()> {
                let mut seq = 0u64;
                for (i, split) in splits.iter().enumerate() {
                    let mut first = 0u64;
                    for file in split_files(&split.dir)? {
                        read_text_batches(&file, &settings.text_column, |texts| {
                            if cancel.is_cancelled() {
                                return Err(Error::Cancelled);
                            }
                            ticket_rx.recv().map_err(|_| Error::Cancelled)?;
                            let n = texts.len() as u64;
                            work_tx
                                .send(Work {
                                    seq,
                                    split: i,
                                    first,
                                    texts,
                                })
                                .map_err(|_| Error::Cancelled)?;
                            seq += 1;
                            first += n;
                            Ok(())
                        })?;
                    }
                    done_tx
                        .send(Msg::SplitEnd { seq, split: i })
                        .map_err(|_| Error::Cancelled)?;
                }
                Ok(())
            })
        };

        for _ in 0..ENCODERS {
            let work_rx = work_rx.clone();
            let done_tx = done_tx.clone();
            let pool = &pool;
            let configured = &configured;
            scope.spawn(move || loop {
                let next = work_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok(work) = next else { return };
                let nulls: Vec<bool> = (0..work.texts.len())
                    .map(|i| work.texts.is_null(i))
                    .collect();
                let encoded = if cancel.is_cancelled() {
                    Err(Error::Cancelled)
                } else {
                    pool.install(|| encode_batch(tokenizer, configured, settings, &work.texts))
                };
                let done = Done {
                    seq: work.seq,
                    split: work.split,
                    first: work.first,
                    nulls,
                    encoded,
                };
                if done_tx.send(Msg::Batch(done)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        // Only the encoders hold the work queue: once they are gone (the writer stopped), a
        // reader blocked on a full queue gets an error instead of waiting forever.
        drop(work_rx);

        let written = writer::write_in_order(
            tokenizer,
            settings,
            &names,
            &dirs,
            &out_dir.join(SAMPLE_LENGTHS_DIR),
            out_dir,
            with_mask,
            fingerprint_base,
            done_rx,
            ticket_tx,
            cancel,
            progress,
        );
        // The writer stopped (done or failed): unblock the reader and the encoders.
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("the reader thread panicked".into())));
        match (written, read) {
            (Ok(r), Ok(())) => {
                write_dataset_dict(out_dir, &names)?;
                Ok(r)
            }
            // The reader's error (a corrupt file, say) explains a writer that saw the channel close.
            (Err(Error::Cancelled), Err(e)) | (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        }
    })
}

/// Hands documents encoded elsewhere (an adopted datatrove run) to the pass's writer, batch
/// by batch, under the same bound on batches in flight.
pub struct DocumentFeed<'a> {
    tx: std::sync::mpsc::SyncSender<Msg>,
    tickets: &'a std::sync::mpsc::Receiver<()>,
    seq: u64,
    cancel: &'a CancellationToken,
}

impl DocumentFeed<'_> {
    /// One batch of a split's source rows from row `first` on: each row's document (empty for
    /// a row that makes none), and which rows were null.
    pub fn batch(
        &mut self,
        split: usize,
        first: u64,
        docs: Vec<Option<Vec<u32>>>,
        nulls: Vec<bool>,
    ) -> Result<()> {
        if self.cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        self.tickets.recv().map_err(|_| Error::Cancelled)?;
        let done = Done {
            seq: self.seq,
            split,
            first,
            nulls,
            encoded: Ok(Encoded::Documents(docs)),
        };
        self.tx
            .send(Msg::Batch(done))
            .map_err(|_| Error::Cancelled)?;
        self.seq += 1;
        Ok(())
    }

    /// Every batch of `split` has been given.
    pub fn end_split(&mut self, split: usize) -> Result<()> {
        self.tx
            .send(Msg::SplitEnd {
                seq: self.seq,
                split,
            })
            .map_err(|_| Error::Cancelled)
    }
}

/// The pass's writer (packing, statistics, shuffle, `save_to_disk` files) over documents that
/// `read` gives it on a thread of its own.
#[allow(clippy::too_many_arguments)]
pub fn write_documents(
    tokenizer: &LoadedTokenizer,
    settings: &ResolvedSettings,
    names: &[String],
    out_dir: &Path,
    fingerprint_base: &str,
    cancel: &CancellationToken,
    progress: &(dyn Fn(PassProgress) + Sync),
    read: impl FnOnce(&mut DocumentFeed<'_>) -> Result<()> + Send,
) -> Result<PassResult> {
    let dirs = split_dirs(out_dir, names);
    let (done_tx, done_rx) = sync_channel::<Msg>(IN_FLIGHT);
    let (ticket_tx, ticket_rx) = sync_channel::<()>(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        let _ = ticket_tx.send(());
    }
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut feed = DocumentFeed {
                tx: done_tx,
                tickets: &ticket_rx,
                seq: 0,
                cancel,
            };
            read(&mut feed)
        });
        let written = writer::write_in_order(
            tokenizer,
            settings,
            names,
            &dirs,
            &out_dir.join(SAMPLE_LENGTHS_DIR),
            out_dir,
            false,
            fingerprint_base,
            done_rx,
            ticket_tx,
            cancel,
            progress,
        );
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("the reader thread panicked".into())));
        match (written, read) {
            (Ok(r), Ok(())) => {
                write_dataset_dict(out_dir, names)?;
                Ok(r)
            }
            (Err(Error::Cancelled), Err(e)) | (Err(e), _) | (Ok(_), Err(e)) => Err(e),
        }
    })
}

fn encode_batch(
    tokenizer: &LoadedTokenizer,
    configured: &tokenizers::Tokenizer,
    settings: &ResolvedSettings,
    texts: &StringArray,
) -> Result<Encoded> {
    let text = |i: usize| {
        if texts.is_null(i) {
            ""
        } else {
            texts.value(i)
        }
    };
    let n = texts.len();
    if settings.settings.packing.is_some() {
        let docs = (0..n)
            .into_par_iter()
            .with_min_len(1)
            .map(|i| {
                let ids = tokenizer.document_ids(text(i), settings.settings.add_special_tokens)?;
                Ok(Some(settings.packing_tokens.finish_document(text(i), ids)))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Encoded::Documents(docs))
    } else {
        let with_mask = settings.settings.padding == super::settings::Padding::MaxLength;
        let samples = (0..n)
            .into_par_iter()
            .with_min_len(1)
            .map(|i| {
                let s = tokenizer.sample_rows(configured, text(i), settings)?;
                Ok(Some(SampleOut {
                    full_len: s.full_len,
                    rows: s
                        .rows
                        .into_iter()
                        .map(|e| {
                            let mask = with_mask.then(|| e.get_attention_mask().to_vec());
                            (e.get_ids().to_vec(), mask)
                        })
                        .collect(),
                }))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Encoded::Samples(samples))
    }
}
