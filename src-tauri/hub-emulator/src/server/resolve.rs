//! `resolve` URLs: LFS files redirect to the blob host, small files are served inline.

use hyper::StatusCode;

use super::range::ranged;
use super::response::{respond, set, Resp};
use super::routes::Ctx;
use super::url::enc;
use crate::body::SentBody;
use crate::repo::{FileEntry, Repo, Revision};

impl Ctx<'_> {
    pub(super) fn resolve(&self, repo: &Repo, rev: &Revision, file: &FileEntry) -> Resp {
        let mut resp = if file.lfs {
            let mut r = respond(StatusCode::FOUND, SentBody::empty());
            let location = format!(
                "{}/blobs/{}?repo={}&path={}&rev={}",
                self.state.blob_base,
                file.sha256,
                enc(&repo.id),
                enc(&file.path),
                rev.sha
            );
            set(&mut r, "location", location);
            set(&mut r, "x-linked-etag", format!("\"{}\"", file.sha256));
            set(&mut r, "x-linked-size", file.size().to_string());
            set(&mut r, "content-length", "0");
            r
        } else {
            let mut r = ranged(
                self.headers,
                &file.bytes,
                SentBody::full,
                "text/plain; charset=utf-8",
            );
            set(&mut r, "accept-ranges", "bytes");
            r
        };
        set(&mut resp, "x-repo-commit", &rev.sha);
        set(&mut resp, "etag", format!("\"{}\"", file.git_oid));
        resp
    }
}
