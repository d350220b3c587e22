//! The fast path against `tokenizers`, the reference: the same ids for every text of a corpus
//! built to be awkward, for GPT-2, DeepSeek-V3 and a Llama-3-style tokenizer, in packed and
//! per-sample modes, with and without special tokens; tokenizers it must not take; the cache.

use super::cache::{Origin, CACHE_FILE};
use super::Encoder;
use crate::tokenize::model::{encode_document, encode_sample, LoadedTokenizer};
use crate::tokenize::settings::{Packing, PackingToken, TokenizeSettings};
use crate::tokenize::tests::{canonical, gpt2_json, read_rows, resolved, run};
use serde_json::json;
use std::path::{Path, PathBuf};

fn data_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(path)
}

const LLAMA3_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

fn added(id: u32, content: &str, special: bool) -> serde_json::Value {
    json!({"id": id, "content": content, "single_word": false, "lstrip": false,
           "rstrip": false, "normalized": !special, "special": special})
}

/// GPT-2's vocabulary and merges dressed as Llama 3 dresses its own: the Llama-3 split regex
/// before a regex-less ByteLevel, `ignore_merges`, a BOS from the post-processor, and added
/// tokens with each of the flags.
fn llama3_style_json() -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&gpt2_json()).unwrap();
    v["pre_tokenizer"] = json!({"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": LLAMA3_PATTERN}, "behavior": "Isolated", "invert": false},
        {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}
    ]});
    v["model"]["ignore_merges"] = json!(true);
    let tokens = v["added_tokens"].as_array_mut().unwrap();
    tokens.push(added(50257, "<|begin_of_text|>", true));
    tokens.push(added(50258, "<|end_of_text|>", true));
    let mut mask = added(50259, "<mask>", true);
    mask["lstrip"] = json!(true);
    mask["rstrip"] = json!(true);
    tokens.push(mask);
    let mut word = added(50260, "zebra", false);
    word["single_word"] = json!(true);
    tokens.push(word);
    let bos = json!({"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}});
    v["post_processor"] = json!({
        "type": "TemplateProcessing",
        "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [bos, {"Sequence": {"id": "A", "type_id": 0}}, bos, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [50257], "tokens": ["<|begin_of_text|>"]}}
    });
    serde_json::to_vec(&v).unwrap()
}

const QWEN2_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// GPT-2's vocabulary and merges dressed as Qwen 2 dresses its own: NFC, single digits, and a
/// normalized added token whose text NFC changes.
fn qwen2_style_json() -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(&gpt2_json()).unwrap();
    v["normalizer"] = json!({"type": "NFC"});
    v["pre_tokenizer"] = json!({"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": QWEN2_PATTERN}, "behavior": "Isolated", "invert": false},
        {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}
    ]});
    let tokens = v["added_tokens"].as_array_mut().unwrap();
    tokens.push(added(50257, "<|im_start|>", true));
    tokens.push(added(50258, "A\u{30a}ngstr\u{f6}m", false));
    serde_json::to_vec(&v).unwrap()
}

struct Case {
    name: &'static str,
    json: Vec<u8>,
    config: Option<Vec<u8>>,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "gpt2",
            json: gpt2_json(),
            config: None,
        },
        Case {
            name: "deepseek-v3",
            json: std::fs::read(data_file("deepseek-v3/tokenizer.json")).unwrap(),
            config: Some(std::fs::read(data_file("deepseek-v3/tokenizer_config.json")).unwrap()),
        },
        Case {
            name: "llama3-style",
            json: llama3_style_json(),
            config: None,
        },
        Case {
            name: "qwen2-style",
            json: qwen2_style_json(),
            config: None,
        },
    ]
}

fn load(case: &Case, dir: &Path) -> LoadedTokenizer {
    let mut t = LoadedTokenizer::from_bytes(case.name, &case.json, case.config.as_deref()).unwrap();
    t.attach_fast_path(&case.json, dir);
    t
}

/// Texts that break tokenizers: scripts, emoji, code, whitespace of every kind, contractions,
/// digits, special tokens written in the text, empty ones, and one 10 MB document.
fn mixed_corpus(tokenizer: &LoadedTokenizer) -> Vec<String> {
    let mut texts: Vec<String> = [
        "The quick brown fox jumps over the lazy dog.",
        "東京は日本の首都です。中文测试，繁體字。한국어 텍스트입니다.",
        "مرحبا بالعالم، هذا نص عربي.",
        "नमस्ते दुनिया, यह देवनागरी है।",
        "👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 🇯🇵 ❤️‍🔥",
        "fn main() {\n    let x = vec![1, 2, 3];\n    println!(\"{:?}\", x);\n}\n",
        "\tif (a && b) {\n\t\treturn 0;\n\t}\n",
        "a          b",
        "   leading spaces",
        "trailing spaces   ",
        "\t\t\ttabs\t",
        "\n\n\nnewlines\n\n",
        "line one\r\nline two\r\n\r\nline three\r",
        " \r\n \n\t \u{a0}\u{2028}x",
        "1234567890 3.14159 1,000,000 -42 ٣٤٥ १२३ ⅷ",
        "It's I'M you'RE we'Ve they'LL she'D 'S 'T 'Ll He’s don’t DON’T it'ſ",
        "a\u{a0}b\u{2028}c\u{3000}d\u{85}e\u{b}f\u{c}g\u{1680}h\u{202f}i",
        "e\u{301}te\u{301} n\u{303} Å A\u{30a}",
        "zero\u{200b}width\u{200d}joiner\u{feff}bom",
        "<|endof text <| |> <|begin_of_text <mask",
        "a zebra, zebras, azebra, zebra",
        "A\u{30a}ngstr\u{f6}m and \u{c5}ngstr\u{f6}m and Ångström, ﬁ ligature, Ｆｕｌｌ",
        "x  <mask>  y<mask>z",
        "",
        " ",
        "\n",
        "  ",
        "\u{1F600}",
        "\u{10FFFF}\u{E000}\u{FFFD}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (_, t) in tokenizer
        .tokenizer
        .get_added_tokens_decoder()
        .iter()
        .take(40)
    {
        texts.push(format!("before{}after {} x", t.content, t.content));
        texts.push(t.content.clone());
    }
    texts.push("a".repeat(5000));
    texts.push(" ".repeat(3000) + "x");
    texts.push("\n".repeat(2000));
    let mut doc = String::new();
    while doc.len() < 10 << 20 {
        for t in &texts {
            doc.push_str(t);
            doc.push(' ');
        }
    }
    texts.push(doc);
    texts
}

fn first_difference(a: &[u32], b: &[u32]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[test]
fn every_text_encodes_to_the_ids_tokenizers_gives() {
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        let tok = load(&case, dir.path());
        assert_eq!(tok.encoder, Encoder::FastBpe, "{}", case.name);
        let fast = tok.fast.as_ref().unwrap();
        let mut scratch = fast.scratch();
        let corpus = mixed_corpus(&tok);
        let last = corpus.len() - 1;
        for (i, text) in corpus.into_iter().enumerate() {
            // The 10 MB document once, with the special tokens around it.
            let modes: &[bool] = if i == last { &[true] } else { &[false, true] };
            for &add in modes {
                let reference = encode_document(&tok.raw, &tok.tokenizer, &text, add).unwrap();
                let mut ids = Vec::new();
                if add {
                    ids.extend_from_slice(&fast.prefix);
                }
                fast.encode_into(&mut scratch, &text, &mut ids)
                    .unwrap_or_else(|_| panic!("{}: the fast path gave up on {text:?}", case.name));
                if add {
                    ids.extend_from_slice(&fast.suffix);
                }
                if ids != reference {
                    let at = first_difference(&ids, &reference);
                    let snippet: String = text.chars().take(80).collect();
                    panic!(
                        "{}: ids differ at {at} (fast {:?}, tokenizers {:?}) for {snippet:?}",
                        case.name,
                        &ids[at..(at + 5).min(ids.len())],
                        &reference[at..(at + 5).min(reference.len())]
                    );
                }
            }
        }
    }
}

#[test]
fn per_sample_rows_equal_the_reference_with_truncation_overflow_and_stride() {
    for case in cases() {
        let dir = tempfile::tempdir().unwrap();
        let tok = load(&case, dir.path());
        for add in [false, true] {
            let settings = TokenizeSettings {
                max_length: 48,
                truncation: true,
                overflow: true,
                stride: 7,
                add_special_tokens: add,
                ..TokenizeSettings::default()
            };
            let r = resolved(&tok, settings);
            let configured = tok.configured(&r).unwrap();
            let mut corpus = mixed_corpus(&tok);
            corpus.pop(); // the 10 MB document: overflow would make 200,000 rows of it
            for text in corpus {
                let fast = tok.sample_rows(&configured, &text, &r).unwrap();
                let reference = encode_sample(
                    &tok.raw,
                    &configured,
                    tok.added_tokens_per_sample,
                    &text,
                    &r,
                )
                .unwrap();
                assert_eq!(fast.full_len, reference.full_len, "{}: {text:?}", case.name);
                let rows = |s: &crate::tokenize::model::SampleRows| -> Vec<(Vec<u32>, Vec<u32>)> {
                    s.rows
                        .iter()
                        .map(|e| (e.get_ids().to_vec(), e.get_attention_mask().to_vec()))
                        .collect()
                };
                assert_eq!(rows(&fast), rows(&reference), "{}: {text:?}", case.name);
            }
        }
    }
}

/// The whole pass, fast and reference, writes the same files and the same statistics.
#[test]
fn the_pass_writes_the_same_rows_on_either_path() {
    let case = &cases()[2];
    let work = tempfile::tempdir().unwrap();
    let fast = load(case, work.path());
    assert!(fast.fast.is_some());
    let reference = LoadedTokenizer::from_bytes(case.name, &case.json, None).unwrap();
    let mut corpus = mixed_corpus(&fast);
    corpus.pop();
    let corpus: Vec<String> = corpus.iter().cycle().take(600).cloned().collect();
    let data = canonical(work.path(), &corpus);
    let packed = TokenizeSettings {
        packing: Some(Packing {
            sequence_separator_token: PackingToken::Eos,
            ..Packing::saelens(32)
        }),
        add_special_tokens: true,
        ..TokenizeSettings::default()
    };
    let per_sample = TokenizeSettings {
        max_length: 40,
        truncation: true,
        overflow: true,
        ..TokenizeSettings::default()
    };
    for (i, settings) in [packed, per_sample].into_iter().enumerate() {
        let out = |which: &str| work.path().join(format!("{which}-{i}"));
        let a = run(
            &fast,
            &resolved(&fast, settings.clone()),
            &data,
            &out("fast"),
        );
        let b = run(
            &reference,
            &resolved(&reference, settings),
            &data,
            &out("ref"),
        );
        assert_eq!(a, b);
        for split in ["train", "test"] {
            let rows = read_rows(&out("fast").join(split));
            assert!(!rows.is_empty());
            assert_eq!(rows, read_rows(&out("ref").join(split)), "{split}");
        }
    }
}

fn reason_for(name: &str, json: &[u8], config: Option<&[u8]>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut tok = LoadedTokenizer::from_bytes(name, json, config).unwrap();
    tok.attach_fast_path(json, dir.path());
    assert!(tok.fast.is_none(), "{name} took the fast path");
    // Still encodes, on the reference path.
    let ids = tok.document_ids("Hello world", false).unwrap();
    assert!(!ids.is_empty());
    match tok.encoder {
        Encoder::Tokenizers { reason } => reason,
        other => panic!("{name} reports {other:?}"),
    }
}

#[test]
fn tokenizers_the_fast_path_cannot_vouch_for_take_the_reference_path_and_say_why() {
    let llama2 = std::fs::read(data_file("llama2/tokenizer.json")).unwrap();
    let llama2_config = std::fs::read(data_file("llama2/tokenizer_config.json")).unwrap();
    let why = reason_for("llama2", &llama2, Some(&llama2_config));
    assert!(why.contains("byte fallback"), "{why}");

    let bert = json!({
        "version": "1.0", "truncation": null, "padding": null,
        "added_tokens": [{"id": 0, "content": "[UNK]", "single_word": false, "lstrip": false,
                          "rstrip": false, "normalized": false, "special": true}],
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                       "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": null,
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100,
                  "vocab": {"[UNK]": 0, "hello": 1, "world": 2, "##s": 3}}
    });
    let why = reason_for("bert", &serde_json::to_vec(&bert).unwrap(), None);
    assert!(why.contains("WordPiece"), "{why}");

    // GPT-2's file with one thing changed.
    let edited = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| -> String {
        let mut v: serde_json::Value = serde_json::from_slice(&gpt2_json()).unwrap();
        edit(&mut v);
        reason_for(name, &serde_json::to_vec(&v).unwrap(), None)
    };
    let why = edited("unknown-regex", &|v| {
        v["pre_tokenizer"] = json!({"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": r"\w+|[^\w\s]+|\s+"}, "behavior": "Isolated", "invert": false},
            {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}
        ]});
    });
    assert!(why.contains("\\w"), "{why}");

    // The first merge moved to the end: later merges use its result before it is made.
    let why = edited("corrupted-merges", &|v| {
        let merges = v["model"]["merges"].as_array_mut().unwrap();
        let first = merges.remove(0);
        merges.push(first);
    });
    assert!(why.contains("merge"), "{why}");

    // "t h" (rank 144) and "h e" (rank 2) swapped: ranking then joins t|h in "the", whose
    // listed merge is t|he.
    let why = edited("swapped-merges", &|v| {
        let merges = v["model"]["merges"].as_array_mut().unwrap();
        let at = |s: &str| merges.iter().position(|x| x == s).unwrap();
        let (th, he) = (at("t h"), at("h e"));
        merges.swap(th, he);
    });
    assert!(why.contains("merge"), "{why}");

    let why = edited("prefix-space", &|v| {
        v["pre_tokenizer"]["add_prefix_space"] = json!(true);
    });
    assert!(why.contains("prefix space"), "{why}");
}

#[test]
fn the_cached_vocabulary_is_reused_rebuilt_when_the_tokenizer_changes_and_never_trusted_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let case = &cases()[0];
    let text = "Caching the fast vocabulary: it's 2026!";
    let reference = LoadedTokenizer::from_bytes(case.name, &case.json, None).unwrap();
    let expected = encode_document(&reference.raw, &reference.tokenizer, text, false).unwrap();
    let check = |tok: &LoadedTokenizer| {
        assert_eq!(tok.document_ids(text, false).unwrap(), expected);
    };

    let first = load(case, dir.path());
    assert_eq!(first.fast.as_ref().unwrap().origin, Origin::Built);
    assert!(dir.path().join(CACHE_FILE).is_file());
    let second = load(case, dir.path());
    assert_eq!(second.fast.as_ref().unwrap().origin, Origin::Cached);
    check(&second);

    // The same folder, another tokenizer file (one more added token).
    let mut changed: serde_json::Value = serde_json::from_slice(&case.json).unwrap();
    changed["added_tokens"]
        .as_array_mut()
        .unwrap()
        .push(added(50257, "<pad>", true));
    let changed = Case {
        name: "gpt2-changed",
        json: serde_json::to_vec(&changed).unwrap(),
        config: None,
    };
    let rebuilt = load(&changed, dir.path());
    assert_eq!(
        rebuilt.fast.as_ref().unwrap().origin,
        Origin::Rebuilt {
            why: "made for another tokenizer file"
        }
    );

    let path = dir.path().join(CACHE_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x5a;
    std::fs::write(&path, &bytes).unwrap();
    let after_flip = load(&changed, dir.path());
    assert_eq!(
        after_flip.fast.as_ref().unwrap().origin,
        Origin::Rebuilt { why: "corrupt" }
    );

    std::fs::write(&path, &bytes[..50]).unwrap();
    let after_cut = load(case, dir.path());
    assert_eq!(
        after_cut.fast.as_ref().unwrap().origin,
        Origin::Rebuilt { why: "truncated" }
    );
    check(&after_cut);
    assert_eq!(
        load(case, dir.path()).fast.as_ref().unwrap().origin,
        Origin::Cached
    );

    // A writer killed mid-write leaves its temp file; the next load clears it.
    let leftover = dir.path().join("fast-bpe.tmp-0123456789abcdef");
    std::fs::write(&leftover, b"half a vocabulary").unwrap();
    let origin = load(case, dir.path()).fast.as_ref().unwrap().origin;
    assert_eq!(origin, Origin::Cached);
    assert!(!leftover.exists());
}
