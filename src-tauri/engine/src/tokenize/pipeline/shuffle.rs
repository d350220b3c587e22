//! The seeded shuffle of a split's rows. Rows are spooled to a scratch file in the tokenization's
//! `.partial` folder as they come, then written in the order of a seeded permutation of their
//! indices once the split is complete.
//!
//! The permutation is a keyed Feistel network over the index bits, cycle-walked into
//! `0..rows` (docs/design.md §5): a bijection computed one index at a time, so memory stays
//! the same whatever the number of rows, and it uses only integer arithmetic on `u64`, so the
//! same seed orders the rows the same on any machine. Spooled rows are read back with
//! positioned reads rather than a memory map, so the page cache, not the process, holds them.

use crate::error::{Error, Result};
use crate::tokenize::output::{io_err, Row, SplitWriter};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// A seeded bijection of `0..n`.
pub struct Permutation {
    n: u64,
    half_bits: u32,
    keys: [u64; ROUNDS],
}

const ROUNDS: usize = 6;

/// SplitMix64's finaliser: a fixed, well-mixed function of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Permutation {
    pub fn new(n: u64, seed: u64) -> Permutation {
        // The smallest even number of bits that covers n, so both halves have the same width
        // and cycle walking needs fewer than four steps on average.
        let bits = (64 - n.saturating_sub(1).leading_zeros()).max(2);
        let half_bits = bits.div_ceil(2);
        let mut keys = [0u64; ROUNDS];
        let mut state = seed;
        for key in &mut keys {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            *key = mix(state);
        }
        Permutation { n, half_bits, keys }
    }

    fn round(&self, x: u64) -> u64 {
        let mask = (1u64 << self.half_bits) - 1;
        let (mut left, mut right) = (x >> self.half_bits, x & mask);
        for key in &self.keys {
            let next = left ^ (mix(right ^ key) & mask);
            left = right;
            right = next;
        }
        (left << self.half_bits) | right
    }

    /// Where row `i` of the shuffled order comes from.
    pub fn get(&self, i: u64) -> u64 {
        debug_assert!(i < self.n);
        let mut x = self.round(i);
        while x >= self.n {
            x = self.round(x);
        }
        x
    }
}

/// One spooled row's place: where its ids start, how many there are, how many are real (not
/// padding), and the source row it came from.
const INDEX_RECORD: usize = 8 + 4 + 4 + 8;

struct Spool {
    ids_path: PathBuf,
    index_path: PathBuf,
    ids: BufWriter<File>,
    index: BufWriter<File>,
    ids_written: u64,
    rows: u64,
    /// A row's ids as bytes, reused.
    bytes: Vec<u8>,
    /// The length every row so far has had, when all are that long, unpadded and without a
    /// source row (packed rows): then a row's place follows from its index alone and draining
    /// skips the index file.
    uniform: Uniform,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Uniform {
    NoRowYet,
    Len(usize),
    Mixed,
}

impl Spool {
    fn create(dir: &Path, split_index: usize) -> Result<Spool> {
        let ids_path = dir.join(format!("shuffle-{split_index}.ids"));
        let index_path = dir.join(format!("shuffle-{split_index}.index"));
        let open = |p: &Path| -> Result<BufWriter<File>> {
            // Read back at the split's end, through the same handle.
            let f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(p)
                .map_err(io_err(p, "creating"))?;
            Ok(BufWriter::with_capacity(1 << 20, f))
        };
        Ok(Spool {
            ids: open(&ids_path)?,
            index: open(&index_path)?,
            ids_path,
            index_path,
            ids_written: 0,
            rows: 0,
            bytes: Vec::new(),
            uniform: Uniform::NoRowYet,
        })
    }

    fn push(&mut self, row: &Row<'_>) -> Result<()> {
        let real = match row.attention_mask {
            Some(m) => m.iter().filter(|v| **v != 0).count(),
            None => row.ids.len(),
        };
        let mut record = [0u8; INDEX_RECORD];
        record[..8].copy_from_slice(&self.ids_written.to_le_bytes());
        record[8..12].copy_from_slice(&(row.ids.len() as u32).to_le_bytes());
        record[12..16].copy_from_slice(&(real as u32).to_le_bytes());
        record[16..].copy_from_slice(&row.sample_index.unwrap_or(0).to_le_bytes());
        self.index
            .write_all(&record)
            .map_err(io_err(&self.index_path, "writing"))?;
        self.bytes.clear();
        self.bytes
            .extend(row.ids.iter().flat_map(|id| id.to_le_bytes()));
        self.ids
            .write_all(&self.bytes)
            .map_err(io_err(&self.ids_path, "writing"))?;
        self.ids_written += row.ids.len() as u64;
        self.rows += 1;
        let plain = real == row.ids.len() && row.sample_index.is_none();
        self.uniform = match self.uniform {
            Uniform::NoRowYet if plain => Uniform::Len(row.ids.len()),
            Uniform::Len(n) if plain && n == row.ids.len() => Uniform::Len(n),
            _ => Uniform::Mixed,
        };
        Ok(())
    }

    /// Writes every spooled row to `out` in the permutation's order, then removes the spool.
    fn drain(self, seed: u64, out: &mut SplitWriter, with_mask: bool) -> Result<()> {
        let finish = |w: BufWriter<File>, path: &Path| -> Result<File> {
            w.into_inner()
                .map_err(|e| Error::io(format!("writing {}", path.display()), e.into_error()))
        };
        let ids = finish(self.ids, &self.ids_path)?;
        let index = finish(self.index, &self.index_path)?;
        let permutation = Permutation::new(self.rows, seed);
        let mut record = [0u8; INDEX_RECORD];
        let mut bytes: Vec<u8> = Vec::new();
        let mut row: Vec<u32> = Vec::new();
        let mut mask: Vec<u32> = Vec::new();
        let field = |r: &[u8], at: usize, len: usize| {
            let mut b = [0u8; 8];
            b[..len].copy_from_slice(&r[at..at + len]);
            u64::from_le_bytes(b)
        };
        for i in 0..self.rows {
            let from = permutation.get(i);
            let (offset, len, real, sample) = match self.uniform {
                Uniform::Len(n) => (from * n as u64, n, n, 0),
                _ => {
                    index
                        .read_exact_at(&mut record, from * INDEX_RECORD as u64)
                        .map_err(io_err(&self.index_path, "reading"))?;
                    let (offset, len) = (field(&record, 0, 8), field(&record, 8, 4) as usize);
                    (
                        offset,
                        len,
                        field(&record, 12, 4) as usize,
                        field(&record, 16, 8),
                    )
                }
            };
            bytes.resize(len * 4, 0);
            ids.read_exact_at(&mut bytes, offset * 4)
                .map_err(io_err(&self.ids_path, "reading"))?;
            row.clear();
            row.extend(
                bytes
                    .chunks_exact(4)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
            if with_mask {
                mask.clear();
                mask.resize(len, 0);
                mask[..real].fill(1);
            }
            out.push(Row {
                ids: &row,
                attention_mask: with_mask.then_some(mask.as_slice()),
                sample_index: Some(sample),
            })?;
        }
        drop((ids, index));
        for p in [&self.ids_path, &self.index_path] {
            std::fs::remove_file(p).map_err(io_err(p, "removing"))?;
        }
        Ok(())
    }
}

/// Where a split's rows go: straight to its writer, or through the shuffle's spool.
pub struct RowSink {
    pub writer: SplitWriter,
    spool: Option<(Spool, u64)>,
    with_mask: bool,
}

impl RowSink {
    /// `shuffle_seed` shuffles the split's rows; the spool lives in `scratch`.
    pub fn new(
        writer: SplitWriter,
        shuffle_seed: Option<u64>,
        scratch: &Path,
        split_index: usize,
        with_mask: bool,
    ) -> Result<RowSink> {
        let spool = match shuffle_seed {
            Some(seed) => Some((Spool::create(scratch, split_index)?, seed)),
            None => None,
        };
        Ok(RowSink {
            writer,
            spool,
            with_mask,
        })
    }

    pub fn push(&mut self, row: Row<'_>) -> Result<()> {
        match &mut self.spool {
            Some((spool, _)) => spool.push(&row),
            None => self.writer.push(row),
        }
    }

    /// The split's writer with every row in it, in the final order.
    pub fn into_writer(mut self) -> Result<SplitWriter> {
        if let Some((spool, seed)) = self.spool.take() {
            spool.drain(seed, &mut self.writer, self.with_mask)?;
        }
        Ok(self.writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permutation_is_a_bijection_for_every_size() {
        for n in (0..300u64).chain([1000, 4096, 4097, 65_537]) {
            let p = Permutation::new(n, 7);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let j = p.get(i) as usize;
                assert!(!seen[j], "n={n}: {j} came twice");
                seen[j] = true;
            }
        }
    }

    #[test]
    fn the_order_depends_on_the_seed_and_only_on_it() {
        let order = |seed| {
            (0..1000)
                .map(|i| Permutation::new(1000, seed).get(i))
                .collect::<Vec<_>>()
        };
        assert_eq!(order(1), order(1));
        assert_ne!(order(1), order(2));
        // Fixed values: a change to the permutation changes every shuffled file on disk.
        assert_eq!(&order(42)[..5], &[899, 754, 631, 534, 148]);
    }

    #[test]
    fn the_order_is_well_mixed() {
        let p = Permutation::new(10_000, 3);
        let fixed = (0..10_000).filter(|&i| p.get(i) == i).count();
        assert!(fixed < 10, "{fixed} rows stayed in place");
        let ascending = (1..10_000)
            .filter(|&i| p.get(i) == p.get(i - 1) + 1)
            .count();
        assert!(ascending < 20, "{ascending} neighbours kept their order");
    }
}
