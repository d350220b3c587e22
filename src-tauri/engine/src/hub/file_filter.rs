//! `--include` / `--exclude`: which of a split's files to take, with the glob semantics of
//! `hf download` (Python's `fnmatch` on the repo path): `*` matches any run of characters, `/`
//! included; `?` one character; `[abc]`, `[a-z]` and `[!abc]` one character of (or not of) a
//! set; a pattern that ends with `/` means everything under that folder. Matching is
//! case-sensitive, as `fnmatch` is on Linux.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FileFilter {
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl FileFilter {
    /// Checks the patterns: an empty one would silently match nothing (or everything).
    pub fn new(include: Vec<String>, exclude: Vec<String>) -> Result<Self> {
        for (flag, patterns) in [("include", &include), ("exclude", &exclude)] {
            if patterns.iter().any(|p| p.trim().is_empty()) {
                return Err(Error::invalid(format!(
                    "an empty --{flag} pattern matches no file; give a glob such as \"data/CC-MAIN-2024-10/*\" or leave it out"
                )));
            }
        }
        Ok(FileFilter { include, exclude })
    }

    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Whether `path` is taken: it matches an include pattern (or there are none) and no
    /// exclude pattern.
    pub fn allows(&self, path: &str) -> bool {
        let matches = |p: &String| {
            let pattern = if p.ends_with('/') {
                format!("{p}*")
            } else {
                p.clone()
            };
            fnmatch(&pattern, path)
        };
        (self.include.is_empty() || self.include.iter().any(matches))
            && !self.exclude.iter().any(matches)
    }

    /// The patterns as one would type them on the command line, for messages and records.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .include
            .iter()
            .map(|p| format!("--include {p:?}"))
            .collect();
        parts.extend(self.exclude.iter().map(|p| format!("--exclude {p:?}")));
        parts.join(" ")
    }
}

/// Python's `fnmatch.fnmatchcase`: the whole name must match; backtracks on `*` only to the
/// last star, which keeps it linear enough for repo paths.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0usize, 0usize);
    // Where to resume after the last star: (pattern index after it, name index it covers to).
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi + 1, ni));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match class_at(&p, pi) {
                Some((set, len)) => set.matches(n[ni]).then_some(len),
                // An unclosed bracket is a literal '[', as in fnmatch.
                None => (n[ni] == '[').then_some(1),
            },
            Some(&c) => (c == n[ni]).then_some(1),
            None => None,
        };
        match step {
            Some(len) => {
                pi += len;
                ni += 1;
            }
            None => match star {
                Some((after, covered)) => {
                    pi = after;
                    ni = covered + 1;
                    star = Some((after, covered + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

struct CharClass {
    negated: bool,
    items: Vec<(char, char)>,
}

impl CharClass {
    fn matches(&self, c: char) -> bool {
        self.items.iter().any(|&(lo, hi)| lo <= c && c <= hi) != self.negated
    }
}

/// The bracket expression starting at `p[start] == '['` and its length in pattern chars, or
/// `None` when it is not closed.
fn class_at(p: &[char], start: usize) -> Option<(CharClass, usize)> {
    let mut i = start + 1;
    let negated = p.get(i) == Some(&'!');
    if negated {
        i += 1;
    }
    let mut items = Vec::new();
    // A ']' right after '[' or '[!' is a member, not the end.
    let first = i;
    loop {
        let c = *p.get(i)?;
        if c == ']' && i > first {
            return Some((CharClass { negated, items }, i + 1 - start));
        }
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&h| h != ']') {
            items.push((c, p[i + 2]));
            i += 3;
        } else {
            items.push((c, c));
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_follow_fnmatch() {
        assert!(fnmatch("data/*", "data/CC-MAIN-2013-20/000_00000.parquet"));
        assert!(fnmatch("*.parquet", "data/a/b.parquet"));
        assert!(!fnmatch("*.parquet", "data/a/b.parquet.gz"));
        assert!(fnmatch("data/CC-MAIN-201[3-4]*", "data/CC-MAIN-2014-10/x"));
        assert!(!fnmatch(
            "data/CC-MAIN-201[!3-4]*",
            "data/CC-MAIN-2014-10/x"
        ));
        assert!(fnmatch("?.txt", "a.txt"));
        assert!(!fnmatch("?.txt", "ab.txt"));
        assert!(fnmatch("a[.txt", "a[.txt"));
        assert!(fnmatch("[]]x", "]x"));
        assert!(fnmatch("*", ""));
        assert!(!fnmatch("Data/*", "data/x"));
        assert!(fnmatch("*0000_*", "data/d/0000_00000.parquet"));
        assert!(fnmatch("*a*b*c", "xxaxxbxxc"));
        assert!(!fnmatch("*a*b*c", "xxaxxbxxcx"));
    }

    #[test]
    fn folders_include_everything_under_them_and_excludes_win() {
        let f = FileFilter::new(
            vec!["data/CC-MAIN-2013-20/".into()],
            vec!["*_00001.parquet".into()],
        )
        .unwrap();
        assert!(f.allows("data/CC-MAIN-2013-20/000_00000.parquet"));
        assert!(!f.allows("data/CC-MAIN-2013-20/000_00001.parquet"));
        assert!(!f.allows("data/CC-MAIN-2014-10/000_00000.parquet"));
        assert!(FileFilter::default().allows("anything"));
        let only_exclude = FileFilter::new(vec![], vec!["*.json".into()]).unwrap();
        assert!(only_exclude.allows("a.parquet") && !only_exclude.allows("a.json"));
        let e = FileFilter::new(vec!["".into()], vec![]).unwrap_err();
        assert!(e.to_string().contains("--include"), "{e}");
    }
}
