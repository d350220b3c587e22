//! The JSON API endpoints: repo info, tree listing, paths-info, refs and the Parquet conversion.

use std::collections::BTreeMap;

use hyper::StatusCode;
use serde_json::{json, Value};

use super::response::{
    entry_not_found, error, json_resp, not_found_route, redirect, revision_not_found, set, Resp,
};
use super::routes::Ctx;
use super::url::{enc, enc_path, query_get, query_pairs};
use crate::repo::{Repo, Revision, PARQUET_BRANCH};

impl Ctx<'_> {
    pub(super) fn info(&self, repo: &Repo, rev: &str) -> Resp {
        let Some(r) = repo.revision(rev) else {
            return revision_not_found(rev);
        };
        let blobs = query_get(self.query, "blobs").is_some_and(|v| v == "true" || v == "1");
        json_resp(StatusCode::OK, &repo.info_json(r, blobs))
    }

    pub(super) fn tree(&self, repo: &Repo, rev: &str, path: &str) -> Resp {
        let Some(r) = repo.revision(rev) else {
            return revision_not_found(rev);
        };
        let recursive = query_get(self.query, "recursive")
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
        let Some(entries) = r.list(path, recursive) else {
            return entry_not_found(path);
        };
        let offset = match query_get(self.query, "cursor") {
            None => 0,
            Some(c) => match decode_cursor(&c) {
                Some(o) => o,
                None => return error(StatusCode::BAD_REQUEST, "BadRequest", "Invalid cursor"),
            },
        };
        let page = self.state.config.tree_page_size.max(1);
        let end = (offset + page).min(entries.len());
        let slice = entries.get(offset.min(end)..end).unwrap_or(&[]);
        let mut resp = json_resp(StatusCode::OK, &Value::Array(slice.to_vec()));
        if end < entries.len() {
            let mut q: Vec<String> = self
                .query
                .iter()
                .filter(|(k, _)| k != "cursor")
                .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                .collect();
            q.push(format!("cursor={}", encode_cursor(end)));
            let link = format!(
                "<{}{}?{}>; rel=\"next\"",
                self.state.api_base,
                self.raw_path,
                q.join("&")
            );
            set(&mut resp, "link", link);
        }
        resp
    }

    pub(super) fn parquet(&self, repo: &Repo, rest: &[&str]) -> Resp {
        let Some(layout) = repo.parquet_layout() else {
            return error(
                StatusCode::NOT_FOUND,
                "RevisionNotFound",
                "No parquet conversion (refs/convert/parquet) for this dataset",
            );
        };
        let base = format!("{}/api/datasets/{}/parquet", self.state.api_base, repo.id);
        let urls = |config: &str, split: &str, files: &[String]| -> Value {
            (0..files.len())
                .map(|i| json!(format!("{base}/{}/{}/{i}.parquet", enc(config), enc(split))))
                .collect()
        };
        let splits_json = |config: &str, splits: &BTreeMap<String, Vec<String>>| -> Value {
            splits
                .iter()
                .map(|(split, files)| (split.clone(), urls(config, split, files)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        match rest {
            [] => {
                let all: serde_json::Map<_, _> = layout
                    .iter()
                    .map(|(c, splits)| (c.clone(), splits_json(c, splits)))
                    .collect();
                json_resp(StatusCode::OK, &all.into())
            }
            [config] => match layout.get(*config) {
                Some(splits) => json_resp(StatusCode::OK, &splits_json(config, splits)),
                None => entry_not_found(config),
            },
            [config, split] => match layout.get(*config).and_then(|s| s.get(*split)) {
                Some(files) => json_resp(StatusCode::OK, &urls(config, split, files)),
                None => entry_not_found(&format!("{config}/{split}")),
            },
            [config, split, file] => {
                let n = file
                    .strip_suffix(".parquet")
                    .and_then(|n| n.parse::<usize>().ok());
                let path = layout
                    .get(*config)
                    .and_then(|s| s.get(*split))
                    .zip(n)
                    .and_then(|(files, n)| files.get(n));
                match path {
                    Some(path) => redirect(format!(
                        "{}/resolve/{}/{}",
                        self.state.repo_url(repo),
                        enc(PARQUET_BRANCH),
                        enc_path(path)
                    )),
                    None => entry_not_found(&format!("{config}/{split}/{file}")),
                }
            }
            _ => not_found_route(),
        }
    }
}

pub(super) fn refs(repo: &Repo) -> Resp {
    let (converts, branches): (Vec<&Revision>, Vec<&Revision>) = repo
        .all_revisions()
        .partition(|r| r.name.starts_with("refs/convert/"));
    let entry = |r: &Revision| {
        json!({
            "name": r.name.rsplit('/').next().unwrap_or(&r.name),
            "ref": if r.name.starts_with("refs/") { r.name.clone() } else { format!("refs/heads/{}", r.name) },
            "targetCommit": r.sha,
        })
    };
    json_resp(
        StatusCode::OK,
        &json!({
            "branches": branches.into_iter().map(entry).collect::<Vec<_>>(),
            "converts": converts.into_iter().map(entry).collect::<Vec<_>>(),
            "tags": [],
        }),
    )
}

pub(super) fn paths_info(repo: &Repo, rev: &str, body: &[u8]) -> Resp {
    let Some(r) = repo.revision(rev) else {
        return revision_not_found(rev);
    };
    let paths: Vec<String> = match serde_json::from_slice::<Value>(body) {
        Ok(v) => match &v["paths"] {
            Value::Array(a) => a
                .iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect(),
            Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        },
        Err(_) => query_pairs(&String::from_utf8_lossy(body))
            .into_iter()
            .filter(|(k, _)| k == "paths" || k == "paths[]")
            .map(|(_, v)| v)
            .collect(),
    };
    let out: Vec<Value> = paths.iter().filter_map(|p| r.entry_json(p)).collect();
    json_resp(StatusCode::OK, &Value::Array(out))
}

/// Cursors are opaque to clients; hex keeps them URL-safe without implying a format.
fn encode_cursor(offset: usize) -> String {
    hex::encode(format!("offset:{offset}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    let raw = String::from_utf8(hex::decode(c).ok()?).ok()?;
    raw.strip_prefix("offset:")?.parse().ok()
}
