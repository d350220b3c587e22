//! One file per feature. Commands are thin adapters: take state, call the engine, map errors to
//! the typed `AppError` the window branches on.

pub mod datasets;
pub mod hub;
pub mod jobs;
pub mod machine;
pub mod settings;
pub mod tokenize;

pub type CommandResult<T> = Result<T, mistudio_engine::AppError>;
