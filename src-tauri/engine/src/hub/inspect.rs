//! Which files make which config and split: the card's `configs:` first, then the standard file
//! layouts of the `datasets` library, then the Hub's `refs/convert/parquet` branch.

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

/// The card's YAML front matter and the Markdown after it.
fn split_card(card: &str) -> (Option<&str>, &str) {
    let Some(rest) = card
        .strip_prefix("---\n")
        .or_else(|| card.strip_prefix("---\r\n"))
    else {
        return (None, card);
    };
    match rest.find("\n---") {
        Some(end) => {
            let body_start = rest[end + 4..]
                .find('\n')
                .map_or(rest.len(), |i| end + 4 + i + 1);
            (Some(&rest[..end]), &rest[body_start.min(rest.len())..])
        }
        None => (None, card),
    }
}

/// The first paragraph of prose in the card: what the dataset is, in its authors' words.
fn card_description(body: &str) -> Option<String> {
    let paragraph = body.split("\n\n").map(str::trim).find(|p| {
        !p.is_empty()
            && !p.starts_with('#')
            && !p.starts_with('<')
            && !p.starts_with('[')
            && !p.starts_with('!')
            && !p.starts_with('|')
            && !p.starts_with("```")
            && !p.starts_with('-')
    })?;
    let text: String = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(if text.chars().count() > 600 {
        format!("{}…", text.chars().take(600).collect::<String>())
    } else {
        text
    })
}

struct CardConfig {
    name: String,
    default: bool,
    splits: Vec<(String, Vec<String>)>,
}

fn parse_card_configs(front_matter: &str) -> Result<Vec<CardConfig>> {
    #[derive(Deserialize)]
    struct FrontMatter {
        #[serde(default)]
        configs: Vec<RawConfig>,
    }
    #[derive(Deserialize)]
    struct RawConfig {
        config_name: Option<String>,
        #[serde(default)]
        default: bool,
        data_files: Option<serde_yaml::Value>,
    }
    let doc: FrontMatter = match serde_yaml::from_str(front_matter) {
        Ok(doc) => doc,
        // A card whose YAML we cannot read still has files: fall back to the layouts.
        Err(e) => {
            tracing::warn!(error = %e, "dataset card front matter unreadable; using file layouts");
            return Ok(vec![]);
        }
    };
    let strings = |v: &serde_yaml::Value| -> Vec<String> {
        match v {
            serde_yaml::Value::String(s) => vec![s.clone()],
            serde_yaml::Value::Sequence(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => vec![],
        }
    };
    let mut out = Vec::new();
    for raw in doc.configs {
        let name = raw.config_name.unwrap_or_else(|| "default".into());
        let splits = match raw.data_files {
            None => continue,
            Some(serde_yaml::Value::Sequence(items)) if items.iter().any(|i| i.is_mapping()) => {
                items
                    .iter()
                    .filter_map(|item| {
                        let split = item.get("split")?.as_str()?.to_string();
                        let paths = strings(item.get("path")?);
                        Some((split, paths))
                    })
                    .collect()
            }
            Some(serde_yaml::Value::Mapping(map)) => map
                .iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), strings(v))))
                .collect(),
            Some(other) => vec![("train".to_string(), strings(&other))],
        };
        out.push(CardConfig {
            name,
            default: raw.default,
            splits,
        });
    }
    Ok(out)
}

fn glob_set(patterns: &[String]) -> Result<globset::GlobSet> {
    let mut builder = globset::GlobSetBuilder::new();
    for p in patterns {
        let glob = globset::GlobBuilder::new(p.trim_start_matches("./"))
            .literal_separator(true)
            .build()
            .map_err(|e| {
                Error::invalid(format!(
                    "the dataset card has a bad data_files pattern {p:?}: {e}"
                ))
            })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| {
        Error::invalid(format!(
            "the dataset card's data_files patterns are unusable: {e}"
        ))
    })
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

    #[test]
    fn card_configs_in_every_documented_shape() {
        let yaml = r#"
license: mit
configs:
- config_name: en
  default: true
  data_files:
  - split: train
    path: "en/train-*.parquet"
  - split: test
    path: ["en/test.parquet"]
- config_name: zh
  data_files: "zh/*.jsonl"
- config_name: mapped
  data_files:
    train: a.csv
    validation: [b.csv, c.csv]
"#;
        let configs = parse_card_configs(yaml).unwrap();
        assert_eq!(configs.len(), 3);
        assert!(configs[0].default);
        assert_eq!(
            configs[0].splits,
            vec![
                ("train".to_string(), vec!["en/train-*.parquet".to_string()]),
                ("test".to_string(), vec!["en/test.parquet".to_string()]),
            ]
        );
        assert_eq!(
            configs[1].splits,
            vec![("train".to_string(), vec!["zh/*.jsonl".to_string()])]
        );
        assert_eq!(
            configs[2].splits[1],
            (
                "validation".to_string(),
                vec!["b.csv".to_string(), "c.csv".to_string()]
            )
        );
        let m = glob_set(&["en/train-*.parquet".into()]).unwrap();
        assert!(m.is_match("en/train-00001.parquet"));
        assert!(!m.is_match("en/sub/train-00001.parquet"));
    }

    #[test]
    fn the_card_is_split_into_front_matter_and_description() {
        let card = "---\nconfigs: []\n---\n\n# TinyStories\n\n[![badge](x)](y)\n\nA dataset of short\nstories for small models.\n\n## Usage\n";
        let (fm, body) = split_card(card);
        assert_eq!(fm, Some("configs: []"));
        assert_eq!(
            card_description(body).as_deref(),
            Some("A dataset of short stories for small models.")
        );
        assert_eq!(split_card("no front matter").0, None);
    }
}
