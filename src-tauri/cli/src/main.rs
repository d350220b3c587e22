//! `mistudio-cli`: the headless front door to the miStudio Datasets engine, for scripts and
//! for Jetsons without a display. It reads the same database and data folder as the window.

use clap::{Parser, Subcommand};
use mistudio_engine::datasets::DownloadRequest;
use mistudio_engine::settings::{read_settings_file, Settings};
use mistudio_engine::{paths, AppError, Engine, EngineConfig, Error, ErrorKind, JobStatus, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

mod output;
mod progress;

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
    /// Download a dataset from the Hugging Face Hub and convert it; prints the dataset once
    /// ready. Rerunning an interrupted download resumes it.
    Download {
        /// owner/name on the Hub.
        repo_id: String,
        #[arg(long)]
        config: Option<String>,
        /// One split; all splits of the config when omitted.
        #[arg(long)]
        split: Option<String>,
        #[arg(long)]
        revision: Option<String>,
        /// Access token for gated or private datasets (else HF_TOKEN, else the saved token).
        #[arg(long)]
        token: Option<String>,
        /// How to show progress on stderr.
        #[arg(long, value_enum, default_value = "auto")]
        progress: progress::ProgressFormat,
    },
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
    if let Command::Download {
        repo_id,
        config,
        split,
        revision,
        token,
        progress,
    } = &cli.command
    {
        let request = DownloadRequest {
            repo_id: repo_id.clone(),
            config: config.clone(),
            split: split.clone(),
            revision: revision.clone(),
            token: token.clone(),
            remember_token: false,
        };
        return download(cli.json, local_dir, settings, request, *progress).await;
    }
    let engine = Engine::open(
        EngineConfig {
            local_dir,
            settings,
            run_jobs: false,
            hf_cache: None,
        },
        Arc::new(mistudio_engine::events::NoEvents),
    )
    .await?;
    let result = dispatch(&cli, &engine).await;
    engine.shutdown().await;
    result
}

/// Runs the download job in this process and waits for it; Ctrl-C cancels it.
async fn download(
    json: bool,
    local_dir: PathBuf,
    settings: Settings,
    request: DownloadRequest,
    progress: progress::ProgressFormat,
) -> Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let engine = Engine::open(
        EngineConfig {
            local_dir,
            settings,
            run_jobs: true,
            hf_cache: None,
        },
        Arc::new(progress::ChannelSink(tx)),
    )
    .await?;
    // An interrupted run of the same download was re-queued when the engine opened: follow it.
    let dataset_id = match engine.unfinished_download(&request).await? {
        Some((ds, _)) => ds.id,
        None => engine.start_download(&request).await?.id,
    };
    let outcome = loop {
        tokio::select! {
            job = rx.recv() => {
                let Some(job) = job else { break Err(Error::Internal("the job runner stopped".into())) };
                if job.target.as_deref() != Some(dataset_id.as_str()) {
                    continue;
                }
                progress::render(progress, &job);
                if job.status.is_finished() {
                    break match job.status {
                        JobStatus::Succeeded => Ok(()),
                        JobStatus::Cancelled => Err(Error::Cancelled),
                        _ => Err(job.error.map(Error::from).unwrap_or_else(|| Error::Internal("the download failed".into()))),
                    };
                }
            }
            _ = tokio::signal::ctrl_c() => {
                if let Some(job) = engine.store().unfinished_jobs_for_target(&dataset_id).await?.into_iter().next() {
                    engine.cancel_job(&job.id).await?;
                }
                break Err(Error::Cancelled);
            }
        }
    };
    let result = match outcome {
        Ok(()) => {
            let dataset = engine.get_dataset(&dataset_id).await?;
            emit(json, &dataset, || output::dataset_details(&dataset))
        }
        Err(e) => Err(e),
    };
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
        // Runs in `download()`, which opens the engine with a job runner.
        Command::Download { .. } => Err(Error::Internal(
            "download dispatched to the read-only engine".into(),
        )),
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
