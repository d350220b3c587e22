//! The fast vocabulary, built once per tokenizer and kept beside it in the data folder. The
//! file names the tokenizer file's sha256 and carries a checksum of its own body, so a file
//! left by another tokenizer, an older build or a broken write is rebuilt, never trusted.

use bpe::byte_pair_encoding::{find_hash_factor_for_dictionary, BytePairEncoding};
use sha2::{Digest, Sha256};
use std::path::Path;

pub const CACHE_FILE: &str = "fast-bpe.cache";
const MAGIC: &[u8; 16] = b"mistudio-fastbpe";
/// Bumped whenever what is stored, or how it is built, changes.
const FORMAT: u32 = 1;
const HEADER: usize = 16 + 4 + 32 + 32;

/// How the vocabulary was obtained, for the logs and the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Cached,
    Built,
    /// Built, and a file that was there was not usable (`why`).
    Rebuilt {
        why: &'static str,
    },
}

fn header(tokenizer_sha256: &[u8; 32], body: &[u8]) -> Vec<u8> {
    let mut h = Vec::with_capacity(HEADER + body.len());
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&FORMAT.to_le_bytes());
    h.extend_from_slice(tokenizer_sha256);
    h.extend_from_slice(&Sha256::digest(body));
    h
}

fn read(path: &Path, tokenizer_sha256: &[u8; 32]) -> Result<BytePairEncoding, &'static str> {
    let bytes = std::fs::read(path).map_err(|_| "unreadable")?;
    if bytes.len() < HEADER {
        return Err("truncated");
    }
    let (head, body) = bytes.split_at(HEADER);
    if &head[..16] != MAGIC || head[16..20] != FORMAT.to_le_bytes() {
        return Err("from another version");
    }
    if &head[20..52] != tokenizer_sha256 {
        return Err("made for another tokenizer file");
    }
    if head[52..84] != Sha256::digest(body)[..] {
        return Err("corrupt");
    }
    rmp_serde::from_slice(body).map_err(|_| "corrupt")
}

/// Builds the byte-pair encoder of `dictionary`. The crate asserts on a dictionary it cannot
/// take; `spec::read` checks what it asserts first, and a panic that still happens is a
/// tokenizer the fast path does not take.
fn build(dictionary: &[Vec<u8>]) -> Result<BytePairEncoding, String> {
    let tokens = dictionary.to_vec();
    std::panic::catch_unwind(move || {
        let factor = find_hash_factor_for_dictionary(tokens.iter().cloned());
        BytePairEncoding::from_dictionary(tokens, Some(factor))
    })
    .map_err(|p| {
        let why = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("its merges do not make a consistent byte-pair dictionary ({why})")
    })
}

/// Temp files of a writer killed mid-write. One of another machine writing right now goes too:
/// its rename then fails and it carries on without storing (the file is only a cache).
fn remove_temp_files(dir: &Path) {
    let prefix = format!("{}.tmp-", CACHE_FILE.trim_end_matches(".cache"));
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Writes the file whole or not at all: a full disk leaves no partial file behind (the
/// vocabulary is an optimisation; the pass goes on without it). Two machines sharing the
/// folder may build it at once: each writes its own temp file and the last rename wins.
fn store(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&tmp, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    renamed
}

/// The cached encoder when the file in `dir` is this tokenizer's and intact, else a fresh one,
/// stored for next time (a folder that cannot be written to costs only the rebuild).
pub fn load_or_build(
    dir: &Path,
    tokenizer_sha256: &[u8; 32],
    dictionary: &[Vec<u8>],
    check_before_building: impl FnOnce() -> Result<(), String>,
) -> Result<(BytePairEncoding, Origin), String> {
    let path = dir.join(CACHE_FILE);
    remove_temp_files(dir);
    let stale = match read(&path, tokenizer_sha256) {
        Ok(bpe) if bpe.num_tokens() == dictionary.len() => return Ok((bpe, Origin::Cached)),
        Ok(_) => Some("of another size"),
        Err("unreadable") if !path.exists() => None,
        Err(why) => Some(why),
    };
    check_before_building()?;
    let bpe = build(dictionary)?;
    match rmp_serde::to_vec(&bpe) {
        Ok(body) => {
            let mut file = header(tokenizer_sha256, &body);
            file.extend_from_slice(&body);
            if let Err(e) = store(&path, &file) {
                tracing::warn!("keeping the fast vocabulary in {}: {e}", path.display());
            }
        }
        Err(e) => tracing::warn!("serializing the fast vocabulary: {e}"),
    }
    let origin = stale.map_or(Origin::Built, |why| Origin::Rebuilt { why });
    Ok((bpe, origin))
}
