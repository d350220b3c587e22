//! What a command prints: its result on stdout (JSON or human-readable), and an error as a
//! message and an exit code.

use mistudio_engine::{AppError, Error, ErrorKind, Result};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

/// Prints `value` as JSON with `--json`, else the text `human` makes.
pub fn emit<T: Serialize>(json: bool, value: &T, human: impl FnOnce() -> String) -> Result<()> {
    let text = if json {
        let mut text = serde_json::to_string_pretty(value)
            .map_err(|e| Error::Internal(format!("serialising the output: {e}")))?;
        text.push('\n');
        text
    } else {
        human()
    };
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

pub fn report_error(json: bool, error: &AppError) -> ExitCode {
    if json {
        println!("{}", serde_json::json!({ "error": error }));
    } else {
        eprintln!("error: {}", error.message);
    }
    ExitCode::from(exit_code(error.kind))
}
