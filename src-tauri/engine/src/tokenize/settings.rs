//! What a tokenization is asked to do, and the checks that settings make sense for a tokenizer
//! and a dataset before any job starts.

use super::packing::PackingTokens;
use super::packing_settings::PackingWire;
pub use super::packing_settings::{Packing, PackingToken};
use super::LoadedTokenizer;
use crate::error::{Error, Result};
use crate::store::Dataset;
use serde::{Deserialize, Serialize};

pub const MAX_LENGTH_LIMIT: u32 = 1_048_576;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Padding {
    #[default]
    None,
    /// Every row padded to `max_length` with the tokenizer's pad token.
    MaxLength,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TokenizeSettings {
    /// The column to tokenize; `None` takes the dataset's text column.
    pub text_column: Option<String>,
    /// The splits to tokenize; empty means all.
    #[serde(default)]
    pub splits: Vec<String>,
    /// Per-sample mode: the longest row. Ignored in packed mode.
    pub max_length: u32,
    pub truncation: bool,
    pub padding: Padding,
    /// Keep what truncation cuts off as further rows (each `sample_index` repeated).
    #[serde(default)]
    pub overflow: bool,
    /// Tokens shared by consecutive overflow rows.
    #[serde(default)]
    pub stride: u32,
    /// The tokenizer's own special tokens (e.g. BOS/EOS, [CLS]/[SEP]) around each sample, or
    /// in packed mode around each document, as `transformers`' `encode(text)` adds them.
    pub add_special_tokens: bool,
    pub packing: Option<Packing>,
    /// Samples with fewer tokens are left out (and counted).
    pub min_tokens: Option<u32>,
    /// Samples with more tokens (before truncation) are left out (and counted).
    pub max_tokens: Option<u32>,
    /// Rows written in a seeded random order instead of the source's.
    pub shuffle: bool,
    /// The shuffle's seed; a tokenization that shuffles always records one (a request
    /// without one gets a random seed when it starts).
    pub seed: Option<u32>,
}

/// What is stored and sent: today's settings, or the first release's (whose packing encoded
/// documents without special tokens, so those keep `add_special_tokens` off).
#[derive(Deserialize)]
struct SettingsWire {
    text_column: Option<String>,
    #[serde(default)]
    splits: Vec<String>,
    max_length: u32,
    truncation: bool,
    padding: Padding,
    #[serde(default)]
    overflow: bool,
    #[serde(default)]
    stride: u32,
    add_special_tokens: bool,
    packing: Option<PackingWire>,
    min_tokens: Option<u32>,
    max_tokens: Option<u32>,
    #[serde(default)]
    shuffle: bool,
    #[serde(default)]
    seed: Option<u32>,
}

impl<'de> Deserialize<'de> for TokenizeSettings {
    fn deserialize<D: serde::Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<TokenizeSettings, D::Error> {
        let w = SettingsWire::deserialize(d)?;
        let (packing, legacy) = match w.packing.map(PackingWire::into_packing) {
            Some((p, legacy)) => (Some(p), legacy),
            None => (None, false),
        };
        Ok(TokenizeSettings {
            text_column: w.text_column,
            splits: w.splits,
            max_length: w.max_length,
            truncation: w.truncation,
            padding: w.padding,
            overflow: w.overflow,
            stride: w.stride,
            add_special_tokens: w.add_special_tokens && !legacy,
            packing,
            min_tokens: w.min_tokens,
            max_tokens: w.max_tokens,
            shuffle: w.shuffle,
            seed: w.seed,
        })
    }
}

impl Default for TokenizeSettings {
    fn default() -> Self {
        TokenizeSettings {
            text_column: None,
            splits: Vec::new(),
            max_length: 512,
            truncation: true,
            padding: Padding::None,
            overflow: false,
            stride: 0,
            add_special_tokens: true,
            packing: None,
            min_tokens: None,
            max_tokens: None,
            shuffle: false,
            seed: None,
        }
    }
}

/// Settings after validation, with every token id they need resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSettings {
    pub settings: TokenizeSettings,
    pub text_column: String,
    pub splits: Vec<String>,
    pub pad_id: Option<u32>,
    /// Packed mode's special tokens as ids.
    pub packing_tokens: PackingTokens,
}

impl TokenizeSettings {
    /// Checks the settings on their own and against the tokenizer; the dataset's columns and
    /// splits are checked by [`TokenizeSettings::resolve`].
    pub fn validate(&self, tokenizer: &LoadedTokenizer) -> Result<ResolvedSettings> {
        let special = &tokenizer.info.special_tokens;
        let vocab = tokenizer.info.vocab_size;
        let mut packing_tokens = PackingTokens::default();
        let mut pad_id = None;
        if let Some(p) = &self.packing {
            if p.context_size < 2 || p.context_size > MAX_LENGTH_LIMIT {
                return Err(Error::invalid(format!(
                    "the context size must be between 2 and {MAX_LENGTH_LIMIT} tokens, not {}",
                    p.context_size
                )));
            }
            let id = |choice: PackingToken, role: &str| -> Result<Option<u32>> {
                let named = |t: &Option<super::SpecialToken>, name: &str| {
                    t.as_ref().map(|t| Some(t.id)).ok_or_else(|| {
                        Error::invalid(format!(
                            "{} has no {name} token to use as the {role} token: choose another token, a token id or none",
                            tokenizer.info.name
                        ))
                    })
                };
                match choice {
                    PackingToken::None => Ok(None),
                    PackingToken::Bos => named(&special.bos, "BOS"),
                    PackingToken::Eos => named(&special.eos, "EOS"),
                    PackingToken::Sep => named(&special.sep, "SEP"),
                    PackingToken::Id(id) if u64::from(id) >= vocab => Err(Error::invalid(format!(
                        "the {role} token id {id} is outside the vocabulary of {} (0 to {})",
                        tokenizer.info.name,
                        vocab.saturating_sub(1)
                    ))),
                    PackingToken::Id(id) => Ok(Some(id)),
                }
            };
            packing_tokens = PackingTokens {
                begin_batch: id(p.begin_batch_token, "begin-batch")?,
                begin_sequence: id(p.begin_sequence_token, "begin-sequence")?,
                separator: id(p.sequence_separator_token, "separator")?,
                document_end: id(p.document_end_token, "document-end")?,
            };
        } else {
            if self.max_length == 0 || self.max_length > MAX_LENGTH_LIMIT {
                return Err(Error::invalid(format!(
                    "the max length must be between 1 and {MAX_LENGTH_LIMIT} tokens, not {}",
                    self.max_length
                )));
            }
            if self.padding == Padding::MaxLength {
                pad_id = Some(special.pad.as_ref().map(|t| t.id).ok_or_else(|| {
                    Error::invalid(format!(
                        "{} has no pad token, so rows cannot be padded to the max length: choose no padding",
                        tokenizer.info.name
                    ))
                })?);
            }
            if self.overflow && !self.truncation {
                return Err(Error::invalid(
                    "overflow rows come from truncation: turn truncation on, or overflow off",
                ));
            }
            if self.stride > 0 && !self.overflow {
                return Err(Error::invalid(
                    "a stride only applies to overflow rows: turn overflow on, or set the stride to 0",
                ));
            }
            let room = self.max_length.saturating_sub(if self.add_special_tokens {
                tokenizer.added_tokens_per_sample as u32
            } else {
                0
            });
            if self.truncation && room == 0 {
                return Err(Error::invalid(format!(
                    "a max length of {} leaves no room for text next to the {} special tokens {} adds: raise it",
                    self.max_length, tokenizer.added_tokens_per_sample, tokenizer.info.name
                )));
            }
            if self.stride >= room.max(1) && self.stride > 0 {
                return Err(Error::invalid(format!(
                    "the stride ({}) must be smaller than the tokens of text per row ({room})",
                    self.stride
                )));
            }
        }
        if let (Some(min), Some(max)) = (self.min_tokens, self.max_tokens) {
            if min > max {
                return Err(Error::invalid(format!(
                    "the minimum token filter ({min}) is above the maximum ({max})"
                )));
            }
        }
        Ok(ResolvedSettings {
            settings: self.clone(),
            text_column: self.text_column.clone().unwrap_or_default(),
            splits: self.splits.clone(),
            pad_id,
            packing_tokens,
        })
    }

    /// [`TokenizeSettings::validate`], then the column and splits checked against the dataset.
    pub fn resolve(
        &self,
        tokenizer: &LoadedTokenizer,
        dataset: &Dataset,
    ) -> Result<ResolvedSettings> {
        let mut resolved = self.validate(tokenizer)?;
        let column = match &self.text_column {
            Some(c) => c.clone(),
            None => dataset.text_column.clone().ok_or_else(|| {
                Error::invalid(format!(
                    "{} has no detected text column: choose the column to tokenize",
                    dataset.name
                ))
            })?,
        };
        let info = dataset
            .columns
            .iter()
            .find(|c| c.name == column)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{} has no column \"{column}\"; its columns are {}",
                    dataset.name,
                    dataset
                        .columns
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        if !super::source::is_text_type(&info.data_type) {
            return Err(Error::invalid(format!(
                "column \"{column}\" holds {}, not text: choose a text column",
                info.data_type
            )));
        }
        let all: Vec<String> = dataset.splits.iter().map(|s| s.name.clone()).collect();
        let splits = if self.splits.is_empty() {
            all
        } else {
            for s in &self.splits {
                if !all.contains(s) {
                    return Err(Error::invalid(format!(
                        "{} has no split \"{s}\"; its splits are {}",
                        dataset.name,
                        all.join(", ")
                    )));
                }
            }
            all.into_iter()
                .filter(|s| self.splits.contains(s))
                .collect()
        };
        if splits.is_empty() {
            return Err(Error::invalid(format!(
                "{} has no splits to tokenize",
                dataset.name
            )));
        }
        resolved.text_column = column;
        resolved.splits = splits;
        Ok(resolved)
    }

    /// What makes two tokenizations different: settings that packed mode ignores are left out,
    /// and so is the seed when nothing is shuffled.
    fn effective(&self) -> TokenizeSettings {
        let mut s = self.clone();
        if s.packing.is_some() {
            let d = TokenizeSettings::default();
            (s.max_length, s.truncation, s.padding) = (d.max_length, d.truncation, d.padding);
            (s.overflow, s.stride) = (d.overflow, d.stride);
        }
        if !s.shuffle {
            s.seed = None;
        }
        s
    }

    /// Whether a tokenization made with these settings is what `asked` asks for; a request that
    /// leaves the seed to chance matches whatever seed was drawn.
    pub fn made_as(&self, asked: &TokenizeSettings) -> bool {
        let mut made = self.effective();
        if asked.seed.is_none() {
            made.seed = None;
        }
        made == asked.effective()
    }

    /// The settings to record: a shuffle left to chance gets its seed now, so a rerun after a
    /// crash writes the same bytes.
    pub fn with_seed_recorded(&self) -> TokenizeSettings {
        let mut s = self.clone();
        if s.shuffle && s.seed.is_none() {
            let bytes = *uuid::Uuid::new_v4().as_bytes();
            s.seed = Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]));
        }
        s
    }

    /// One line for lists: "packed 1,024 · BOS · sep eos" or "max 512 · truncate · pad".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.packing {
            parts.push(format!("packed {}", p.context_size));
            if p.disable_concat_sequences {
                parts.push("one document per row".into());
            }
            parts.push(format!("row start {}", p.begin_batch_token.label()));
            if p.begin_sequence_token != PackingToken::None {
                parts.push(format!("document start {}", p.begin_sequence_token.label()));
            }
            if !p.disable_concat_sequences {
                parts.push(format!("separator {}", p.sequence_separator_token.label()));
            }
            if p.document_end_token != PackingToken::None {
                parts.push(format!("document end {}", p.document_end_token.label()));
            }
            if !self.add_special_tokens {
                parts.push("no special tokens".into());
            }
        } else {
            parts.push(format!("max {}", self.max_length));
            if self.truncation {
                parts.push("truncate".into());
            }
            if self.overflow {
                parts.push(format!("overflow stride {}", self.stride));
            }
            if self.padding == Padding::MaxLength {
                parts.push("pad".into());
            }
            if self.add_special_tokens {
                parts.push("special tokens".into());
            }
        }
        if self.shuffle {
            parts.push(match self.seed {
                Some(seed) => format!("shuffled seed {seed}"),
                None => "shuffled".into(),
            });
        }
        parts.join(" · ")
    }
}
