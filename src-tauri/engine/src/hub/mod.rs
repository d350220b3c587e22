//! Everything about the Hugging Face Hub: the HTTP client, repo inspection (which files make
//! which config and split), and verified, resumable downloads into the HF cache layout.
//! `hf-hub` supplies the cache layout (folder names, refs); the network layer is ours because
//! the crate's lacks resume across restarts, cancellation and content verification.

pub(crate) mod cache_layout;
mod card;
pub mod client;
pub mod download;
pub mod file_filter;
pub mod inspect;
pub mod parquet_footer;
mod partial;
mod range_request;

pub use client::{HubClient, RepoKind};
pub use inspect::{inspect_dataset, ConfigInfo, RemoteFile, RepoInspection, SplitFiles};

use crate::error::{Error, Result};
use std::path::PathBuf;

/// Checks a repo id the way the Hub does: `name` or `owner/name`, letters, digits, `-`, `_`, `.`,
/// at most 96 characters per part, no `--` or `..`, not starting or ending with `-` or `.`.
/// A revision becomes a URL segment and a file name in the cache (`refs/<revision>`), so it is
/// checked like Git checks ref names before it is used: no `..`, no segment starting with `.`,
/// no empty segment, none of the characters Git refuses.
pub fn validate_revision(revision: &str) -> Result<()> {
    let fail = |why: &str| {
        Err(Error::invalid(format!(
            "{revision:?} is not a valid revision: {why}. Use a branch (main), a tag, or a commit hash"
        )))
    };
    if revision.trim().is_empty() {
        return fail("it is empty");
    }
    if revision
        .chars()
        .any(|c| c.is_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\'))
    {
        return fail("it holds a character Git does not allow in a ref name");
    }
    if revision.contains("..") || revision.contains("@{") {
        return fail("it holds \"..\" or \"@{\"");
    }
    for segment in revision.split('/') {
        if segment.is_empty() {
            return fail("it has an empty path segment");
        }
        if segment.starts_with('.') || segment.ends_with(".lock") {
            return fail("a segment starts with '.' or ends with \".lock\"");
        }
    }
    Ok(())
}

pub fn validate_repo_id(repo_id: &str) -> Result<()> {
    let fail = |why: &str| {
        Err(Error::invalid(format!(
            "{repo_id:?} is not a valid Hub repository id: {why}. Use owner/name, e.g. roneneldan/TinyStories"
        )))
    };
    let trimmed = repo_id.trim();
    if trimmed.is_empty() {
        return fail("it is empty");
    }
    if trimmed != repo_id {
        return fail("it has spaces around it");
    }
    let parts: Vec<&str> = repo_id.split('/').collect();
    if parts.len() > 2 {
        return fail("it has more than one '/'");
    }
    for part in &parts {
        if part.is_empty() {
            return fail("a part is empty");
        }
        if part.len() > 96 {
            return fail("a part is longer than 96 characters");
        }
        if !part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return fail("only letters, digits, '-', '_' and '.' are allowed");
        }
        if part.starts_with(['-', '.']) || part.ends_with(['-', '.']) {
            return fail("a part starts or ends with '-' or '.'");
        }
    }
    if repo_id.contains("--") || repo_id.contains("..") {
        return fail("'--' and '..' are not allowed");
    }
    if repo_id.ends_with(".git") {
        return fail("it ends with .git");
    }
    Ok(())
}

fn home_cache() -> Option<PathBuf> {
    dirs::home_dir().map(|h| h.join(".cache").join("huggingface"))
}

/// `HF_HOME`, else `~/.cache/huggingface` — as Python's huggingface_hub resolves it.
pub fn hf_home() -> Result<PathBuf> {
    std::env::var_os("HF_HOME")
        .map(PathBuf::from)
        .or_else(home_cache)
        .ok_or_else(|| {
            Error::invalid("no home folder to put the Hugging Face cache in; set HF_HOME")
        })
}

/// `HF_HUB_CACHE`, else `$HF_HOME/hub`: raw downloads, shared with Python tools.
pub fn hf_hub_cache() -> Result<PathBuf> {
    match std::env::var_os("HF_HUB_CACHE") {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => Ok(hf_home()?.join("hub")),
    }
}

/// `HF_TOKEN_PATH`, else `$HF_HOME/token` (where `huggingface-cli login` writes).
pub fn token_path() -> Result<PathBuf> {
    match std::env::var_os("HF_TOKEN_PATH") {
        Some(path) => Ok(PathBuf::from(path)),
        None => Ok(hf_home()?.join("token")),
    }
}

/// The token to use: the one typed in the form, else `HF_TOKEN`, else the token file.
pub fn resolve_token(typed: Option<&str>) -> Option<String> {
    let non_empty = |s: String| {
        let s = s.trim().to_string();
        (!s.is_empty()).then_some(s)
    };
    typed
        .map(str::to_string)
        .and_then(non_empty)
        .or_else(|| std::env::var("HF_TOKEN").ok().and_then(non_empty))
        .or_else(|| {
            token_path()
                .ok()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .and_then(non_empty)
        })
}

/// Saves the token where `huggingface-cli login` keeps it, readable by this user only.
pub fn remember_token(token: &str) -> Result<PathBuf> {
    let path = token_path()?;
    write_token_file(&path, token)?;
    Ok(path)
}

fn write_token_file(path: &std::path::Path, token: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    }
    let tmp = path.with_extension("tmp");
    // A stale temp file could carry wider permissions than the 0600 a new one gets.
    let _ = std::fs::remove_file(&tmp);
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&tmp)
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
        file.write_all(token.trim().as_bytes())
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("saving {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_token_is_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hf/token");
        write_token_file(&path, " hf_abc \n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "hf_abc");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // Replacing keeps the mode and leaves no temp file.
        write_token_file(&path, "hf_new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "hf_new");
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn repo_ids_follow_the_hub_rules() {
        for ok in [
            "roneneldan/TinyStories",
            "gpt2",
            "Salesforce/wikitext",
            "a/b.c_d-e",
            "HuggingFaceFW/fineweb-edu",
        ] {
            assert!(validate_repo_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", " x/y", "a/b/c", "/x", "x/", "a b/c", "a/-b", "a/b.", "a--b/c", "a/b..c",
            "a/b.git", "ü/x",
        ] {
            let e = validate_repo_id(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{bad}");
            assert!(e.to_string().contains("owner/name"));
        }
        assert!(validate_repo_id(&format!("a/{}", "x".repeat(97))).is_err());
    }

    #[test]
    fn revisions_are_ref_names_or_commits() {
        for ok in [
            "main",
            "v1.0",
            "refs/convert/parquet",
            "refs/pr/12",
            "feature/x",
            "0123456789abcdef0123456789abcdef01234567",
        ] {
            assert!(validate_revision(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            " ",
            ".",
            "..",
            "../../../escaped",
            "refs/heads/../../x",
            "a/./b",
            "a//b",
            "/main",
            "main/",
            ".hidden",
            "x.lock",
            "a b",
            "a\\b",
            "a:b",
            "a~1",
            "a^",
            "a?",
            "a*",
            "a[b",
            "a@{1}",
            "a\nb",
        ] {
            let e = validate_revision(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{bad:?}");
            assert!(e.to_string().contains("not a valid revision"), "{e}");
        }
    }
}
