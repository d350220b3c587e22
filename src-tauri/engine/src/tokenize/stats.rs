//! Statistics of a tokenization, gathered in the same pass that writes it. Memory is bounded by
//! the vocabulary and the number of distinct lengths, never by the number of rows.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LengthSummary {
    pub min: u64,
    pub max: u64,
    pub mean: f64,
    pub median: u64,
    pub p90: u64,
    pub p99: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HistogramBin {
    /// Lengths `start..end` (end exclusive).
    pub start: u64,
    pub end: u64,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TopToken {
    pub id: u32,
    pub piece: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SplitStatistics {
    pub name: String,
    pub num_samples: u64,
    pub num_rows: u64,
    pub num_tokens: u64,
}

/// The figures docs/design.md §5 asks for. Token counts leave padding out; `padding_overhead` is
/// the share of the written ids that are padding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Statistics {
    /// Source rows read.
    pub num_samples: u64,
    /// Rows written (overflow rows and packed rows included).
    pub num_rows: u64,
    /// Tokens written, padding excluded.
    pub num_tokens: u64,
    pub num_padding_tokens: u64,
    pub padding_overhead: f64,
    /// Samples cut by truncation.
    pub truncated: u64,
    /// Rows beyond the first that overflow produced.
    pub overflow_rows: u64,
    pub filtered_short: u64,
    pub filtered_long: u64,
    /// Samples whose text was null (written as empty).
    pub null_samples: u64,
    /// Packed mode: tokens of each split's last, incomplete row, dropped.
    pub dropped_tokens: u64,
    /// Lengths of the written rows, padding excluded.
    pub seq_len: LengthSummary,
    pub histogram: Vec<HistogramBin>,
    /// Lengths of the source samples in tokens, before truncation or packing.
    pub sample_len: LengthSummary,
    pub sample_histogram: Vec<HistogramBin>,
    pub unique_tokens: u64,
    pub vocab_size: u64,
    pub unknown_tokens: u64,
    pub top_tokens: Vec<TopToken>,
    pub splits: Vec<SplitStatistics>,
    /// The encoder the pass ran on; absent in tokenizations made before there was a choice.
    #[serde(default)]
    pub encoder: Option<super::fast::Encoder>,
}

/// Exact counts per length; percentiles and histograms come from them at the end.
#[derive(Debug, Default, Clone)]
pub struct LengthCounts(BTreeMap<u64, u64>);

impl LengthCounts {
    pub fn add(&mut self, len: u64) {
        *self.0.entry(len).or_default() += 1;
    }

    fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// The smallest length with at least `q` of the rows at or below it (nearest rank).
    fn quantile(&self, q: f64) -> u64 {
        let n = self.total();
        if n == 0 {
            return 0;
        }
        let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (&len, &count) in &self.0 {
            seen += count;
            if seen >= rank {
                return len;
            }
        }
        *self.0.keys().next_back().unwrap_or(&0)
    }

    pub fn summary(&self) -> LengthSummary {
        let n = self.total();
        if n == 0 {
            return LengthSummary::default();
        }
        let sum: f64 = self.0.iter().map(|(l, c)| *l as f64 * *c as f64).sum();
        LengthSummary {
            min: *self.0.keys().next().unwrap_or(&0),
            max: *self.0.keys().next_back().unwrap_or(&0),
            mean: sum / n as f64,
            median: self.quantile(0.5),
            p90: self.quantile(0.9),
            p99: self.quantile(0.99),
        }
    }

    /// At most `bins` equal-width bins from 0 to past the longest length, with round widths.
    pub fn histogram(&self, bins: u64) -> Vec<HistogramBin> {
        let Some(&max) = self.0.keys().next_back() else {
            return Vec::new();
        };
        let width = nice_width((max + 1).div_ceil(bins.max(1)));
        let count = (max / width) + 1;
        let mut out: Vec<HistogramBin> = (0..count)
            .map(|i| HistogramBin {
                start: i * width,
                end: (i + 1) * width,
                count: 0,
            })
            .collect();
        for (&len, &c) in &self.0 {
            out[(len / width) as usize].count += c;
        }
        out
    }
}

/// 1, 2, 5, 10, 20, 50, ... at least `w`.
fn nice_width(w: u64) -> u64 {
    let mut unit = 1u64;
    loop {
        for m in [1, 2, 5] {
            if unit * m >= w {
                return unit * m;
            }
        }
        unit *= 10;
    }
}

pub struct StatsBuilder {
    pub stats: Statistics,
    pub row_lengths: LengthCounts,
    pub sample_lengths: LengthCounts,
    token_counts: Vec<u64>,
    unk_id: Option<u32>,
}

impl StatsBuilder {
    pub fn new(vocab_size: u64, unk_id: Option<u32>) -> StatsBuilder {
        StatsBuilder {
            stats: Statistics {
                vocab_size,
                ..Statistics::default()
            },
            row_lengths: LengthCounts::default(),
            sample_lengths: LengthCounts::default(),
            token_counts: vec![0; vocab_size as usize],
            unk_id,
        }
    }

    /// Counts the ids of a written row (`real` of them are not padding).
    pub fn row(&mut self, ids: &[u32], real: usize) {
        self.stats.num_rows += 1;
        self.stats.num_tokens += real as u64;
        self.stats.num_padding_tokens += (ids.len() - real) as u64;
        self.row_lengths.add(real as u64);
        // Padding sits on the right: count only the real tokens.
        for &id in &ids[..real] {
            let id = id as usize;
            if id >= self.token_counts.len() {
                self.token_counts.resize(id + 1, 0);
            }
            self.token_counts[id] += 1;
        }
    }

    pub fn finish(mut self, piece: impl Fn(u32) -> String) -> Statistics {
        let s = &mut self.stats;
        let written = s.num_tokens + s.num_padding_tokens;
        s.padding_overhead = if written == 0 {
            0.0
        } else {
            s.num_padding_tokens as f64 / written as f64
        };
        s.seq_len = self.row_lengths.summary();
        s.histogram = self.row_lengths.histogram(40);
        s.sample_len = self.sample_lengths.summary();
        s.sample_histogram = self.sample_lengths.histogram(40);
        s.unique_tokens = self.token_counts.iter().filter(|c| **c > 0).count() as u64;
        s.unknown_tokens = self
            .unk_id
            .and_then(|id| self.token_counts.get(id as usize).copied())
            .unwrap_or(0);
        let mut top: Vec<(u32, u64)> = self
            .token_counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(id, c)| (id as u32, *c))
            .collect();
        // Ties broken by id, so the output does not depend on anything but the data.
        top.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(50);
        s.top_tokens = top
            .into_iter()
            .map(|(id, count)| TopToken {
                id,
                piece: piece(id),
                count,
            })
            .collect();
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let mut l = LengthCounts::default();
        for len in 1..=100 {
            l.add(len);
        }
        let s = l.summary();
        assert_eq!((s.min, s.max, s.median, s.p90, s.p99), (1, 100, 50, 90, 99));
        assert!((s.mean - 50.5).abs() < 1e-9);
    }

    #[test]
    fn histograms_have_round_widths_and_hold_every_row() {
        let mut l = LengthCounts::default();
        for len in [0, 3, 17, 512, 1023] {
            l.add(len);
        }
        let h = l.histogram(40);
        assert_eq!(h[0].end - h[0].start, 50);
        assert_eq!(h.iter().map(|b| b.count).sum::<u64>(), 5);
        assert_eq!(h.last().unwrap().end, 1050);
    }
}
