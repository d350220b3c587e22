//! A `.json` file: the records are the elements of a top-level array, or of the one array
//! field of a top-level object (`{"data": [...]}`); anything else in the document is refused.

use super::scanner::Scanner;
use super::Records;
use crate::error::{Error, Result};

enum ArrayState {
    Start,
    InArray { first: bool },
    Done,
}

/// The elements of a top-level array, or of the one array field of a top-level object.
pub(super) struct ArrayRecords {
    scan: Scanner,
    name: String,
    state: ArrayState,
    array_key: Option<String>,
    index: u64,
}

impl ArrayRecords {
    pub(super) fn new(scan: Scanner, name: String) -> Self {
        ArrayRecords {
            scan,
            name,
            state: ArrayState::Start,
            array_key: None,
            index: 0,
        }
    }

    fn truncated(&self) -> Error {
        Error::Corrupt(format!(
            "{} ends in the middle of the JSON (line {}) — was the download complete? Download it again",
            self.name, self.scan.line
        ))
    }

    fn unexpected(&self, what: &str) -> Error {
        Error::Corrupt(format!(
            "{} line {} is not valid JSON: expected {what}",
            self.name, self.scan.line
        ))
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<()> {
        self.scan.skip_ws()?;
        match self.scan.peek()? {
            Some(b) if b == byte => {
                self.scan.bump();
                Ok(())
            }
            Some(_) => Err(self.unexpected(what)),
            None => Err(self.truncated()),
        }
    }

    fn read_key(&mut self) -> Result<String> {
        self.scan.skip_ws()?;
        if self.scan.peek()? != Some(b'"') {
            return Err(self.unexpected("a quoted field name"));
        }
        let mut raw = Vec::new();
        if !self.scan.take_nested(Some(&mut raw))? {
            return Err(self.truncated());
        }
        serde_json::from_slice(&raw).map_err(|_| self.unexpected("a field name"))
    }

    fn skip_value(&mut self) -> Result<()> {
        self.scan.skip_ws()?;
        match self.scan.peek()? {
            None => Err(self.truncated()),
            Some(b'"' | b'{' | b'[') => {
                if self.scan.take_nested(None)? {
                    Ok(())
                } else {
                    Err(self.truncated())
                }
            }
            Some(_) => self.scan.skip_scalar(),
        }
    }

    /// Reads up to the array's opening bracket. Returns false for an empty file.
    fn begin(&mut self) -> Result<bool> {
        self.scan.skip_ws()?;
        self.scan.stream.skip_bom()?;
        self.scan.skip_ws()?;
        match self.scan.peek()? {
            None => Ok(false),
            Some(b'[') => {
                self.scan.bump();
                Ok(true)
            }
            Some(b'{') => {
                self.scan.bump();
                loop {
                    self.scan.skip_ws()?;
                    if self.scan.peek()? == Some(b'}') {
                        return Err(self.no_array());
                    }
                    let key = self.read_key()?;
                    self.expect(b':', "':' after a field name")?;
                    self.scan.skip_ws()?;
                    if self.scan.peek()? == Some(b'[') {
                        self.scan.bump();
                        self.array_key = Some(key);
                        return Ok(true);
                    }
                    self.skip_value()?;
                    self.scan.skip_ws()?;
                    match self.scan.peek()? {
                        Some(b',') => self.scan.bump(),
                        Some(b'}') => return Err(self.no_array()),
                        Some(_) => return Err(self.unexpected("',' or '}'")),
                        None => return Err(self.truncated()),
                    }
                }
            }
            Some(b) => Err(Error::Corrupt(format!(
                "{} is not a JSON array or object (it starts with {:?}); for one JSON object per line, name the file .jsonl",
                self.name, b as char
            ))),
        }
    }

    fn no_array(&self) -> Error {
        Error::invalid(format!(
            "{} is a JSON object without an array of records; expected [{{...}}, ...] or an object with one field holding such an array",
            self.name
        ))
    }

    /// Reads the rest of the document after the records, which must hold no other array.
    fn end(&mut self) -> Result<()> {
        if let Some(key) = self.array_key.clone() {
            loop {
                self.scan.skip_ws()?;
                match self.scan.peek()? {
                    Some(b'}') => {
                        self.scan.bump();
                        break;
                    }
                    Some(b',') => self.scan.bump(),
                    Some(_) => return Err(self.unexpected("',' or '}'")),
                    None => return Err(self.truncated()),
                }
                let other = self.read_key()?;
                self.expect(b':', "':' after a field name")?;
                self.scan.skip_ws()?;
                if self.scan.peek()? == Some(b'[') {
                    return Err(Error::invalid(format!(
                        "{} has more than one array field ('{key}' and '{other}'); miStudio reads a JSON array of objects, an object with one such array, or JSON Lines",
                        self.name
                    )));
                }
                self.skip_value()?;
            }
        }
        self.scan.skip_ws()?;
        if self.scan.peek()?.is_some() {
            return Err(Error::Corrupt(format!(
                "{} line {} has more JSON after the end of the document; a .json file holds one array — use .jsonl for one object per line",
                self.name, self.scan.line
            )));
        }
        Ok(())
    }
}

impl Records for ArrayRecords {
    fn next_record(&mut self, out: &mut Vec<u8>) -> Result<Option<u64>> {
        let first = match self.state {
            ArrayState::Done => return Ok(None),
            ArrayState::Start => {
                if !self.begin()? {
                    self.state = ArrayState::Done;
                    return Ok(None);
                }
                true
            }
            ArrayState::InArray { first } => first,
        };
        self.scan.skip_ws()?;
        match self.scan.peek()? {
            None => return Err(self.truncated()),
            Some(b']') => {
                self.scan.bump();
                self.state = ArrayState::Done;
                self.end()?;
                return Ok(None);
            }
            Some(b',') if !first => {
                self.scan.bump();
                self.scan.skip_ws()?;
            }
            Some(_) if !first => return Err(self.unexpected("',' or ']' between records")),
            Some(_) => {}
        }
        self.index += 1;
        match self.scan.peek()? {
            Some(b'{') => {}
            None => return Err(self.truncated()),
            Some(_) => {
                let within = match &self.array_key {
                    Some(k) => format!(" of '{k}'"),
                    None => String::new(),
                };
                return Err(Error::Corrupt(format!(
                    "{} line {}: element {}{within} is not a JSON object; each record must be an object such as {{\"text\": \"...\"}}",
                    self.name, self.scan.line, self.index
                )));
            }
        }
        let line = self.scan.line;
        if !self.scan.take_nested(Some(out))? {
            return Err(self.truncated());
        }
        self.state = ArrayState::InArray { first: false };
        Ok(Some(line))
    }
    fn bytes_read(&self) -> u64 {
        self.scan.stream.bytes_read()
    }
}
