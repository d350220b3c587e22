//! `resolve` URLs: LFS files redirect to the blob host, small files are served inline.

use super::range::ranged;
use super::response::{redirect, set, Resp};
use super::routes::Ctx;
use super::url::enc;
use crate::body::SentBody;
use crate::repo::{FileEntry, Repo, Revision};

impl Ctx<'_> {
    pub(super) fn resolve(&self, repo: &Repo, rev: &Revision, file: &FileEntry) -> Resp {
        let mut resp = if file.lfs {
            let mut r = redirect(format!(
                "{}/blobs/{}?repo={}&path={}&rev={}",
                self.state.blob_base,
                file.sha256,
                enc(&repo.id),
                enc(&file.path),
                rev.sha
            ));
            set(&mut r, "x-linked-etag", format!("\"{}\"", file.sha256));
            set(&mut r, "x-linked-size", file.size().to_string());
            r
        } else {
            ranged(
                self.headers,
                &file.bytes,
                SentBody::full,
                "text/plain; charset=utf-8",
            )
        };
        set(&mut resp, "x-repo-commit", &rev.sha);
        set(&mut resp, "etag", format!("\"{}\"", file.git_oid));
        resp
    }
}
