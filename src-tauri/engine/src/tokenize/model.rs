//! Loading a `tokenizer.json`, finding its special tokens, and encoding one sample the way the
//! tokenizer itself would with the chosen settings.

use super::settings::{Padding, ResolvedSettings};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use tokenizers::{
    PaddingDirection, PaddingParams, PaddingStrategy, Tokenizer, TruncationDirection,
    TruncationParams, TruncationStrategy,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SpecialToken {
    pub id: u32,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SpecialTokens {
    pub bos: Option<SpecialToken>,
    pub eos: Option<SpecialToken>,
    pub pad: Option<SpecialToken>,
    pub unk: Option<SpecialToken>,
    /// Stored rows from before the SEP token was looked up lack it.
    #[serde(default)]
    pub sep: Option<SpecialToken>,
}

/// What the app knows about a tokenizer file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TokenizerInfo {
    pub name: String,
    /// Including added tokens.
    pub vocab_size: u64,
    pub special_tokens: SpecialTokens,
}

/// A tokenizer ready to encode: truncation and padding that the file itself may configure are
/// cleared, so only the tokenization's settings apply.
#[derive(Clone)]
pub struct LoadedTokenizer {
    pub tokenizer: Tokenizer,
    /// The same without its post-processor: the first stage of encoding, before truncation
    /// and special tokens. (The post-processor then runs once, in `encode_sample`; running it
    /// in both stages would walk every token's offsets twice.)
    pub raw: Tokenizer,
    pub info: TokenizerInfo,
    /// Special tokens the post-processor adds around one sample.
    pub added_tokens_per_sample: usize,
    /// The largest id the tokenizer can produce (its vocabulary with added tokens).
    pub max_id: u32,
    special_ids: std::collections::HashSet<u32>,
    /// The fast byte-level BPE encoder, once attached for a pass ([`LoadedTokenizer::attach_fast_path`]).
    pub fast: Option<std::sync::Arc<super::fast::FastEncoder>>,
    /// The encoder a pass runs on.
    pub encoder: super::fast::Encoder,
}

/// Distinct words whose encoding the model keeps (BPE and Unigram models).
const WORD_CACHE: usize = 30_000;

/// The `bos_token` etc. of a `tokenizer_config.json`: a string or `{"content": ...}`.
fn config_token(config: &serde_json::Value, key: &str) -> Option<String> {
    match config.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => o.get("content")?.as_str().map(str::to_string),
        _ => None,
    }
}

impl LoadedTokenizer {
    /// `config` is the model's `tokenizer_config.json` when there is one: it names the special
    /// tokens; without it they are recognised by their usual spellings.
    pub fn from_bytes(name: &str, json: &[u8], config: Option<&[u8]>) -> Result<LoadedTokenizer> {
        let mut tokenizer = Tokenizer::from_bytes(json).map_err(|e| {
            Error::invalid(format!(
                "{name} is not a usable tokenizer.json ({e}); export one with tokenizer.save(\"tokenizer.json\") from the tokenizers library, or take the model repo's own"
            ))
        })?;
        tokenizer
            .with_truncation(None)
            .map_err(|e| Error::Internal(format!("clearing truncation: {e}")))?;
        tokenizer.with_padding(None);
        // The library caches the merges of at most 10,000 distinct words and never evicts, so
        // on a real corpus most words miss it; a larger cache pays for itself many times.
        let mut model = tokenizer.get_model().clone();
        model.resize_cache(WORD_CACHE);
        tokenizer.with_model(model);
        let config: Option<serde_json::Value> = config.and_then(|c| serde_json::from_slice(c).ok());
        if let Some(config) = &config {
            load_as_transformers_does(&mut tokenizer, json, config)?;
        }
        let lookup = |content: &str| {
            tokenizer.token_to_id(content).map(|id| SpecialToken {
                id,
                content: content.to_string(),
            })
        };
        let find = |key: &str, spellings: &[&str]| -> Option<SpecialToken> {
            if let Some(config) = &config {
                if let Some(t) = config_token(config, key).and_then(|c| lookup(&c)) {
                    return Some(t);
                }
                // The config speaks for the model: a token it leaves out is absent.
                if config.get(key).is_some() {
                    return None;
                }
            }
            spellings.iter().find_map(|s| lookup(s))
        };
        let model_unk: Option<String> = serde_json::from_slice::<serde_json::Value>(json)
            .ok()
            .and_then(|v| v.get("model")?.get("unk_token")?.as_str().map(String::from));
        let special_tokens = SpecialTokens {
            bos: find(
                "bos_token",
                &[
                    "<|begin_of_text|>",
                    "<s>",
                    "<bos>",
                    "<|startoftext|>",
                    "[CLS]",
                    "<|endoftext|>",
                ],
            ),
            eos: find(
                "eos_token",
                &["<|end_of_text|>", "</s>", "<eos>", "[SEP]", "<|endoftext|>"],
            ),
            pad: find("pad_token", &["<pad>", "[PAD]", "<|pad|>", "<|padding|>"]),
            unk: model_unk
                .as_deref()
                .and_then(lookup)
                .or_else(|| find("unk_token", &["<unk>", "[UNK]"])),
            sep: find("sep_token", &["[SEP]", "<sep>"]),
        };

        let added_tokens_per_sample = tokenizer
            .get_post_processor()
            .map_or(0, |p| tokenizers::PostProcessor::added_tokens(p, false));
        let special_ids = tokenizer
            .get_added_tokens_decoder()
            .into_iter()
            .filter(|(_, t)| t.special)
            .map(|(id, _)| id)
            .collect();
        let mut raw = tokenizer.clone();
        raw.with_post_processor(None::<tokenizers::PostProcessorWrapper>);
        let info = TokenizerInfo {
            name: name.to_string(),
            vocab_size: tokenizer.get_vocab_size(true) as u64,
            special_tokens,
        };
        let max_id = tokenizer.get_vocab(true).into_values().max().unwrap_or(0);
        Ok(LoadedTokenizer {
            max_id,
            tokenizer,
            raw,
            info,
            added_tokens_per_sample,
            special_ids,
            fast: None,
            encoder: super::fast::Encoder::Tokenizers {
                reason: "the fast path was not tried".into(),
            },
        })
    }

    /// Tries the fast path for this tokenizer (`json` is its file, `dir` where its cached fast
    /// vocabulary lives); the reason it is not taken is kept in [`LoadedTokenizer::encoder`].
    pub fn attach_fast_path(&mut self, json: &[u8], dir: &std::path::Path) {
        match super::fast::FastEncoder::prepare(json, &self.tokenizer, dir) {
            Ok(fast) => {
                tracing::info!(
                    "{}: fast byte-level BPE ({:?})",
                    self.info.name,
                    fast.origin
                );
                self.fast = Some(std::sync::Arc::new(fast));
                self.encoder = super::fast::Encoder::FastBpe;
            }
            Err(reason) => {
                tracing::info!("{}: encoding with tokenizers: {reason}", self.info.name);
                self.fast = None;
                self.encoder = super::fast::Encoder::Tokenizers { reason };
            }
        }
    }

    pub fn is_special(&self, id: u32) -> bool {
        self.special_ids.contains(&id)
    }

    /// The tokenizer with the per-sample settings applied, as `transformers` would configure it:
    /// right-side truncation to `max_length` with `stride`, right-side padding to `max_length`.
    pub fn configured(&self, s: &ResolvedSettings) -> Result<Tokenizer> {
        let mut t = self.tokenizer.clone();
        if s.settings.packing.is_none() {
            if s.settings.truncation {
                t.with_truncation(Some(TruncationParams {
                    max_length: s.settings.max_length as usize,
                    stride: s.settings.stride as usize,
                    strategy: TruncationStrategy::LongestFirst,
                    direction: TruncationDirection::Right,
                }))
                .map_err(|e| Error::invalid(format!("truncation settings: {e}")))?;
            }
            if s.settings.padding == Padding::MaxLength {
                let pad = self.info.special_tokens.pad.clone().ok_or_else(|| {
                    Error::invalid(format!("{} has no pad token", self.info.name))
                })?;
                t.with_padding(Some(PaddingParams {
                    strategy: PaddingStrategy::Fixed(s.settings.max_length as usize),
                    direction: PaddingDirection::Right,
                    pad_to_multiple_of: None,
                    pad_id: pad.id,
                    pad_type_id: 0,
                    pad_token: pad.content,
                }));
            }
        }
        Ok(t)
    }

    /// The piece a token stands for, as text a person can read (byte-level pieces decoded).
    pub fn piece(&self, id: u32) -> String {
        match self.tokenizer.decode(&[id], false) {
            Ok(s) if !s.is_empty() => s,
            _ => self.tokenizer.id_to_token(id).unwrap_or_default(),
        }
    }
}

/// `transformers` 5 (the version SAELens installs) loads a tokenizer whose config names the
/// `LlamaTokenizer` class by rebuilding it around the file's vocabulary and merges: no
/// normalizer, a `Metaspace` pre-tokenizer that puts `▁` in front unless the text already
/// starts with a space (prepend "always"; "first" without `legacy`, "never" without
/// `add_prefix_space`), the file's post-processor. A file with anything byte-level in it is
/// loaded as it is instead (`TokenizersBackend`), and so are other classes. The config's
/// `add_bos_token` / `add_eos_token` do not override the file's post-processor. Encoding here
/// does the same, so a document's ids are `AutoTokenizer.from_pretrained(folder).encode(text)`'s
/// (Llama-2's file alone encodes " Hello" as `▁ ▁Hello`, transformers as `▁Hello`).
fn load_as_transformers_does(
    tokenizer: &mut Tokenizer,
    json: &[u8],
    config: &serde_json::Value,
) -> Result<()> {
    let class = config
        .get("tokenizer_class")
        .and_then(|c| c.as_str())
        .unwrap_or_default();
    let byte_level = json.windows(11).any(|w| w == b"\"ByteLevel\"");
    if class.trim_end_matches("Fast") != "LlamaTokenizer" || byte_level {
        return Ok(());
    }
    let flag =
        |key: &str, default: bool| config.get(key).and_then(|v| v.as_bool()).unwrap_or(default);
    use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
    let scheme = if !flag("add_prefix_space", true) {
        PrependScheme::Never
    } else if !flag("legacy", true) {
        PrependScheme::First
    } else {
        PrependScheme::Always
    };
    let rebuilt =
        |e: tokenizers::Error| Error::Internal(format!("loading as transformers does: {e}"));
    tokenizer
        .with_normalizer(None::<tokenizers::NormalizerWrapper>)
        .map_err(rebuilt)?;
    tokenizer.with_pre_tokenizer(Some(Metaspace::new('▁', scheme, false)));
    Ok(())
}

/// One sample's rows in per-sample mode.
pub struct SampleRows {
    /// The sample's length in tokens before truncation, special tokens included.
    pub full_len: usize,
    pub rows: Vec<tokenizers::Encoding>,
}

/// Encodes one sample exactly as `configured.encode(text, add_special_tokens)` would, and also
/// tells its untruncated length (which the statistics and the length filters need). `raw` is
/// the tokenizer without its post-processor ([`LoadedTokenizer::raw`]).
pub fn encode_sample(
    raw: &Tokenizer,
    configured: &Tokenizer,
    added_per_sample: usize,
    text: &str,
    s: &ResolvedSettings,
) -> Result<SampleRows> {
    let encoded = raw
        .encode_fast(text, false)
        .map_err(|e| Error::Internal(format!("encoding failed: {e}")))?;
    let add = s.settings.add_special_tokens;
    let full_len = encoded.len() + if add { added_per_sample } else { 0 };
    let mut enc = configured
        .post_process(encoded, None, add)
        .map_err(|e| Error::Internal(format!("encoding failed: {e}")))?;
    let mut rows = Vec::new();
    let overflow = enc.take_overflowing();
    rows.push(enc);
    if s.settings.overflow {
        rows.extend(overflow);
    }
    Ok(SampleRows { full_len, rows })
}

/// A document's token ids for packed mode: with `add_special_tokens`, as `encode(text)` gives
/// them (SAELens encodes each document so: a Llama-2 document starts with BOS), else the bare
/// ids. `raw` is [`LoadedTokenizer::raw`], `full` the tokenizer with its post-processor.
pub fn encode_document(
    raw: &Tokenizer,
    full: &Tokenizer,
    text: &str,
    add_special_tokens: bool,
) -> Result<Vec<u32>> {
    let enc = raw
        .encode_fast(text, false)
        .map_err(|e| Error::Internal(format!("encoding failed: {e}")))?;
    if !add_special_tokens {
        return Ok(enc.get_ids().to_vec());
    }
    let enc = full
        .post_process(enc, None, true)
        .map_err(|e| Error::Internal(format!("encoding failed: {e}")))?;
    Ok(enc.get_ids().to_vec())
}
