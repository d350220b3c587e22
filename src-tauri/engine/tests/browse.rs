//! What the detail view reads beside the rows, through the Engine's API: text-length
//! statistics, the token view of a row, the token-length filter, the storage breakdown.

mod common;
use common::{gpt2_path, ready_dataset, wait_tokenization, Lab};
use mistudio_engine::browse::RowTokensQuery;
use mistudio_engine::samples::SamplesQuery;
use mistudio_engine::tokenize::{Packing, TokenizeSettings};
use mistudio_engine::TokenizationStatus;
use mistudio_engine::{ErrorKind, TokenizeRequest};

/// The rows `common::corpus` writes, as text.
fn corpus_texts(rows: usize) -> Vec<String> {
    String::from_utf8(common::corpus(rows))
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

async fn tokenize(lab: &Lab, ds: &str, settings: TokenizeSettings) -> String {
    let tk = lab
        .engine
        .resolve_tokenizer(gpt2_path().to_str().unwrap(), None)
        .await
        .unwrap();
    let tz = lab
        .engine
        .start_tokenization(&TokenizeRequest {
            dataset_id: ds.to_string(),
            tokenizer_id: tk.id,
            settings,
            replace: true,
        })
        .await
        .unwrap();
    let tz = wait_tokenization(lab, &tz.id).await;
    assert_eq!(tz.status, TokenizationStatus::Ready, "{:?}", tz.error);
    tz.id
}

#[tokio::test(flavor = "multi_thread")]
async fn text_statistics_count_characters_and_words_of_every_row() {
    let lab = Lab::new().await;
    let ds = ready_dataset(&lab, 3_000).await;
    let texts = corpus_texts(3_000);
    let stats = lab
        .engine
        .text_statistics(&ds, Some("train"))
        .await
        .unwrap();
    assert_eq!(stats.num_rows, 3_000);
    assert_eq!(stats.split.as_deref(), Some("train"));
    let chars: Vec<u64> = texts.iter().map(|t| t.chars().count() as u64).collect();
    let words: Vec<u64> = texts
        .iter()
        .map(|t| t.split_whitespace().count() as u64)
        .collect();
    assert_eq!(stats.total_chars, chars.iter().sum::<u64>());
    assert_eq!(stats.total_words, words.iter().sum::<u64>());
    assert_eq!(stats.chars.min, *chars.iter().min().unwrap());
    assert_eq!(stats.chars.max, *chars.iter().max().unwrap());
    let mut sorted = words.clone();
    sorted.sort_unstable();
    assert_eq!(stats.words.median, sorted[1_499], "nearest-rank median");
    assert_eq!(
        stats.chars_histogram.iter().map(|b| b.count).sum::<u64>(),
        3_000
    );
    assert_eq!(
        stats.words_histogram.iter().map(|b| b.count).sum::<u64>(),
        3_000
    );

    // Kept beside the data: a second call reads the file, and all splits match one split here.
    let cached = dataset_dir(&lab, &ds).join("stats/text-split-train.json");
    assert!(cached.exists());
    assert_eq!(
        lab.engine
            .text_statistics(&ds, Some("train"))
            .await
            .unwrap(),
        stats
    );
    let all = lab.engine.text_statistics(&ds, None).await.unwrap();
    assert_eq!((all.split, all.total_chars), (None, stats.total_chars));

    let e = lab
        .engine
        .text_statistics(&ds, Some("nope"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_view_and_the_token_length_filter_follow_the_tokenization() {
    let lab = Lab::new().await;
    let ds = ready_dataset(&lab, 2_000).await;
    let texts = corpus_texts(2_000);
    let gpt2 = tokenizers::Tokenizer::from_file(gpt2_path()).unwrap();
    let lengths: Vec<usize> = texts
        .iter()
        .map(|t| gpt2.encode_fast(t.as_str(), false).unwrap().len())
        .collect();

    let tok = tokenize(
        &lab,
        &ds,
        TokenizeSettings {
            max_length: 64,
            ..TokenizeSettings::default()
        },
    )
    .await;

    // Row 7, as the job encodes it: truncated to 64 tokens, the full length known.
    let view = lab
        .engine
        .row_tokens(&RowTokensQuery {
            dataset_id: ds.clone(),
            tokenization_id: tok.clone(),
            split: "train".into(),
            index: 7,
        })
        .await
        .unwrap();
    let want = gpt2.encode_fast(texts[7].as_str(), false).unwrap();
    assert_eq!(view.text_tokens as usize, want.len());
    let ids: Vec<u32> = view.rows[0].tokens.iter().map(|t| t.id).collect();
    assert_eq!(ids, want.get_ids()[..64.min(want.len())]);
    assert_eq!(view.truncated, want.len() > 64);
    let pieces: String = view.rows[0]
        .tokens
        .iter()
        .map(|t| t.piece.as_str())
        .collect();
    assert!(texts[7].starts_with(&pieces), "pieces decode to the text");

    // The filter selects exactly the rows a naive count selects.
    let (lo, hi) = (40u64, 120u64);
    let want: Vec<u64> = (0..texts.len() as u64)
        .filter(|&i| (lo..=hi).contains(&(lengths[i as usize] as u64)))
        .collect();
    let mut got = Vec::new();
    loop {
        let page = lab
            .engine
            .samples(&SamplesQuery {
                dataset_id: ds.clone(),
                split: Some("train".into()),
                offset: got.len() as u64,
                limit: 200,
                tokenization_id: Some(tok.clone()),
                min_tokens: Some(lo),
                max_tokens: Some(hi),
                ..SamplesQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(page.total as usize, want.len());
        if page.samples.is_empty() {
            break;
        }
        got.extend(page.samples.iter().map(|s| s.index));
    }
    assert_eq!(got, want);
    assert!(!want.is_empty() && want.len() < texts.len());

    // Packed mode shows the row as one document, every token of it.
    let packed = tokenize(
        &lab,
        &ds,
        TokenizeSettings {
            packing: Some(Packing::saelens(32)),
            ..TokenizeSettings::default()
        },
    )
    .await;
    assert_ne!(
        packed, tok,
        "a second tokenization with the tokenizer, beside the first"
    );
    // The token-length filter reads whichever is chosen: GPT-2 adds no special tokens, so
    // both select the same rows.
    let page = lab
        .engine
        .samples(&SamplesQuery {
            dataset_id: ds.clone(),
            split: Some("train".into()),
            limit: 10_000,
            tokenization_id: Some(packed.clone()),
            min_tokens: Some(lo),
            max_tokens: Some(hi),
            ..SamplesQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total as usize, want.len());
    let first: Vec<u64> = page.samples.iter().map(|s| s.index).collect();
    assert!(!first.is_empty() && want.starts_with(&first));
    let view = lab
        .engine
        .row_tokens(&RowTokensQuery {
            dataset_id: ds.clone(),
            tokenization_id: packed.clone(),
            split: "train".into(),
            index: 39,
        })
        .await
        .unwrap();
    assert_eq!(view.rows.len(), 1);
    assert_eq!(view.rows[0].tokens.len(), lengths[39]);

    // Bad requests name the problem.
    let bad = |q: SamplesQuery| {
        let engine = &lab.engine;
        async move { engine.samples(&q).await.unwrap_err() }
    };
    let e = bad(SamplesQuery {
        dataset_id: ds.clone(),
        min_tokens: Some(3),
        ..SamplesQuery::default()
    })
    .await;
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("choose a tokenization"), "{e}");
    let e = bad(SamplesQuery {
        dataset_id: ds.clone(),
        tokenization_id: Some(tok.clone()),
        min_tokens: Some(30),
        max_tokens: Some(3),
        ..SamplesQuery::default()
    })
    .await;
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let e = lab
        .engine
        .row_tokens(&RowTokensQuery {
            dataset_id: ds.clone(),
            tokenization_id: tok.clone(),
            split: "train".into(),
            index: 2_000,
        })
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_storage_breakdown_adds_up_to_the_dataset_folder() {
    let lab = Lab::new().await;
    let ds = ready_dataset(&lab, 1_000).await;
    let tok = tokenize(&lab, &ds, TokenizeSettings::default()).await;
    let storage = lab.engine.dataset_storage(&ds).await.unwrap();
    let dir = dataset_dir(&lab, &ds);
    let size =
        |p: &std::path::Path| -> u64 { walk(p).iter().map(|f| f.metadata().unwrap().len()).sum() };
    assert_eq!(storage.canonical_bytes, size(&dir.join("data")));
    assert_eq!(storage.tokenizations.len(), 1);
    assert_eq!(storage.tokenizations[0].tokenization_id, tok);
    assert_eq!(
        storage.tokenizations[0].bytes,
        size(&dir.join("tokenized").join(&tok))
    );
    assert_eq!(
        storage.canonical_bytes + storage.tokenizations[0].bytes + storage.other_bytes,
        size(&dir)
    );
    // The download's source file, in the Hub cache, and the commit it came from.
    assert_eq!(
        storage.raw_cache_bytes,
        Some(common::corpus(1_000).len() as u64)
    );
    let revision = storage.hub_revision.expect("a Hub dataset has a revision");
    assert_eq!(revision.len(), 40, "a commit sha: {revision}");
}

/// A canonical file damaged in the data folder (which may be shared): cut short, its footer
/// length negative, its footer length larger than the file. A page and a search each report
/// Corrupt naming the file and the fix, never a crash of the reader; the good file reads again.
#[tokio::test(flavor = "multi_thread")]
async fn a_damaged_canonical_file_is_reported_as_corrupt_naming_it() {
    let lab = Lab::new().await;
    let ds = ready_dataset(&lab, 500).await;
    let file = walk(&dataset_dir(&lab, &ds).join("data/train"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|x| x == "arrow"))
        .expect("a canonical file");
    let good = std::fs::read(&file).unwrap();
    let trailer = good.len() - 10;
    let with_footer_length = |n: i32| {
        let mut bytes = good.clone();
        bytes[trailer..trailer + 4].copy_from_slice(&n.to_le_bytes());
        bytes
    };
    let file_len = i32::try_from(good.len()).unwrap();
    let rows = SamplesQuery {
        dataset_id: ds.clone(),
        limit: 10,
        ..SamplesQuery::default()
    };
    let search = SamplesQuery {
        search: Some("sparse".into()),
        ..rows.clone()
    };
    for (damage, bytes, what) in [
        (
            "cut short",
            good[..good.len() / 2].to_vec(),
            "the Arrow footer is missing",
        ),
        (
            "a negative footer length",
            with_footer_length(-2),
            "the Arrow footer length is negative (-2)",
        ),
        (
            "a footer length larger than the file",
            with_footer_length(file_len + 1),
            "is larger than the file",
        ),
    ] {
        std::fs::write(&file, &bytes).unwrap();
        for query in [&rows, &search] {
            let e = lab.engine.samples(query).await.unwrap_err();
            let message = e.to_string();
            assert_eq!(e.kind(), ErrorKind::Corrupt, "{damage}: {message}");
            assert!(
                message.contains(&file.display().to_string()),
                "{damage}: names the file: {message}"
            );
            assert!(message.contains(what), "{damage}: says {what:?}: {message}");
            assert!(
                message.contains("delete the dataset and download or import it again"),
                "{damage}: gives the fix: {message}"
            );
        }
    }
    std::fs::write(&file, &good).unwrap();
    assert_eq!(lab.engine.samples(&rows).await.unwrap().total, 500);
}

fn dataset_dir(lab: &Lab, id: &str) -> std::path::PathBuf {
    lab.engine
        .settings()
        .data_root_path()
        .join("datasets")
        .join(id)
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
