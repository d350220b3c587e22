//! The emulator's in-memory view of a repository: revisions, files, hashes and the JSON shapes the
//! Hub returns for them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{json, Value};
use sha1::Digest as _;

use crate::{RepoFile, RepoKind, RepoSpec};

/// A fixed timestamp: the client must not depend on wall-clock metadata, and fixed values keep the
/// JSON byte-for-byte reproducible between runs.
pub(crate) const LAST_MODIFIED: &str = "2024-01-01T00:00:00.000Z";

/// Name of the branch the dataset viewer's Parquet conversion lives on.
pub(crate) const PARQUET_BRANCH: &str = "refs/convert/parquet";

pub(crate) struct FileEntry {
    pub path: String,
    pub bytes: Bytes,
    pub sha256: String,
    /// Git blob id: of the content for regular files, of the pointer file for LFS files (that is
    /// what the Hub reports as `oid` and as the resolve `ETag`).
    pub git_oid: String,
    pub lfs: bool,
    pub pointer_size: usize,
}

impl FileEntry {
    fn new(file: &RepoFile) -> FileEntry {
        let sha256 = hex::encode(sha2::Sha256::digest(&file.bytes));
        let lfs =
            !(file.path == "README.md" || file.path == ".gitattributes") || file.bytes.len() > 1024;
        let pointer = format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {}\n",
            file.bytes.len()
        );
        let git_oid = if lfs {
            git_blob_oid(pointer.as_bytes())
        } else {
            git_blob_oid(&file.bytes)
        };
        FileEntry {
            path: file.path.clone(),
            bytes: file.bytes.clone(),
            sha256,
            git_oid,
            lfs,
            pointer_size: pointer.len(),
        }
    }

    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    pub fn tree_json(&self) -> Value {
        let mut v = json!({
            "type": "file",
            "oid": self.git_oid,
            "size": self.size(),
            "path": self.path,
        });
        if self.lfs {
            v["lfs"] = json!({
                "oid": self.sha256,
                "size": self.size(),
                "pointerSize": self.pointer_size,
            });
        }
        v
    }
}

fn git_blob_oid(content: &[u8]) -> String {
    let mut h = sha1::Sha1::new();
    h.update(format!("blob {}\0", content.len()).as_bytes());
    h.update(content);
    hex::encode(h.finalize())
}

pub(crate) struct Revision {
    pub name: String,
    pub sha: String,
    pub files: BTreeMap<String, Arc<FileEntry>>,
    /// Directory path -> a stable oid, for every directory implied by the file paths.
    pub dirs: BTreeMap<String, String>,
}

impl Revision {
    fn new(kind: RepoKind, id: &str, name: &str, files: &[RepoFile]) -> Revision {
        let mut map = BTreeMap::new();
        for f in files {
            let path = f.path.trim_matches('/').to_string();
            let f = RepoFile {
                path,
                bytes: f.bytes.clone(),
            };
            map.insert(f.path.clone(), Arc::new(FileEntry::new(&f)));
        }
        let mut dir_names = BTreeSet::new();
        for path in map.keys() {
            let mut p = path.as_str();
            while let Some((parent, _)) = p.rsplit_once('/') {
                dir_names.insert(parent.to_string());
                p = parent;
            }
        }
        let dirs = dir_names
            .into_iter()
            .map(|d| {
                let mut h = sha1::Sha1::new();
                h.update(b"tree ");
                h.update(d.as_bytes());
                for (p, f) in map.range(format!("{d}/")..) {
                    if !p.starts_with(&format!("{d}/")) {
                        break;
                    }
                    h.update(p.as_bytes());
                    h.update(f.git_oid.as_bytes());
                }
                (d, hex::encode(h.finalize()))
            })
            .collect();
        // The commit id only has to be stable and change with the content, like a real commit.
        let mut h = sha2::Sha256::new();
        h.update(kind.api_segment().as_bytes());
        h.update(b"\0");
        h.update(id.as_bytes());
        h.update(b"\0");
        h.update(name.as_bytes());
        for (p, f) in &map {
            h.update(b"\0");
            h.update(p.as_bytes());
            h.update(b"\0");
            h.update(f.sha256.as_bytes());
        }
        let sha = hex::encode(h.finalize())[..40].to_string();
        Revision {
            name: name.to_string(),
            sha,
            files: map,
            dirs,
        }
    }

    pub fn dir_json(&self, path: &str) -> Option<Value> {
        self.dirs
            .get(path)
            .map(|oid| json!({"type": "directory", "oid": oid, "size": 0, "path": path}))
    }

    /// Tree entry for a file or a directory.
    pub fn entry_json(&self, path: &str) -> Option<Value> {
        let path = path.trim_matches('/');
        match self.files.get(path) {
            Some(f) => Some(f.tree_json()),
            None => self.dir_json(path),
        }
    }

    /// Entries under `prefix` ("" for the root), sorted by path, one level deep unless recursive.
    /// `None` when the prefix is not a directory.
    pub fn list(&self, prefix: &str, recursive: bool) -> Option<Vec<Value>> {
        let prefix = prefix.trim_matches('/');
        if !prefix.is_empty() && !self.dirs.contains_key(prefix) {
            return None;
        }
        let under = |p: &str| -> bool {
            let rest = if prefix.is_empty() {
                Some(p)
            } else {
                p.strip_prefix(prefix).and_then(|r| r.strip_prefix('/'))
            };
            match rest {
                Some(r) => recursive || !r.contains('/'),
                None => false,
            }
        };
        let mut paths: Vec<&str> = self
            .files
            .keys()
            .map(String::as_str)
            .chain(self.dirs.keys().map(String::as_str))
            .filter(|p| under(p))
            .collect();
        paths.sort_unstable();
        Some(
            paths
                .into_iter()
                .filter_map(|p| self.entry_json(p))
                .collect(),
        )
    }
}

pub(crate) struct Repo {
    pub kind: RepoKind,
    pub id: String,
    pub gated: bool,
    pub private: bool,
    pub card_data: Option<Value>,
    pub main: Revision,
    pub branches: Vec<Revision>,
}

impl Repo {
    pub fn new(spec: &RepoSpec) -> Repo {
        let main = Revision::new(spec.kind, &spec.id, "main", &spec.files);
        let branches = spec
            .branches
            .iter()
            .map(|(name, files)| Revision::new(spec.kind, &spec.id, name, files))
            .collect();
        Repo {
            kind: spec.kind,
            id: spec.id.clone(),
            gated: spec.gated,
            private: spec.private,
            card_data: spec.card_data.clone(),
            main,
            branches,
        }
    }

    /// Looks a revision up by branch name (optionally as `refs/heads/NAME`) or by commit sha.
    pub fn revision(&self, rev: &str) -> Option<&Revision> {
        let name = rev.strip_prefix("refs/heads/").unwrap_or(rev);
        std::iter::once(&self.main)
            .chain(self.branches.iter())
            .find(|r| r.name == name || r.sha == rev)
    }

    pub fn all_revisions(&self) -> impl Iterator<Item = &Revision> {
        std::iter::once(&self.main).chain(self.branches.iter())
    }

    pub fn info_json(&self, rev: &Revision, blobs: bool) -> Value {
        let siblings: Vec<Value> = rev
            .files
            .values()
            .map(|f| {
                if blobs {
                    let mut s = json!({"rfilename": f.path, "size": f.size(), "blobId": f.git_oid});
                    if f.lfs {
                        s["lfs"] = json!({
                            "sha256": f.sha256,
                            "size": f.size(),
                            "pointerSize": f.pointer_size,
                        });
                    }
                    s
                } else {
                    json!({"rfilename": f.path})
                }
            })
            .collect();
        let id_hash = hex::encode(sha2::Sha256::digest(
            format!("{}/{}", self.kind.api_segment(), self.id).as_bytes(),
        ));
        let used: u64 = rev.files.values().map(|f| f.size()).sum();
        let mut v = json!({
            "_id": &id_hash[..24],
            "id": self.id,
            "sha": rev.sha,
            "lastModified": LAST_MODIFIED,
            "createdAt": LAST_MODIFIED,
            "private": self.private,
            "gated": if self.gated { json!("auto") } else { json!(false) },
            "disabled": false,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "siblings": siblings,
            "usedStorage": used,
        });
        if let Some((author, _)) = self.id.split_once('/') {
            v["author"] = json!(author);
        }
        if self.kind == RepoKind::Model {
            v["modelId"] = json!(self.id);
        }
        if let Some(card) = &self.card_data {
            v["cardData"] = card.clone();
        }
        v
    }

    /// `config -> split -> file paths` of the Parquet conversion branch, or `None` without one.
    pub fn parquet_layout(&self) -> Option<BTreeMap<String, BTreeMap<String, Vec<String>>>> {
        let rev = self.branches.iter().find(|r| r.name == PARQUET_BRANCH)?;
        let mut out: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for path in rev.files.keys() {
            let parts: Vec<&str> = path.split('/').collect();
            if parts.len() != 3 || !parts[2].ends_with(".parquet") {
                continue;
            }
            let split = parts[1].strip_prefix("partial-").unwrap_or(parts[1]);
            out.entry(parts[0].to_string())
                .or_default()
                .entry(split.to_string())
                .or_default()
                .push(path.clone());
        }
        Some(out)
    }
}
