//! Which files make which config and split: the card's `configs:` first, then the standard file
//! layouts of the `datasets` library, then the Hub's `refs/convert/parquet` branch.

use super::card::{card_description, glob_set, parse_card_configs, parse_split_rows, split_card};
use super::client::{HubClient, RepoKind, TreeEntry};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

pub const PARQUET_BRANCH: &str = "refs/convert/parquet";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemoteFile {
    pub path: String,
    pub size: u64,
    /// sha256 of the content (LFS files); small files are checked by size only.
    pub sha256: Option<String>,
    /// The git blob id, which names small files in the cache.
    pub oid: String,
    /// The commit the file is read at.
    pub revision: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SplitFiles {
    pub name: String,
    pub size_bytes: u64,
    pub files: Vec<RemoteFile>,
    /// Rows of the whole split, when the card's `dataset_info` states them.
    pub num_rows: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConfigInfo {
    pub name: String,
    pub default: bool,
    pub splits: Vec<SplitFiles>,
}

/// Where the file list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum FilesSource {
    Card,
    Layout,
    ParquetBranch,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RepoInspection {
    pub repo_id: String,
    /// The commit of the main revision that was inspected.
    pub sha: String,
    pub gated: bool,
    pub private: bool,
    /// The dataset card's own summary, when it has one.
    pub description: Option<String>,
    pub source: FilesSource,
    pub configs: Vec<ConfigInfo>,
}

impl RepoInspection {
    pub fn config(&self, name: Option<&str>) -> Result<&ConfigInfo> {
        match name {
            Some(name) => self.configs.iter().find(|c| c.name == name).ok_or_else(|| {
                Error::invalid(format!(
                    "{} has no config {name:?}; its configs are: {}",
                    self.repo_id,
                    self.config_names()
                ))
            }),
            None => self
                .configs
                .iter()
                .find(|c| c.default)
                .or_else(|| (self.configs.len() == 1).then(|| &self.configs[0]))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "{} has several configs; pick one of: {}",
                        self.repo_id,
                        self.config_names()
                    ))
                }),
        }
    }

    fn config_names(&self) -> String {
        self.configs
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The splits to fetch: one by name, or all of the config.
    pub fn select(
        &self,
        config: Option<&str>,
        split: Option<&str>,
    ) -> Result<(&ConfigInfo, Vec<&SplitFiles>)> {
        let cfg = self.config(config)?;
        let splits: Vec<&SplitFiles> = match split {
            Some(split) => vec![cfg.splits.iter().find(|s| s.name == split).ok_or_else(|| {
                Error::invalid(format!(
                    "config {:?} of {} has no split {split:?}; its splits are: {}",
                    cfg.name,
                    self.repo_id,
                    cfg.splits
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?],
            None => cfg.splits.iter().collect(),
        };
        if splits.iter().all(|s| s.files.is_empty()) {
            return Err(Error::invalid(format!(
                "config {:?} of {} has no data files to download",
                cfg.name, self.repo_id
            )));
        }
        Ok((cfg, splits))
    }
}

/// File name endings the ingester reads; compressed variants included.
const DATA_EXTENSIONS: &[&str] = &[
    "parquet", "jsonl", "ndjson", "json", "csv", "tsv", "txt", "arrow", "ipc", "feather",
];

pub fn is_data_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name.starts_with('.')
        || name == "readme.md"
        || path.split('/').any(|seg| seg.starts_with('.'))
    {
        return false;
    }
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(&name);
    DATA_EXTENSIONS
        .iter()
        .any(|ext| name.ends_with(&format!(".{ext}")))
}

pub async fn inspect_dataset(
    client: &HubClient,
    repo_id: &str,
    revision: Option<&str>,
) -> Result<RepoInspection> {
    super::validate_repo_id(repo_id)?;
    let info = client
        .repo_info(RepoKind::Dataset, repo_id, revision)
        .await?;
    let tree = client
        .list_tree(RepoKind::Dataset, repo_id, &info.sha)
        .await?;
    let card = if tree.iter().any(|e| e.path == "README.md") {
        client
            .small_file(RepoKind::Dataset, repo_id, &info.sha, "README.md")
            .await?
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    } else {
        None
    };
    let (front_matter, body) = card.as_deref().map(split_card).unwrap_or((None, ""));
    let description = card_description(body);

    let files: Vec<&TreeEntry> = tree.iter().filter(|e| e.is_file()).collect();
    let remote = |e: &TreeEntry, rev: &str| RemoteFile {
        path: e.path.clone(),
        size: e.content_size(),
        sha256: e.lfs.as_ref().map(|l| l.oid.clone()),
        oid: e.oid.clone(),
        revision: rev.to_string(),
    };

    let stated_rows = front_matter.map(parse_split_rows).unwrap_or_default();
    let card_configs = front_matter
        .map(parse_card_configs)
        .transpose()?
        .unwrap_or_default();
    let (source, configs) = if !card_configs.is_empty() {
        let mut configs = Vec::new();
        for cfg in card_configs {
            let mut splits = Vec::new();
            for (split, patterns) in cfg.splits {
                let matcher = glob_set(&patterns)?;
                let matched: Vec<RemoteFile> = files
                    .iter()
                    .filter(|e| matcher.is_match(&e.path))
                    .map(|e| remote(e, &info.sha))
                    .collect();
                splits.push(split_files(split, matched));
            }
            configs.push(ConfigInfo {
                name: cfg.name,
                default: cfg.default,
                splits,
            });
        }
        if configs.len() == 1 {
            configs[0].default = true;
        } else if !configs.iter().any(|c| c.default) {
            // As `datasets` does: a config named "default" is the one taken when none is named.
            for c in &mut configs {
                c.default = c.name == "default";
            }
        }
        (FilesSource::Card, configs)
    } else {
        let data: Vec<&TreeEntry> = files
            .iter()
            .copied()
            .filter(|e| is_data_file(&e.path))
            .collect();
        if !data.is_empty() {
            let mut by_split: Vec<(String, Vec<RemoteFile>)> = Vec::new();
            for e in data {
                let split = split_of(&e.path).unwrap_or("train").to_string();
                match by_split.iter_mut().find(|(s, _)| *s == split) {
                    Some((_, files)) => files.push(remote(e, &info.sha)),
                    None => by_split.push((split, vec![remote(e, &info.sha)])),
                }
            }
            by_split.sort_by_key(|(s, _)| split_rank(s));
            let splits = by_split
                .into_iter()
                .map(|(s, f)| split_files(s, f))
                .collect();
            (
                FilesSource::Layout,
                vec![ConfigInfo {
                    name: "default".into(),
                    default: true,
                    splits,
                }],
            )
        } else {
            (
                FilesSource::ParquetBranch,
                parquet_branch_configs(client, repo_id).await?,
            )
        }
    };
    let mut configs = configs;
    for cfg in &mut configs {
        for split in &mut cfg.splits {
            split.num_rows = stated_rows
                .iter()
                .find(|(c, s, _)| *c == cfg.name && *s == split.name)
                .map(|(_, _, rows)| *rows);
        }
    }
    Ok(RepoInspection {
        repo_id: info.id.clone(),
        sha: info.sha.clone(),
        gated: info.is_gated(),
        private: info.private,
        description,
        source,
        configs,
    })
}

fn split_files(name: String, mut files: Vec<RemoteFile>) -> SplitFiles {
    files.sort_by(|a, b| a.path.cmp(&b.path));
    SplitFiles {
        size_bytes: files.iter().map(|f| f.size).sum(),
        name,
        files,
        num_rows: None,
    }
}

async fn parquet_branch_configs(client: &HubClient, repo_id: &str) -> Result<Vec<ConfigInfo>> {
    let info = match client.repo_info(RepoKind::Dataset, repo_id, Some(PARQUET_BRANCH)).await {
        Ok(info) => info,
        Err(e) if e.kind() == crate::ErrorKind::NotFound => {
            return Err(Error::invalid(format!(
                "{repo_id} has no data files the app can read and no parquet conversion on the Hub (it may be built by a loading script); pick another dataset"
            )))
        }
        Err(e) => return Err(e),
    };
    let tree = client
        .list_tree(RepoKind::Dataset, repo_id, &info.sha)
        .await?;
    let mut configs: Vec<ConfigInfo> = Vec::new();
    for e in tree
        .iter()
        .filter(|e| e.is_file() && e.path.ends_with(".parquet"))
    {
        let mut parts = e.path.split('/');
        let (Some(config), Some(split_dir), Some(_file), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let split = split_dir.strip_prefix("partial-").unwrap_or(split_dir);
        let file = RemoteFile {
            path: e.path.clone(),
            size: e.content_size(),
            sha256: e.lfs.as_ref().map(|l| l.oid.clone()),
            oid: e.oid.clone(),
            revision: info.sha.clone(),
        };
        let cfg = match configs.iter_mut().position(|c| c.name == config) {
            Some(i) => &mut configs[i],
            None => {
                configs.push(ConfigInfo {
                    name: config.to_string(),
                    default: config == "default",
                    splits: vec![],
                });
                configs.last_mut().expect("just pushed")
            }
        };
        match cfg.splits.iter_mut().find(|s| s.name == split) {
            Some(s) => {
                s.size_bytes += file.size;
                s.files.push(file);
            }
            None => cfg.splits.push(SplitFiles {
                name: split.to_string(),
                size_bytes: file.size,
                files: vec![file],
                num_rows: None,
            }),
        }
    }
    for cfg in &mut configs {
        cfg.splits.sort_by_key(|s| split_rank(&s.name));
        for s in &mut cfg.splits {
            s.files.sort_by(|a, b| a.path.cmp(&b.path));
        }
    }
    if configs.len() == 1 {
        configs[0].default = true;
    }
    if configs.is_empty() {
        return Err(Error::invalid(format!(
            "the parquet conversion of {repo_id} holds no parquet files; pick another dataset"
        )));
    }
    Ok(configs)
}

/// The split a file belongs to by the `datasets` library's naming conventions.
pub fn split_of(path: &str) -> Option<&'static str> {
    let keyword = |token: &str| match token.to_ascii_lowercase().as_str() {
        "train" | "training" => Some("train"),
        "validation" | "valid" | "val" | "dev" => Some("validation"),
        "test" | "testing" | "eval" | "evaluation" => Some("test"),
        _ => None,
    };
    let mut segments: Vec<&str> = path.split('/').collect();
    let file = segments.pop()?;
    // The file name's first token ("train-00000-of-00002.parquet", "test.jsonl") …
    let first = file.split(['-', '_', '.', ' ']).next().unwrap_or("");
    if let Some(split) = keyword(first) {
        return Some(split);
    }
    // … else a folder named after a split ("data/validation/0.parquet").
    segments.iter().rev().find_map(|seg| keyword(seg))
}

fn split_rank(split: &str) -> (u8, String) {
    let rank = match split {
        "train" => 0,
        "validation" => 1,
        "test" => 2,
        _ => 3,
    };
    (rank, split.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_follow_the_datasets_naming_conventions() {
        assert_eq!(split_of("data/train-00000-of-00002.parquet"), Some("train"));
        assert_eq!(split_of("test.jsonl"), Some("test"));
        assert_eq!(split_of("data/validation/0000.parquet"), Some("validation"));
        assert_eq!(split_of("dev.csv.gz"), Some("validation"));
        assert_eq!(split_of("stories.txt"), None);
        assert_eq!(split_of("data/trainer.parquet"), None);
    }

    #[test]
    fn data_files_are_recognised_by_extension() {
        assert!(is_data_file("data/train.parquet"));
        assert!(is_data_file("x.jsonl.zst"));
        assert!(is_data_file("a/b.csv.gz"));
        assert!(!is_data_file("README.md"));
        assert!(!is_data_file(".gitattributes"));
        assert!(!is_data_file("script.py"));
        assert!(!is_data_file(".cache/x.parquet"));
    }
}
