//! JSON Lines (`.jsonl`, `.ndjson`): one record a line, blank lines skipped.

use super::Records;
use crate::error::Result;
use crate::ingest::text::{strip_bom, too_long, Line, TextStream};

pub(super) struct LineRecords {
    stream: TextStream,
    line: u64,
    max_record: usize,
}

impl LineRecords {
    pub(super) fn new(stream: TextStream, max_record: usize) -> Self {
        LineRecords {
            stream,
            line: 0,
            max_record,
        }
    }
}

impl Records for LineRecords {
    fn next_record(&mut self, out: &mut Vec<u8>) -> Result<Option<u64>> {
        loop {
            let start = out.len();
            let got = self.stream.read_line(out, self.max_record)?;
            match got {
                Line::End => return Ok(None),
                Line::TooLong => {
                    return Err(too_long(
                        &self.stream.name,
                        self.line + 1,
                        self.max_record,
                        "the line",
                        "is the file really JSON Lines, one record per line?",
                    ))
                }
                Line::Read => {}
            }
            self.line += 1;
            if self.line == 1 {
                strip_bom(out, start);
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

    fn bytes_read(&self) -> u64 {
        self.stream.bytes_read()
    }
}
