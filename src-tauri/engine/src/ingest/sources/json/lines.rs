//! JSON Lines (`.jsonl`, `.ndjson`): one record a line, blank lines skipped.

use super::{Records, BOM};
use crate::error::Result;
use crate::ingest::format::{file_label, read_error, Compression};
use crate::ingest::text::{read_line, too_long, Line};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

pub(super) struct LineRecords {
    reader: BufReader<Box<dyn Read>>,
    line: u64,
    path: PathBuf,
    name: String,
    compression: Compression,
    max_record: usize,
}

impl LineRecords {
    pub(super) fn new(
        reader: BufReader<Box<dyn Read>>,
        path: &Path,
        compression: Compression,
        max_record: usize,
    ) -> Self {
        LineRecords {
            reader,
            line: 0,
            path: path.to_path_buf(),
            name: file_label(path),
            compression,
            max_record,
        }
    }
}

impl Records for LineRecords {
    fn next_record(&mut self, out: &mut Vec<u8>) -> Result<Option<u64>> {
        loop {
            let start = out.len();
            let got = read_line(&mut self.reader, out, self.max_record)
                .map_err(|e| read_error(&self.path, self.compression, e))?;
            match got {
                Line::End => return Ok(None),
                Line::TooLong => {
                    return Err(too_long(
                        &self.name,
                        self.line + 1,
                        self.max_record,
                        "the line",
                        "is the file really JSON Lines, one record per line?",
                    ))
                }
                Line::Read => {}
            }
            self.line += 1;
            if self.line == 1 && out[start..].starts_with(BOM) {
                out.drain(start..start + BOM.len());
            }
            while out.len() > start && out[out.len() - 1].is_ascii_whitespace() {
                out.pop();
            }
            if out[start..].iter().all(u8::is_ascii_whitespace) {
                out.truncate(start);
                continue;
            }
            return Ok(Some(self.line));
        }
    }
}
