//! Who may read a repository: bearer tokens, grants, and the Hub's refusals for private and gated
//! repositories.

use hyper::header::{self, HeaderMap};
use hyper::StatusCode;

use super::response::{error, repo_not_found, Resp};
use super::State;
use crate::repo::Repo;

pub(super) fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The refusal of `repo` to a request bearing `token`, if any; `metadata` marks routes the real
/// Hub leaves readable for gated repos.
pub(super) fn denied(
    state: &State,
    token: Option<&str>,
    repo: &Repo,
    metadata: bool,
) -> Option<Resp> {
    let granted = token.is_some_and(|t| {
        state
            .grants
            .lock()
            .expect("grant lock")
            .get(t)
            .is_some_and(|ids| ids.contains(&repo.id))
    });
    if granted {
        return None;
    }
    if repo.private {
        // Like the Hub: the code says "not found" so that a private repo's existence does not leak.
        return Some(repo_not_found(StatusCode::UNAUTHORIZED));
    }
    if repo.gated && !(metadata && state.config.gated_metadata_public) {
        let noun = repo.kind.noun();
        let url = state.repo_url(repo);
        return Some(match token {
            None => error(
                StatusCode::UNAUTHORIZED,
                "GatedRepo",
                &format!(
                    "Access to {noun} {} is restricted. You must have access to it and be \
                     authenticated to access it. Please log in.",
                    repo.id
                ),
            ),
            Some(_) => error(
                StatusCode::FORBIDDEN,
                "GatedRepo",
                &format!(
                    "Access to {noun} {} is restricted and you are not in the authorized \
                     list. Visit {url} to ask for access.",
                    repo.id
                ),
            ),
        });
    }
    None
}
