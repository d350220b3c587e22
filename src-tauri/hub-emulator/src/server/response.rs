//! Building responses: headers, JSON and plain-text bodies, and the Hub's error shape.

use hyper::header::HeaderValue;
use hyper::{Response, StatusCode};
use serde_json::{json, Value};

use crate::body::SentBody;

pub(super) type Resp = Response<SentBody>;

/// Sets a header, skipping values that are not valid header text rather than failing the response.
pub(super) fn set(resp: &mut Resp, name: &'static str, value: impl AsRef<str>) {
    if let Ok(v) = HeaderValue::from_str(value.as_ref()) {
        resp.headers_mut().insert(name, v);
    }
}

pub(super) fn respond(status: StatusCode, body: SentBody) -> Resp {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r
}

pub(super) fn json_resp(status: StatusCode, v: &Value) -> Resp {
    let body = serde_json::to_vec(v).expect("JSON values serialize");
    let len = body.len();
    let mut r = respond(status, SentBody::full(body));
    set(&mut r, "content-type", "application/json; charset=utf-8");
    set(&mut r, "content-length", len.to_string());
    r
}

pub(super) fn redirect(location: String) -> Resp {
    let mut r = respond(StatusCode::FOUND, SentBody::empty());
    set(&mut r, "location", location);
    set(&mut r, "content-length", "0");
    r
}

/// The blob host answers in plain text, as a CDN would, not in the Hub's JSON.
pub(super) fn text(status: StatusCode, msg: &str) -> Resp {
    let mut r = respond(status, SentBody::full(msg.to_string()));
    set(&mut r, "content-type", "text/plain; charset=utf-8");
    set(&mut r, "content-length", msg.len().to_string());
    r
}

/// A Hub API error: clients read the code from `X-Error-Code`, so it must match the real Hub's.
pub(super) fn error(status: StatusCode, code: &str, message: &str) -> Resp {
    let mut r = json_resp(status, &json!({ "error": message }));
    set(&mut r, "x-error-code", code);
    set(&mut r, "x-error-message", message);
    r
}

pub(super) fn not_found_route() -> Resp {
    error(StatusCode::NOT_FOUND, "NotFound", "Not Found")
}

pub(super) fn repo_not_found(status: StatusCode) -> Resp {
    error(status, "RepoNotFound", "Repository not found")
}

pub(super) fn revision_not_found(rev: &str) -> Resp {
    error(
        StatusCode::NOT_FOUND,
        "RevisionNotFound",
        &format!("Invalid rev id: {rev}"),
    )
}

pub(super) fn entry_not_found(path: &str) -> Resp {
    error(
        StatusCode::NOT_FOUND,
        "EntryNotFound",
        &format!("Entry not found: {path}"),
    )
}
