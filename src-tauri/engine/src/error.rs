//! The engine's error type. Every error carries a stable [`ErrorKind`] that front ends branch on
//! (the window shows a fix, the CLI picks an exit code) and a message written for a person.

use serde::{Deserialize, Serialize};

/// Stable classification of an engine error. Serialised in snake_case; never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ErrorKind {
    NotFound,
    InvalidInput,
    Conflict,
    Auth,
    Gated,
    Network,
    DiskFull,
    Corrupt,
    Cancelled,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{what} was not found")]
    NotFound { what: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    Conflict(String),
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Corrupt(String),
    #[error("{0}")]
    Internal(String),
    #[error("not enough disk space: {0}")]
    DiskFull(String),
    #[error("{0}")]
    Auth(String),
    #[error("{0}")]
    Gated(String),
    /// A network failure that outlived the retries.
    #[error("{0}")]
    Network(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}. The database was written by a newer version of miStudio Datasets or is damaged; move it aside and restart to rebuild the index")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// An error that crossed a persistence boundary (a failed job read back from the database).
    #[error("{message}")]
    Reported { kind: ErrorKind, message: String },
}

impl Error {
    pub fn not_found(what: impl Into<String>) -> Self {
        Error::NotFound { what: what.into() }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidInput(message.into())
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        // A full disk is the one I/O failure a person can act on, so it gets its own kind.
        if source.kind() == std::io::ErrorKind::StorageFull {
            return Error::DiskFull(format!("{}: {source}", context.into()));
        }
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// An Arrow failure while writing `context`: the I/O error inside it keeps its meaning
    /// (a full disk is DiskFull), anything else is a bug.
    pub fn arrow(context: impl Into<String>, e: arrow::error::ArrowError) -> Self {
        match e {
            arrow::error::ArrowError::IoError(_, source) => Error::io(context, source),
            other => Error::Internal(format!("{}: {other}", context.into())),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::InvalidInput(_) => ErrorKind::InvalidInput,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::Corrupt(_) => ErrorKind::Corrupt,
            Error::DiskFull(_) => ErrorKind::DiskFull,
            Error::Auth(_) => ErrorKind::Auth,
            Error::Gated(_) => ErrorKind::Gated,
            Error::Network(_) => ErrorKind::Network,
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ErrorKind::NotFound
            }
            // A file or folder this user may not read or write: the person fixes the
            // permissions or picks another path.
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => {
                ErrorKind::InvalidInput
            }
            // A name too long for the file system, or a path that runs through a file: the
            // input (a folder chosen, a repo's file name) is what has to change.
            Error::Io { source, .. }
                if matches!(
                    source.kind(),
                    std::io::ErrorKind::InvalidFilename | std::io::ErrorKind::NotADirectory
                ) =>
            {
                ErrorKind::InvalidInput
            }
            Error::Io { .. } | Error::Internal(_) | Error::Migrate(_) => ErrorKind::Internal,
            Error::Database(sqlx::Error::RowNotFound) => ErrorKind::NotFound,
            Error::Database(_) => ErrorKind::Internal,
            Error::Reported { kind, .. } => *kind,
        }
    }

    pub fn to_app_error(&self) -> AppError {
        AppError {
            kind: self.kind(),
            message: self.to_string(),
        }
    }
}

impl From<AppError> for Error {
    fn from(e: AppError) -> Self {
        Error::Reported {
            kind: e.kind,
            message: e.message,
        }
    }
}

/// The serialisable form of an [`Error`]: what the window and `--json` output receive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        e.to_app_error()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialise_in_snake_case() {
        let json = serde_json::to_string(&Error::invalid("bad id").to_app_error()).unwrap();
        assert_eq!(json, r#"{"kind":"invalid_input","message":"bad id"}"#);
        assert_eq!(
            serde_json::to_string(&ErrorKind::DiskFull).unwrap(),
            r#""disk_full""#
        );
    }

    #[test]
    fn full_disk_io_errors_are_disk_full() {
        let e = Error::io(
            "writing x",
            std::io::Error::from(std::io::ErrorKind::StorageFull),
        );
        assert_eq!(e.kind(), ErrorKind::DiskFull);
        let missing = Error::io(
            "opening y",
            std::io::Error::from(std::io::ErrorKind::NotFound),
        );
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        let unreadable = Error::io(
            "reading /srv/share/train.jsonl",
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert_eq!(unreadable.kind(), ErrorKind::InvalidInput);
        assert!(unreadable.to_string().contains("/srv/share/train.jsonl"));
    }
}
