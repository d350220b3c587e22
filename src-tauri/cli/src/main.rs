//! `mistudio-cli`: the headless front door to the miStudio Datasets engine, for scripts and
//! for Jetsons without a display. It reads the same database and data folder as the window.

use args::{Cli, Command, DownloadArgs, ImportArgs, TokenizeArgs, TokenizerCommand};
use clap::Parser;
use follow::run_job;
use mistudio_engine::{Engine, Error, Result, TokenizeRequest};
use report::{emit, report_error};
use setup::Setup;
use std::process::ExitCode;

mod args;
mod follow;
mod output;
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
    match &cli.command {
        Command::Download(args) => download(cli.json, setup, args).await,
        Command::Tokenize(args) => tokenize(cli.json, setup, args).await,
        Command::Import(args) => import(cli.json, setup, args).await,
        _ => {
            let engine = setup.open_without_jobs().await?;
            let result = dispatch(&cli, &engine).await;
            engine.shutdown().await;
            result
        }
    }
}

/// Runs the download job in this process and waits for it; Ctrl-C cancels it.
async fn download(json: bool, setup: Setup, args: &DownloadArgs) -> Result<()> {
    let request = args.request();
    let start = async |engine: &Engine| {
        // An interrupted run of the same download was re-queued when the engine opened: follow it.
        Ok(match engine.unfinished_download(&request).await? {
            Some((dataset, _)) => dataset.id,
            None => engine.start_download(&request).await?.id,
        })
    };
    let finish = async |engine: &Engine, id: &str| show_dataset(engine, json, id).await;
    run_job(setup, args.progress, "the download", start, finish).await
}

/// Runs the import job in this process and waits for it; Ctrl-C cancels it.
async fn import(json: bool, setup: Setup, args: &ImportArgs) -> Result<()> {
    let path = &args.path;
    // Relative to where the command runs, as a person typing a path means it.
    let absolute = std::path::absolute(path)
        .map_err(|e| Error::io(format!("resolving {}", path.display()), e))?;
    let start = async |engine: &Engine| {
        // An interrupted run of the same import was re-queued when the engine opened: follow it.
        let dataset = match engine.unfinished_import(&absolute).await? {
            Some(dataset) => dataset,
            None => {
                engine
                    .start_import(&mistudio_engine::datasets::ImportRequest {
                        path: absolute.to_string_lossy().into_owned(),
                        name: args.name.clone(),
                    })
                    .await?
            }
        };
        Ok(dataset.id)
    };
    let finish = async |engine: &Engine, id: &str| show_dataset(engine, json, id).await;
    run_job(setup, args.progress, "the import", start, finish).await
}

/// Runs the tokenize job in this process and waits for it; Ctrl-C cancels it.
async fn tokenize(json: bool, setup: Setup, args: &TokenizeArgs) -> Result<()> {
    let settings = args.settings()?;
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

async fn show_dataset(engine: &Engine, json: bool, id: &str) -> Result<()> {
    let dataset = engine.get_dataset(id).await?;
    emit(json, &dataset, || output::dataset_details(&dataset))
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
        Command::Download(_) | Command::Import(_) => Err(Error::Internal(
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
        Command::Show { dataset } => show_dataset(engine, cli.json, dataset).await,
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
            TokenizerCommand::Add(args) => {
                let source = &args.source;
                let path = std::path::Path::new(source);
                let t = if path.exists() {
                    let path = std::path::absolute(path)
                        .map_err(|e| Error::io(format!("resolving {source}"), e))?;
                    engine
                        .add_tokenizer_file(&path, args.name.as_deref())
                        .await?
                } else {
                    engine
                        .add_tokenizer_hub(source, args.revision.as_deref(), args.token.as_deref())
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
        Command::Delete(args) => {
            let mut named = Vec::new();
            for id in &args.datasets {
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
            if !args.yes {
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
            let report = engine
                .delete_datasets(&args.datasets, args.hub_files)
                .await?;
            emit(cli.json, &report, || {
                format!(
                    "deleted {} ({} freed)\n",
                    named.join(", "),
                    output::format_bytes(report.freed_bytes as i64)
                )
            })
        }
        Command::Samples(args) => {
            let page = engine.samples(&args.query()).await?;
            emit(cli.json, &page, || output::samples(&page))
        }
        Command::Stats(args) => {
            let (tokenization, split) = (&args.tokenization, &args.split);
            let dataset = engine.get_dataset(&args.dataset).await?;
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
