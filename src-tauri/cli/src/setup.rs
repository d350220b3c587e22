//! What the engine opens with: this machine's index folder and the settings (the window's saved
//! ones, with the command line's data folder and `HF_ENDPOINT` on top).

use crate::args::Cli;
use crate::progress::ChannelSink;
use mistudio_engine::events::{EventSink, NoEvents};
use mistudio_engine::settings::{read_settings_file, Settings};
use mistudio_engine::{paths, Engine, EngineConfig, Error, Job, Result};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

pub struct Setup {
    local_dir: PathBuf,
    settings: Settings,
}

impl Setup {
    pub fn resolve(cli: &Cli) -> Result<Self> {
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
        Ok(Self {
            local_dir,
            settings,
        })
    }

    /// An engine for the commands that read or change the index without running a job.
    pub async fn open_without_jobs(self) -> Result<Engine> {
        self.open(false, Arc::new(NoEvents)).await
    }

    /// An engine that runs jobs in this process, and the job updates it reports.
    pub async fn open_running_jobs(self) -> Result<(Engine, UnboundedReceiver<Job>)> {
        let (tx, rx) = unbounded_channel();
        let engine = self.open(true, Arc::new(ChannelSink(tx))).await?;
        Ok((engine, rx))
    }

    async fn open(self, run_jobs: bool, events: Arc<dyn EventSink>) -> Result<Engine> {
        Engine::open(
            EngineConfig {
                local_dir: self.local_dir,
                settings: self.settings,
                run_jobs,
                hf_cache: None,
            },
            events,
        )
        .await
    }
}
