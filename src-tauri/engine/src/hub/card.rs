//! The dataset card (`README.md`): its YAML front matter's `configs:` (which files make which
//! config and split) and `dataset_info:` (rows per split), and the prose that describes it.

use crate::error::{Error, Result};
use serde::Deserialize;

/// The card's YAML front matter and the Markdown after it.
pub(super) fn split_card(card: &str) -> (Option<&str>, &str) {
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
pub(super) fn card_description(body: &str) -> Option<String> {
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

pub(super) struct CardConfig {
    pub name: String,
    pub default: bool,
    pub splits: Vec<(String, Vec<String>)>,
}

pub(super) fn parse_card_configs(front_matter: &str) -> Result<Vec<CardConfig>> {
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

pub(super) fn glob_set(patterns: &[String]) -> Result<globset::GlobSet> {
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

/// Rows per split as the card's `dataset_info:` states them (one mapping, or a list of them
/// with `config_name:`), as `(config, split, rows)`. A card without it, or unreadable, has none.
pub(super) fn parse_split_rows(front_matter: &str) -> Vec<(String, String, u64)> {
    #[derive(Deserialize)]
    struct FrontMatter {
        dataset_info: Option<serde_yaml::Value>,
    }
    #[derive(Deserialize)]
    struct Info {
        config_name: Option<String>,
        #[serde(default)]
        splits: Vec<SplitRows>,
    }
    #[derive(Deserialize)]
    struct SplitRows {
        name: String,
        num_examples: Option<u64>,
    }
    let Ok(FrontMatter {
        dataset_info: Some(value),
    }) = serde_yaml::from_str::<FrontMatter>(front_matter)
    else {
        return vec![];
    };
    let infos: Vec<Info> = match value {
        serde_yaml::Value::Sequence(items) => items
            .into_iter()
            .filter_map(|i| serde_yaml::from_value(i).ok())
            .collect(),
        other => serde_yaml::from_value(other).into_iter().collect(),
    };
    infos
        .into_iter()
        .flat_map(|info| {
            let config = info.config_name.unwrap_or_else(|| "default".into());
            info.splits
                .into_iter()
                .filter_map(move |s| Some((config.clone(), s.name, s.num_examples?)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn rows_per_split_come_from_dataset_info() {
        let single = "dataset_info:\n  features: []\n  splits:\n  - name: train\n    num_bytes: 10\n    num_examples: 7\n";
        assert_eq!(
            parse_split_rows(single),
            vec![("default".into(), "train".into(), 7)]
        );
        let listed = "dataset_info:\n- config_name: en\n  splits:\n  - name: train\n    num_examples: 3\n  - name: test\n    num_examples: 1\n- config_name: zh\n  splits: []\n";
        assert_eq!(
            parse_split_rows(listed),
            vec![
                ("en".into(), "train".into(), 3),
                ("en".into(), "test".into(), 1)
            ]
        );
        assert!(parse_split_rows("license: mit").is_empty());
        assert!(parse_split_rows(": not yaml [").is_empty());
    }
}
