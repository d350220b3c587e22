//! Packed mode's settings as they are stored and sent: SAELens's three special-token settings
//! and `disable_concat_sequences`, and the first release's shape, which still reads.

use serde::{Deserialize, Serialize};

/// A special token packing puts into rows, named as SAELens names them
/// (`"bos" | "eos" | "sep" | None | <id>`); the names are looked up in the tokenizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum PackingToken {
    Bos,
    Eos,
    Sep,
    /// A token id of the user's choice.
    Id(u32),
    #[default]
    None,
}

impl PackingToken {
    /// SAELens's spelling: `"bos"`, `"eos"`, `"sep"`, the id, or `null`.
    pub fn saelens_value(self) -> serde_json::Value {
        match self {
            PackingToken::Bos => "bos".into(),
            PackingToken::Eos => "eos".into(),
            PackingToken::Sep => "sep".into(),
            PackingToken::Id(id) => id.into(),
            PackingToken::None => serde_json::Value::Null,
        }
    }

    pub(super) fn label(self) -> String {
        match self {
            PackingToken::Bos => "BOS".into(),
            PackingToken::Eos => "EOS".into(),
            PackingToken::Sep => "SEP".into(),
            PackingToken::Id(id) => format!("token {id}"),
            PackingToken::None => "none".into(),
        }
    }
}

/// Documents concatenated and cut into rows of exactly `context_size` tokens, by SAELens's
/// rules (`concat_and_batch_sequences`; see `tokenize/packing.rs`): the begin-batch token
/// starts each row, the begin-sequence token each document, the separator goes between
/// documents in a row; continuous over a split, its last incomplete row dropped, no padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Packing {
    pub context_size: u32,
    pub begin_batch_token: PackingToken,
    pub begin_sequence_token: PackingToken,
    pub sequence_separator_token: PackingToken,
    /// One document per row (its first `context_size` tokens); shorter documents are dropped.
    pub disable_concat_sequences: bool,
    /// A token after every document, before packing (datatrove's and nanoGPT's stream: each
    /// document followed by its EOS, rows cut wherever they fall). A document with empty text
    /// then adds nothing at all, as datatrove's readers skip it.
    #[serde(default)]
    pub document_end_token: PackingToken,
}

impl Packing {
    /// `PretokenizeRunnerConfig`'s defaults: BOS at each row, no begin-sequence token, BOS
    /// between documents.
    pub fn saelens(context_size: u32) -> Packing {
        Packing {
            context_size,
            begin_batch_token: PackingToken::Bos,
            begin_sequence_token: PackingToken::None,
            sequence_separator_token: PackingToken::Bos,
            disable_concat_sequences: false,
            document_end_token: PackingToken::None,
        }
    }
}

/// The packing settings of the first release (`bos_per_row`, `separator`), which tokenizations
/// made then still carry in the database and in their `mistudio.json`.
#[derive(Deserialize)]
pub(super) struct LegacyPacking {
    context_size: u32,
    bos_per_row: bool,
    separator: PackingToken,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CurrentPacking {
    context_size: u32,
    begin_batch_token: PackingToken,
    #[serde(default)]
    begin_sequence_token: PackingToken,
    sequence_separator_token: PackingToken,
    #[serde(default)]
    disable_concat_sequences: bool,
    #[serde(default)]
    document_end_token: PackingToken,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum PackingWire {
    Current(CurrentPacking),
    Legacy(LegacyPacking),
}

impl PackingWire {
    pub(super) fn into_packing(self) -> (Packing, bool) {
        match self {
            PackingWire::Current(p) => (
                Packing {
                    context_size: p.context_size,
                    begin_batch_token: p.begin_batch_token,
                    begin_sequence_token: p.begin_sequence_token,
                    sequence_separator_token: p.sequence_separator_token,
                    disable_concat_sequences: p.disable_concat_sequences,
                    document_end_token: p.document_end_token,
                },
                false,
            ),
            PackingWire::Legacy(p) => (
                Packing {
                    context_size: p.context_size,
                    begin_batch_token: if p.bos_per_row {
                        PackingToken::Bos
                    } else {
                        PackingToken::None
                    },
                    begin_sequence_token: PackingToken::None,
                    sequence_separator_token: p.separator,
                    disable_concat_sequences: false,
                    document_end_token: PackingToken::None,
                },
                true,
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Packing {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Packing, D::Error> {
        Ok(PackingWire::deserialize(d)?.into_packing().0)
    }
}
