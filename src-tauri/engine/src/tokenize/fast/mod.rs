//! The fast path for plain byte-level BPE tokenizers (GPT-2, Pythia/NeoX, Llama 3, Qwen,
//! DeepSeek style): added tokens cut out, the pre-tokenization regexes run as DFAs without
//! allocating, and each piece encoded by the `bpe` crate over a dictionary ranked by merge
//! order. It gives `tokenizers`' ids exactly; a tokenizer it cannot vouch for is left to
//! `tokenizers` with the reason, and so is any single text it is unsure of
//! ([`NeedsReference`]).

mod added;
pub mod cache;
mod spec;
mod split;
#[cfg(test)]
mod tests;

pub use split::NeedsReference;

use added::{AddedTokens, Segment};
use bpe::byte_pair_encoding::BytePairEncoding;
use regex_automata::meta::Cache;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use split::Splitter;
use std::collections::HashMap;
use std::path::Path;

/// Set to `tokenizers` (or `off`), every tokenization takes the reference path: for
/// benchmarks and for ruling the fast path out when something looks wrong.
pub const FORCE_ENV: &str = "MISTUDIO_ENCODER";

/// Which encoder a tokenization ran on, as the window and the CLI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case", tag = "path")]
pub enum Encoder {
    /// The byte-level BPE fast path.
    FastBpe,
    /// The `tokenizers` library, and why the fast path did not take the tokenizer.
    Tokenizers { reason: String },
    /// Encoded by a datatrove run of an export (with `tokenizers`) and adopted.
    Datatrove {
        version: String,
        tasks: u32,
        folder: String,
    },
}

impl Encoder {
    pub fn label(&self) -> String {
        match self {
            Encoder::FastBpe => "fast byte-level BPE".into(),
            Encoder::Tokenizers { reason } => format!("tokenizers ({reason})"),
            Encoder::Datatrove {
                version,
                tasks,
                folder,
            } => format!("datatrove {version} ({tasks} tasks), adopted from {folder}"),
        }
    }
}

pub struct FastEncoder {
    /// Tells this encoder's per-thread state from another's ([`Scratch`]).
    pub(crate) serial: u64,
    added: AddedTokens,
    stages: Vec<Splitter>,
    bpe: BytePairEncoding,
    ids: Vec<u32>,
    whole_pieces: Option<HashMap<Vec<u8>, u32>>,
    /// Special tokens the post-processor puts around a document.
    pub prefix: Vec<u32>,
    pub suffix: Vec<u32>,
    pub origin: cache::Origin,
}

/// Per-thread state of the regex engines.
pub struct Scratch {
    caches: Vec<Cache>,
    words: WordCache,
}

/// Pieces already encoded by this thread: most pieces of a corpus are frequent words, and a
/// lookup costs far less than the BPE's per-piece setup. Cleared when full, so it follows
/// what the corpus uses now.
#[derive(Default)]
struct WordCache(rustc_hash::FxHashMap<Box<[u8]>, Box<[u32]>>);

const WORD_CACHE_ENTRIES: usize = 100_000;
/// Longer pieces are rare and cost more to keep than to encode again.
const WORD_CACHE_MAX_BYTES: usize = 48;

impl FastEncoder {
    /// The fast encoder for a tokenizer file, or why it takes the reference path. `dir` keeps
    /// the cached vocabulary.
    pub fn prepare(
        json: &[u8],
        reference: &tokenizers::Tokenizer,
        dir: &Path,
    ) -> Result<FastEncoder, String> {
        if std::env::var(FORCE_ENV).is_ok_and(|v| v == "tokenizers" || v == "off") {
            return Err(format!("{FORCE_ENV} chose it"));
        }
        let value: serde_json::Value =
            serde_json::from_slice(json).map_err(|e| format!("it is not JSON ({e})"))?;
        let spec = spec::read(&value)?;
        let (prefix, suffix) = post_processor_frame(reference)?;
        let sha: [u8; 32] = sha2::Sha256::digest(json).into();
        let (bpe, origin) =
            cache::load_or_build(dir, &sha, &spec.dictionary, || spec.check_rank_order())?;
        static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Ok(FastEncoder {
            serial: SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            added: AddedTokens::from_reference(reference, spec.nfc)?,
            stages: spec.stages,
            bpe,
            ids: spec.dictionary_ids,
            whole_pieces: spec.whole_pieces,
            prefix,
            suffix,
            origin,
        })
    }

    pub fn scratch(&self) -> Scratch {
        Scratch {
            caches: self.stages.iter().map(Splitter::cache).collect(),
            words: WordCache::default(),
        }
    }

    /// Appends the text's ids, as `tokenizers` encodes it without special tokens.
    pub fn encode_into(
        &self,
        scratch: &mut Scratch,
        text: &str,
        out: &mut Vec<u32>,
    ) -> Result<(), NeedsReference> {
        let start = out.len();
        let Scratch { caches, words } = scratch;
        let done = self
            .added
            .split(text, &mut |segment: Segment<'_>| match segment {
                Segment::Token(id) => {
                    out.push(id);
                    Ok(())
                }
                Segment::Text(t) => self.pre_tokenize(&self.stages, caches, words, t, out),
            });
        if done.is_err() {
            out.truncate(start);
        }
        done
    }

    fn pre_tokenize(
        &self,
        stages: &[Splitter],
        caches: &mut [Cache],
        words: &mut WordCache,
        text: &str,
        out: &mut Vec<u32>,
    ) -> Result<(), NeedsReference> {
        let (Some((stage, later)), Some((cache, later_caches))) =
            (stages.split_first(), caches.split_first_mut())
        else {
            self.encode_piece(text.as_bytes(), words, out);
            return Ok(());
        };
        stage.split(cache, text, |piece| {
            self.pre_tokenize(later, later_caches, words, piece, out)
        })
    }

    fn encode_piece(&self, piece: &[u8], words: &mut WordCache, out: &mut Vec<u32>) {
        match piece.len() {
            0 => {}
            1 => out.push(self.ids[piece[0] as usize]),
            n => {
                if let Some(ids) = words.0.get(piece) {
                    out.extend_from_slice(ids);
                    return;
                }
                let start = out.len();
                match self.whole_pieces.as_ref().and_then(|w| w.get(piece)) {
                    Some(id) => out.push(*id),
                    None => out.extend(
                        self.bpe
                            .encode_via_backtracking(piece)
                            .into_iter()
                            .map(|t| self.ids[t as usize]),
                    ),
                }
                if n <= WORD_CACHE_MAX_BYTES {
                    if words.0.len() >= WORD_CACHE_ENTRIES {
                        words.0.clear();
                    }
                    words.0.insert(piece.into(), out[start..].into());
                }
            }
        }
    }
}

/// The ids the post-processor puts before and after a single sequence, found by running it on
/// a one-token sequence. Anything but `prefix + ids + suffix` (a processor that changes the
/// ids themselves) is left to `tokenizers`.
fn post_processor_frame(t: &tokenizers::Tokenizer) -> Result<(Vec<u32>, Vec<u32>), String> {
    const MARK: u32 = 0xFFFF_FFF0;
    let probe = |add: bool| -> Result<Vec<u32>, String> {
        let enc = one_sequence(vec![MARK]);
        t.post_process(enc, None, add)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| format!("its post-processor fails on a probe ({e})"))
    };
    let with = probe(true)?;
    if probe(false)? != [MARK] {
        return Err("its post-processor changes the ids without special tokens".into());
    }
    let at = with.iter().position(|&id| id == MARK);
    match at {
        Some(i) if with.iter().filter(|&&id| id == MARK).count() == 1 => {
            Ok((with[..i].to_vec(), with[i + 1..].to_vec()))
        }
        _ => Err("its post-processor does more than add special tokens".into()),
    }
}

/// An encoding of bare ids, as the first stage of `tokenizers` gives it (type 0, all attended,
/// no offsets: the pass needs only ids and the attention mask).
pub fn one_sequence(ids: Vec<u32>) -> tokenizers::Encoding {
    let n = ids.len();
    tokenizers::Encoding::new(
        ids,
        vec![0; n],
        vec![String::new(); n],
        vec![None; n],
        vec![(0, 0); n],
        vec![0; n],
        vec![1; n],
        Vec::new(),
        Default::default(),
    )
}
