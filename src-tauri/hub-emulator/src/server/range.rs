//! `Range` requests: one byte range honoured with a 206, a range past the end refused with a 416.

use bytes::Bytes;
use hyper::header::{self, HeaderMap};
use hyper::StatusCode;

use super::response::{respond, set, Resp};
use crate::body::SentBody;

enum ByteRange {
    Full,
    Part(u64, u64),
    Unsatisfiable,
}

fn parse_range(header: Option<&str>, total: u64) -> ByteRange {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return ByteRange::Full;
    };
    // Multiple ranges are legal to ignore (RFC 9110); a full 200 is the simple honest answer.
    if spec.contains(',') {
        return ByteRange::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return ByteRange::Full;
    };
    if a.is_empty() {
        return match b.parse::<u64>() {
            Ok(0) => ByteRange::Unsatisfiable,
            Ok(_) if total == 0 => ByteRange::Unsatisfiable,
            Ok(n) => ByteRange::Part(total.saturating_sub(n), total - 1),
            Err(_) => ByteRange::Full,
        };
    }
    let Ok(start) = a.parse::<u64>() else {
        return ByteRange::Full;
    };
    if start >= total {
        return ByteRange::Unsatisfiable;
    }
    let end = if b.is_empty() {
        total - 1
    } else {
        match b.parse::<u64>() {
            Ok(e) => e.min(total - 1),
            Err(_) => return ByteRange::Full,
        }
    };
    if end < start {
        return ByteRange::Full;
    }
    ByteRange::Part(start, end)
}

/// A 200, 206 or 416 for `data` according to the request's `Range` header, advertising that
/// ranges are accepted.
pub(super) fn ranged(
    headers: &HeaderMap,
    data: &Bytes,
    make_body: impl FnOnce(Bytes) -> SentBody,
    content_type: &str,
) -> Resp {
    let total = data.len() as u64;
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let mut r = match parse_range(range, total) {
        ByteRange::Full => {
            let mut r = respond(StatusCode::OK, make_body(data.clone()));
            set(&mut r, "content-length", total.to_string());
            r
        }
        ByteRange::Part(start, end) => {
            let part = data.slice(start as usize..=end as usize);
            let mut r = respond(StatusCode::PARTIAL_CONTENT, make_body(part));
            set(
                &mut r,
                "content-range",
                format!("bytes {start}-{end}/{total}"),
            );
            set(&mut r, "content-length", (end - start + 1).to_string());
            r
        }
        ByteRange::Unsatisfiable => {
            let mut r = respond(StatusCode::RANGE_NOT_SATISFIABLE, SentBody::empty());
            set(&mut r, "content-range", format!("bytes */{total}"));
            set(&mut r, "content-length", "0");
            r
        }
    };
    // A 416 carries no body to give a type to.
    if r.status() != StatusCode::RANGE_NOT_SATISFIABLE {
        set(&mut r, "content-type", content_type);
    }
    set(&mut r, "accept-ranges", "bytes");
    r
}
