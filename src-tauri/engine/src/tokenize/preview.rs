//! The live preview: typed text tokenized with the current settings, row by row, as the job
//! would write it.

use super::model::{encode_document, encode_sample, LoadedTokenizer};
use super::packing::RowPacker;
use super::settings::ResolvedSettings;
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// Rows beyond these are counted but not returned: a preview is for reading.
const MAX_PREVIEW_ROWS: usize = 16;
const MAX_PREVIEW_TEXT: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreviewToken {
    pub id: u32,
    /// The text the token stands for.
    pub piece: String,
    pub special: bool,
    /// Padding (attention mask 0).
    pub padding: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreviewRow {
    pub tokens: Vec<PreviewToken>,
    /// An overflow row (per-sample mode) rather than the sample's first.
    pub overflow: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TokenizePreview {
    pub rows: Vec<PreviewRow>,
    pub total_rows: u32,
    /// Tokens in the rows, padding excluded.
    pub num_tokens: u32,
    /// The text's own length in tokens, before truncation or packing.
    pub text_tokens: u32,
    pub truncated: bool,
    /// Packed mode: tokens of the last, incomplete row (a job drops them at a split's end).
    pub remainder_tokens: u32,
}

/// Per-sample mode treats the text as one sample; packed mode treats paragraphs (separated by
/// blank lines) as documents.
pub fn preview(
    tokenizer: &LoadedTokenizer,
    settings: &ResolvedSettings,
    text: &str,
) -> Result<TokenizePreview> {
    let text = if text.len() > MAX_PREVIEW_TEXT {
        let mut end = MAX_PREVIEW_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text[..end]
    } else {
        text
    };
    let token = |id: u32, padding: bool| PreviewToken {
        id,
        piece: tokenizer.piece(id),
        special: tokenizer.is_special(id),
        padding,
    };
    let mut rows = Vec::new();
    let mut total_rows = 0u32;
    let mut num_tokens = 0u32;
    let text_tokens;
    let mut truncated = false;
    let mut remainder_tokens = 0u32;
    if let Some(p) = &settings.settings.packing {
        let mut packer = RowPacker::new(
            p.context_size as usize,
            settings.packing_tokens,
            p.disable_concat_sequences,
        );
        let mut doc_tokens = 0usize;
        let docs = text.split("\n\n").map(str::trim).filter(|d| !d.is_empty());
        for doc in docs {
            let ids = encode_document(
                &tokenizer.raw,
                &tokenizer.tokenizer,
                doc,
                settings.settings.add_special_tokens,
            )?;
            let ids = settings.packing_tokens.finish_document(doc, ids);
            doc_tokens += ids.len();
            packer.push(&ids, |row| {
                total_rows += 1;
                num_tokens += p.context_size;
                if rows.len() < MAX_PREVIEW_ROWS {
                    rows.push(PreviewRow {
                        tokens: row.iter().map(|&id| token(id, false)).collect(),
                        overflow: false,
                    });
                }
                Ok::<(), crate::error::Error>(())
            })?;
        }
        text_tokens = doc_tokens as u32;
        remainder_tokens = packer.left_over() as u32;
    } else {
        let configured = tokenizer.configured(settings)?;
        let sample = encode_sample(
            &tokenizer.raw,
            &configured,
            tokenizer.added_tokens_per_sample,
            text,
            settings,
        )?;
        text_tokens = sample.full_len as u32;
        truncated =
            settings.settings.truncation && sample.full_len > settings.settings.max_length as usize;
        for (i, enc) in sample.rows.iter().enumerate() {
            total_rows += 1;
            let mask = enc.get_attention_mask();
            num_tokens += mask.iter().filter(|m| **m != 0).count() as u32;
            if rows.len() < MAX_PREVIEW_ROWS {
                rows.push(PreviewRow {
                    tokens: enc
                        .get_ids()
                        .iter()
                        .zip(mask)
                        .map(|(&id, &m)| token(id, m == 0))
                        .collect(),
                    overflow: i > 0,
                });
            }
        }
    }
    Ok(TokenizePreview {
        rows,
        total_rows,
        num_tokens,
        text_tokens,
        truncated,
        remainder_tokens,
    })
}

/// A dataset row as a tokenization encodes it: per-sample mode shows the rows the job writes
/// (truncation, overflow and padding included); packed mode shows the row as one document,
/// before it is cut into context windows.
pub fn row_tokens(
    tokenizer: &LoadedTokenizer,
    settings: &ResolvedSettings,
    text: &str,
) -> Result<TokenizePreview> {
    if settings.settings.packing.is_none() {
        return preview(tokenizer, settings, text);
    }
    let ids = encode_document(
        &tokenizer.raw,
        &tokenizer.tokenizer,
        text,
        settings.settings.add_special_tokens,
    )?;
    let tokens = ids
        .iter()
        .take(MAX_ROW_TOKENS)
        .map(|&id| PreviewToken {
            id,
            piece: tokenizer.piece(id),
            special: tokenizer.is_special(id),
            padding: false,
        })
        .collect();
    Ok(TokenizePreview {
        rows: vec![PreviewRow {
            tokens,
            overflow: false,
        }],
        total_rows: 1,
        num_tokens: ids.len() as u32,
        text_tokens: ids.len() as u32,
        truncated: false,
        remainder_tokens: 0,
    })
}

/// Tokens of one packed-mode row shown at most (the count is always exact).
const MAX_ROW_TOKENS: usize = 8192;
