//! Percent-encoding both ways: decoding the paths and queries of requests, and encoding ids and
//! file paths into the URLs the emulator hands out.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Encodes everything but unreserved characters, like Python's `quote(s, safe="")`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Like [`COMPONENT`] but keeps `/`, for file paths inside URLs.
const PATH: &AsciiSet = &COMPONENT.remove(b'/');

pub(super) fn enc(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

pub(super) fn enc_path(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// Path split on `/` with each segment decoded on its own, so `refs%2Fconvert%2Fparquet` stays
/// one segment.
pub(super) fn segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect()
}

/// Query pairs, decoded, `+` as space.
pub(super) fn query_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

pub(super) fn query_get(q: &[(String, String)], key: &str) -> Option<String> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}
