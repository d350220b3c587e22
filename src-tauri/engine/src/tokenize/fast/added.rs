//! Added tokens (special tokens and the like), found in the text as `tokenizers` finds them:
//! first the tokens matched on the raw text, then, in the text between them, the tokens matched
//! on the normalized text (the same text here: the fast path only takes tokenizers whose
//! normalizer changes nothing). Each set is matched leftmost-longest, with the tokens'
//! `single_word`, `lstrip` and `rstrip` flags applied the way `tokenizers` applies them.

use super::split::NeedsReference;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::borrow::Cow;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedToken {
    pub id: u32,
    pub content: String,
    pub single_word: bool,
    pub lstrip: bool,
    pub rstrip: bool,
    pub normalized: bool,
}

#[derive(Debug)]
struct TokenSet {
    automaton: AhoCorasick,
    tokens: Vec<AddedToken>,
}

impl TokenSet {
    fn new(tokens: Vec<AddedToken>) -> Result<Option<TokenSet>, String> {
        if tokens.is_empty() {
            return Ok(None);
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(tokens.iter().map(|t| t.content.as_bytes()))
            .map_err(|e| format!("its added tokens do not build a matcher ({e})"))?;
        Ok(Some(TokenSet { automaton, tokens }))
    }
}

/// One stretch of the text: an added token, or text to pre-tokenize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'t> {
    Token(u32),
    Text(&'t str),
}

#[derive(Debug)]
pub struct AddedTokens {
    raw: Option<TokenSet>,
    normalized: Option<TokenSet>,
    nfc: bool,
}

static STARTS_WITH_WORD: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"^\w").expect("valid regex"));
static ENDS_WITH_WORD: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"\w$").expect("valid regex"));

/// NFC as `tokenizers` applies it (the same crate, so the same Unicode tables); text that is
/// already NFC, nearly all of it, is not copied.
pub fn nfc(text: &str) -> Cow<'_, str> {
    use unicode_normalization_alignments::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().map(|(c, _)| c).collect())
    }
}

impl AddedTokens {
    /// The added tokens as the loaded tokenizer holds them (the ids it gave them, which for a
    /// token also in the model's vocabulary are the vocabulary's). With NFC, tokens matched on
    /// the normalized text are matched in their normalized form, as `tokenizers` does.
    pub fn from_reference(
        reference: &tokenizers::Tokenizer,
        nfc_text: bool,
    ) -> Result<AddedTokens, String> {
        let mut raw = Vec::new();
        let mut normalized = Vec::new();
        let mut all: Vec<_> = reference.get_added_tokens_decoder().into_iter().collect();
        all.sort_by_key(|(id, _)| *id);
        for (id, t) in all {
            if t.content.is_empty() {
                continue;
            }
            let token = AddedToken {
                id,
                content: if t.normalized && nfc_text {
                    nfc(&t.content).into_owned()
                } else {
                    t.content.clone()
                },
                single_word: t.single_word,
                lstrip: t.lstrip,
                rstrip: t.rstrip,
                normalized: t.normalized,
            };
            if t.normalized {
                normalized.push(token);
            } else {
                raw.push(token);
            }
        }
        Ok(AddedTokens {
            raw: TokenSet::new(raw)?,
            normalized: TokenSet::new(normalized)?,
            nfc: nfc_text,
        })
    }

    #[cfg(test)]
    pub fn new(tokens: Vec<AddedToken>) -> Result<AddedTokens, String> {
        let (normalized, raw): (Vec<_>, Vec<_>) = tokens.into_iter().partition(|t| t.normalized);
        Ok(AddedTokens {
            raw: TokenSet::new(raw)?,
            normalized: TokenSet::new(normalized)?,
            nfc: false,
        })
    }

    /// Calls `segment` with the text's stretches in order: the raw tokens cut out of the
    /// text, then (after NFC, when the tokenizer normalizes) the normalized ones out of the
    /// rest.
    pub fn split(
        &self,
        text: &str,
        segment: &mut dyn FnMut(Segment<'_>) -> Result<(), NeedsReference>,
    ) -> Result<(), NeedsReference> {
        find(self.raw.as_ref(), text, &mut |s: Segment<'_>| match s {
            Segment::Token(_) => segment(s),
            Segment::Text(t) if self.nfc => find(self.normalized.as_ref(), &nfc(t), segment),
            Segment::Text(t) => find(self.normalized.as_ref(), t, segment),
        })
    }
}

fn find(
    set: Option<&TokenSet>,
    text: &str,
    segment: &mut dyn FnMut(Segment<'_>) -> Result<(), NeedsReference>,
) -> Result<(), NeedsReference> {
    let Some(set) = set else {
        return segment(Segment::Text(text));
    };
    let mut done = 0;
    for m in set.automaton.find_iter(text) {
        let token = &set.tokens[m.pattern().as_usize()];
        let (mut start, mut end) = (m.start(), m.end());
        if start < done {
            // A token after one that took the whitespace on its right: `tokenizers` would cut
            // the text in overlapping pieces; leave such text to it.
            return Err(NeedsReference);
        }
        if token.single_word {
            let word_before = start > 0 && ENDS_WITH_WORD.is_match(&text[..start]);
            let word_after = end < text.len() && STARTS_WITH_WORD.is_match(&text[end..]);
            if word_before || word_after {
                continue;
            }
        }
        if token.lstrip {
            let trimmed = text[..start].trim_end_matches(char::is_whitespace).len();
            start = trimmed.max(done);
        }
        if token.rstrip {
            end += text[end..].len() - text[end..].trim_start_matches(char::is_whitespace).len();
        }
        if done < start {
            segment(Segment::Text(&text[done..start]))?;
        }
        segment(Segment::Token(token.id))?;
        done = end;
    }
    if done < text.len() || text.is_empty() {
        segment(Segment::Text(&text[done..]))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(id: u32, content: &str) -> AddedToken {
        AddedToken {
            id,
            content: content.into(),
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: false,
        }
    }

    fn segments(added: &AddedTokens, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        added
            .split(text, &mut |s| {
                out.push(match s {
                    Segment::Token(id) => format!("<{id}>"),
                    Segment::Text(t) => t.to_string(),
                });
                Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn tokens_are_cut_out_longest_first_with_their_flags() {
        let mut strip = token(3, "<mask>");
        strip.lstrip = true;
        strip.rstrip = true;
        let mut word = token(4, "cat");
        word.single_word = true;
        let added = AddedTokens::new(vec![token(1, "<s>"), token(2, "<s>x"), strip, word]).unwrap();
        assert_eq!(
            segments(&added, "a<s>b<s>xc"),
            ["a", "<1>", "b", "<2>", "c"]
        );
        assert_eq!(segments(&added, "a  <mask>  b"), ["a", "<3>", "b"]);
        assert_eq!(segments(&added, "a cat concat"), ["a ", "<4>", " concat"]);
        assert_eq!(segments(&added, ""), [""]);
    }
}
