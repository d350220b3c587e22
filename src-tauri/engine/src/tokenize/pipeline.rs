//! The streaming tokenization pass: a reader thread, encoding on a thread pool with two batches
//! in flight (so a long document at the end of one batch does not leave cores idle), and a
//! writer thread that packs, counts and writes in order. At most [`IN_FLIGHT`] batches exist at
//! once, so memory follows the batch size, not the dataset's.

use super::model::{encode_document, encode_sample, LoadedTokenizer};
use super::output::{split_dirs, write_dataset_dict, Row, SplitWriter};
use super::settings::ResolvedSettings;
use super::source::{read_text_batches, split_files};
use super::stats::{SplitStatistics, Statistics, StatsBuilder};
use crate::error::{Error, Result};
use arrow::array::{Array, StringArray};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
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

struct LengthsWriter {
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
}

impl LengthsWriter {
    fn create(dir: &Path, split: &str) -> Result<LengthsWriter> {
        let path = dir.join(format!("{split}.u32"));
        let file = std::fs::File::create(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        Ok(LengthsWriter {
            out: std::io::BufWriter::new(file),
            path,
        })
    }

    fn push(&mut self, len: usize) -> Result<()> {
        use std::io::Write;
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        self.out
            .write_all(&len.to_le_bytes())
            .map_err(|e| Error::io(format!("writing {}", self.path.display()), e))
    }

    fn finish(self) -> Result<()> {
        let path = self.path;
        let file = self
            .out
            .into_inner()
            .map_err(|e| Error::io(format!("writing {}", path.display()), e.into_error()))?;
        file.sync_all()
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))
    }
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

        let written = write_in_order(
            tokenizer,
            settings,
            &names,
            &dirs,
            &out_dir.join(SAMPLE_LENGTHS_DIR),
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
            .map(|i| encode_document(&tokenizer.raw, text(i)).map(Some))
            .collect::<Result<Vec<_>>>()?;
        Ok(Encoded::Documents(docs))
    } else {
        let with_mask = settings.settings.padding == super::settings::Padding::MaxLength;
        let samples = (0..n)
            .into_par_iter()
            .with_min_len(1)
            .map(|i| {
                let s = encode_sample(
                    &tokenizer.raw,
                    configured,
                    tokenizer.added_tokens_per_sample,
                    text(i),
                    settings,
                )?;
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

/// Packed mode's running row.
struct Packer {
    context: usize,
    bos: Option<u32>,
    separator: Option<u32>,
    stream: Vec<u32>,
    docs_in_split: u64,
}

impl Packer {
    fn row_capacity(&self) -> usize {
        self.context - usize::from(self.bos.is_some())
    }

    /// Appends a document and writes every row that became complete.
    fn push(
        &mut self,
        doc: &[u32],
        out: &mut SplitWriter,
        stats: &mut StatsBuilder,
        row: &mut Vec<u32>,
    ) -> Result<()> {
        if self.docs_in_split > 0 {
            if let Some(sep) = self.separator {
                self.stream.push(sep);
            }
        }
        self.docs_in_split += 1;
        self.stream.extend_from_slice(doc);
        let cap = self.row_capacity();
        let mut taken = 0;
        while self.stream.len() - taken >= cap {
            row.clear();
            if let Some(bos) = self.bos {
                row.push(bos);
            }
            row.extend_from_slice(&self.stream[taken..taken + cap]);
            taken += cap;
            stats.row(row, row.len());
            out.push(Row {
                ids: row,
                attention_mask: None,
                sample_index: None,
            })?;
        }
        self.stream.drain(..taken);
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
fn write_in_order(
    tokenizer: &LoadedTokenizer,
    settings: &ResolvedSettings,
    names: &[String],
    dirs: &[PathBuf],
    lengths_dir: &Path,
    with_mask: bool,
    fingerprint_base: &str,
    done_rx: Receiver<Msg>,
    tickets: SyncSender<()>,
    cancel: &CancellationToken,
    progress: &(dyn Fn(PassProgress) + Sync),
) -> Result<PassResult> {
    let s = &settings.settings;
    let packed = s.packing.is_some();
    let mut stats = StatsBuilder::new(
        tokenizer.info.vocab_size,
        tokenizer.info.special_tokens.unk.as_ref().map(|t| t.id),
    );
    let mut pending: BTreeMap<u64, Msg> = BTreeMap::new();
    let mut next_seq = 0u64;
    let mut split_ends: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    let mut writers: Vec<Option<SplitWriter>> = (0..names.len()).map(|_| None).collect();
    let mut split_stats: Vec<SplitStatistics> = names
        .iter()
        .map(|n| SplitStatistics {
            name: n.clone(),
            ..SplitStatistics::default()
        })
        .collect();
    let mut packer = s.packing.map(|p| Packer {
        context: p.context_size as usize,
        bos: settings.bos_id,
        separator: settings.separator_id,
        stream: Vec::new(),
        docs_in_split: 0,
    });
    let mut bytes = 0u64;
    let mut done = PassProgress::default();
    let mut row = Vec::new();
    let mut finished_splits = 0;
    std::fs::create_dir_all(lengths_dir)
        .map_err(|e| Error::io(format!("creating {}", lengths_dir.display()), e))?;
    let mut lengths: Vec<Option<LengthsWriter>> = (0..names.len()).map(|_| None).collect();

    let open = |i: usize| -> Result<SplitWriter> {
        SplitWriter::new(
            &dirs[i],
            with_mask,
            !packed,
            fingerprint(&[fingerprint_base, &names[i]]),
        )
    };

    while finished_splits < names.len() {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        // Split ends that are due come first: every batch before them has been written.
        if let Some(ends) = split_ends.remove(&next_seq) {
            for split in ends {
                if let Some(p) = &mut packer {
                    stats.stats.dropped_tokens += p.stream.len() as u64;
                    p.stream.clear();
                    p.docs_in_split = 0;
                }
                let w = match writers[split].take() {
                    Some(w) => w,
                    None => open(split)?,
                };
                let rows = w.rows;
                match lengths[split].take() {
                    Some(l) => l.finish()?,
                    None => LengthsWriter::create(lengths_dir, &names[split])?.finish()?,
                }
                bytes += w.finish(&format!(
                    "{} tokenized with {}",
                    names[split], tokenizer.info.name
                ))?;
                split_stats[split].num_rows = rows;
                finished_splits += 1;
            }
            continue;
        }
        let msg = match pending.remove(&next_seq) {
            Some(m) => m,
            None => match done_rx.recv() {
                Ok(Msg::SplitEnd { seq, split }) => {
                    split_ends.entry(seq).or_default().push(split);
                    continue;
                }
                Ok(Msg::Batch(d)) if d.seq != next_seq => {
                    pending.insert(d.seq, Msg::Batch(d));
                    continue;
                }
                Ok(m) => m,
                Err(_) => return Err(Error::Cancelled),
            },
        };
        let Msg::Batch(d) = msg else { continue };
        next_seq += 1;
        let encoded = d.encoded?;
        if writers[d.split].is_none() {
            writers[d.split] = Some(open(d.split)?);
        }
        let out = writers[d.split].as_mut().expect("opened above");
        if lengths[d.split].is_none() {
            lengths[d.split] = Some(LengthsWriter::create(lengths_dir, &names[d.split])?);
        }
        let sample_lengths = lengths[d.split].as_mut().expect("opened above");
        let sp = &mut split_stats[d.split];
        let before_tokens = stats.stats.num_tokens;
        let count = d.nulls.len() as u64;
        stats.stats.num_samples += count;
        sp.num_samples += count;
        stats.stats.null_samples += d.nulls.iter().filter(|n| **n).count() as u64;
        let keep = |len: usize, st: &mut StatsBuilder| -> bool {
            if s.min_tokens.is_some_and(|m| len < m as usize) {
                st.stats.filtered_short += 1;
                false
            } else if s.max_tokens.is_some_and(|m| len > m as usize) {
                st.stats.filtered_long += 1;
                false
            } else {
                true
            }
        };
        match encoded {
            Encoded::Samples(samples) => {
                for (k, sample) in samples.into_iter().enumerate() {
                    sample_lengths.push(sample.as_ref().map_or(0, |s| s.full_len))?;
                    let Some(sample) = sample else { continue };
                    stats.sample_lengths.add(sample.full_len as u64);
                    if !keep(sample.full_len, &mut stats) {
                        continue;
                    }
                    if s.truncation && sample.full_len > s.max_length as usize {
                        stats.stats.truncated += 1;
                    }
                    for (r, (ids, mask)) in sample.rows.iter().enumerate() {
                        let real = match mask {
                            Some(m) => m.iter().filter(|v| **v != 0).count(),
                            None => ids.len(),
                        };
                        if r > 0 {
                            stats.stats.overflow_rows += 1;
                        }
                        stats.row(ids, real);
                        out.push(Row {
                            ids,
                            attention_mask: mask.as_deref(),
                            sample_index: Some(d.first + k as u64),
                        })?;
                    }
                }
            }
            Encoded::Documents(docs) => {
                let p = packer.as_mut().expect("packed mode has a packer");
                for doc in docs {
                    sample_lengths.push(doc.as_ref().map_or(0, Vec::len))?;
                    let Some(doc) = doc else { continue };
                    stats.sample_lengths.add(doc.len() as u64);
                    if !keep(doc.len(), &mut stats) {
                        continue;
                    }
                    p.push(&doc, out, &mut stats, &mut row)?;
                }
            }
        }
        sp.num_tokens += stats.stats.num_tokens - before_tokens;
        done.samples += count;
        done.tokens = stats.stats.num_tokens;
        progress(done);
        // The batch is written: the reader may read another.
        let _ = tickets.send(());
    }
    let mut statistics = stats.finish(|id| tokenizer.piece(id));
    statistics.splits = split_stats;
    Ok(PassResult { statistics, bytes })
}
