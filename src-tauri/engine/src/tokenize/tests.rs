//! The tokenization pass against the real GPT-2 tokenizer: ids equal the tokenizer's own
//! encoding, packing is exact, statistics match a recomputation from the written files.

use super::model::LoadedTokenizer;
use super::packing::RowPacker;
use super::pipeline::{self, PassProgress, SplitSource};
use super::settings::{Packing, PackingToken, Padding, TokenizeSettings};
use crate::ingest::{ingest, SplitInput};
use crate::ErrorKind;
use arrow::array::AsArray;
use arrow::datatypes::{DataType, Int8Type, UInt16Type, UInt32Type, UInt64Type};
use std::path::{Path, PathBuf};
use tokio_util::sync::CancellationToken;

pub(crate) fn gpt2_json() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/gpt2-tokenizer.json");
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "the GPT-2 tokenizer is expected at {} ({e}); the shared data folder sits beside the clone",
            path.display()
        )
    })
}

pub(crate) fn gpt2() -> LoadedTokenizer {
    LoadedTokenizer::from_bytes("gpt2", &gpt2_json(), None).unwrap()
}

/// GPT-2 with a `<pad>` token added, for the padding settings.
fn gpt2_with_pad() -> LoadedTokenizer {
    let mut v: serde_json::Value = serde_json::from_slice(&gpt2_json()).unwrap();
    v["added_tokens"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "id": 50257, "content": "<pad>", "single_word": false, "lstrip": false,
            "rstrip": false, "normalized": false, "special": true
        }));
    LoadedTokenizer::from_bytes("gpt2-pad", &serde_json::to_vec(&v).unwrap(), None).unwrap()
}

/// GPT-2 with a post-processor that wraps each sample in `<|endoftext|>` (as BERT-style
/// tokenizers wrap theirs in [CLS] … [SEP]), so truncation must leave room for two tokens.
pub(crate) fn gpt2_with_template() -> LoadedTokenizer {
    let mut v: serde_json::Value = serde_json::from_slice(&gpt2_json()).unwrap();
    let eot = serde_json::json!({"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}});
    v["post_processor"] = serde_json::json!({
        "type": "TemplateProcessing",
        "single": [eot, {"Sequence": {"id": "A", "type_id": 0}}, eot],
        "pair": [eot, {"Sequence": {"id": "A", "type_id": 0}}, eot, {"Sequence": {"id": "B", "type_id": 1}}, eot],
        "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [50256], "tokens": ["<|endoftext|>"]}}
    });
    LoadedTokenizer::from_bytes("gpt2-template", &serde_json::to_vec(&v).unwrap(), None).unwrap()
}

/// Texts with the awkward cases: empty, unicode, very long, whitespace only.
pub(crate) fn texts() -> Vec<String> {
    let mut t: Vec<String> = vec![
        "Hello world".into(),
        String::new(),
        "Unicode: naïve café — 東京 🚀 emoji".into(),
        "   \n\t  ".into(),
        "The quick brown fox jumps over the lazy dog. ".repeat(60),
        "<|endoftext|> looks special but is text here".into(),
    ];
    for i in 0..300 {
        t.push(format!(
            "Sample {i}: {}",
            "lorem ipsum dolor sit amet ".repeat(i % 37)
        ));
    }
    t
}

/// A canonical dataset with the texts split over `train` and `test`.
pub(super) fn canonical(dir: &Path, texts: &[String]) -> PathBuf {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let (train, test) = texts.split_at(texts.len() * 4 / 5);
    for (name, part) in [("train", train), ("test", test)] {
        let lines: String = part
            .iter()
            .map(|t| serde_json::json!({ "text": t }).to_string() + "\n")
            .collect();
        std::fs::write(src.join(format!("{name}.jsonl")), lines).unwrap();
    }
    let data = dir.join("data");
    let inputs: Vec<SplitInput> = ["train", "test"]
        .iter()
        .map(|s| SplitInput {
            name: s.to_string(),
            files: vec![src.join(format!("{s}.jsonl"))],
            ..Default::default()
        })
        .collect();
    ingest(&inputs, &data, &CancellationToken::new(), &mut |_, _| {}).unwrap();
    data
}

pub(super) fn resolved(tok: &LoadedTokenizer, s: TokenizeSettings) -> super::ResolvedSettings {
    let mut r = s.validate(tok).unwrap();
    r.text_column = "text".into();
    r.splits = vec!["train".into(), "test".into()];
    r
}

pub(super) fn run(
    tok: &LoadedTokenizer,
    r: &super::ResolvedSettings,
    data: &Path,
    out: &Path,
) -> super::Statistics {
    let sources: Vec<SplitSource> = r
        .splits
        .iter()
        .map(|s| SplitSource {
            name: s.clone(),
            dir: data.join(s),
        })
        .collect();
    pipeline::run(
        tok,
        r,
        &sources,
        out,
        2,
        "test",
        &CancellationToken::new(),
        &|_: PassProgress| {},
    )
    .unwrap()
    .statistics
}

#[derive(Debug, PartialEq)]
pub(super) struct OutRow {
    ids: Vec<u32>,
    mask: Option<Vec<i8>>,
    sample_index: Option<u64>,
}

/// Every row of a split's output, read back through Arrow's stream reader.
pub(super) fn read_rows(split_dir: &Path) -> Vec<OutRow> {
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(split_dir.join("state.json")).unwrap()).unwrap();
    let mut rows = Vec::new();
    for f in state["_data_files"].as_array().unwrap() {
        let path = split_dir.join(f["filename"].as_str().unwrap());
        let reader =
            arrow::ipc::reader::StreamReader::try_new(std::fs::File::open(path).unwrap(), None)
                .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let ids = batch.column_by_name("input_ids").unwrap().as_list::<i32>();
            let mask = batch
                .column_by_name("attention_mask")
                .map(|c| c.as_list::<i32>().clone());
            let index = batch
                .column_by_name("sample_index")
                .map(|c| c.as_primitive::<UInt64Type>().clone());
            for i in 0..batch.num_rows() {
                rows.push(OutRow {
                    ids: widened(&ids.value(i)),
                    mask: mask
                        .as_ref()
                        .map(|m| m.value(i).as_primitive::<Int8Type>().values().to_vec()),
                    sample_index: index.as_ref().map(|x| x.value(i)),
                });
            }
        }
    }
    rows
}

/// The windows a right truncation to `max` with `stride` cuts `n` tokens into, written out
/// independently of the tokenizers crate (whose `encode` in 0.23 stops at `max` tokens and so
/// returns no overflow at all).
fn windows(n: usize, max: usize, stride: usize) -> Vec<(usize, usize)> {
    if n <= max {
        return vec![(0, n)];
    }
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let stop = (start + max).min(n);
        out.push((start, stop));
        if stop == n {
            return out;
        }
        start += max - stride;
    }
}

fn split_texts(all: &[String]) -> [(&'static str, Vec<String>); 2] {
    let (train, test) = all.split_at(all.len() * 4 / 5);
    [("train", train.to_vec()), ("test", test.to_vec())]
}

/// Per-sample mode: for every sample, the rows equal `configured.encode(text)` and its
/// overflow, row for row.
fn check_per_sample(tok: &LoadedTokenizer, settings: TokenizeSettings) {
    let dir = tempfile::tempdir().unwrap();
    let all = texts();
    let data = canonical(dir.path(), &all);
    let r = resolved(tok, settings.clone());
    let out = dir.path().join("out");
    run(tok, &r, &data, &out);
    let configured = tok.configured(&r).unwrap();
    for (split, texts) in split_texts(&all) {
        let rows = read_rows(&out.join(split));
        let mut expected = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            // The first row is exactly the tokenizer's own encoding with these settings.
            let enc = configured
                .encode(t.as_str(), settings.add_special_tokens)
                .unwrap();
            let mask: Vec<i8> = enc.get_attention_mask().iter().map(|m| *m as i8).collect();
            expected.push((i as u64, enc.get_ids().to_vec(), mask));
            if settings.overflow {
                assert!(
                    !settings.add_special_tokens,
                    "the windows below assume no special tokens"
                );
                let full = tok.tokenizer.encode(t.as_str(), false).unwrap();
                let ids = full.get_ids();
                for (start, stop) in windows(
                    ids.len(),
                    settings.max_length as usize,
                    settings.stride as usize,
                )
                .into_iter()
                .skip(1)
                {
                    expected.push((i as u64, ids[start..stop].to_vec(), vec![1; stop - start]));
                }
            }
        }
        assert_eq!(rows.len(), expected.len(), "{split}: row count");
        for (row, (index, ids, mask)) in rows.iter().zip(&expected) {
            assert_eq!(row.sample_index, Some(*index));
            assert_eq!(&row.ids, ids, "{split} sample {index}");
            match &row.mask {
                Some(m) => assert_eq!(m, mask),
                None => assert_eq!(settings.padding, Padding::None),
            }
        }
    }
}

#[test]
fn ids_equal_the_tokenizers_own_encoding_without_truncation() {
    check_per_sample(
        &gpt2(),
        TokenizeSettings {
            truncation: false,
            ..TokenizeSettings::default()
        },
    );
}

/// Two bytes a token when the vocabulary fits (GPT-2, Llama-2), four otherwise (DeepSeek-V3's
/// 129,280 ids), with the same ids either way.
#[test]
fn ids_are_stored_in_two_bytes_when_the_vocabulary_fits_and_four_otherwise() {
    use super::output::IdWidth;
    let llama = tokenizer_from_data("llama2");
    let deepseek = tokenizer_from_data("deepseek-v3");
    assert_eq!(gpt2().max_id, 50_256);
    assert_eq!(IdWidth::for_max_id(gpt2().max_id), IdWidth::U16);
    assert_eq!(IdWidth::for_max_id(llama.max_id), IdWidth::U16);
    assert!(deepseek.max_id > 65_535);
    assert_eq!(IdWidth::for_max_id(deepseek.max_id), IdWidth::U32);
    assert_eq!(IdWidth::for_max_id(65_535), IdWidth::U16);
    assert_eq!(IdWidth::for_max_id(65_536), IdWidth::U32);
    for (tok, dtype) in [(&deepseek, "uint32"), (&llama, "uint16")] {
        let settings = TokenizeSettings {
            truncation: false,
            ..TokenizeSettings::default()
        };
        check_per_sample(tok, settings.clone());
        let dir = tempfile::tempdir().unwrap();
        let data = canonical(dir.path(), &texts());
        let out = dir.path().join("out");
        run(tok, &resolved(tok, settings), &data, &out);
        let info: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("train/dataset_info.json")).unwrap())
                .unwrap();
        assert_eq!(info["features"]["input_ids"]["feature"]["dtype"], dtype);
    }
}

#[test]
fn ids_equal_the_tokenizers_own_encoding_with_truncation_and_padding() {
    check_per_sample(
        &gpt2_with_pad(),
        TokenizeSettings {
            max_length: 64,
            truncation: true,
            padding: Padding::MaxLength,
            ..TokenizeSettings::default()
        },
    );
}

#[test]
fn special_tokens_from_the_post_processor_are_added_inside_the_max_length() {
    let tok = gpt2_with_template();
    assert_eq!(tok.added_tokens_per_sample, 2);
    check_per_sample(
        &tok,
        TokenizeSettings {
            max_length: 40,
            truncation: true,
            add_special_tokens: true,
            ..TokenizeSettings::default()
        },
    );
    check_per_sample(
        &tok,
        TokenizeSettings {
            truncation: false,
            add_special_tokens: false,
            ..TokenizeSettings::default()
        },
    );
}

#[test]
fn overflow_rows_with_a_stride_equal_the_tokenizers_overflow() {
    check_per_sample(
        &gpt2(),
        TokenizeSettings {
            max_length: 32,
            truncation: true,
            overflow: true,
            stride: 8,
            add_special_tokens: false,
            ..TokenizeSettings::default()
        },
    );
}

/// The rows SAELens's rules give for the documents one after another, as the pass should
/// write them: documents encoded as `encode(text, add_special_tokens)`, packing continuous over
/// each split.
fn expected_packed_rows(
    tok: &LoadedTokenizer,
    r: &super::ResolvedSettings,
    texts: &[String],
) -> (Vec<Vec<u32>>, usize) {
    let p = r.settings.packing.unwrap();
    let mut packer = RowPacker::new(
        p.context_size as usize,
        r.packing_tokens,
        p.disable_concat_sequences,
    );
    let mut rows = Vec::new();
    for t in texts {
        let ids = tok
            .tokenizer
            .encode(t.as_str(), r.settings.add_special_tokens)
            .unwrap()
            .get_ids()
            .to_vec();
        packer
            .push(&ids, |row| {
                rows.push(row.to_vec());
                Ok::<(), ()>(())
            })
            .unwrap();
    }
    (rows, packer.left_over())
}

fn packed(context_size: u32, begin: PackingToken, separator: PackingToken) -> Packing {
    Packing {
        context_size,
        begin_batch_token: begin,
        sequence_separator_token: separator,
        ..Packing::saelens(context_size)
    }
}

#[test]
fn packed_rows_follow_saelens_rules_over_each_split() {
    let tok = gpt2_with_template();
    for (packing, special) in [
        (Packing::saelens(128), true),
        (packed(128, PackingToken::Bos, PackingToken::Eos), false),
        (packed(64, PackingToken::None, PackingToken::None), true),
        (
            Packing {
                begin_sequence_token: PackingToken::Id(13),
                ..packed(100, PackingToken::Bos, PackingToken::Id(13))
            },
            true,
        ),
        (
            Packing {
                disable_concat_sequences: true,
                ..Packing::saelens(32)
            },
            true,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let all = texts();
        let data = canonical(dir.path(), &all);
        let r = resolved(
            &tok,
            TokenizeSettings {
                packing: Some(packing),
                add_special_tokens: special,
                ..TokenizeSettings::default()
            },
        );
        let out = dir.path().join("out");
        let stats = run(&tok, &r, &data, &out);
        let mut dropped = 0;
        for (split, texts) in split_texts(&all) {
            let rows = read_rows(&out.join(split));
            let (expected, left_over) = expected_packed_rows(&tok, &r, &texts);
            assert!(!expected.is_empty(), "{packing:?}: the case packs rows");
            assert!(rows
                .iter()
                .all(|r| r.mask.is_none() && r.sample_index.is_none()));
            let ids: Vec<Vec<u32>> = rows.into_iter().map(|r| r.ids).collect();
            assert_eq!(ids, expected, "{split} with {packing:?}");
            dropped += left_over;
        }
        assert_eq!(stats.dropped_tokens, dropped as u64);
    }
}

fn shuffled(seed: Option<u32>, settings: TokenizeSettings) -> TokenizeSettings {
    TokenizeSettings {
        shuffle: seed.is_some(),
        seed,
        ..settings
    }
}

#[test]
fn shuffled_rows_are_a_seeded_permutation_of_the_unshuffled_ones() {
    let tok = gpt2_with_pad();
    let packed_mode = TokenizeSettings {
        packing: Some(Packing::saelens(16)),
        ..TokenizeSettings::default()
    };
    let per_sample = TokenizeSettings {
        max_length: 24,
        padding: Padding::MaxLength,
        overflow: true,
        ..TokenizeSettings::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let all = texts();
    let data = canonical(dir.path(), &all);
    for (mode, settings) in [("packed", packed_mode), ("per-sample", per_sample)] {
        let write = |name: &str, seed: Option<u32>| {
            let out = dir.path().join(format!("{mode}-{name}"));
            let r = resolved(&tok, shuffled(seed, settings.clone()));
            let stats = run(&tok, &r, &data, &out);
            (out, stats)
        };
        let (plain, plain_stats) = write("plain", None);
        let (a, a_stats) = write("a", Some(7));
        let (again, _) = write("again", Some(7));
        let (other, _) = write("other", Some(8));
        for (split, _) in split_texts(&all) {
            let key = |r: &OutRow| (r.ids.clone(), r.mask.clone(), r.sample_index);
            let rows = |dir: &Path| read_rows(&dir.join(split));
            let (p, s) = (rows(&plain), rows(&a));
            assert!(p.len() > 20, "{mode} {split}: enough rows to shuffle");
            let order: Vec<_> = s.iter().map(key).collect();
            assert_ne!(
                p.iter().map(key).collect::<Vec<_>>(),
                order,
                "{mode}: reordered"
            );
            let mut sorted_p: Vec<_> = p.iter().map(key).collect();
            let mut sorted_s = order.clone();
            sorted_p.sort();
            sorted_s.sort();
            assert_eq!(sorted_p, sorted_s, "{mode} {split}: the same rows");
            let o: Vec<_> = rows(&other).iter().map(key).collect();
            assert_ne!(o, order, "{mode} {split}: another seed, another order");
            for f in std::fs::read_dir(a.join(split)).unwrap() {
                let f = f.unwrap().path();
                let name = f.file_name().unwrap().to_owned();
                assert_eq!(
                    std::fs::read(&f).unwrap(),
                    std::fs::read(again.join(split).join(&name)).unwrap(),
                    "{mode} {split}: the same seed writes the same bytes ({name:?})"
                );
            }
        }
        assert_eq!(plain_stats.num_tokens, a_stats.num_tokens);
        assert_eq!(plain_stats.top_tokens, a_stats.top_tokens);
        let leftovers: Vec<_> = std::fs::read_dir(&a)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("shuffle-"))
            .collect();
        assert!(leftovers.is_empty(), "the spool is removed: {leftovers:?}");
    }
}

/// The ids `AutoTokenizer.from_pretrained(folder).encode(text)` gives with transformers 5.25
/// (printed by it, `tests/python/` checks the whole corpus).
#[test]
fn documents_are_encoded_as_transformers_encodes_them() {
    let encode = |tok: &LoadedTokenizer, text: &str, special: bool| {
        super::model::encode_document(&tok.raw, &tok.tokenizer, text, special).unwrap()
    };
    let llama = tokenizer_from_data("llama2");
    assert_eq!(encode(&llama, "Hello world", true), [1, 22557, 1526]);
    assert_eq!(encode(&llama, "Hello world", false), [22557, 1526]);
    // The file alone gives [1, 28705, 22557]: transformers rebuilds LlamaTokenizer's
    // pre-tokenizer, which does not put a second `▁` before a leading space.
    assert_eq!(encode(&llama, " Hello", true), [1, 22557]);
    assert_eq!(
        encode(&llama, "Hello  world", true),
        [1, 22557, 28705, 1526]
    );
    assert_eq!(encode(&llama, "", true), [1]);
    // DeepSeek-V3's config says LlamaTokenizerFast and add_bos_token, but its file is
    // byte-level: transformers loads the file as it is, which adds nothing.
    let deepseek = tokenizer_from_data("deepseek-v3");
    assert_eq!(encode(&deepseek, "Hello world", true), [19923, 2058]);
    assert_eq!(encode(&deepseek, "", true), Vec::<u32>::new());
    assert_eq!(
        encode(&gpt2(), "Hello world", true).len(),
        2,
        "GPT-2 adds nothing"
    );
}

pub(crate) fn tokenizer_from_data(name: &str) -> LoadedTokenizer {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name);
    let json = std::fs::read(dir.join("tokenizer.json")).unwrap();
    let config = std::fs::read(dir.join("tokenizer_config.json")).unwrap();
    LoadedTokenizer::from_bytes(name, &json, Some(&config)).unwrap()
}

#[test]
fn settings_of_the_first_release_still_read() {
    let old = serde_json::json!({
        "text_column": null, "splits": [], "max_length": 512, "truncation": true,
        "padding": "none", "add_special_tokens": true, "min_tokens": null, "max_tokens": null,
        "packing": {"context_size": 256, "bos_per_row": true, "separator": {"kind": "eos"}}
    });
    let s: TokenizeSettings = serde_json::from_value(old).unwrap();
    assert_eq!(
        s.packing,
        Some(packed(256, PackingToken::Bos, PackingToken::Eos))
    );
    assert!(
        !s.add_special_tokens,
        "first-release packing encoded bare documents"
    );
    assert!(!s.shuffle && s.seed.is_none());
    let round: TokenizeSettings =
        serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
    assert_eq!(round, s);
    let bad = serde_json::json!({
        "max_length": 512, "truncation": true, "padding": "none", "add_special_tokens": true,
        "packing": {"context_size": 256}
    });
    assert!(serde_json::from_value::<TokenizeSettings>(bad).is_err());
}

#[test]
fn statistics_equal_a_recomputation_from_the_output() {
    let tok = gpt2_with_pad();
    let dir = tempfile::tempdir().unwrap();
    let all = texts();
    let data = canonical(dir.path(), &all);
    let settings = TokenizeSettings {
        max_length: 48,
        truncation: true,
        padding: Padding::MaxLength,
        overflow: true,
        stride: 4,
        min_tokens: Some(2),
        ..TokenizeSettings::default()
    };
    let r = resolved(&tok, settings.clone());
    let out = dir.path().join("out");
    let stats = run(&tok, &r, &data, &out);

    let mut lengths = Vec::new();
    let (mut tokens, mut padding, mut overflow_rows) = (0u64, 0u64, 0u64);
    let mut counts = std::collections::HashMap::<u32, u64>::new();
    let mut rows_total = 0;
    for (split, _) in split_texts(&all) {
        for row in read_rows(&out.join(split)) {
            let mask = row.mask.unwrap();
            let real = mask.iter().filter(|m| **m == 1).count();
            assert!(
                mask[..real].iter().all(|m| *m == 1),
                "padding is on the right"
            );
            tokens += real as u64;
            padding += (row.ids.len() - real) as u64;
            lengths.push(real as u64);
            for id in &row.ids[..real] {
                *counts.entry(*id).or_default() += 1;
            }
            rows_total += 1;
        }
    }
    // Truncated and filtered samples, from the texts themselves.
    let (mut truncated, mut short) = (0, 0);
    for t in &all {
        let full = tok.tokenizer.encode(t.as_str(), true).unwrap().len();
        if full < 2 {
            short += 1;
        } else {
            if full > 48 {
                truncated += 1;
            }
            overflow_rows += windows(full, 48, 4).len() as u64 - 1;
        }
    }
    lengths.sort_unstable();
    let rank = |q: f64| lengths[((q * lengths.len() as f64).ceil() as usize).max(1) - 1];
    assert_eq!(stats.num_samples, all.len() as u64);
    assert_eq!(stats.num_rows, rows_total);
    assert_eq!(stats.num_tokens, tokens);
    assert_eq!(stats.num_padding_tokens, padding);
    assert!((stats.padding_overhead - padding as f64 / (tokens + padding) as f64).abs() < 1e-12);
    assert_eq!(stats.truncated, truncated);
    assert_eq!(stats.filtered_short, short);
    assert_eq!(stats.overflow_rows, overflow_rows);
    assert_eq!(stats.seq_len.min, lengths[0]);
    assert_eq!(stats.seq_len.max, *lengths.last().unwrap());
    assert_eq!(stats.seq_len.median, rank(0.5));
    assert_eq!(stats.seq_len.p90, rank(0.9));
    assert_eq!(stats.seq_len.p99, rank(0.99));
    assert_eq!(stats.unique_tokens, counts.len() as u64);
    assert_eq!(
        stats.histogram.iter().map(|b| b.count).sum::<u64>(),
        rows_total
    );
    let top = &stats.top_tokens[0];
    assert_eq!(top.count, *counts.values().max().unwrap());
    assert_eq!(
        stats.splits.iter().map(|s| s.num_tokens).sum::<u64>(),
        tokens
    );
}

#[test]
fn the_output_has_the_save_to_disk_layout_and_is_deterministic() {
    let tok = gpt2();
    let dir = tempfile::tempdir().unwrap();
    let data = canonical(dir.path(), &texts());
    let r = resolved(&tok, TokenizeSettings::default());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run(&tok, &r, &data, &a);
    run(&tok, &r, &data, &b);
    let dict: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("dataset_dict.json")).unwrap()).unwrap();
    assert_eq!(dict["splits"], serde_json::json!(["train", "test"]));
    for split in ["train", "test"] {
        for name in [
            "data-00000-of-00001.arrow",
            "dataset_info.json",
            "state.json",
        ] {
            let (x, y) = (a.join(split).join(name), b.join(split).join(name));
            assert_eq!(
                std::fs::read(&x).unwrap(),
                std::fs::read(&y).unwrap(),
                "{} differs between two runs",
                x.display()
            );
        }
    }
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("train/dataset_info.json")).unwrap()).unwrap();
    // GPT-2's 50,257 ids fit in two bytes.
    assert_eq!(info["features"]["input_ids"]["feature"]["dtype"], "uint16");
}

/// A row's ids as u32, whichever width they are stored in.
fn widened(ids: &arrow::array::ArrayRef) -> Vec<u32> {
    match ids.data_type() {
        DataType::UInt16 => ids
            .as_primitive::<UInt16Type>()
            .values()
            .iter()
            .map(|&id| u32::from(id))
            .collect(),
        DataType::UInt32 => ids.as_primitive::<UInt32Type>().values().to_vec(),
        other => panic!("input_ids stored as {other}"),
    }
}

#[test]
fn settings_are_checked_against_the_tokenizer() {
    let tok = gpt2();
    let bad = |s: TokenizeSettings| s.validate(&tok).unwrap_err();
    let e = bad(TokenizeSettings {
        padding: Padding::MaxLength,
        ..TokenizeSettings::default()
    });
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("no pad token"), "{e}");
    for max_length in [0, 1_048_577] {
        let e = bad(TokenizeSettings {
            max_length,
            ..TokenizeSettings::default()
        });
        assert!(e.to_string().contains("between 1 and 1048576"), "{e}");
    }
    let e = bad(TokenizeSettings {
        overflow: true,
        stride: 512,
        ..TokenizeSettings::default()
    });
    assert!(e.to_string().contains("stride"), "{e}");
    let e = bad(TokenizeSettings {
        stride: 4,
        ..TokenizeSettings::default()
    });
    assert!(e.to_string().contains("overflow"), "{e}");
    let e = bad(TokenizeSettings {
        packing: Some(packed(128, PackingToken::Bos, PackingToken::Id(60_000))),
        ..TokenizeSettings::default()
    });
    assert!(e.to_string().contains("outside the vocabulary"), "{e}");
    let e = bad(TokenizeSettings {
        min_tokens: Some(10),
        max_tokens: Some(5),
        ..TokenizeSettings::default()
    });
    assert!(e.to_string().contains("above the maximum"), "{e}");
}

#[test]
fn gpt2_special_tokens_are_found_and_a_broken_file_is_refused() {
    let tok = gpt2();
    let s = &tok.info.special_tokens;
    assert_eq!(s.bos.as_ref().map(|t| t.id), Some(50256));
    assert_eq!(
        s.eos.as_ref().map(|t| t.content.as_str()),
        Some("<|endoftext|>")
    );
    assert!(s.pad.is_none());
    assert_eq!(tok.info.vocab_size, 50257);

    for broken in [&b"{\"version\": \"1.0\"}"[..], b"not json", b""] {
        let e = LoadedTokenizer::from_bytes("broken", broken, None)
            .err()
            .expect("a broken tokenizer.json is refused");
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(e.to_string().contains("not a usable tokenizer.json"), "{e}");
    }
}

#[test]
fn the_preview_marks_special_tokens_and_packs_paragraphs() {
    let tok = gpt2_with_pad();
    let r = TokenizeSettings {
        max_length: 8,
        padding: Padding::MaxLength,
        ..TokenizeSettings::default()
    }
    .validate(&tok)
    .unwrap();
    let p = super::preview(&tok, &r, "Hi<|endoftext|>").unwrap();
    let row = &p.rows[0];
    assert_eq!(row.tokens.len(), 8);
    assert!(row.tokens.iter().any(|t| t.special && t.id == 50256));
    assert!(row.tokens.last().unwrap().padding);
    assert_eq!(p.num_tokens, 2);

    let r = TokenizeSettings {
        packing: Some(packed(4, PackingToken::Bos, PackingToken::Eos)),
        ..TokenizeSettings::default()
    }
    .validate(&tok)
    .unwrap();
    let p = super::preview(&tok, &r, "one two three\n\nfour five six seven").unwrap();
    assert!(p
        .rows
        .iter()
        .all(|r| r.tokens.len() == 4 && r.tokens[0].id == 50256));
    assert_eq!(p.text_tokens, 7);
    // [BOS one two three] [BOS four five six] [BOS seven …: a new row takes no separator.
    assert_eq!((p.total_rows, p.remainder_tokens), (2, 2));
}

#[test]
fn a_cancelled_pass_stops() {
    let tok = gpt2();
    let dir = tempfile::tempdir().unwrap();
    let data = canonical(dir.path(), &texts());
    let r = resolved(&tok, TokenizeSettings::default());
    let cancel = CancellationToken::new();
    cancel.cancel();
    let sources = vec![SplitSource {
        name: "train".into(),
        dir: data.join("train"),
    }];
    let e = pipeline::run(
        &tok,
        &r,
        &sources,
        &dir.path().join("out"),
        2,
        "x",
        &cancel,
        &|_: PassProgress| {},
    )
    .err()
    .expect("cancelled");
    assert_eq!(e.kind(), ErrorKind::Cancelled);
}

/// Cancelled while the reader is blocked handing a batch to busy encoders (more batches than
/// can be in flight): the pass must still end. It once waited forever there.
#[test]
fn a_pass_cancelled_with_batches_in_flight_ends() {
    let tok = gpt2();
    let dir = tempfile::tempdir().unwrap();
    // Enough rows for well over the in-flight limit of record batches.
    let many: Vec<String> = (0..80_000)
        .map(|i| format!("row {i} of a corpus"))
        .collect();
    let data = canonical(dir.path(), &many);
    let r = resolved(&tok, TokenizeSettings::default());
    for attempt in 0..3 {
        let cancel = CancellationToken::new();
        let sources = vec![SplitSource {
            name: "train".into(),
            dir: data.join("train"),
        }];
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let out = dir.path().join(format!("out-{attempt}"));
                let result = pipeline::run(&tok, &r, &sources, &out, 1, "x", &cancel, &|_| {
                    cancel.cancel()
                });
                let _ = tx.send(result.err().map(|e| e.kind()));
            });
            let ended = rx.recv_timeout(std::time::Duration::from_secs(60));
            if ended.is_err() {
                // Leave the stuck pass behind rather than hang the test run.
                std::process::abort();
            }
            assert_eq!(ended.unwrap(), Some(ErrorKind::Cancelled));
        });
    }
}
