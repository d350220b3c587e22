use std::path::Path;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

/// Keeps the log file writer alive for the life of the app.
pub struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

/// Logs to stderr and to `mistudio.log` in the app's log dir. `MISTUDIO_LOG` sets the filter
/// (default `info`).
pub fn init(log_dir: &Path) -> Result<LogGuard, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(log_dir)?;
    let (file_writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::never(log_dir, "mistudio.log"));
    let filter = EnvFilter::try_from_env("MISTUDIO_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(std::io::stderr))
        .with(fmt::layer().with_ansi(false).with_writer(file_writer))
        .try_init()?;
    tracing::info!(log_dir = %log_dir.display(), "miStudio Datasets starting");
    Ok(LogGuard(guard))
}
