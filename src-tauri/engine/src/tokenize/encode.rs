//! Encoding for the pass: the fast path when the tokenizer has one, `tokenizers` otherwise
//! (and for the rare text the fast path leaves to it). Both give the same ids.

use super::fast::{one_sequence, Scratch};
use super::model::{encode_document, encode_sample, LoadedTokenizer, SampleRows};
use super::settings::ResolvedSettings;
use crate::error::{Error, Result};

impl LoadedTokenizer {
    /// Per-thread state for [`LoadedTokenizer::document_ids`] and
    /// [`LoadedTokenizer::sample_rows`].
    pub fn scratch(&self) -> Option<Scratch> {
        self.fast.as_ref().map(|f| f.scratch())
    }

    /// A document's ids for packed mode, as [`encode_document`] gives them.
    pub fn document_ids(
        &self,
        scratch: &mut Option<Scratch>,
        text: &str,
        add_special_tokens: bool,
    ) -> Result<Vec<u32>> {
        if let (Some(fast), Some(scratch)) = (&self.fast, scratch.as_mut()) {
            let mut ids = Vec::with_capacity(text.len() / 4 + 4);
            if add_special_tokens {
                ids.extend_from_slice(&fast.prefix);
            }
            if fast.encode_into(scratch, text, &mut ids).is_ok() {
                if add_special_tokens {
                    ids.extend_from_slice(&fast.suffix);
                }
                return Ok(ids);
            }
        }
        encode_document(&self.raw, &self.tokenizer, text, add_special_tokens)
    }

    /// A sample's rows for per-sample mode, as [`encode_sample`] gives them: the fast path's
    /// ids go through the configured tokenizer's truncation, special tokens and padding.
    pub fn sample_rows(
        &self,
        configured: &tokenizers::Tokenizer,
        scratch: &mut Option<Scratch>,
        text: &str,
        s: &ResolvedSettings,
    ) -> Result<SampleRows> {
        if let (Some(fast), Some(scratch)) = (&self.fast, scratch.as_mut()) {
            let mut ids = Vec::with_capacity(text.len() / 4 + 4);
            if fast.encode_into(scratch, text, &mut ids).is_ok() {
                let add = s.settings.add_special_tokens;
                let full_len = ids.len() + if add { self.added_tokens_per_sample } else { 0 };
                let mut enc = configured
                    .post_process(one_sequence(ids), None, add)
                    .map_err(|e| Error::Internal(format!("encoding failed: {e}")))?;
                let overflow = enc.take_overflowing();
                let mut rows = vec![enc];
                if s.settings.overflow {
                    rows.extend(overflow);
                }
                return Ok(SampleRows { full_len, rows });
            }
        }
        encode_sample(&self.raw, configured, self.added_tokens_per_sample, text, s)
    }
}
