//! Arrow IPC files in either layout: the file format (`ARROW1` magic, random access; Feather
//! v2 is this) and the stream format (what Hugging Face `save_to_disk` writes as `.arrow`).
//! Record batches are handed on as they are; the writer re-chunks them.

use super::seekable::{open_seekable, Unpacked};
use super::{BatchSink, RecordSource};
use crate::error::{Error, Result};
use crate::ingest::format::{file_label, open_stream, read_error, Compression, ReadLimits};
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use arrow::ipc::reader::{FileReader, StreamReader};
use std::cell::Cell;
use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

const FILE_MAGIC: &[u8] = b"ARROW1";

enum Reader {
    File(FileReader<BufReader<File>>),
    Stream(StreamReader<BufReader<Box<dyn Read>>>),
}

pub(super) struct IpcSource {
    name: String,
    path: PathBuf,
    compression: Compression,
    reader: Reader,
    schema: SchemaRef,
    read: Rc<Cell<u64>>,
    file_bytes: u64,
    /// A decompressed copy (for a compressed file in the file format), removed with the source.
    _unpacked: Option<Unpacked>,
}

impl IpcSource {
    pub(super) fn open(
        path: &Path,
        compression: Compression,
        scratch: &Path,
        limits: &ReadLimits,
    ) -> Result<Self> {
        let name = file_label(path);
        let file_bytes = std::fs::metadata(path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?
            .len();
        let read = Rc::new(Cell::new(0));
        let mut stream = open_stream(path, compression, read.clone(), limits)?;
        let mut head = Vec::with_capacity(8);
        (&mut stream)
            .take(8)
            .read_to_end(&mut head)
            .map_err(|e| read_error(path, compression, e))?;
        let not_readable = |e: &dyn std::fmt::Display| {
            Error::Corrupt(format!(
                "{name} is not a readable Arrow IPC file ({e}) — was the download complete? Download it again"
            ))
        };
        if head.is_empty() {
            return Err(Error::Corrupt(format!(
                "{name} is empty, so it is not an Arrow IPC file — was the download complete?"
            )));
        }
        if head.starts_with(b"FEA1") {
            return Err(Error::invalid(format!(
                "{name} is a Feather version 1 file, which is not supported; save it again with pyarrow.feather.write_feather (version 2)"
            )));
        }
        let (reader, unpacked) = if head.starts_with(FILE_MAGIC) {
            drop(stream);
            // The file format keeps its index at the end, so it needs a seekable file.
            let (file, unpacked) = open_seekable(path, compression, scratch, limits)?;
            let reader =
                FileReader::try_new(BufReader::new(file), None).map_err(|e| not_readable(&e))?;
            (Reader::File(reader), unpacked)
        } else {
            let whole: Box<dyn Read> = Box::new(Cursor::new(head).chain(stream));
            let reader = StreamReader::try_new(BufReader::with_capacity(1 << 20, whole), None)
                .map_err(|e| not_readable(&e))?;
            (Reader::Stream(reader), None)
        };
        let schema = match &reader {
            Reader::File(r) => r.schema(),
            Reader::Stream(r) => r.schema(),
        };
        Ok(IpcSource {
            name,
            path: path.to_path_buf(),
            compression,
            reader,
            schema,
            read,
            file_bytes,
            _unpacked: unpacked,
        })
    }
}

impl RecordSource for IpcSource {
    fn schema(&self) -> Option<SchemaRef> {
        Some(self.schema.clone())
    }

    fn read(&mut self, _target: &SchemaRef, sink: &mut BatchSink<'_>) -> Result<()> {
        let (name, path, compression) = (&self.name, &self.path, self.compression);
        let damaged = |e: ArrowError| match e {
            // A decompressor's failure (a cut .gz, a bomb) says more than "damaged".
            ArrowError::IoError(_, io)
                if compression != Compression::None
                    || io.kind() != std::io::ErrorKind::UnexpectedEof =>
            {
                read_error(path, compression, io)
            }
            e => Error::Corrupt(format!(
                "{name} is damaged or cut short ({e}) — download it again"
            )),
        };
        match &mut self.reader {
            Reader::File(r) => {
                let batches = r.num_batches().max(1) as u64;
                let mut done = 0u64;
                for batch in r.by_ref() {
                    let batch = batch.map_err(&damaged)?;
                    done += 1;
                    sink(batch, self.file_bytes * done / batches)?;
                }
            }
            Reader::Stream(r) => {
                for batch in r.by_ref() {
                    let batch = batch.map_err(&damaged)?;
                    sink(batch, self.read.get())?;
                }
            }
        }
        Ok(())
    }
}
