//! One function per command, grouped as the engine's facade groups its operations.

mod browse;
mod datasets;
mod datatrove;
mod jobs;
mod library;
mod tokenize;

use crate::args::{Command, DatatroveCommand, TokenizationCommand, TokenizerCommand};
use mistudio_engine::{Engine, Error, Result};

pub use datasets::{download, import};
pub use datatrove::adopt as adopt_datatrove;
pub use tokenize::tokenize;

/// Runs a command that starts no job on an engine opened without a job runner.
pub async fn dispatch(json: bool, engine: &Engine, command: &Command) -> Result<()> {
    match command {
        Command::List => datasets::list(engine, json).await,
        // Run by `download()`, `import()` and `tokenize()`, which open the engine with a job runner.
        Command::Download(_) | Command::Import(_) | Command::Tokenize(_) => Err(Error::Internal(
            "a job command dispatched to the engine without a job runner".into(),
        )),
        Command::Rescan => library::rescan(engine, json).await,
        Command::Locks => library::locks(engine, json).await,
        Command::Show { dataset } => datasets::show(engine, json, dataset).await,
        Command::Jobs { cancel: Some(id) } => jobs::cancel(engine, json, id).await,
        Command::Jobs { cancel: None } => jobs::list(engine, json).await,
        Command::Tokenizer { command } => match command {
            TokenizerCommand::Add(args) => tokenize::add_tokenizer(engine, json, args).await,
            TokenizerCommand::List => tokenize::list_tokenizers(engine, json).await,
            TokenizerCommand::Delete { tokenizer } => {
                tokenize::delete_tokenizer(engine, json, tokenizer).await
            }
        },
        Command::Tokenization { command } => match command {
            TokenizationCommand::List { dataset } => {
                tokenize::list_tokenizations(engine, json, dataset).await
            }
            TokenizationCommand::Delete { tokenization } => {
                tokenize::delete_tokenization(engine, json, tokenization).await
            }
        },
        Command::Datatrove { command } => match command {
            DatatroveCommand::Export(args) => datatrove::export(engine, json, args).await,
            DatatroveCommand::Check { dataset, folder } => {
                datatrove::check(engine, json, dataset, folder).await
            }
            DatatroveCommand::Adopt(_) => Err(Error::Internal(
                "a job command dispatched to the engine without a job runner".into(),
            )),
        },
        Command::Delete(args) => datasets::delete(engine, json, args).await,
        Command::Samples(args) => browse::samples(engine, json, args).await,
        Command::Stats(args) => browse::stats(engine, json, args).await,
    }
}
