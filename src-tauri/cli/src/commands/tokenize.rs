//! The tokenizer library (adding, listing, deleting) and tokenizing a dataset.

use crate::args::{AddTokenizerArgs, TokenizeArgs};
use crate::follow::run_job;
use crate::output;
use crate::report::emit;
use crate::setup::Setup;
use mistudio_engine::{Engine, Error, Result, TokenizeRequest};
use std::path::Path;

/// `source` is a local tokenizer.json (or a folder holding one) when that path exists, else a
/// Hub model repo.
pub async fn add_tokenizer(engine: &Engine, json: bool, args: &AddTokenizerArgs) -> Result<()> {
    let source = &args.source;
    let path = Path::new(source);
    let tokenizer = if path.exists() {
        let path =
            std::path::absolute(path).map_err(|e| Error::io(format!("resolving {source}"), e))?;
        engine
            .add_tokenizer_file(&path, args.name.as_deref())
            .await?
    } else {
        engine
            .add_tokenizer_hub(source, args.revision.as_deref(), args.token.as_deref())
            .await?
    };
    emit(json, &tokenizer, || {
        output::tokenizers_table(std::slice::from_ref(&tokenizer))
    })
}

pub async fn list_tokenizers(engine: &Engine, json: bool) -> Result<()> {
    let all = engine.list_tokenizers().await?;
    emit(json, &all, || output::tokenizers_table(&all))
}

pub async fn delete_tokenizer(engine: &Engine, json: bool, id: &str) -> Result<()> {
    engine.delete_tokenizer(id).await?;
    emit(json, &serde_json::json!({ "deleted": id }), || {
        format!("deleted {id}\n")
    })
}

pub async fn list_tokenizations(engine: &Engine, json: bool, dataset: &str) -> Result<()> {
    let dataset = engine.get_dataset(dataset).await?;
    let all = engine.list_tokenizations(&dataset.id).await?;
    emit(json, &all, || output::tokenizations_table(&all))
}

pub async fn delete_tokenization(engine: &Engine, json: bool, id: &str) -> Result<()> {
    engine.delete_tokenization(id).await?;
    emit(json, &serde_json::json!({ "deleted": id }), || {
        format!("deleted {id}\n")
    })
}

pub async fn tokenize(setup: Setup, json: bool, args: &TokenizeArgs) -> Result<()> {
    let settings = args
        .settings
        .settings(&crate::args::PackingDefaults::SAELENS)?;
    let start = async |engine: &Engine| {
        let tokenizer = engine
            .resolve_tokenizer(&args.tokenizer, args.token.as_deref())
            .await?;
        let tokenization = engine
            .resume_or_start_tokenization(&TokenizeRequest {
                dataset_id: args.dataset.clone(),
                tokenizer_id: tokenizer.id,
                settings,
                replace: args.replace,
            })
            .await?;
        Ok(tokenization.id)
    };
    let finish = async |engine: &Engine, id: &str| {
        let tokenization = engine.get_tokenization(id).await?;
        emit(json, &tokenization, || {
            output::tokenization_details(&tokenization)
        })
    };
    run_job(setup, args.progress, "the tokenization", start, finish).await
}
