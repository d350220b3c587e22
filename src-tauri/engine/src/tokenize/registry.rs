//! Tokenizers the app knows: added from a local `tokenizer.json` or a Hub model repo, kept in
//! `tokenizers/<tk_id>/` of the data root with a manifest.

use super::model::LoadedTokenizer;
use crate::error::{Error, Result};
use crate::hub::cache_layout::write_ref;
use crate::hub::download::{ByteCounter, Downloader};
use crate::hub::{HubClient, RemoteFile, RepoKind};
use crate::library::{new_id, write_atomic, DataRoot};
use crate::store::{DatasetSource, NewTokenizer, Store, Tokenizer};
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub const TOKENIZER_FILE: &str = "tokenizer.json";
pub const TOKENIZER_CONFIG_FILE: &str = "tokenizer_config.json";
/// Real tokenizer files are a few MB (Llama 3: 9 MB); anything far larger is not one.
const MAX_TOKENIZER_BYTES: u64 = 256 << 20;

fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::io(
            format!(
                "reading {} (check the path and that it is readable)",
                path.display()
            ),
            e,
        )
    })?;
    if meta.is_dir() {
        let inner = path.join(TOKENIZER_FILE);
        if inner.is_file() {
            return read_limited(&inner);
        }
        return Err(Error::invalid(format!(
            "{} is a folder without a tokenizer.json: choose the tokenizer.json file itself",
            path.display()
        )));
    }
    if meta.len() > MAX_TOKENIZER_BYTES {
        return Err(Error::invalid(format!(
            "{} is {} bytes, far more than any tokenizer.json: choose the tokenizer file",
            path.display(),
            meta.len()
        )));
    }
    std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))
}

/// A tokenizer folder's `tokenizer.json` (and its folder) and `tokenizer_config.json`, if any.
fn read_files(
    root: &DataRoot,
    tokenizer: &Tokenizer,
) -> Result<(PathBuf, Vec<u8>, Option<Vec<u8>>)> {
    let dir = root.tokenizer_dir(&tokenizer.id)?;
    let json = std::fs::read(dir.join(TOKENIZER_FILE)).map_err(|e| {
        Error::io(
            format!(
                "reading the tokenizer file of {} (delete the tokenizer and add it again)",
                tokenizer.name
            ),
            e,
        )
    })?;
    let config = std::fs::read(dir.join(TOKENIZER_CONFIG_FILE)).ok();
    Ok((dir, json, config))
}

/// The files of a tokenizer folder, loaded.
pub fn load_tokenizer(root: &DataRoot, tokenizer: &Tokenizer) -> Result<LoadedTokenizer> {
    let (_, json, config) = read_files(root, tokenizer)?;
    LoadedTokenizer::from_bytes(&tokenizer.name, &json, config.as_deref())
}

/// The tokenizer for a tokenization pass: with the fast path when it takes the tokenizer (its
/// vocabulary cached in the tokenizer's folder).
pub fn load_tokenizer_for_pass(root: &DataRoot, tokenizer: &Tokenizer) -> Result<LoadedTokenizer> {
    let (dir, json, config) = read_files(root, tokenizer)?;
    let mut loaded = LoadedTokenizer::from_bytes(&tokenizer.name, &json, config.as_deref())?;
    loaded.attach_fast_path(&json, &dir);
    Ok(loaded)
}

async fn register(
    store: &Store,
    root: &DataRoot,
    mut new: NewTokenizer,
    json: &[u8],
    config: Option<&[u8]>,
) -> Result<Tokenizer> {
    let loaded = LoadedTokenizer::from_bytes(&new.name, json, config)?;
    let sha256 = hex::encode(sha2::Sha256::digest(json));
    for existing in store.list_tokenizers().await? {
        if existing.sha256.as_deref() == Some(sha256.as_str()) {
            return Err(Error::Conflict(format!(
                "this tokenizer is already in the library as \"{}\"",
                existing.name
            )));
        }
    }
    new.vocab_size = Some(loaded.info.vocab_size as i64);
    new.special_tokens = loaded.info.special_tokens.clone();
    new.sha256 = Some(sha256);
    let dir = root.tokenizer_dir(&new.id)?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    write_atomic(&dir.join(TOKENIZER_FILE), json)?;
    if let Some(config) = config {
        write_atomic(&dir.join(TOKENIZER_CONFIG_FILE), config)?;
    }
    let tokenizer = match store.insert_tokenizer(&new).await {
        Ok(t) => t,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
    };
    write_manifest(root, &tokenizer)?;
    Ok(tokenizer)
}

pub fn write_manifest(root: &DataRoot, tokenizer: &Tokenizer) -> Result<()> {
    let manifest = serde_json::json!({"format_version": 1, "tokenizer": tokenizer});
    let bytes = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Internal(format!("serialising a tokenizer manifest: {e}")))?;
    write_atomic(
        &root.tokenizer_dir(&tokenizer.id)?.join("manifest.json"),
        &bytes,
    )
}

/// Adds a local `tokenizer.json` (or a folder holding one). A `tokenizer_config.json` beside it
/// names the special tokens.
pub async fn add_from_file(
    store: &Store,
    root: &DataRoot,
    path: &Path,
    name: Option<&str>,
) -> Result<Tokenizer> {
    let json = read_limited(path)?;
    let folder: PathBuf = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let config = std::fs::read(folder.join(TOKENIZER_CONFIG_FILE)).ok();
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let default_name = if path.is_dir() {
        file_name.clone().unwrap_or_else(|| "tokenizer".into())
    } else {
        // ".../gpt2/tokenizer.json" is best called "gpt2"; "gpt2-tokenizer.json" by its stem.
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if stem == "tokenizer" {
            folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(stem)
        } else {
            stem.trim_end_matches("-tokenizer").to_string()
        }
    };
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(String::from)
        .unwrap_or(default_name);
    let new = NewTokenizer {
        id: new_id("tk"),
        name,
        source: DatasetSource::Local,
        file_name,
        ..NewTokenizer::default()
    };
    register(store, root, new, &json, config.as_deref()).await
}

/// Adds the `tokenizer.json` of a Hub model repo, fetched by the verified downloader into the
/// HF cache (so Python sees it too).
pub async fn add_from_hub(
    store: &Store,
    root: &DataRoot,
    client: &HubClient,
    cache_root: &Path,
    repo_id: &str,
    revision: Option<&str>,
    cancel: &CancellationToken,
) -> Result<Tokenizer> {
    crate::hub::validate_repo_id(repo_id)?;
    let info = client.repo_info(RepoKind::Model, repo_id, revision).await?;
    let commit = info.sha.clone();
    let tree = client.list_tree(RepoKind::Model, repo_id, &commit).await?;
    let entry = tree
        .iter()
        .find(|e| e.is_file() && e.path == TOKENIZER_FILE)
        .ok_or_else(|| {
            Error::not_found(format!(
                "a tokenizer.json in the model repo {repo_id} (it may ship only a slow tokenizer); \
                 choose a repo that has one, or add a tokenizer.json file from disk"
            ))
        })?;
    let file = RemoteFile {
        path: entry.path.clone(),
        size: entry.content_size(),
        sha256: entry.lfs.as_ref().map(|l| l.oid.clone()),
        oid: entry.oid.clone(),
        revision: commit.clone(),
    };
    let downloader = Downloader::new(client.clone(), cache_root.to_path_buf());
    let paths = downloader
        .download_all(
            RepoKind::Model,
            repo_id,
            std::slice::from_ref(&file),
            Arc::new(ByteCounter::default()),
            cancel,
        )
        .await?;
    write_ref(
        cache_root,
        RepoKind::Model,
        repo_id,
        revision.unwrap_or("main"),
        &commit,
    )?;
    let json = read_limited(&paths[0])?;
    let config = client
        .small_file(RepoKind::Model, repo_id, &commit, TOKENIZER_CONFIG_FILE)
        .await
        .ok()
        .flatten();
    let new = NewTokenizer {
        id: new_id("tk"),
        name: repo_id.to_string(),
        source: DatasetSource::HuggingFace,
        hf_repo_id: Some(repo_id.to_string()),
        hf_revision: Some(commit),
        ..NewTokenizer::default()
    };
    register(store, root, new, &json, config.as_deref()).await
}
