//! `mistudio-cli`: the headless front door to the miStudio Datasets engine, for scripts and
//! for Jetsons without a display. It reads the same database and data folder as the window.

use clap::{Parser, Subcommand};
use mistudio_engine::settings::{read_settings_file, Settings};
use mistudio_engine::{paths, AppError, Engine, EngineConfig, Error, ErrorKind, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

mod output;

#[derive(Parser)]
#[command(
    name = "mistudio-cli",
    version,
    about = "Manage miStudio datasets from the command line"
)]
struct Cli {
    /// The data folder (datasets, tokenizations). Defaults to the folder chosen in the app's
    /// settings, else the app's data dir.
    #[arg(long, global = true, env = "MISTUDIO_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// Machine-local folder of the index database. Defaults to the app's local data dir.
    #[arg(
        long,
        global = true,
        env = "MISTUDIO_LOCAL_DIR",
        value_name = "DIR",
        hide_short_help = true
    )]
    local_dir: Option<PathBuf>,

    /// Print one JSON document on stdout (errors as {"error":{"kind","message"}}).
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the datasets in the data folder.
    List,
    /// Show one dataset.
    Show {
        /// Dataset id (ds_…).
        dataset: String,
    },
    /// List background jobs, or cancel one.
    Jobs {
        /// Cancel this job (job_…) instead of listing.
        #[arg(long, value_name = "JOB")]
        cancel: Option<String>,
    },
}

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

fn resolve_settings(cli: &Cli) -> Result<(PathBuf, Settings)> {
    let local_dir = match &cli.local_dir {
        Some(dir) => dir.clone(),
        None => paths::local_app_dir()?,
    };
    // The window's saved settings, when there are any, are this machine's choice.
    let saved = match paths::app_data_dir() {
        Ok(dir) => read_settings_file(&dir.join(paths::SETTINGS_FILE))?,
        Err(_) => None,
    };
    let mut settings = match saved {
        Some(saved) => saved,
        None => Settings::defaults()?,
    };
    if let Some(dir) = &cli.data_dir {
        let absolute = std::path::absolute(dir)
            .map_err(|e| Error::io(format!("resolving {}", dir.display()), e))?;
        settings.data_root = absolute.to_string_lossy().into_owned();
    }
    if let Ok(endpoint) = std::env::var("HF_ENDPOINT") {
        settings.hub_endpoint = endpoint;
    }
    Ok((local_dir, settings))
}

async fn run(cli: Cli) -> Result<()> {
    let (local_dir, settings) = resolve_settings(&cli)?;
    let engine = Engine::open(
        EngineConfig {
            local_dir,
            settings,
            run_jobs: false,
        },
        Arc::new(mistudio_engine::events::NoEvents),
    )
    .await?;
    let result = dispatch(&cli, &engine).await;
    engine.shutdown().await;
    result
}

async fn dispatch(cli: &Cli, engine: &Engine) -> Result<()> {
    match &cli.command {
        Command::List => {
            let datasets = engine.list_datasets().await?;
            emit(cli.json, &datasets, || {
                output::datasets_table(&datasets, &engine.settings().data_root)
            })
        }
        Command::Show { dataset } => {
            let dataset = engine.get_dataset(dataset).await?;
            emit(cli.json, &dataset, || output::dataset_details(&dataset))
        }
        Command::Jobs { cancel: Some(id) } => {
            let job = engine.cancel_job(id).await?;
            emit(cli.json, &job, || {
                format!("{} {}\n", job.id, output::job_status(&job))
            })
        }
        Command::Jobs { cancel: None } => {
            let jobs = engine.list_jobs().await?;
            emit(cli.json, &jobs, || output::jobs_table(&jobs))
        }
    }
}

fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce() -> String) -> Result<()> {
    let text = if json {
        let mut text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::Internal(format!("serialising the output: {e}")))?;
        text.push('\n');
        text
    } else {
        human()
    };
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A closed pipe (`| head`) is the reader's choice, not our failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Error::io("writing to stdout", e)),
    }
}

/// Exit codes a script can branch on without parsing: one per error kind.
fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Internal => 1,
        ErrorKind::InvalidInput => 2,
        ErrorKind::NotFound => 3,
        ErrorKind::Conflict => 4,
        ErrorKind::Auth | ErrorKind::Gated => 5,
        ErrorKind::Network => 6,
        ErrorKind::DiskFull => 7,
        ErrorKind::Corrupt => 8,
        ErrorKind::Cancelled => 130,
    }
}

fn report_error(json: bool, error: &AppError) -> ExitCode {
    if json {
        println!("{}", serde_json::json!({ "error": error }));
    } else {
        eprintln!("error: {}", error.message);
    }
    ExitCode::from(exit_code(error.kind))
}
