//! Full-text search: a case-insensitive matcher for the search text, run over a batch's text
//! column in one pass.

use crate::error::{Error, Result};
use arrow::array::{Array, StringArray};

/// The matcher for a search text (none when there is nothing to search for): the text itself,
/// not a pattern, in any case.
pub(super) fn matcher(text: Option<&str>) -> Result<Option<regex::bytes::Regex>> {
    let Some(text) = text.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    regex::bytes::RegexBuilder::new(&regex::escape(text))
        .case_insensitive(true)
        .build()
        .map(Some)
        .map_err(|e| Error::invalid(format!("the search text cannot be used: {e}")))
}

/// Rows of `texts` that hold a match: one pass of the matcher over the batch's whole value
/// buffer, not one call per row; a match that runs from one row into the next is not one.
pub(super) fn matching_rows(re: &regex::bytes::Regex, texts: &StringArray) -> Vec<usize> {
    // The offsets of a StringArray are checked by Arrow when it is built: never negative,
    // never decreasing, never past the values.
    let offsets = texts.value_offsets();
    let values = texts.value_data();
    let (first, last) = (offsets[0] as usize, offsets[texts.len()] as usize);
    let haystack = &values[..last];
    let mut rows = Vec::new();
    let mut at = first;
    while let Some(m) = re.find_at(haystack, at) {
        // The row holding the match's first byte.
        let row = offsets.partition_point(|&o| o as usize <= m.start()) - 1;
        let row_end = offsets[row + 1] as usize;
        if m.end() <= row_end {
            if !texts.is_null(row) {
                rows.push(row);
            }
            at = row_end;
        } else {
            // Across a row boundary: look again just after where this one started.
            at = m.start() + 1;
        }
        if at >= last {
            break;
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_match_across_two_rows_is_not_a_match() {
        let texts = StringArray::from(vec![
            Some("ends with ne"),
            Some("edle starts"),
            None,
            Some(""),
            Some("a NEEDLE here"),
            Some("needleneedle"),
        ]);
        let re = matcher(Some("needle")).unwrap().unwrap();
        assert_eq!(matching_rows(&re, &texts), vec![4, 5]);
        // The same on a slice (offsets that do not start at zero).
        assert_eq!(matching_rows(&re, &texts.slice(1, 5)), vec![3, 4]);
        let re = matcher(Some("nee")).unwrap().unwrap();
        assert_eq!(matching_rows(&re, &texts), vec![4, 5]);
    }

    #[test]
    fn the_search_text_is_text_not_a_pattern() {
        assert!(matcher(None).unwrap().is_none());
        assert!(matcher(Some("")).unwrap().is_none());
        let re = matcher(Some("a.c (")).unwrap().unwrap();
        let texts = StringArray::from(vec!["abc (", "A.C (", "a.c"]);
        assert_eq!(matching_rows(&re, &texts), vec![1]);
    }
}
