//! What the CLI's tests share.

use std::path::Path;
use std::process::Command;

/// The CLI on its own folders under `dir` (data, database, HOME, HF cache), talking to `endpoint`.
pub fn cli(dir: &Path, endpoint: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mistudio-cli"));
    cmd.env("MISTUDIO_DATA_DIR", dir.join("data"))
        .env("MISTUDIO_LOCAL_DIR", dir.join("local"))
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env("HF_HOME", dir.join("hf"))
        .env("HF_ENDPOINT", endpoint)
        .env_remove("HF_TOKEN")
        .env_remove("HF_HUB_CACHE");
    cmd
}
