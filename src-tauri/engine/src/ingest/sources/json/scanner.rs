//! Byte-level reading of a JSON document, for the records of a top-level array: just enough
//! of JSON's grammar to find where each value ends, with a cap on how long one may be.

use crate::error::Result;
use crate::ingest::text::{too_long, TextStream};
use std::io::BufRead;

/// Tracks the line it is on, for messages.
pub(super) struct Scanner {
    pub(super) stream: TextStream,
    pub(super) line: u64,
    max_record: usize,
}

impl Scanner {
    pub(super) fn new(stream: TextStream, max_record: usize) -> Self {
        Scanner {
            stream,
            line: 1,
            max_record,
        }
    }

    pub(super) fn peek(&mut self) -> Result<Option<u8>> {
        Ok(self.stream.fill_buf()?.first().copied())
    }

    pub(super) fn bump(&mut self) {
        let b = match self.stream.reader.fill_buf() {
            Ok(buf) if !buf.is_empty() => buf[0],
            _ => return,
        };
        if b == b'\n' {
            self.line += 1;
        }
        self.stream.reader.consume(1);
    }

    pub(super) fn skip_ws(&mut self) -> Result<()> {
        loop {
            let buf = self.stream.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let lines = buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            let all = n == buf.len();
            self.stream.reader.consume(n);
            self.line += lines;
            if !all {
                return Ok(());
            }
        }
    }

    /// Copies (or with `out` None, skips) one object, array or string starting at the next byte.
    pub(super) fn take_nested(&mut self, mut out: Option<&mut Vec<u8>>) -> Result<bool> {
        let start = out.as_ref().map_or(0, |o| o.len());
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let buf = self.stream.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            let mut i = 0;
            let mut done = false;
            let mut lines = 0;
            while i < buf.len() {
                let b = buf[i];
                i += 1;
                if b == b'\n' {
                    lines += 1;
                }
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            done = true;
                            break;
                        }
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            done = true;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            if let Some(out) = out.as_deref_mut() {
                if out.len() - start + i > self.max_record {
                    return Err(too_long(
                        &self.stream.name,
                        self.line + lines,
                        self.max_record,
                        "a record reaching this line",
                        "is the file really an array of records?",
                    ));
                }
                out.extend_from_slice(&buf[..i]);
            }
            self.stream.reader.consume(i);
            self.line += lines;
            if done {
                return Ok(true);
            }
        }
    }

    /// Skips a number, true, false or null.
    pub(super) fn skip_scalar(&mut self) -> Result<()> {
        while let Some(b) = self.peek()? {
            if b == b',' || b == b'}' || b == b']' || b.is_ascii_whitespace() {
                break;
            }
            self.bump();
        }
        Ok(())
    }
}
