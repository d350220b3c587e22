//! Pre-tokenization regexes, run without backtracking. `tokenizers` runs them with Oniguruma,
//! a backtracking engine; the fast path runs them with `regex-automata`, whose leftmost-first
//! matches are the ones a backtracking engine finds — for the constructs both engines read the
//! same way. So a pattern is accepted only when every construct in it is on a short list, and
//! its one look-ahead, `\s+(?!\S)` followed by `\s+` (GPT-2, Llama 3, DeepSeek and others all
//! end so), is replaced by its exact effect: a run of whitespace followed by more text gives
//! back its last character to the next piece.

use regex_automata::meta::{Cache, Regex};
use regex_automata::{Anchored, Input, PatternID};

/// The regex `tokenizers`' `ByteLevel` pre-tokenizer splits with when `use_regex` is set.
pub const GPT2_PATTERN: &str =
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

const LOOKAHEAD_ALTERNATIVE: &str = r"\s+(?!\S)";
const WHITESPACE_ALTERNATIVE: &str = r"\s+";

/// General categories, named the same in both engines.
const CATEGORIES: &[&str] = &[
    "L", "M", "N", "P", "S", "Z", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No",
    "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp",
];

/// A `Split` pre-tokenizer with `Isolated` behaviour: matches and the text between them are
/// pieces, in order.
#[derive(Debug)]
pub struct Splitter {
    regex: Regex,
    /// The `\s+` alternative that stands in for `\s+(?!\S)|\s+`.
    whitespace_run: Option<PatternID>,
}

/// Why a piece of text needs the reference tokenizer after all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeedsReference;

impl Splitter {
    /// The splitter for `pattern`, or why the fast path does not take it.
    pub fn new(pattern: &str) -> Result<Splitter, String> {
        let alternatives = top_level_alternatives(pattern)?;
        let mut kept: Vec<&str> = Vec::with_capacity(alternatives.len());
        let mut whitespace_run = None;
        let mut i = 0;
        while i < alternatives.len() {
            let alt = alternatives[i];
            if alt == LOOKAHEAD_ALTERNATIVE {
                if alternatives.get(i + 1) != Some(&WHITESPACE_ALTERNATIVE) {
                    return Err(format!(
                        "its regex has {LOOKAHEAD_ALTERNATIVE} without {WHITESPACE_ALTERNATIVE} right after it"
                    ));
                }
                whitespace_run = Some(PatternID::must(kept.len()));
                kept.push(WHITESPACE_ALTERNATIVE);
                i += 2;
                continue;
            }
            check_construct(alt)?;
            kept.push(alt);
            i += 1;
        }
        let regex =
            Regex::new_many(&kept).map_err(|e| format!("its regex does not compile here ({e})"))?;
        if regex.find("").is_some() {
            return Err("its regex can match empty text".into());
        }
        Ok(Splitter {
            regex,
            whitespace_run,
        })
    }

    pub fn cache(&self) -> Cache {
        self.regex.create_cache()
    }

    /// Calls `piece` with each piece of `text`, in order; they cover it exactly.
    pub fn split<'t>(
        &self,
        cache: &mut Cache,
        text: &'t str,
        mut piece: impl FnMut(&'t str) -> Result<(), NeedsReference>,
    ) -> Result<(), NeedsReference> {
        let mut pos = 0;
        while pos < text.len() {
            // The pieces of these regexes nearly always follow each other without a gap: an
            // anchored search finds the same match as a search from `pos` would (the leftmost
            // is at `pos`), without the reverse scan that locates a match's start.
            let from = Input::new(text).range(pos..);
            let found = self
                .regex
                .search_with(cache, &from.clone().anchored(Anchored::Yes))
                .or_else(|| self.regex.search_with(cache, &from));
            let Some(m) = found else {
                return piece(&text[pos..]);
            };
            if m.is_empty() {
                return Err(NeedsReference);
            }
            if m.start() > pos {
                piece(&text[pos..m.start()])?;
            }
            let mut end = m.end();
            if Some(m.pattern()) == self.whitespace_run && end < text.len() {
                // `\s+(?!\S)`: the run stops before its last character, which stays with the
                // text after it (unless the run is that one character: then `\s+` takes it).
                let last = text[..end].chars().next_back().map_or(0, char::len_utf8);
                if end - last > m.start() {
                    end -= last;
                }
            }
            piece(&text[m.start()..end])?;
            pos = end;
        }
        Ok(())
    }
}

/// Splits at `|` outside groups and classes.
fn top_level_alternatives(pattern: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut in_class = false;
    let mut start = 0;
    let mut chars = pattern.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => {
                depth = depth
                    .checked_sub(1)
                    .ok_or("its regex has an unbalanced parenthesis")?
            }
            '|' if !in_class && depth == 0 => {
                out.push(&pattern[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 || in_class {
        return Err("its regex has an unclosed group or class".into());
    }
    out.push(&pattern[start..]);
    Ok(out)
}

/// Accepts only constructs that Oniguruma and `regex-automata` read the same way.
fn check_construct(alt: &str) -> Result<(), String> {
    let unknown = |what: &str| {
        Err(format!(
            "its regex uses {what}, which the fast path does not read"
        ))
    };
    let chars: Vec<char> = alt.chars().collect();
    let mut i = 0;
    let mut in_class = false;
    let mut class_start = false;
    // Whether the previous item can take a quantifier, and whether it is one.
    let mut after_quantifier = false;
    while i < chars.len() {
        let c = chars[i];
        let was_class_start = class_start;
        class_start = false;
        match c {
            '\\' => {
                let Some(&e) = chars.get(i + 1) else {
                    return unknown("a trailing backslash");
                };
                match e {
                    's' | 'S' | 'r' | 'n' | 't' => i += 2,
                    'p' | 'P' => {
                        let rest: String = chars[i + 2..].iter().collect();
                        let Some(name) = rest
                            .strip_prefix('{')
                            .and_then(|r| r.split_once('}'))
                            .map(|(n, _)| n)
                        else {
                            return unknown("a \\p without braces");
                        };
                        if !CATEGORIES.contains(&name) {
                            return unknown(&format!("the Unicode class \\p{{{name}}}"));
                        }
                        i += 4 + name.chars().count();
                    }
                    'u' => {
                        let hex = chars.get(i + 2..i + 6);
                        if !hex.is_some_and(|h| h.iter().all(char::is_ascii_hexdigit)) {
                            return unknown("a \\u escape without four hex digits");
                        }
                        i += 6;
                    }
                    e if e.is_ascii_punctuation() => i += 2,
                    e => return unknown(&format!("the escape \\{e}")),
                }
                after_quantifier = false;
                continue;
            }
            '[' if in_class => {
                if chars.get(i + 1) == Some(&':') {
                    return unknown("a POSIX class");
                }
                return unknown("a class inside a class");
            }
            '[' => {
                in_class = true;
                class_start = true;
                if chars.get(i + 1) == Some(&'^') {
                    i += 1;
                }
            }
            ']' if in_class && !was_class_start => in_class = false,
            '&' | '-' | '~' if in_class && chars.get(i + 1) == Some(&c) => {
                return unknown(&format!("{c}{c} inside a class"));
            }
            _ if in_class => {}
            '(' => {
                let rest: String = chars[i + 1..].iter().take(3).collect();
                if rest.starts_with("?:") {
                    i += 2;
                } else if rest.starts_with("?i:") {
                    i += 3;
                } else if rest.starts_with('?') {
                    return unknown("a look-around, flag or special group");
                }
            }
            '?' | '*' | '+' | '{' => {
                if after_quantifier {
                    return unknown("a lazy or possessive quantifier");
                }
                if c == '{' {
                    let close = chars[i..].iter().position(|&x| x == '}');
                    let Some(close) = close else {
                        return unknown("an unclosed {");
                    };
                    let body: String = chars[i + 1..i + close].iter().collect();
                    let counts = body
                        .split(',')
                        .all(|n| n.is_empty() || n.chars().all(|d| d.is_ascii_digit()));
                    if body.is_empty()
                        || body.starts_with(',')
                        || !counts
                        || body.matches(',').count() > 1
                    {
                        return unknown(&format!("the repetition {{{body}}}"));
                    }
                    i += close;
                }
                after_quantifier = true;
                i += 1;
                continue;
            }
            '.' => return unknown("'.'"),
            '^' | '$' => return unknown("an anchor"),
            _ => {}
        }
        after_quantifier = false;
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(splitter: &Splitter, text: &str) -> Vec<String> {
        let mut cache = splitter.cache();
        let mut out = Vec::new();
        splitter
            .split(&mut cache, text, |p| {
                out.push(p.to_string());
                Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn gpt2_splits_as_the_lookahead_would() {
        let s = Splitter::new(GPT2_PATTERN).unwrap();
        assert_eq!(pieces(&s, "Hello world"), ["Hello", " world"]);
        assert_eq!(pieces(&s, "a   b"), ["a", "  ", " b"]);
        assert_eq!(pieces(&s, "a \nb"), ["a", " ", "\n", "b"]);
        assert_eq!(pieces(&s, "a  "), ["a", "  "]);
        assert_eq!(pieces(&s, "it's 42!"), ["it", "'s", " 42", "!"]);
        assert_eq!(pieces(&s, "\t\tx"), ["\t", "\t", "x"]);
    }

    #[test]
    fn constructs_off_the_list_are_refused() {
        for (pattern, why) in [
            (r"(?<=a)b", "look-around"),
            (r"\w+", "\\w"),
            (r"\d+|\s+", "\\d"),
            (r"[[:alpha:]]+", "POSIX"),
            (r"a++", "possessive"),
            (r"\s+(?!\S)", "without"),
            (r"\p{Han}+", "Han"),
            (r".+", "'.'"),
            (r"a*", "empty"),
            // Oniguruma takes it; as a DFA it is far past the size limit.
            (r"\p{L}{1,5000}", "does not compile"),
        ] {
            let err = Splitter::new(pattern).unwrap_err();
            assert!(err.contains(why), "{pattern}: {err}");
        }
    }

    #[test]
    fn llama3_and_deepseek_patterns_are_read() {
        Splitter::new(r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+").unwrap();
        Splitter::new("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+").unwrap();
        Splitter::new("[\u{4e00}-\u{9fa5}\u{3040}-\u{309f}\u{30a0}-\u{30ff}]+").unwrap();
    }
}
