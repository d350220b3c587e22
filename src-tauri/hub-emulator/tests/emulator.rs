//! Drives the emulator over real HTTP, the way the app's download code will.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use mistudio_hub_emulator::{EmulatorConfig, Faults, HostKind, HubEmulator, RepoFile, RepoSpec};
use reqwest::{redirect::Policy, Client, Response, StatusCode};
use serde_json::Value;

fn client() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

fn following_client() -> Client {
    Client::builder().build().expect("client")
}

fn header(r: &Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .map(|v| v.to_str().expect("ascii header").to_string())
}

async fn json(r: Response) -> Value {
    serde_json::from_slice(&r.bytes().await.expect("body")).expect("json body")
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(data))
}

/// Deterministic, non-repeating-ish content so corrupted or misplaced bytes are noticed.
fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
}

async fn start() -> HubEmulator {
    start_with(EmulatorConfig::default()).await
}

async fn start_with(config: EmulatorConfig) -> HubEmulator {
    HubEmulator::start(config).await.expect("emulator starts")
}

fn small_dataset(id: &str) -> RepoSpec {
    RepoSpec::dataset(
        id,
        vec![
            RepoFile::new("README.md", "# hello\n"),
            RepoFile::new("data/train.jsonl", payload(5000)),
        ],
    )
}

#[tokio::test]
async fn info_lists_siblings_and_revisions() {
    let hub = start().await;
    hub.add_repo(
        small_dataset("org/ds")
            .with_card_data(serde_json::json!({"license": "mit"}))
            .with_branch(
                "refs/convert/parquet",
                vec![RepoFile::new("default/train/0000.parquet", "PAR1")],
            ),
    );
    let c = client();
    let r = c
        .get(format!("{}/api/datasets/org/ds", hub.endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let info = json(r).await;
    assert_eq!(info["id"], "org/ds");
    assert_eq!(info["private"], false);
    assert_eq!(info["gated"], false);
    assert_eq!(info["disabled"], false);
    assert_eq!(info["cardData"]["license"], "mit");
    let sha = info["sha"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 40);
    assert!(sha.chars().all(|c| c.is_ascii_hexdigit()));
    let names: HashSet<&str> = info["siblings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rfilename"].as_str().unwrap())
        .collect();
    assert_eq!(names, HashSet::from(["README.md", "data/train.jsonl"]));

    for rev in ["main", &sha] {
        let r = c
            .get(format!(
                "{}/api/datasets/org/ds/revision/{rev}",
                hub.endpoint()
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(json(r).await["sha"], sha.as_str());
    }
    let r = c
        .get(format!(
            "{}/api/datasets/org/ds/revision/refs%2Fconvert%2Fparquet",
            hub.endpoint()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let conv = json(r).await;
    assert_ne!(conv["sha"], sha.as_str());
    assert_eq!(
        conv["siblings"][0]["rfilename"],
        "default/train/0000.parquet"
    );

    // The commit id is a pure function of the content.
    let again = start().await;
    again.add_repo(small_dataset("org/ds"));
    let r = c
        .get(format!("{}/api/datasets/org/ds", again.endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(json(r).await["sha"], sha.as_str());
    hub.shutdown().await;
    again.shutdown().await;
}

#[tokio::test]
async fn tree_pages_with_absolute_link_and_lists_each_entry_once() {
    let hub = start_with(EmulatorConfig {
        tree_page_size: 7,
        ..EmulatorConfig::default()
    })
    .await;
    let mut files = vec![RepoFile::new("README.md", "# many\n")];
    files.extend((0..40).map(|i| RepoFile::new(format!("shards/part-{i:03}.txt"), "x")));
    files.push(RepoFile::new("shards/nested/deep.bin", payload(10)));
    hub.add_repo(RepoSpec::dataset("org/many", files));
    let c = client();

    let mut url = format!(
        "{}/api/datasets/org/many/tree/main?recursive=true&expand=false",
        hub.endpoint()
    );
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let r = c.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let link = header(&r, "link");
        let page = json(r).await;
        let page = page.as_array().unwrap();
        assert!(page.len() <= 7);
        seen.extend(page.iter().map(|e| e["path"].as_str().unwrap().to_string()));
        pages += 1;
        match link {
            Some(l) => {
                let next = l
                    .strip_prefix('<')
                    .and_then(|l| l.strip_suffix(">; rel=\"next\""))
                    .expect("Link: <url>; rel=\"next\"");
                assert!(next.starts_with(&format!(
                    "{}/api/datasets/org/many/tree/main?",
                    hub.endpoint()
                )));
                assert!(next.contains("recursive=true"));
                assert!(next.contains("cursor="));
                url = next.to_string();
            }
            None => break,
        }
    }
    // README + 41 files + directories "shards" and "shards/nested".
    assert_eq!(seen.len(), 44);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 44);
    assert_eq!(pages, 7);

    // Non-recursive: one level only.
    let r = c
        .get(format!(
            "{}/api/datasets/org/many/tree/main",
            hub.endpoint()
        ))
        .send()
        .await
        .unwrap();
    let root = json(r).await;
    let root = root.as_array().unwrap();
    assert_eq!(root.len(), 2);
    let dir = root.iter().find(|e| e["path"] == "shards").unwrap();
    assert_eq!(dir["type"], "directory");
    assert_eq!(dir["size"], 0);
    let readme = root.iter().find(|e| e["path"] == "README.md").unwrap();
    assert_eq!(readme["type"], "file");
    assert!(readme.get("lfs").is_none());
    assert_eq!(readme["oid"].as_str().unwrap().len(), 40);

    let r = c
        .get(format!(
            "{}/api/datasets/org/many/tree/main/shards/nested?recursive=false",
            hub.endpoint()
        ))
        .send()
        .await
        .unwrap();
    let nested = json(r).await;
    assert_eq!(nested.as_array().unwrap().len(), 1);
    let deep = &nested[0];
    assert_eq!(deep["path"], "shards/nested/deep.bin");
    assert_eq!(deep["size"], 10);
    assert_eq!(deep["lfs"]["oid"], sha256_hex(&payload(10)));
    assert_eq!(deep["lfs"]["size"], 10);
    assert!(deep["lfs"]["pointerSize"].as_u64().unwrap() > 100);

    let r = c
        .get(format!(
            "{}/api/datasets/org/many/tree/main/nope",
            hub.endpoint()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&r, "x-error-code").as_deref(), Some("EntryNotFound"));
    hub.shutdown().await;
}

#[tokio::test]
async fn paths_info_accepts_json_and_form() {
    let hub = start().await;
    hub.add_repo(small_dataset("org/ds"));
    let c = client();
    let url = format!("{}/api/datasets/org/ds/paths-info/main", hub.endpoint());
    let r = c
        .post(&url)
        .header("content-type", "application/json")
        .body(r#"{"paths": ["data/train.jsonl", "missing.txt", "data"], "expand": true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v = json(r).await;
    let v = v.as_array().unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["path"], "data/train.jsonl");
    assert_eq!(v[0]["size"], 5000);
    assert_eq!(v[0]["lfs"]["oid"], sha256_hex(&payload(5000)));
    assert_eq!(v[1]["type"], "directory");

    let r = c
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("paths=README.md&paths=data%2Ftrain.jsonl")
        .send()
        .await
        .unwrap();
    let v = json(r).await;
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["path"], "README.md");
    hub.shutdown().await;
}

#[tokio::test]
async fn resolve_redirects_lfs_files_to_the_blob_host() {
    let hub = start().await;
    hub.add_repo(small_dataset("org/ds"));
    hub.add_repo(RepoSpec::model(
        "tiny",
        vec![RepoFile::new("config.json", "{\"a\": 1}")],
    ));
    let c = client();
    let sha = json(
        c.get(format!("{}/api/datasets/org/ds", hub.endpoint()))
            .send()
            .await
            .unwrap(),
    )
    .await["sha"]
        .as_str()
        .unwrap()
        .to_string();
    let data = payload(5000);
    let url = format!(
        "{}/datasets/org/ds/resolve/main/data/train.jsonl",
        hub.endpoint()
    );
    for head in [true, false] {
        let req = if head { c.head(&url) } else { c.get(&url) };
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(header(&r, "x-repo-commit").unwrap(), sha);
        assert_eq!(
            header(&r, "x-linked-etag").unwrap(),
            format!("\"{}\"", sha256_hex(&data))
        );
        assert_eq!(header(&r, "x-linked-size").unwrap(), "5000");
        let etag = header(&r, "etag").unwrap();
        assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 42);
        assert_eq!(header(&r, "content-length").unwrap(), "0");
        let location = header(&r, "location").unwrap();
        assert!(location.starts_with(&format!("{}/blobs/{}", hub.blob_base(), sha256_hex(&data))));
        assert_ne!(hub.endpoint(), hub.blob_base());

        let b = c.get(&location).send().await.unwrap();
        assert_eq!(b.status(), StatusCode::OK);
        assert_eq!(header(&b, "accept-ranges").unwrap(), "bytes");
        assert_eq!(header(&b, "content-length").unwrap(), "5000");
        assert_eq!(
            header(&b, "etag").unwrap(),
            format!("\"{}\"", sha256_hex(&data))
        );
        assert_eq!(b.bytes().await.unwrap().as_ref(), &data[..]);
    }

    // Small README is not LFS: served directly.
    let url = format!("{}/datasets/org/ds/resolve/main/README.md", hub.endpoint());
    let r = c.head(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-length").unwrap(), "8");
    assert_eq!(header(&r, "x-repo-commit").unwrap(), sha);
    assert!(header(&r, "x-linked-etag").is_none());
    assert!(r.bytes().await.unwrap().is_empty());
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"# hello\n");

    // Models resolve at the root, here with a one-segment id; by commit sha too.
    let r = c
        .get(format!("{}/tiny/resolve/main/config.json", hub.endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let r = following_client()
        .get(format!("{}/tiny/resolve/main/config.json", hub.endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"{\"a\": 1}");
    let r = c
        .get(format!(
            "{}/datasets/org/ds/resolve/{sha}/README.md",
            hub.endpoint()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    hub.shutdown().await;
}

#[tokio::test]
async fn blob_ranges_answer_206_or_416() {
    let hub = start().await;
    hub.add_repo(small_dataset("org/ds"));
    let data = payload(5000);
    let url = format!("{}/blobs/{}", hub.blob_base(), sha256_hex(&data));
    let c = client();

    let r = c
        .get(&url)
        .header("range", "bytes=1000-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&r, "content-range").unwrap(), "bytes 1000-4999/5000");
    assert_eq!(header(&r, "content-length").unwrap(), "4000");
    assert_eq!(r.bytes().await.unwrap().as_ref(), &data[1000..]);

    let r = c
        .get(&url)
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&r, "content-range").unwrap(), "bytes 10-19/5000");
    assert_eq!(r.bytes().await.unwrap().as_ref(), &data[10..20]);

    let r = c
        .get(&url)
        .header("range", "bytes=-100")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "content-range").unwrap(), "bytes 4900-4999/5000");

    let r = c
        .get(&url)
        .header("range", "bytes=5000-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(header(&r, "content-range").unwrap(), "bytes */5000");

    let r = c.head(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-length").unwrap(), "5000");

    let r = c
        .get(format!("{}/blobs/{}", hub.blob_base(), "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    hub.shutdown().await;
}

#[tokio::test]
async fn gated_and_private_repos_need_a_granted_token() {
    let hub = start().await;
    hub.add_repo(small_dataset("org/gated").gated());
    hub.add_repo(small_dataset("org/secret").private());
    hub.grant("hf_good", "org/gated");
    hub.grant("hf_good", "org/secret");
    let c = client();
    let e = hub.endpoint();

    for url in [
        format!("{e}/api/datasets/org/gated"),
        format!("{e}/api/datasets/org/gated/tree/main"),
        format!("{e}/datasets/org/gated/resolve/main/data/train.jsonl"),
    ] {
        let r = c.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{url}");
        assert_eq!(header(&r, "x-error-code").as_deref(), Some("GatedRepo"));
        assert!(json(r).await["error"].is_string());

        let r = c.get(&url).bearer_auth("hf_other").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{url}");
        assert_eq!(header(&r, "x-error-code").as_deref(), Some("GatedRepo"));

        let r = c.get(&url).bearer_auth("hf_good").send().await.unwrap();
        assert!(
            r.status() == StatusCode::OK || r.status() == StatusCode::FOUND,
            "{url}: {}",
            r.status()
        );
    }
    let r = c
        .get(format!("{e}/api/datasets/org/gated"))
        .bearer_auth("hf_good")
        .send()
        .await
        .unwrap();
    assert_eq!(json(r).await["gated"], "auto");

    // The blob host is like a signed CDN URL: no token needed.
    let r = c
        .get(format!(
            "{e}/datasets/org/gated/resolve/main/data/train.jsonl"
        ))
        .bearer_auth("hf_good")
        .send()
        .await
        .unwrap();
    let location = header(&r, "location").unwrap();
    assert_eq!(
        c.get(&location).send().await.unwrap().status(),
        StatusCode::OK
    );

    for url in [
        format!("{e}/api/datasets/org/secret"),
        format!("{e}/datasets/org/secret/resolve/main/README.md"),
    ] {
        let r = c.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(header(&r, "x-error-code").as_deref(), Some("RepoNotFound"));
        let r = c.get(&url).bearer_auth("hf_other").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(header(&r, "x-error-code").as_deref(), Some("RepoNotFound"));
        let r = c.get(&url).bearer_auth("hf_good").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    hub.shutdown().await;
}

#[tokio::test]
async fn real_hub_mode_leaves_gated_metadata_readable() {
    let hub = start_with(EmulatorConfig {
        gated_metadata_public: true,
        ..EmulatorConfig::default()
    })
    .await;
    hub.add_repo(small_dataset("org/gated").gated());
    let c = client();
    let r = c
        .get(format!("{}/api/datasets/org/gated", hub.endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(json(r).await["gated"], "auto");
    let r = c
        .get(format!(
            "{}/datasets/org/gated/resolve/main/data/train.jsonl",
            hub.endpoint()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    hub.shutdown().await;
}

#[tokio::test]
async fn missing_things_get_404_with_the_hub_error_codes() {
    let hub = start().await;
    hub.add_repo(small_dataset("org/ds"));
    let c = client();
    let e = hub.endpoint();
    let cases = [
        (format!("{e}/api/datasets/org/nope"), "RepoNotFound"),
        (format!("{e}/api/models/org/ds"), "RepoNotFound"),
        (
            format!("{e}/datasets/org/nope/resolve/main/x"),
            "RepoNotFound",
        ),
        (
            format!("{e}/api/datasets/org/ds/revision/v9"),
            "RevisionNotFound",
        ),
        (
            format!("{e}/api/datasets/org/ds/revision/refs%2Fconvert%2Fparquet"),
            "RevisionNotFound",
        ),
        (
            format!("{e}/api/datasets/org/ds/tree/v9"),
            "RevisionNotFound",
        ),
        (
            format!("{e}/datasets/org/ds/resolve/v9/README.md"),
            "RevisionNotFound",
        ),
        (
            format!("{e}/datasets/org/ds/resolve/main/nope.txt"),
            "EntryNotFound",
        ),
        (
            format!("{e}/datasets/org/ds/resolve/main/data"),
            "EntryNotFound",
        ),
        (
            format!("{e}/api/datasets/org/ds/parquet"),
            "RevisionNotFound",
        ),
    ];
    for (url, code) in cases {
        let r = c.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{url}");
        assert_eq!(header(&r, "x-error-code").as_deref(), Some(code), "{url}");
        assert!(json(r).await["error"].is_string());
    }
    hub.shutdown().await;
}

/// Resolves `path` of `org/ds` to its blob URL.
async fn blob_url(hub: &HubEmulator, path: &str) -> String {
    let r = client()
        .get(format!(
            "{}/datasets/org/ds/resolve/main/{path}",
            hub.endpoint()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    header(&r, "location").unwrap()
}

#[tokio::test]
async fn rate_limit_then_success() {
    let hub = start().await;
    hub.add_repo(small_dataset("org/ds"));
    hub.set_faults(
        "org/ds",
        "data/train.jsonl",
        Faults {
            rate_limit_first: 2,
            retry_after_secs: 7,
            ..Faults::default()
        },
    );
    let url = blob_url(&hub, "data/train.jsonl").await;
    let c = client();
    // HEAD does not consume the countdown.
    assert_eq!(c.head(&url).send().await.unwrap().status(), StatusCode::OK);
    for _ in 0..2 {
        let r = c.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(header(&r, "retry-after").as_deref(), Some("7"));
    }
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().len(), 5000);
    hub.shutdown().await;
}

#[tokio::test]
async fn server_errors_then_success() {
    let hub = start().await;
    hub.add_repo(small_dataset("org/ds"));
    hub.set_faults(
        "org/ds",
        "data/train.jsonl",
        Faults {
            fail_first_5xx: 3,
            ..Faults::default()
        },
    );
    let url = blob_url(&hub, "data/train.jsonl").await;
    let c = client();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(c.get(&url).send().await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [500, 503, 500, 200]);
    hub.shutdown().await;
}

#[tokio::test]
async fn reset_cuts_the_body_after_exactly_n_bytes_then_recovers() {
    let hub = start().await;
    let data = payload(100_000);
    hub.add_repo(RepoSpec::dataset(
        "org/ds",
        vec![RepoFile::new("big.bin", data.clone())],
    ));
    hub.set_faults(
        "org/ds",
        "big.bin",
        Faults {
            reset_after_bytes: Some(30_000),
            reset_times: 1,
            ..Faults::default()
        },
    );
    let url = blob_url(&hub, "big.bin").await;
    let c = client();
    let mut r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-length").as_deref(), Some("100000"));
    let mut got = Vec::new();
    let err = loop {
        match r.chunk().await {
            Ok(Some(chunk)) => got.extend_from_slice(&chunk),
            Ok(None) => panic!("body completed after {} bytes", got.len()),
            Err(e) => break e,
        }
    };
    assert_eq!(got.len(), 30_000, "error after {} bytes: {err}", got.len());
    assert_eq!(got, data[..30_000]);

    // Resuming with a Range now succeeds.
    let r = c
        .get(&url)
        .header("range", "bytes=30000-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    got.extend_from_slice(&r.bytes().await.unwrap());
    assert_eq!(got, data);

    let blob_gets: Vec<_> = hub
        .requests()
        .into_iter()
        .filter(|q| q.host == HostKind::Blob)
        .collect();
    assert_eq!(blob_gets[0].body_bytes, 30_000);
    assert_eq!(blob_gets[1].body_bytes, 70_000);
    hub.shutdown().await;
}

#[tokio::test]
async fn wrong_bytes_keep_length_and_advertised_hash() {
    let hub = start().await;
    hub.add_repo(small_dataset("org/ds"));
    hub.set_faults(
        "org/ds",
        "data/train.jsonl",
        Faults {
            wrong_bytes: true,
            ..Faults::default()
        },
    );
    let data = payload(5000);
    let url = blob_url(&hub, "data/train.jsonl").await;
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(
        header(&r, "etag").unwrap(),
        format!("\"{}\"", sha256_hex(&data))
    );
    assert_eq!(header(&r, "content-length").as_deref(), Some("5000"));
    let body = r.bytes().await.unwrap();
    assert_eq!(body.len(), data.len());
    assert_ne!(body.as_ref(), &data[..]);
    assert_ne!(sha256_hex(&body), sha256_hex(&data));
    hub.shutdown().await;
}

#[tokio::test]
async fn throttle_slows_the_body_down() {
    let hub = start().await;
    let data = payload(200_000);
    hub.add_repo(RepoSpec::dataset(
        "org/ds",
        vec![RepoFile::new("big.bin", data.clone())],
    ));
    hub.set_faults(
        "org/ds",
        "big.bin",
        Faults {
            bytes_per_sec: Some(400_000),
            ..Faults::default()
        },
    );
    let url = blob_url(&hub, "big.bin").await;
    let t = Instant::now();
    let body = client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let took = t.elapsed();
    assert_eq!(body.as_ref(), &data[..]);
    // 200 KB at 400 KB/s is 0.5 s; only a lower bound is reliable on a busy machine.
    assert!(took >= Duration::from_millis(350), "took {took:?}");
    hub.shutdown().await;
}

#[tokio::test]
async fn parquet_endpoint_maps_configs_and_splits() {
    let hub = start().await;
    hub.add_repo(small_dataset("org/ds").with_branch(
        "refs/convert/parquet",
        vec![
            RepoFile::new("default/train/0000.parquet", "PAR1-train-0"),
            RepoFile::new("default/train/0001.parquet", "PAR1-train-1"),
            RepoFile::new("default/partial-test/0000.parquet", "PAR1-test-0"),
            RepoFile::new("other/validation/0000.parquet", "PAR1-val-0"),
        ],
    ));
    let e = hub.endpoint();
    let c = client();
    let r = c
        .get(format!("{e}/api/datasets/org/ds/parquet"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v = json(r).await;
    assert_eq!(
        v,
        serde_json::json!({
            "default": {
                "test": [format!("{e}/api/datasets/org/ds/parquet/default/test/0.parquet")],
                "train": [
                    format!("{e}/api/datasets/org/ds/parquet/default/train/0.parquet"),
                    format!("{e}/api/datasets/org/ds/parquet/default/train/1.parquet"),
                ],
            },
            "other": {
                "validation": [format!("{e}/api/datasets/org/ds/parquet/other/validation/0.parquet")],
            },
        })
    );
    let r = c
        .get(format!("{e}/api/datasets/org/ds/parquet/default/train"))
        .send()
        .await
        .unwrap();
    assert_eq!(json(r).await.as_array().unwrap().len(), 2);

    // The listed URLs lead to the files through resolve on the conversion branch.
    let f = following_client();
    for (url, want) in [
        (v["default"]["train"][1].as_str().unwrap(), "PAR1-train-1"),
        (v["default"]["test"][0].as_str().unwrap(), "PAR1-test-0"),
    ] {
        let r = f.get(url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.bytes().await.unwrap().as_ref(), want.as_bytes());
    }
    // Unencoded conversion branch in a resolve URL works too.
    let r = f
        .get(format!(
            "{e}/datasets/org/ds/resolve/refs/convert/parquet/other/validation/0000.parquet"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"PAR1-val-0");
    hub.shutdown().await;
}

#[tokio::test]
async fn request_log_records_host_range_and_authorization() {
    let hub = start().await;
    hub.add_repo(small_dataset("org/ds"));
    hub.clear_requests();
    let url = format!(
        "{}/datasets/org/ds/resolve/main/data/train.jsonl",
        hub.endpoint()
    );
    // A redirect to another host must drop the token; reqwest does, and the log proves it.
    let r = following_client()
        .get(&url)
        .bearer_auth("hf_secret")
        .header("range", "bytes=100-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.bytes().await.unwrap().len(), 4900);
    let log = hub.requests();
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0].host, HostKind::Api);
    assert_eq!(log[0].method, "GET");
    assert_eq!(
        log[0].path,
        "/datasets/org/ds/resolve/main/data/train.jsonl"
    );
    assert_eq!(log[0].status, 302);
    assert!(log[0].authorization);
    assert_eq!(log[1].host, HostKind::Blob);
    assert!(log[1].path.starts_with("/blobs/"));
    assert_eq!(log[1].range.as_deref(), Some("bytes=100-"));
    assert!(!log[1].authorization);
    assert_eq!(log[1].status, 206);
    assert_eq!(log[1].body_bytes, 4900);

    hub.clear_requests();
    assert!(hub.requests().is_empty());
    hub.shutdown().await;
}

#[tokio::test]
async fn repos_added_while_running_are_served() {
    let hub = start().await;
    let c = client();
    let url = format!("{}/api/datasets/late", hub.endpoint());
    assert_eq!(
        c.get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    hub.add_repo(RepoSpec::dataset("late", vec![RepoFile::new("a.txt", "a")]));
    let r = c.get(&url).send().await.unwrap();
    assert_eq!(json(r).await["id"], "late");
    let r = c
        .get(format!("{}/api/datasets/late/tree/main", hub.endpoint()))
        .send()
        .await
        .unwrap();
    assert_eq!(json(r).await[0]["path"], "a.txt");
    hub.shutdown().await;
}

#[tokio::test]
async fn binary_prints_its_endpoint_and_serves_demo_repos() {
    use tokio::io::AsyncBufReadExt as _;
    let corpus =
        std::env::temp_dir().join(format!("hub-emulator-corpus-{}.bin", std::process::id()));
    std::fs::write(&corpus, b"PAR1 not really parquet PAR1").unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hub-emulator"))
        .args(["--port", "0", "--blob-port", "0", "--corpus"])
        .arg(&corpus)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn hub-emulator");
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("first line in time")
        .unwrap()
        .expect("a first line");
    let rest = first
        .strip_prefix("hub-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"));
    let (endpoint, blobs) = rest.split_once(" (blobs on ").unwrap();
    assert!(endpoint.starts_with("http://localhost:"));
    assert!(blobs.starts_with("http://127.0.0.1:") && blobs.ends_with(')'));

    let c = client();
    let r = c
        .get(format!("{endpoint}/api/datasets/demo/tiny-jsonl"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json(r).await["id"], "demo/tiny-jsonl");
    let r = following_client()
        .get(format!(
            "{endpoint}/datasets/demo/corpus/resolve/main/data/train-00000-of-00001.parquet"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        b"PAR1 not really parquet PAR1"
    );
    let r = c
        .get(format!("{endpoint}/api/datasets/demo/corpus/parquet"))
        .send()
        .await
        .unwrap();
    assert!(json(r).await["default"]["train"][0].is_string());

    child.kill().await.unwrap();
    let _ = std::fs::remove_file(&corpus);
}
