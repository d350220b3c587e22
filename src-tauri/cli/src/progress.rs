//! Progress of a job on stderr: a one-line bar on a terminal, JSON lines for scripts.

use mistudio_engine::{EngineEvent, EventSink, Job, Progress};
use std::io::{IsTerminal, Write};
use tokio::sync::mpsc;

#[derive(Clone, Copy, PartialEq, Eq, Debug, clap::ValueEnum)]
pub enum ProgressFormat {
    /// A bar when stderr is a terminal, nothing otherwise.
    Auto,
    /// One JSON object per update on stderr.
    Json,
    None,
}

/// Forwards the engine's job events to the waiting command.
pub struct ChannelSink(pub mpsc::UnboundedSender<Job>);

impl EventSink for ChannelSink {
    fn emit(&self, event: EngineEvent) {
        if let EngineEvent::Job(job) = event {
            let _ = self.0.send(*job);
        }
    }
}

fn bytes(n: u64) -> String {
    mistudio_engine::datasets::format_bytes(n)
}

pub fn render(format: ProgressFormat, job: &Job) {
    match format {
        ProgressFormat::None => {}
        ProgressFormat::Json => {
            let line = serde_json::json!({
                "job": job.id, "status": job.status, "stage": job.stage, "progress": job.progress,
            });
            eprintln!("{line}");
        }
        ProgressFormat::Auto => {
            if !std::io::stderr().is_terminal() {
                return;
            }
            let stage = job.stage.as_deref().unwrap_or("Queued");
            let detail = match &job.progress {
                Some(Progress::Bytes {
                    done,
                    total,
                    bytes_per_sec,
                }) => {
                    let mut s = match total {
                        Some(t) if *t > 0 => format!(
                            "{} / {} ({:.0}%)",
                            bytes(*done),
                            bytes(*t),
                            *done as f64 * 100.0 / *t as f64
                        ),
                        _ => bytes(*done),
                    };
                    if let Some(rate) = bytes_per_sec.filter(|r| *r > 0) {
                        s.push_str(&format!("  {}/s", bytes(rate)));
                        if let Some(t) = total {
                            s.push_str(&format!("  ETA {}s", t.saturating_sub(*done) / rate));
                        }
                    }
                    s
                }
                Some(Progress::Count { done, total }) => match total {
                    Some(t) => format!("{done} / {t}"),
                    None => done.to_string(),
                },
                Some(Progress::Samples {
                    done,
                    total,
                    tokens,
                    samples_per_sec,
                    tokens_per_sec,
                }) => {
                    let mut s = match total {
                        Some(t) if *t > 0 => format!(
                            "{done} / {t} samples ({:.0}%)  {tokens} tokens",
                            *done as f64 * 100.0 / *t as f64
                        ),
                        _ => format!("{done} samples  {tokens} tokens"),
                    };
                    if let (Some(rate), Some(tps)) =
                        (samples_per_sec.filter(|r| *r > 0), tokens_per_sec)
                    {
                        s.push_str(&format!("  {rate} samples/s  {tps} tokens/s"));
                        if let Some(t) = total {
                            s.push_str(&format!("  ETA {}s", t.saturating_sub(*done) / rate));
                        }
                    }
                    s
                }
                _ => String::new(),
            };
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{stage}  {detail}");
            if job.status.is_finished() {
                let _ = writeln!(err);
            }
            let _ = err.flush();
        }
    }
}
