//! `datatrove export | adopt | check`: the bridge to datatrove for corpora one machine cannot
//! tokenize.

use crate::args::{DatatroveAdoptArgs, DatatroveExportArgs, ExecutorArg, PackingDefaults};
use crate::follow::run_job;
use crate::output;
use crate::report::emit;
use crate::setup::Setup;
use mistudio_engine::datatrove::{AdoptOptions, ExecutorKind, ExecutorOptions, ExportSource};
use mistudio_engine::{DatatroveAdoptRequest, DatatroveExportRequest, Engine, Error, Result};
use std::fmt::Write;
use std::path::Path;

fn absolute(path: &Path) -> Result<String> {
    // A path typed in a terminal is relative to where it was typed.
    let p = std::path::absolute(path)
        .map_err(|e| Error::io(format!("resolving {}", path.display()), e))?;
    Ok(p.to_string_lossy().into_owned())
}

pub async fn export(engine: &Engine, json: bool, args: &DatatroveExportArgs) -> Result<()> {
    let settings = args.settings.settings(&PackingDefaults::DATATROVE)?;
    let source = if args.source.trim().starts_with("ds_") {
        ExportSource::Dataset {
            dataset_id: args.source.trim().to_string(),
        }
    } else {
        if settings.splits.len() > 1 {
            return Err(Error::invalid(
                "a Hub repo is exported one split at a time, or all splits of the config: give at most one --split",
            ));
        }
        ExportSource::Hub {
            repo_id: args.source.trim().to_string(),
            config: args.config.clone(),
            split: settings.splits.first().cloned(),
            revision: args.revision.clone(),
            include: args.include.clone(),
            exclude: args.exclude.clone(),
            token: args.token.clone(),
        }
    };
    let tokenizer = engine
        .resolve_tokenizer(&args.tokenizer, args.token.as_deref())
        .await?;
    let request = DatatroveExportRequest {
        source,
        tokenizer_id: tokenizer.id,
        settings,
        out_dir: absolute(&args.out)?,
        executor: ExecutorOptions {
            executor: match args.executor {
                ExecutorArg::Local => ExecutorKind::Local,
                ExecutorArg::Slurm => ExecutorKind::Slurm,
                ExecutorArg::Ray => ExecutorKind::Ray,
            },
            tasks: args.tasks,
            workers: args.workers,
            partition: args.partition.clone(),
            time: args.time.clone(),
            cpus_per_task: args.cpus_per_task,
            mem_per_cpu_gb: args.mem_per_cpu_gb,
            ray_address: args.ray_address.clone(),
        },
    };
    let export = engine.export_datatrove(&request).await?;
    emit(json, &export, || {
        let mut out = String::new();
        let _ = writeln!(out, "{}", export.folder);
        for s in &export.splits {
            let rows = s.rows.map(|r| format!(", {r} rows")).unwrap_or_default();
            let _ = writeln!(out, "  split {}: {} files{rows}", s.name, s.files);
        }
        let _ = writeln!(
            out,
            "  datatrove {} (at most {} tasks get work: each reads whole files)",
            export.datatrove_version, export.max_useful_tasks
        );
        let _ = writeln!(out, "run:\n  {}", export.command);
        out
    })
}

pub async fn check(engine: &Engine, json: bool, dataset: &str, folder: &Path) -> Result<()> {
    let checked = engine
        .check_datatrove_output(dataset, &absolute(folder)?)
        .await?;
    emit(json, &checked, || {
        let mut out = String::new();
        let _ = writeln!(out, "{}", checked.folder);
        let _ = writeln!(
            out,
            "  {} with {}, datatrove {}, {} tasks; {}",
            checked.source,
            checked.tokenizer_name,
            checked.datatrove_version,
            checked.tasks,
            checked.settings_summary
        );
        for s in &checked.splits {
            let _ = writeln!(
                out,
                "  split {}: {} documents, {} tokens",
                s.name, s.documents, s.tokens
            );
        }
        out
    })
}

pub async fn adopt(setup: Setup, json: bool, args: &DatatroveAdoptArgs) -> Result<()> {
    let request = DatatroveAdoptRequest {
        dataset_id: args.dataset.clone(),
        folder: absolute(&args.folder)?,
        options: AdoptOptions {
            context_size: args.pack,
            shuffle: if args.no_shuffle {
                Some(false)
            } else if args.shuffle || args.seed.is_some() {
                Some(true)
            } else {
                None
            },
            seed: args.seed,
        },
        replace: args.replace,
    };
    let start = async |engine: &Engine| Ok(engine.adopt_datatrove_output(&request).await?.id);
    let finish = async |engine: &Engine, id: &str| {
        let tokenization = engine.get_tokenization(id).await?;
        emit(json, &tokenization, || {
            output::tokenization_details(&tokenization)
        })
    };
    run_job(setup, args.progress, "the adoption", start, finish).await
}
