//! Whether a `tokenizer.json` is plain byte-level BPE that the fast path encodes exactly, and
//! the parts it needs: the pre-tokenization stages, the added tokens, and the merges as a
//! dictionary ranked by merge order. Anything not on the list is a reason to use `tokenizers`.

use super::split::{Splitter, GPT2_PATTERN};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashMap;

/// What the fast path takes from a tokenizer file.
pub struct Spec {
    pub stages: Vec<Splitter>,
    /// The normalizer is NFC (else there is none).
    pub nfc: bool,
    /// The 256 single bytes (in byte order), then each merge's result in merge order: the rank
    /// order byte-pair encoding follows.
    pub dictionary: Vec<Vec<u8>>,
    /// The tokenizer's id of each dictionary entry.
    pub dictionary_ids: Vec<u32>,
    /// BPE's `ignore_merges`: a piece that is a whole vocabulary entry is that entry.
    pub whole_pieces: Option<HashMap<Vec<u8>, u32>>,
    /// Where each merge splits its result's bytes.
    split_at: Vec<usize>,
}

impl Spec {
    /// Whether merging by rank gives what the merges list gives (see
    /// [`merges_follow_rank_order`]); checked once, before the vocabulary is built and cached.
    pub fn check_rank_order(&self) -> Result<(), String> {
        let rank: HashMap<&[u8], usize> = self
            .dictionary
            .iter()
            .enumerate()
            .map(|(i, d)| (d.as_slice(), i))
            .collect();
        merges_follow_rank_order(&self.dictionary, &rank, &self.split_at)
    }
}

/// GPT-2's map from bytes to the printable characters byte-level vocabularies are written in.
pub fn byte_chars() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut extra = 0u32;
    for b in 0..=255u8 {
        let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        table[b as usize] = if printable {
            char::from(b)
        } else {
            extra += 1;
            char::from_u32(255 + extra).expect("below the surrogates")
        };
    }
    table
}

fn decode_bytes(token: &str, from_char: &HashMap<char, u8>) -> Option<Vec<u8>> {
    token.chars().map(|c| from_char.get(&c).copied()).collect()
}

fn kind(v: &Value) -> &str {
    v.get("type").and_then(Value::as_str).unwrap_or("?")
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Reads the file; `Err` says why the fast path does not take it.
pub fn read(json: &Value) -> Result<Spec, String> {
    let model = json.get("model").ok_or("it has no model")?;
    if kind(model) != "BPE" {
        return Err(format!("its model is {}, not BPE", kind(model)));
    }
    if !model.get("dropout").is_none_or(Value::is_null) {
        return Err("it uses BPE dropout".into());
    }
    if flag(model, "byte_fallback") {
        return Err("it uses byte fallback".into());
    }
    for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
        if model
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
        {
            return Err(format!("its BPE model sets {key}"));
        }
    }
    let nfc = check_normalizer(json.get("normalizer"))?;
    let stages = pre_tokenization(json.get("pre_tokenizer"))?;
    match json.get("decoder") {
        Some(d) if kind(d) == "ByteLevel" => {}
        Some(d) if !d.is_null() => {
            return Err(format!("its decoder is {}, not ByteLevel", kind(d)))
        }
        _ => return Err("it has no byte-level decoder".into()),
    }

    let vocab: HashMap<&str, u32> = model
        .get("vocab")
        .and_then(Value::as_object)
        .ok_or("its BPE model has no vocabulary")?
        .iter()
        .map(|(k, v)| {
            v.as_u64()
                .and_then(|id| u32::try_from(id).ok())
                .map(|id| (k.as_str(), id))
        })
        .collect::<Option<_>>()
        .ok_or("its vocabulary has an id that is not a number")?;
    let chars = byte_chars();
    let from_char: HashMap<char, u8> = chars
        .iter()
        .enumerate()
        .map(|(b, &c)| (c, b as u8))
        .collect();

    let mut dictionary: Vec<Vec<u8>> = Vec::with_capacity(vocab.len());
    let mut dictionary_ids = Vec::with_capacity(vocab.len());
    for (b, c) in chars.iter().enumerate() {
        let id = vocab
            .get(c.encode_utf8(&mut [0; 4]) as &str)
            .ok_or_else(|| format!("its vocabulary lacks the byte token for {b:#04x}"))?;
        dictionary.push(vec![b as u8]);
        dictionary_ids.push(*id);
    }
    let mut rank: HashMap<Vec<u8>, usize> = dictionary
        .iter()
        .enumerate()
        .map(|(i, d)| (d.clone(), i))
        .collect();
    let merges = model
        .get("merges")
        .and_then(Value::as_array)
        .ok_or("its BPE model has no merges")?;
    let mut pairs = Vec::with_capacity(merges.len());
    for (i, merge) in merges.iter().enumerate() {
        let (left, right) =
            merge_parts(merge).ok_or_else(|| format!("its merge {i} is not a pair"))?;
        let part = |s: &str| -> Result<usize, String> {
            let bytes = decode_bytes(s, &from_char)
                .ok_or_else(|| format!("its merge {i} has a piece that is not byte-level"))?;
            rank.get(&bytes)
                .copied()
                .ok_or_else(|| format!("its merge {i} uses {s:?} before a merge makes it"))
        };
        let (l, r) = (part(left)?, part(right)?);
        let joined = format!("{left}{right}");
        let id = *vocab.get(joined.as_str()).ok_or_else(|| {
            format!("its merge {i} makes {joined:?}, which is not in the vocabulary")
        })?;
        let mut bytes = dictionary[l].clone();
        bytes.extend_from_slice(&dictionary[r]);
        if rank.contains_key(&bytes) {
            return Err(format!("its merge {i} makes {joined:?} a second time"));
        }
        rank.insert(bytes.clone(), dictionary.len());
        pairs.push(dictionary[l].len());
        dictionary.push(bytes);
        dictionary_ids.push(id);
    }

    let whole_pieces = flag(model, "ignore_merges").then(|| {
        vocab
            .iter()
            .filter_map(|(k, &id)| decode_bytes(k, &from_char).map(|b| (b, id)))
            .collect()
    });
    Ok(Spec {
        stages,
        nfc,
        dictionary,
        dictionary_ids,
        whole_pieces,
        split_at: pairs,
    })
}

fn merge_parts(merge: &Value) -> Option<(&str, &str)> {
    match merge {
        Value::String(s) => s.split_once(' '),
        Value::Array(a) if a.len() == 2 => Some((a[0].as_str()?, a[1].as_str()?)),
        _ => None,
    }
}

/// `Ok(true)` for NFC (as `tokenizers` applies it: the same Unicode tables), `Ok(false)` for
/// none; anything else changes the text in ways the fast path does not reproduce.
fn check_normalizer(n: Option<&Value>) -> Result<bool, String> {
    let steps: Vec<&Value> = match n {
        None | Some(Value::Null) => return Ok(false),
        Some(n) if kind(n) == "Sequence" => n
            .get("normalizers")
            .and_then(Value::as_array)
            .ok_or("its normalizer sequence is unreadable")?
            .iter()
            .collect(),
        Some(n) => vec![n],
    };
    let mut nfc = false;
    for step in steps {
        match kind(step) {
            "NFC" => nfc = true,
            "Sequence" => nfc |= check_normalizer(Some(step))?,
            other => return Err(format!("its normalizer ({other}) changes the text")),
        }
    }
    Ok(nfc)
}

fn pre_tokenization(p: Option<&Value>) -> Result<Vec<Splitter>, String> {
    let p = p
        .filter(|p| !p.is_null())
        .ok_or("it has no pre-tokenizer")?;
    let list: Vec<&Value> = if kind(p) == "Sequence" {
        p.get("pretokenizers")
            .and_then(Value::as_array)
            .ok_or("its pre-tokenizer sequence is unreadable")?
            .iter()
            .collect()
    } else {
        vec![p]
    };
    let mut stages = Vec::new();
    let mut byte_level = false;
    for (i, step) in list.iter().enumerate() {
        match kind(step) {
            "ByteLevel" => {
                if i + 1 != list.len() {
                    return Err("its ByteLevel pre-tokenizer is not the last step".into());
                }
                if flag(step, "add_prefix_space") {
                    return Err("its ByteLevel pre-tokenizer adds a prefix space".into());
                }
                if step
                    .get("use_regex")
                    .and_then(Value::as_bool)
                    .unwrap_or(true)
                {
                    stages.push(Splitter::new(GPT2_PATTERN)?);
                }
                byte_level = true;
            }
            "Split" => {
                if step.get("behavior").and_then(Value::as_str) != Some("Isolated")
                    || flag(step, "invert")
                {
                    return Err("its Split pre-tokenizer is not Isolated".into());
                }
                let pattern = step
                    .get("pattern")
                    .and_then(|p| p.get("Regex"))
                    .and_then(Value::as_str)
                    .ok_or("its Split pre-tokenizer does not split on a regex")?;
                stages.push(Splitter::new(pattern)?);
            }
            other => return Err(format!("its pre-tokenizer has a {other} step")),
        }
    }
    if !byte_level {
        return Err("its pre-tokenizer is not byte-level".into());
    }
    Ok(stages)
}

/// The fast BPE merges by rank: of the adjacent pairs whose join is in the dictionary, the one
/// ranked first. `tokenizers` merges by its list: of the adjacent pairs *listed*, the one listed
/// first. The two agree on every text exactly when ranking reproduces every listed merge from
/// the merge's own bytes (a pair that ranking joins but the list does not would show up as a
/// different last merge there). `split_at[i]` is merge i's split point in its result's bytes.
fn merges_follow_rank_order(
    dictionary: &[Vec<u8>],
    by_bytes: &HashMap<&[u8], usize>,
    split_at: &[usize],
) -> Result<(), String> {
    let bad = split_at.par_iter().enumerate().find_first(|(i, &split)| {
        let bytes = &dictionary[256 + i];
        last_rank_merge(bytes, by_bytes) != Some(split)
    });
    match bad {
        Some((i, _)) => Err(format!(
            "its merge {i} is not what merging by rank does (the merges list is not in the order its ids imply)"
        )),
        None => Ok(()),
    }
}

/// Merges `bytes` by rank and tells where the last merge split it; `None` when ranking does
/// not end in one token.
fn last_rank_merge(bytes: &[u8], rank: &HashMap<&[u8], usize>) -> Option<usize> {
    let mut cuts: Vec<usize> = (0..=bytes.len()).collect();
    let mut last = None;
    while cuts.len() > 2 {
        let best = (0..cuts.len() - 2)
            .filter_map(|i| rank.get(&bytes[cuts[i]..cuts[i + 2]]).map(|&r| (r, i)))
            .min()?;
        last = Some(cuts[best.1 + 1]);
        cuts.remove(best.1 + 1);
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_alphabet_is_gpt2s() {
        let t = byte_chars();
        assert_eq!(t[b'A' as usize], 'A');
        assert_eq!(t[b' ' as usize], 'Ġ');
        assert_eq!(t[b'\n' as usize], 'Ċ');
        let distinct: std::collections::HashSet<char> = t.iter().copied().collect();
        assert_eq!(distinct.len(), 256);
    }

    #[test]
    fn ranking_that_joins_an_unlisted_pair_is_caught() {
        // "ab", "bc", then "abc" listed as ("a","bc"): ranking joins "ab" first and ends ab|c.
        let mut dictionary: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        dictionary.extend([b"ab".to_vec(), b"bc".to_vec(), b"abc".to_vec()]);
        let rank: HashMap<&[u8], usize> = dictionary
            .iter()
            .enumerate()
            .map(|(i, d)| (d.as_slice(), i))
            .collect();
        assert!(merges_follow_rank_order(&dictionary, &rank, &[1, 1, 2]).is_ok());
        assert!(merges_follow_rank_order(&dictionary, &rank, &[1, 1, 1]).is_err());
    }
}
