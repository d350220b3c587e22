//! The blob host: file contents by sha256, standing in for the CDN that `resolve` redirects LFS
//! files to, and the only place [`crate::Faults`] apply.

use hyper::body::Incoming;
use hyper::{Request, StatusCode};

use super::range::ranged;
use super::response::{set, text, Resp};
use super::url::{query_get, query_pairs, segments};
use super::State;
use super::{faults, is_read};

pub(super) fn blob_host(state: &State, req: &Request<Incoming>) -> Resp {
    let segs = segments(req.uri().path());
    let ["blobs", sha] = segs.iter().map(String::as_str).collect::<Vec<_>>()[..] else {
        return text(StatusCode::NOT_FOUND, "Not Found");
    };
    if !is_read(req.method()) {
        return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    }
    let (data, owner) = {
        let blobs = state.blobs.read().expect("blob map lock");
        match blobs.get(sha) {
            Some(b) => (b.bytes.clone(), b.owner.clone()),
            None => return text(StatusCode::NOT_FOUND, "Not Found"),
        }
    };
    let query = query_pairs(req.uri().query().unwrap_or(""));
    let key = match (query_get(&query, "repo"), query_get(&query, "path")) {
        (Some(r), Some(p)) => (r, p),
        _ => owner,
    };
    let delivery = match faults::next(state, &key, req.method()) {
        Ok(d) => d,
        Err(refusal) => return *refusal,
    };
    let mut r = ranged(
        req.headers(),
        &data,
        |part| delivery.body(part),
        "application/octet-stream",
    );
    set(&mut r, "etag", format!("\"{sha}\""));
    r
}
