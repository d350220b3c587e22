//! The datasets: listing and showing them, downloading and importing one, deleting.

use crate::args::{DeleteArgs, DownloadArgs, ImportArgs};
use crate::follow::run_job;
use crate::output;
use crate::report::emit;
use crate::setup::Setup;
use mistudio_engine::datasets::ImportRequest;
use mistudio_engine::{Engine, Error, Result};
use std::io::{BufRead, IsTerminal, Write};

pub async fn list(engine: &Engine, json: bool) -> Result<()> {
    let datasets = engine.list_datasets().await?;
    emit(json, &datasets, || {
        output::datasets_table(&datasets, &engine.settings().data_root)
    })
}

pub async fn show(engine: &Engine, json: bool, id: &str) -> Result<()> {
    let dataset = engine.get_dataset(id).await?;
    emit(json, &dataset, || output::dataset_details(&dataset))
}

pub async fn download(setup: Setup, json: bool, args: &DownloadArgs) -> Result<()> {
    let request = args.request();
    if args.dry_run {
        let engine = setup.open_without_jobs().await?;
        let plan = engine.plan_download(&request).await;
        engine.shutdown().await;
        let plan = plan?;
        return emit(json, &plan, || crate::plan_output::describe(&plan));
    }
    let start = async |engine: &Engine| {
        // An interrupted run of the same download was re-queued when the engine opened: follow it.
        Ok(match engine.unfinished_download(&request).await? {
            Some((dataset, _)) => dataset.id,
            None => engine.start_download(&request).await?.id,
        })
    };
    let finish = async |engine: &Engine, id: &str| show(engine, json, id).await;
    run_job(setup, args.progress, "the download", start, finish).await
}

pub async fn import(setup: Setup, json: bool, args: &ImportArgs) -> Result<()> {
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
                    .start_import(&ImportRequest {
                        path: absolute.to_string_lossy().into_owned(),
                        name: args.name.clone(),
                    })
                    .await?
            }
        };
        Ok(dataset.id)
    };
    let finish = async |engine: &Engine, id: &str| show(engine, json, id).await;
    run_job(setup, args.progress, "the import", start, finish).await
}

pub async fn delete(engine: &Engine, json: bool, args: &DeleteArgs) -> Result<()> {
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
        confirm_delete(&named)?;
    }
    let report = engine
        .delete_datasets(&args.datasets, args.hub_files)
        .await?;
    emit(json, &report, || {
        format!(
            "deleted {} ({} freed)\n",
            named.join(", "),
            output::format_bytes(report.freed_bytes as i64)
        )
    })
}

/// Asks on the terminal; anything but yes cancels. Without a terminal to ask on, nothing is
/// deleted unasked.
fn confirm_delete(named: &[String]) -> Result<()> {
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
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(Error::Cancelled)
    }
}
