//! Encoding for the pass: the fast path when the tokenizer has one, `tokenizers` otherwise
//! (and for the rare text the fast path leaves to it). Both give the same ids.

use super::fast::{one_sequence, FastEncoder, Scratch};
use super::model::{encode_document, encode_sample, LoadedTokenizer, SampleRows};
use super::settings::ResolvedSettings;
use crate::error::{Error, Result};

std::thread_local! {
    /// Each encoding thread's regex state for the encoder it last ran: building the lazy DFAs'
    /// states is the costly part of a search, so they must outlive a batch.
    static SCRATCH: std::cell::RefCell<Option<(u64, Scratch)>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with this thread's state for `fast`.
fn with_scratch<T>(fast: &FastEncoder, f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot
            .as_ref()
            .is_none_or(|(serial, _)| *serial != fast.serial)
        {
            *slot = Some((fast.serial, fast.scratch()));
        }
        let (_, scratch) = slot.as_mut().expect("filled above");
        f(scratch)
    })
}

impl LoadedTokenizer {
    /// A document's ids for packed mode, as [`encode_document`] gives them.
    pub fn document_ids(&self, text: &str, add_special_tokens: bool) -> Result<Vec<u32>> {
        if let Some(fast) = &self.fast {
            let mut ids = Vec::with_capacity(text.len() / 4 + 4);
            if add_special_tokens {
                ids.extend_from_slice(&fast.prefix);
            }
            if with_scratch(fast, |scratch| fast.encode_into(scratch, text, &mut ids)).is_ok() {
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
        text: &str,
        s: &ResolvedSettings,
    ) -> Result<SampleRows> {
        if let Some(fast) = &self.fast {
            let mut ids = Vec::with_capacity(text.len() / 4 + 4);
            if with_scratch(fast, |scratch| fast.encode_into(scratch, text, &mut ids)).is_ok() {
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
