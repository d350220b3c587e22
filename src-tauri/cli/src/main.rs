//! `mistudio-cli`: the headless front door to the miStudio Datasets engine, for scripts and
//! for Jetsons without a display. It reads the same database and data folder as the window.

use clap::{Parser, Subcommand};
use mistudio_engine::datasets::DownloadRequest;
use mistudio_engine::settings::{read_settings_file, Settings};
use mistudio_engine::tokenize::{Packing, Padding, Separator, TokenizeSettings};
use mistudio_engine::{
    paths, AppError, Engine, EngineConfig, Error, ErrorKind, JobStatus, Result, TokenizeRequest,
};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

mod output;
mod progress;

// See src-tauri/main.rs: tokenization is allocation-bound under glibc's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Import a local file or folder (parquet, jsonl, json, csv, tsv, txt, arrow; also .gz/.zst)
    /// as a dataset; prints it once ready. In a folder, splits come from file and folder names
    /// (train/validation/test).
    Import {
        /// A file, or a folder of files.
        path: PathBuf,
        /// The dataset's name (default: the file or folder name).
        #[arg(long)]
        name: Option<String>,
        /// How to show progress on stderr.
        #[arg(long, value_enum, default_value = "auto")]
        progress: progress::ProgressFormat,
    },
    /// Bring this machine's index in line with the data folder's manifests (datasets made or
    /// deleted by another machine sharing the folder).
    Rescan,
    /// List the datasets other processes are working on (another machine sharing the data
    /// folder, or the window here), from the lock files in the data folder.
    Locks,
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
    /// Add, list or delete tokenizers.
    Tokenizer {
        #[command(subcommand)]
        command: TokenizerCommand,
    },
    /// Tokenize a ready dataset into the Hugging Face `save_to_disk` layout; prints the
    /// tokenization once ready. Rerunning an interrupted tokenization starts it over.
    Tokenize(Box<TokenizeArgs>),
    /// Delete datasets with their data and tokenizations (refused while a job uses one).
    Delete {
        /// Dataset ids (ds_…).
        #[arg(required = true)]
        datasets: Vec<String>,
        /// Do not ask for confirmation (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
        /// Also delete the raw Hub cache files that no other dataset uses.
        #[arg(long)]
        hub_files: bool,
    },
    /// Rows of a ready dataset: a page, optionally searched.
    Samples {
        /// Dataset id (ds_…).
        dataset: String,
        /// One split (default: all, in order).
        #[arg(long)]
        split: Option<String>,
        #[arg(long, default_value_t = 0)]
        offset: u64,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Case-insensitive text to find in the text column.
        #[arg(long)]
        search: Option<String>,
        /// Only rows whose text has at least this many characters.
        #[arg(long)]
        min_chars: Option<u64>,
        /// Only rows whose text has at most this many characters.
        #[arg(long)]
        max_chars: Option<u64>,
        /// The tokenization (tok_…) whose token lengths `--min-tokens`/`--max-tokens` use.
        #[arg(long, value_name = "TOK")]
        tokenization: Option<String>,
        /// Only rows at least this many tokens long under `--tokenization`.
        #[arg(long, requires = "tokenization")]
        min_tokens: Option<u64>,
        /// Only rows at most this many tokens long under `--tokenization`.
        #[arg(long, requires = "tokenization")]
        max_tokens: Option<u64>,
    },
    /// Text-length statistics of a dataset and the statistics of its tokenizations.
    Stats {
        /// Dataset id (ds_…).
        dataset: String,
        /// One tokenization (tok_…); without it, the text lengths and every ready tokenization.
        #[arg(long, value_name = "TOK")]
        tokenization: Option<String>,
        /// The split whose text lengths to count (all splits when omitted).
        #[arg(long)]
        split: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenizerCommand {
    /// Add a tokenizer from a Hub model repo (its tokenizer.json) or a local tokenizer.json.
    Add {
        /// owner/name of a model repo, or a path to a tokenizer.json (or a folder holding one).
        source: String,
        /// Display name (defaults to the repo id or the file's folder name).
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        revision: Option<String>,
        #[arg(long)]
        token: Option<String>,
    },
    /// List the tokenizers in the library.
    List,
    /// Delete a tokenizer that no tokenization uses.
    Delete { tokenizer: String },
}

#[derive(clap::Args)]
struct TokenizeArgs {
    /// Dataset id (ds_…).
    dataset: String,
    /// A tokenizer id (tk_…), a Hub model repo id, or a path to a tokenizer.json.
    #[arg(long)]
    tokenizer: String,
    /// The text column (default: the dataset's detected text column).
    #[arg(long)]
    column: Option<String>,
    /// Tokenize only these splits (repeatable; default: all).
    #[arg(long = "split", value_name = "SPLIT")]
    splits: Vec<String>,
    #[arg(long, default_value_t = 512)]
    max_length: u32,
    /// Cut samples at --max-length (the default).
    #[arg(long, overrides_with = "no_truncation")]
    truncation: bool,
    #[arg(long)]
    no_truncation: bool,
    #[arg(long, value_enum, default_value = "none")]
    padding: PaddingArg,
    /// Keep what truncation cuts off as further rows.
    #[arg(long)]
    overflow: bool,
    /// Tokens shared by consecutive overflow rows (implies --overflow).
    #[arg(long, default_value_t = 0)]
    stride: u32,
    /// Do not add the tokenizer's own special tokens around samples.
    #[arg(long)]
    no_special_tokens: bool,
    /// Packed mode: documents concatenated into rows of exactly this many tokens.
    #[arg(long, value_name = "CONTEXT_SIZE")]
    pack: Option<u32>,
    /// Packed mode: start every row with the BOS token.
    #[arg(long, requires = "pack")]
    bos: bool,
    /// Packed mode: what goes between documents: eos, bos, none or a token id.
    #[arg(long, requires = "pack", default_value = "eos")]
    separator: String,
    /// Leave out samples with fewer tokens.
    #[arg(long)]
    min_tokens: Option<u32>,
    /// Leave out samples with more tokens (before truncation).
    #[arg(long)]
    max_tokens: Option<u32>,
    /// Replace an existing tokenization of the dataset with this tokenizer.
    #[arg(long)]
    replace: bool,
    /// Access token, when the tokenizer comes from a gated or private repo.
    #[arg(long)]
    token: Option<String>,
    #[arg(long, value_enum, default_value = "auto")]
    progress: progress::ProgressFormat,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PaddingArg {
    None,
    MaxLength,
}

impl TokenizeArgs {
    fn settings(&self) -> Result<TokenizeSettings> {
        let separator = match self.separator.as_str() {
            "eos" => Separator::Eos,
            "bos" => Separator::Bos,
            "none" => Separator::None,
            id => Separator::Id(id.parse().map_err(|_| {
                Error::invalid(format!(
                    "--separator takes eos, bos, none or a token id, not {id:?}"
                ))
            })?),
        };
        Ok(TokenizeSettings {
            text_column: self.column.clone(),
            splits: self.splits.clone(),
            max_length: self.max_length,
            truncation: !self.no_truncation,
            padding: match self.padding {
                PaddingArg::None => Padding::None,
                PaddingArg::MaxLength => Padding::MaxLength,
            },
            overflow: self.overflow || self.stride > 0,
            stride: self.stride,
            add_special_tokens: !self.no_special_tokens,
            packing: self.pack.map(|context_size| Packing {
                context_size,
                bos_per_row: self.bos,
                separator,
            }),
            min_tokens: self.min_tokens,
            max_tokens: self.max_tokens,
        })
    }
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
    if let Command::Tokenize(args) = &cli.command {
        return tokenize(cli.json, local_dir, settings, args).await;
    }
    if let Command::Import {
        path,
        name,
        progress,
    } = &cli.command
    {
        return import(cli.json, local_dir, settings, path, name.clone(), *progress).await;
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
    let (engine, mut rx) = open_job_engine(local_dir, settings).await?;
    // An interrupted run of the same download was re-queued when the engine opened: follow it.
    let dataset_id = match engine.unfinished_download(&request).await? {
        Some((ds, _)) => ds.id,
        None => engine.start_download(&request).await?.id,
    };
    let outcome = follow_job(&engine, &mut rx, &dataset_id, progress, "the download").await;
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

/// Runs the import job in this process and waits for it; Ctrl-C cancels it.
async fn import(
    json: bool,
    local_dir: PathBuf,
    settings: Settings,
    path: &Path,
    name: Option<String>,
    progress: progress::ProgressFormat,
) -> Result<()> {
    // Relative to where the command runs, as a person typing a path means it.
    let absolute = std::path::absolute(path)
        .map_err(|e| Error::io(format!("resolving {}", path.display()), e))?;
    let (engine, mut rx) = open_job_engine(local_dir, settings).await?;
    let outcome = async {
        // An interrupted run of the same import was re-queued when the engine opened: follow it.
        let dataset = match engine.unfinished_import(&absolute).await? {
            Some(dataset) => dataset,
            None => {
                engine
                    .start_import(&mistudio_engine::datasets::ImportRequest {
                        path: absolute.to_string_lossy().into_owned(),
                        name,
                    })
                    .await?
            }
        };
        follow_job(&engine, &mut rx, &dataset.id, progress, "the import").await?;
        engine.get_dataset(&dataset.id).await
    }
    .await;
    let result = outcome.and_then(|d| emit(json, &d, || output::dataset_details(&d)));
    engine.shutdown().await;
    result
}

/// An engine that runs jobs in this process, and the job updates it reports.
async fn open_job_engine(
    local_dir: PathBuf,
    settings: Settings,
) -> Result<(
    Engine,
    tokio::sync::mpsc::UnboundedReceiver<mistudio_engine::Job>,
)> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
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
    Ok((engine, rx))
}

/// Follows the job working on `target` until it finishes; Ctrl-C cancels it.
async fn follow_job(
    engine: &Engine,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<mistudio_engine::Job>,
    target: &str,
    progress: progress::ProgressFormat,
    what: &str,
) -> Result<()> {
    loop {
        tokio::select! {
            job = rx.recv() => {
                let Some(job) = job else { break Err(Error::Internal("the job runner stopped".into())) };
                if job.target.as_deref() != Some(target) {
                    continue;
                }
                progress::render(progress, &job);
                if job.status.is_finished() {
                    break match job.status {
                        JobStatus::Succeeded => Ok(()),
                        JobStatus::Cancelled => Err(Error::Cancelled),
                        _ => Err(job.error.map(Error::from).unwrap_or_else(|| Error::Internal(format!("{what} failed")))),
                    };
                }
            }
            _ = tokio::signal::ctrl_c() => {
                if let Some(job) = engine.unfinished_job(target).await? {
                    engine.cancel_job(&job.id).await?;
                }
                break Err(Error::Cancelled);
            }
        }
    }
}

/// Runs the tokenize job in this process and waits for it; Ctrl-C cancels it.
async fn tokenize(
    json: bool,
    local_dir: PathBuf,
    settings: Settings,
    args: &TokenizeArgs,
) -> Result<()> {
    let request_settings = args.settings()?;
    let (engine, mut rx) = open_job_engine(local_dir, settings).await?;
    let outcome = async {
        let tokenizer = engine
            .resolve_tokenizer(&args.tokenizer, args.token.as_deref())
            .await?;
        let tz = engine
            .resume_or_start_tokenization(&TokenizeRequest {
                dataset_id: args.dataset.clone(),
                tokenizer_id: tokenizer.id.clone(),
                settings: request_settings,
                replace: args.replace,
            })
            .await?;
        follow_job(&engine, &mut rx, &tz.id, args.progress, "the tokenization").await?;
        engine.get_tokenization(&tz.id).await
    }
    .await;
    let result = match outcome {
        Ok(tz) => emit(json, &tz, || output::tokenization_details(&tz)),
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
        // Run in `download()` and `import()`, which open the engine with a job runner.
        Command::Download { .. } | Command::Import { .. } => Err(Error::Internal(
            "a job command dispatched to the read-only engine".into(),
        )),
        Command::Rescan => {
            let report = engine.rescan().await?;
            emit(cli.json, &report, || {
                format!(
                    "{} added, {} updated, {} removed\n",
                    report.added.len(),
                    report.updated.len(),
                    report.removed.len()
                )
            })
        }
        Command::Locks => {
            let locks = engine.data_locks().await?;
            emit(cli.json, &locks, || output::locks_table(&locks))
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
        Command::Tokenize(_) => Err(Error::Internal(
            "tokenize dispatched to the read-only engine".into(),
        )),
        Command::Tokenizer { command } => match command {
            TokenizerCommand::Add {
                source,
                name,
                revision,
                token,
            } => {
                let path = std::path::Path::new(source);
                let t = if path.exists() {
                    let path = std::path::absolute(path)
                        .map_err(|e| Error::io(format!("resolving {source}"), e))?;
                    engine.add_tokenizer_file(&path, name.as_deref()).await?
                } else {
                    engine
                        .add_tokenizer_hub(source, revision.as_deref(), token.as_deref())
                        .await?
                };
                emit(cli.json, &t, || {
                    output::tokenizers_table(std::slice::from_ref(&t))
                })
            }
            TokenizerCommand::List => {
                let all = engine.list_tokenizers().await?;
                emit(cli.json, &all, || output::tokenizers_table(&all))
            }
            TokenizerCommand::Delete { tokenizer } => {
                engine.delete_tokenizer(tokenizer).await?;
                emit(cli.json, &serde_json::json!({"deleted": tokenizer}), || {
                    format!("deleted {tokenizer}\n")
                })
            }
        },
        Command::Delete {
            datasets,
            yes,
            hub_files,
        } => {
            let mut named = Vec::new();
            for id in datasets {
                let ds = engine.get_dataset(id).await?;
                named.push(format!(
                    "{} ({}{})",
                    ds.name,
                    ds.id,
                    ds.size_bytes
                        .map(|b| format!(", {}", output::format_bytes(b)))
                        .unwrap_or_default()
                ));
            }
            if !yes {
                use std::io::{BufRead, IsTerminal, Write};
                if !std::io::stdin().is_terminal() {
                    return Err(Error::invalid(
                        "deleting asks for confirmation; pass --yes to delete without asking",
                    ));
                }
                eprint!("Delete {}? [y/N] ", named.join(", "));
                let _ = std::io::stderr().flush();
                let mut answer = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut answer)
                    .map_err(|e| Error::io("reading the answer", e))?;
                if !matches!(answer.trim(), "y" | "Y" | "yes") {
                    return Err(Error::Cancelled);
                }
            }
            let report = engine.delete_datasets(datasets, *hub_files).await?;
            emit(cli.json, &report, || {
                format!(
                    "deleted {} ({} freed)\n",
                    named.join(", "),
                    output::format_bytes(report.freed_bytes as i64)
                )
            })
        }
        Command::Samples {
            dataset,
            split,
            offset,
            limit,
            search,
            min_chars,
            max_chars,
            tokenization,
            min_tokens,
            max_tokens,
        } => {
            let page = engine
                .samples(&mistudio_engine::samples::SamplesQuery {
                    dataset_id: dataset.clone(),
                    split: split.clone(),
                    offset: *offset,
                    limit: *limit,
                    search: search.clone(),
                    min_chars: *min_chars,
                    max_chars: *max_chars,
                    tokenization_id: tokenization.clone(),
                    min_tokens: *min_tokens,
                    max_tokens: *max_tokens,
                })
                .await?;
            emit(cli.json, &page, || output::samples(&page))
        }
        Command::Stats {
            dataset,
            tokenization,
            split,
        } => {
            let dataset = engine.get_dataset(dataset).await?;
            let all = engine.list_tokenizations(&dataset.id).await?;
            let chosen: Vec<_> = match tokenization {
                Some(id) => {
                    let tz = all.into_iter().find(|t| &t.id == id).ok_or_else(|| {
                        Error::not_found(format!("tokenization {id} of {}", dataset.name))
                    })?;
                    vec![tz]
                }
                None => all.into_iter().filter(|t| t.statistics.is_some()).collect(),
            };
            let tokenizers = engine.list_tokenizers().await?;
            let entries: Vec<_> = chosen
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
            if tokenization.is_some() {
                let stats = chosen[0].statistics.clone().ok_or_else(|| {
                    Error::Conflict(format!(
                        "tokenization {} is {:?}; its statistics exist once it is ready",
                        chosen[0].id, chosen[0].status
                    ))
                })?;
                emit(cli.json, &stats, || output::statistics(&chosen[0], &stats))
            } else {
                let text = match dataset.text_column {
                    Some(_) => Some(
                        engine
                            .text_statistics(&dataset.id, split.as_deref())
                            .await?,
                    ),
                    None => None,
                };
                let report = serde_json::json!({
                    "dataset_id": dataset.id,
                    "text": text,
                    "tokenizations": entries,
                });
                emit(cli.json, &report, || {
                    let mut parts = Vec::new();
                    if let Some(t) = &text {
                        parts.push(output::text_statistics(t));
                    }
                    parts.extend(chosen.iter().filter_map(|tz| {
                        tz.statistics.as_ref().map(|s| output::statistics(tz, s))
                    }));
                    if chosen.is_empty() {
                        parts.push(format!(
                            "No tokenization yet: make one with `mistudio-cli tokenize {} --tokenizer …`\n",
                            dataset.id
                        ));
                    }
                    parts.join("\n")
                })
            }
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
