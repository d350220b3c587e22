//! What a tokenization is asked to do, and the checks that settings make sense for a tokenizer
//! and a dataset before any job starts.

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

/// The token put between documents in packed mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Separator {
    #[default]
    Eos,
    Bos,
    /// A token id of the user's choice.
    Id(u32),
    /// Documents run into each other.
    None,
}

/// Documents concatenated and cut into rows of exactly `context_size` tokens (the
/// SAELens / TransformerLens convention): a separator between documents, BOS at the start of
/// each row when asked, the remainder of each split dropped, no padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Packing {
    pub context_size: u32,
    pub bos_per_row: bool,
    pub separator: Separator,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The tokenizer's own special tokens (e.g. BOS/EOS, [CLS]/[SEP]) around each sample.
    pub add_special_tokens: bool,
    pub packing: Option<Packing>,
    /// Samples with fewer tokens are left out (and counted).
    pub min_tokens: Option<u32>,
    /// Samples with more tokens (before truncation) are left out (and counted).
    pub max_tokens: Option<u32>,
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
    pub bos_id: Option<u32>,
    pub separator_id: Option<u32>,
}

impl TokenizeSettings {
    /// Checks the settings on their own and against the tokenizer; the dataset's columns and
    /// splits are checked by [`TokenizeSettings::resolve`].
    pub fn validate(&self, tokenizer: &LoadedTokenizer) -> Result<ResolvedSettings> {
        let special = &tokenizer.info.special_tokens;
        let vocab = tokenizer.info.vocab_size;
        let mut bos_id = None;
        let mut separator_id = None;
        let mut pad_id = None;
        if let Some(p) = &self.packing {
            if p.context_size < 2 || p.context_size > MAX_LENGTH_LIMIT {
                return Err(Error::invalid(format!(
                    "the context size must be between 2 and {MAX_LENGTH_LIMIT} tokens, not {}",
                    p.context_size
                )));
            }
            if p.bos_per_row {
                bos_id = Some(special.bos.as_ref().map(|t| t.id).ok_or_else(|| {
                    Error::invalid(format!(
                        "{} has no BOS token, so rows cannot start with one: turn \"BOS at each row\" off",
                        tokenizer.info.name
                    ))
                })?);
            }
            separator_id = match p.separator {
                Separator::None => None,
                Separator::Eos => Some(special.eos.as_ref().map(|t| t.id).ok_or_else(|| {
                    Error::invalid(format!(
                        "{} has no EOS token to separate documents with: choose BOS, a token id or none",
                        tokenizer.info.name
                    ))
                })?),
                Separator::Bos => Some(special.bos.as_ref().map(|t| t.id).ok_or_else(|| {
                    Error::invalid(format!(
                        "{} has no BOS token to separate documents with: choose EOS, a token id or none",
                        tokenizer.info.name
                    ))
                })?),
                Separator::Id(id) => {
                    if u64::from(id) >= vocab {
                        return Err(Error::invalid(format!(
                            "separator id {id} is outside the vocabulary of {} (0 to {})",
                            tokenizer.info.name,
                            vocab.saturating_sub(1)
                        )));
                    }
                    Some(id)
                }
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
            bos_id,
            separator_id,
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

    /// One line for lists: "packed 1,024 · BOS · sep eos" or "max 512 · truncate · pad".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.packing {
            parts.push(format!("packed {}", p.context_size));
            if p.bos_per_row {
                parts.push("BOS per row".into());
            }
            parts.push(match p.separator {
                Separator::Eos => "EOS between documents".into(),
                Separator::Bos => "BOS between documents".into(),
                Separator::Id(id) => format!("token {id} between documents"),
                Separator::None => "no separator".into(),
            });
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
        parts.join(" · ")
    }
}
