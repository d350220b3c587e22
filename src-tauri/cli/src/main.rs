//! `mistudio-cli`: the headless front door to the miStudio Datasets engine, for scripts and
//! for Jetsons without a display. It reads the same database and data folder as the window.

use args::{Cli, Command};
use clap::Parser;
use mistudio_engine::{Error, Result};
use report::report_error;
use setup::Setup;
use std::process::ExitCode;

mod args;
mod commands;
mod follow;
mod output;
mod plan_output;
mod progress;
mod report;
mod setup;

// See src-tauri/main.rs: tokenization is allocation-bound under glibc's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MISTUDIO_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let json = cli.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return report_error(json, &Error::io("starting the async runtime", e).into()),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_error(json, &e.into()),
    }
}

async fn run(cli: Cli) -> Result<()> {
    let setup = Setup::resolve(&cli)?;
    let json = cli.json;
    match &cli.command {
        Command::Download(args) => commands::download(setup, json, args).await,
        Command::Import(args) => commands::import(setup, json, args).await,
        Command::Tokenize(args) => commands::tokenize(setup, json, args).await,
        Command::Datatrove {
            command: crate::args::DatatroveCommand::Adopt(args),
        } => commands::adopt_datatrove(setup, json, args).await,
        command => {
            let engine = setup.open_without_jobs().await?;
            let result = commands::dispatch(json, &engine, command).await;
            engine.shutdown().await;
            result
        }
    }
}
