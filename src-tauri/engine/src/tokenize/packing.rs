//! Packed mode's rows, cut exactly as SAELens's pretokenizer cuts them
//! (`sae_lens/tokenization_and_batching.py` of sae-lens 6.54.12), so that a tokenization made here and one made by
//! `PretokenizeRunner` hold the same rows:
//! - a row that starts fresh begins with the begin-batch token, unless the document's next
//!   token already is that token;
//! - a document's first piece begins with the begin-sequence token, unless the document
//!   already starts with it;
//! - a document that continues a row is preceded by the separator, unless it starts with it;
//! - prefix tokens that do not fit are dropped where SAELens drops them, and a document's
//!   tokens carry on in the next row (begin-batch token first; the begin-sequence token again
//!   only when it was the one cut off);
//! - empty documents add nothing; the last, incomplete row of a split is dropped.
//!
//! With `one_document_per_row` (SAELens's `disable_concat_sequences`), each document long
//! enough gives one row of its first tokens and shorter ones are dropped.

/// The special tokens packing puts into rows, as token ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PackingTokens {
    pub begin_batch: Option<u32>,
    pub begin_sequence: Option<u32>,
    pub separator: Option<u32>,
    /// Appended to each document before packing (see `Packing::document_end_token`).
    pub document_end: Option<u32>,
}

impl PackingTokens {
    /// A document's ids as packing takes them: followed by the document-end token when there is
    /// one, and then nothing at all for an empty text (datatrove's readers skip those).
    pub fn finish_document(&self, text: &str, mut ids: Vec<u32>) -> Vec<u32> {
        match self.document_end {
            Some(_) if text.is_empty() => Vec::new(),
            Some(end) => {
                ids.push(end);
                ids
            }
            None => ids,
        }
    }
}

/// Cuts a stream of documents into rows of exactly `context` tokens.
#[derive(Debug)]
pub struct RowPacker {
    context: usize,
    tokens: PackingTokens,
    one_document_per_row: bool,
    /// The row being filled; empty when the next token starts a new row.
    row: Vec<u32>,
}

impl RowPacker {
    /// `context` must be at least 2: with one token a row could hold nothing but its
    /// begin-batch token, and no document would ever be consumed.
    pub fn new(context: usize, tokens: PackingTokens, one_document_per_row: bool) -> RowPacker {
        debug_assert!(
            context >= 2,
            "settings validation keeps the context at 2 or more"
        );
        let tokens = match tokens {
            // SAELens lets the begin-batch token stand in for a missing begin-sequence token
            // when each document is a row of its own.
            PackingTokens {
                begin_batch: Some(batch),
                begin_sequence: None,
                ..
            } if one_document_per_row => PackingTokens {
                begin_sequence: Some(batch),
                ..tokens
            },
            _ => tokens,
        };
        RowPacker {
            context,
            tokens,
            one_document_per_row,
            row: Vec::with_capacity(context),
        }
    }

    /// Adds one document's ids and hands every row it completes to `emit`, in order.
    pub fn push<E>(
        &mut self,
        doc: &[u32],
        mut emit: impl FnMut(&[u32]) -> Result<(), E>,
    ) -> Result<(), E> {
        if doc.is_empty() {
            return Ok(());
        }
        if self.one_document_per_row {
            return self.push_alone(doc, emit);
        }
        let context = self.context;
        let mut offset = 0;
        let mut start_of_document = true;
        while offset < doc.len() {
            // At most two prefix tokens, in row order.
            let mut prefix: [u32; 2] = [0; 2];
            let mut prefix_len = 0;
            let mut first = doc[offset];
            let mut put_before = |token: Option<u32>, first: &mut u32| {
                let Some(t) = token.filter(|&t| t != *first) else {
                    return false;
                };
                prefix.copy_within(0..prefix_len, 1);
                prefix[0] = t;
                prefix_len += 1;
                *first = t;
                true
            };
            let opens = start_of_document && put_before(self.tokens.begin_sequence, &mut first);
            let room = if self.row.is_empty() {
                put_before(self.tokens.begin_batch, &mut first);
                context
            } else {
                put_before(self.tokens.separator, &mut first);
                context.saturating_sub(self.row.len())
            };
            let prefix = &prefix[..prefix_len];
            self.row
                .extend_from_slice(&prefix[..prefix.len().min(room)]);
            let take = room.saturating_sub(prefix.len());
            // A begin-sequence token cut off at the row's end opens the next row instead
            // (sae_lens 6.54's `sequence_start_pending`).
            let cut = prefix.len() > room;
            let end = offset.saturating_add(take).min(doc.len());
            self.row.extend_from_slice(&doc[offset..end]);
            offset = offset.saturating_add(take);
            start_of_document = opens && cut;
            if self.row.len() == context {
                emit(&self.row)?;
                self.row.clear();
            }
        }
        Ok(())
    }

    fn push_alone<E>(
        &mut self,
        doc: &[u32],
        mut emit: impl FnMut(&[u32]) -> Result<(), E>,
    ) -> Result<(), E> {
        let context = self.context;
        match self.tokens.begin_sequence {
            Some(begin) if doc[0] != begin && doc.len() + 1 >= context => {
                self.row.clear();
                self.row.push(begin);
                self.row.extend_from_slice(&doc[..context - 1]);
                emit(&self.row)?;
                self.row.clear();
                Ok(())
            }
            _ if doc.len() >= context => emit(&doc[..context]),
            _ => Ok(()),
        }
    }

    /// Tokens of the incomplete last row, which are dropped.
    pub fn left_over(&self) -> usize {
        self.row.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOS: u32 = 1;
    const EOS: u32 = 2;

    fn pack(context: usize, tokens: PackingTokens, alone: bool, docs: &[&[u32]]) -> Vec<Vec<u32>> {
        let mut packer = RowPacker::new(context, tokens, alone);
        let mut rows = Vec::new();
        for doc in docs {
            packer
                .push(doc, |row| {
                    assert_eq!(row.len(), context);
                    rows.push(row.to_vec());
                    Ok::<(), ()>(())
                })
                .unwrap();
        }
        rows
    }

    fn saelens_defaults() -> PackingTokens {
        PackingTokens {
            begin_batch: Some(BOS),
            begin_sequence: None,
            separator: Some(BOS),
            document_end: None,
        }
    }

    #[test]
    fn a_row_start_gets_the_begin_token_and_no_separator() {
        let rows = pack(
            4,
            saelens_defaults(),
            false,
            &[&[10, 11, 12], &[20, 21, 22, 23]],
        );
        // Row 1: BOS, doc 1 (3 tokens). Row 2 starts with the rest of doc 2 after BOS: the
        // separator is never put at a row start.
        assert_eq!(rows, vec![vec![BOS, 10, 11, 12], vec![BOS, 20, 21, 22]]);
    }

    #[test]
    fn a_document_continuing_a_row_is_preceded_by_the_separator() {
        let tokens = PackingTokens {
            begin_batch: Some(BOS),
            begin_sequence: None,
            separator: Some(EOS),
            document_end: None,
        };
        let rows = pack(6, tokens, false, &[&[10, 11], &[20, 21, 22, 23, 24]]);
        // The rest of doc 2 (BOS 22 23 24) waits for more documents.
        assert_eq!(rows, vec![vec![BOS, 10, 11, EOS, 20, 21]]);
    }

    #[test]
    fn tokens_a_document_already_starts_with_are_not_added_twice() {
        // A tokenizer that adds BOS to every encoding (Llama-2): SAELens writes
        // `doc1 <eos> <bos> doc2`, and a row starting at a document has one BOS.
        let tokens = PackingTokens {
            begin_batch: Some(BOS),
            begin_sequence: None,
            separator: Some(EOS),
            document_end: None,
        };
        let rows = pack(
            6,
            tokens,
            false,
            &[&[BOS, 10], &[BOS, 20, 21], &[BOS, 30, 31, 32, 33, 34]],
        );
        assert_eq!(
            rows,
            vec![
                vec![BOS, 10, EOS, BOS, 20, 21],
                vec![BOS, 30, 31, 32, 33, 34]
            ]
        );
        // The separator is skipped when the document starts with it.
        let same = PackingTokens {
            separator: Some(BOS),
            document_end: None,
            ..tokens
        };
        let rows = pack(5, same, false, &[&[BOS, 10], &[BOS, 20, 21]]);
        assert_eq!(rows, vec![vec![BOS, 10, BOS, 20, 21]]);
    }

    #[test]
    fn the_begin_sequence_token_opens_each_document_once() {
        let tokens = PackingTokens {
            begin_batch: Some(BOS),
            begin_sequence: Some(7),
            separator: Some(EOS),
            document_end: None,
        };
        let rows = pack(5, tokens, false, &[&[10, 11], &[20, 21, 22, 23, 24, 25]]);
        // Doc 1: BOS 7 10 11, then EOS 7 before doc 2: only EOS fits, so the cut-off 7 opens
        // the next row after BOS, and doc 2 follows.
        assert_eq!(
            rows,
            vec![vec![BOS, 7, 10, 11, EOS], vec![BOS, 7, 20, 21, 22]]
        );
    }

    #[test]
    fn empty_documents_add_nothing_and_the_last_partial_row_is_dropped() {
        let mut packer = RowPacker::new(4, saelens_defaults(), false);
        let mut rows = 0;
        for doc in [&[][..], &[10, 11, 12, 13, 14][..], &[][..]] {
            packer
                .push(doc, |_| {
                    rows += 1;
                    Ok::<(), ()>(())
                })
                .unwrap();
        }
        assert_eq!(rows, 1);
        assert_eq!(packer.left_over(), 3, "BOS 13 14 waits for more");
    }

    #[test]
    fn without_special_tokens_rows_are_the_plain_stream() {
        let rows = pack(
            3,
            PackingTokens::default(),
            false,
            &[&[1, 2], &[3, 4, 5, 6], &[7]],
        );
        assert_eq!(rows, vec![vec![1, 2, 3], vec![4, 5, 6]]);
    }

    #[test]
    fn one_document_per_row_keeps_long_ones_and_drops_short_ones() {
        let rows = pack(
            4,
            saelens_defaults(),
            true,
            &[
                &[10, 11, 12],
                &[20, 21],
                &[BOS, 30, 31, 32, 33],
                &[40, 41, 42, 43, 44],
            ],
        );
        // The begin-batch token stands in as the begin-sequence token; a 3-token document
        // becomes BOS + 3 = 4; a 2-token one is too short; one starting with BOS is cut as is.
        assert_eq!(
            rows,
            vec![
                vec![BOS, 10, 11, 12],
                vec![BOS, 30, 31, 32],
                vec![BOS, 40, 41, 42]
            ]
        );
    }

    #[test]
    fn a_zero_begin_batch_token_stands_in_like_any_other() {
        let tokens = PackingTokens {
            begin_batch: Some(0),
            begin_sequence: None,
            separator: None,
            document_end: None,
        };
        let rows = pack(3, tokens, true, &[&[10, 11], &[20, 21, 22, 23]]);
        assert_eq!(rows, vec![vec![0, 10, 11], vec![0, 20, 21]]);
    }

    #[test]
    fn a_two_token_context_still_makes_progress() {
        let tokens = PackingTokens {
            begin_batch: Some(BOS),
            begin_sequence: Some(7),
            separator: Some(EOS),
            document_end: None,
        };
        let rows = pack(2, tokens, false, &[&[10, 11, 12]]);
        assert_eq!(
            rows,
            vec![vec![BOS, 7], vec![BOS, 10], vec![BOS, 11], vec![BOS, 12]]
        );
    }
}
