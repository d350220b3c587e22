//! What the window may do, checked from the shipped configuration: one capability for the one
//! window, allowing the app's own commands and only the plugin calls it uses; a Content Security
//! Policy that forbids remote and inline script; no inline script in the page. (That every
//! command validates its input in Rust is `tests/commands.rs`; that a token never reaches disk,
//! events, logs or the blob host is the engine's and the CLI's download tests.)

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(path)).unwrap()).unwrap()
}

/// Plugin and core permissions the window needs: listening to the engine's events and the
/// native file/folder picker. Anything more (file system, shell, HTTP, opener…) is a hole.
const PLUGIN_PERMISSIONS: [&str; 3] = [
    "core:event:allow-listen",
    "core:event:allow-unlisten",
    "dialog:allow-open",
];

#[test]
fn the_one_window_gets_the_apps_commands_and_nothing_more() {
    let files: Vec<_> = std::fs::read_dir(root().join("src-tauri/capabilities"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["main-window.json"], "one capability file");
    let cap = json("src-tauri/capabilities/main-window.json");
    assert_eq!(cap["windows"], serde_json::json!(["main"]));
    assert!(cap.get("webviews").is_none());
    assert!(
        cap.get("remote").is_none(),
        "no remote origin may call commands"
    );
    let permissions: Vec<&str> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p.as_str()
                .expect("permissions are plain identifiers, no scopes")
        })
        .collect();
    let plugin: BTreeSet<&str> = permissions
        .iter()
        .copied()
        .filter(|p| p.contains(':'))
        .collect();
    assert_eq!(plugin, PLUGIN_PERMISSIONS.into_iter().collect());
    for p in &permissions {
        assert!(
            !p.ends_with(":default") && !p.contains('*'),
            "{p}: default sets and wildcards grant more than the window uses"
        );
    }
    // The app's own commands are each allowed exactly (tests/bindings.rs checks they match
    // the registered ones).
    assert!(permissions
        .iter()
        .filter(|p| !p.contains(':'))
        .all(|p| p.starts_with("allow-")));
}

/// `directive → sources` of the configured CSP.
fn csp() -> std::collections::BTreeMap<String, Vec<String>> {
    let conf = json("tauri.conf.json");
    let security = &conf["app"]["security"];
    assert!(
        security
            .get("dangerousDisableAssetCspModification")
            .is_none(),
        "Tauri must keep adding its nonces and hashes to the CSP"
    );
    assert!(security.get("freezePrototype").is_none_or(|v| v != false));
    assert!(conf["app"]
        .get("withGlobalTauri")
        .is_none_or(|v| v == false));
    security["csp"]
        .as_object()
        .expect("the CSP is configured per directive")
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str()
                    .unwrap()
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn the_csp_forbids_remote_and_inline_script() {
    let csp = csp();
    assert_eq!(csp["default-src"], ["'self'"]);
    assert_eq!(
        csp["script-src"],
        ["'self'"],
        "no inline, eval or remote script"
    );
    // Nothing may load from the network: the engine does all fetching, in Rust.
    for (directive, sources) in &csp {
        for source in sources {
            let remote = source.starts_with("https:")
                || (source.starts_with("http:") && source != "http://ipc.localhost")
                || source == "*"
                || source.contains("://*");
            assert!(!remote, "{directive} allows {source}");
            if directive != "style-src" {
                assert!(!source.contains("unsafe"), "{directive} allows {source}");
            }
        }
    }
    assert_eq!(csp["connect-src"], ["ipc:", "http://ipc.localhost"]);
    assert!(!csp.contains_key("object-src") || csp["object-src"] == ["'none'"]);
}

#[test]
fn the_page_has_no_inline_script() {
    let html = std::fs::read_to_string(root().join("src-ui/index.html")).unwrap();
    let mut scripts = 0;
    for tag in html.split("<script").skip(1) {
        scripts += 1;
        let (attrs, rest) = tag.split_once('>').unwrap();
        assert!(attrs.contains("src="), "an inline <script>: {attrs}");
        let body = rest.split("</script>").next().unwrap();
        assert!(body.trim().is_empty(), "a script tag with a body");
    }
    assert_eq!(scripts, 1, "the one module entry point");
    for handler in ["onclick=", "onload=", "onerror=", "javascript:"] {
        assert!(!html.contains(handler), "inline handler {handler}");
    }
}
