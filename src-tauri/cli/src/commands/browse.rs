//! Reading a ready dataset: a page of its rows, its text-length and tokenization statistics.

use crate::args::{SamplesArgs, StatsArgs};
use crate::output;
use crate::report::emit;
use mistudio_engine::{Dataset, Engine, Error, Result, Tokenization};

pub async fn samples(engine: &Engine, json: bool, args: &SamplesArgs) -> Result<()> {
    let page = engine.samples(&args.query()).await?;
    emit(json, &page, || output::samples(&page))
}

/// With `--tokenization`, that tokenization's statistics; else the dataset's text lengths and
/// the statistics of every ready tokenization.
pub async fn stats(engine: &Engine, json: bool, args: &StatsArgs) -> Result<()> {
    let dataset = engine.get_dataset(&args.dataset).await?;
    let all = engine.list_tokenizations(&dataset.id).await?;
    match &args.tokenization {
        Some(id) => tokenization_stats(json, &dataset, all, id),
        None => dataset_stats(engine, json, &dataset, all, args.split.as_deref()).await,
    }
}

fn tokenization_stats(
    json: bool,
    dataset: &Dataset,
    all: Vec<Tokenization>,
    id: &str,
) -> Result<()> {
    let tz = all
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| Error::not_found(format!("tokenization {id} of {}", dataset.name)))?;
    let stats = tz.statistics.clone().ok_or_else(|| {
        Error::Conflict(format!(
            "tokenization {} is {:?}; its statistics exist once it is ready",
            tz.id, tz.status
        ))
    })?;
    emit(json, &stats, || output::statistics(&tz, &stats))
}

async fn dataset_stats(
    engine: &Engine,
    json: bool,
    dataset: &Dataset,
    all: Vec<Tokenization>,
    split: Option<&str>,
) -> Result<()> {
    let ready: Vec<_> = all.into_iter().filter(|t| t.statistics.is_some()).collect();
    let tokenizers = engine.list_tokenizers().await?;
    let entries: Vec<_> = ready
        .iter()
        .map(|tz| {
            let name = tokenizers
                .iter()
                .find(|t| t.id == tz.tokenizer_id)
                .map(|t| t.name.clone())
                .unwrap_or_default();
            serde_json::json!({
                "tokenization_id": tz.id,
                "tokenizer_id": tz.tokenizer_id,
                "tokenizer": name,
                "status": tz.status,
                "settings": tz.settings,
                "statistics": tz.statistics,
            })
        })
        .collect();
    let text = match dataset.text_column {
        Some(_) => Some(engine.text_statistics(&dataset.id, split).await?),
        None => None,
    };
    let report = serde_json::json!({
        "dataset_id": dataset.id,
        "text": text,
        "tokenizations": entries,
    });
    emit(json, &report, || {
        let mut parts = Vec::new();
        if let Some(t) = &text {
            parts.push(output::text_statistics(t));
        }
        parts.extend(
            ready
                .iter()
                .filter_map(|tz| tz.statistics.as_ref().map(|s| output::statistics(tz, s))),
        );
        if ready.is_empty() {
            parts.push(format!(
                "No tokenization yet: make one with `mistudio-cli tokenize {} --tokenizer …`\n",
                dataset.id
            ));
        }
        parts.join("\n")
    })
}
