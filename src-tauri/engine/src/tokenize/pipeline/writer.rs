//! The writer stage of the pass: batches come back from the encoders out of order and are
//! written in order, packed or per sample, with the statistics gathered on the way.

use super::shuffle::RowSink;
use super::{fingerprint, Encoded, Msg, PassProgress, PassResult};
use crate::error::{Error, Result};
use crate::tokenize::model::LoadedTokenizer;
use crate::tokenize::output::{IdWidth, Row, SplitWriter};
use crate::tokenize::packing::RowPacker;
use crate::tokenize::settings::ResolvedSettings;
use crate::tokenize::stats::{SplitStatistics, StatsBuilder};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};
use tokio_util::sync::CancellationToken;

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

#[allow(clippy::too_many_arguments)]
pub(super) fn write_in_order(
    tokenizer: &LoadedTokenizer,
    settings: &ResolvedSettings,
    names: &[String],
    dirs: &[PathBuf],
    lengths_dir: &Path,
    scratch_dir: &Path,
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
    let mut writers: Vec<Option<RowSink>> = (0..names.len()).map(|_| None).collect();
    let mut split_stats: Vec<SplitStatistics> = names
        .iter()
        .map(|n| SplitStatistics {
            name: n.clone(),
            ..SplitStatistics::default()
        })
        .collect();
    let new_packer = || {
        s.packing.map(|p| {
            RowPacker::new(
                p.context_size as usize,
                settings.packing_tokens,
                p.disable_concat_sequences,
            )
        })
    };
    let mut packer = new_packer();
    let shuffle_seed = match (s.shuffle, s.seed) {
        (false, _) => None,
        (true, Some(seed)) => Some(u64::from(seed)),
        (true, None) => {
            return Err(Error::Internal(
                "a shuffled tokenization reached the pass without its seed".into(),
            ))
        }
    };
    let mut bytes = 0u64;
    let mut done = PassProgress::default();
    let mut finished_splits = 0;
    std::fs::create_dir_all(lengths_dir)
        .map_err(|e| Error::io(format!("creating {}", lengths_dir.display()), e))?;
    let mut lengths: Vec<Option<LengthsWriter>> = (0..names.len()).map(|_| None).collect();

    let open = |i: usize| -> Result<RowSink> {
        let writer = SplitWriter::new(
            &dirs[i],
            IdWidth::for_max_id(tokenizer.max_id),
            with_mask,
            !packed,
            fingerprint(&[fingerprint_base, &names[i]]),
        )?;
        RowSink::new(writer, shuffle_seed, scratch_dir, i, with_mask)
    };

    while finished_splits < names.len() {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        // Split ends that are due come first: every batch before them has been written.
        if let Some(ends) = split_ends.remove(&next_seq) {
            for split in ends {
                // Packing runs on over a split and starts afresh with the next.
                if let Some(p) = std::mem::replace(&mut packer, new_packer()) {
                    stats.stats.dropped_tokens += p.left_over() as u64;
                }
                let w = match writers[split].take() {
                    Some(w) => w,
                    None => open(split)?,
                };
                let w = w.into_writer()?;
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
                    p.push(&doc, |row| {
                        stats.row(row, row.len());
                        out.push(Row {
                            ids: row,
                            attention_mask: None,
                            sample_index: None,
                        })
                    })?;
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
