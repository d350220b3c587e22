//! Writing one split as numbered Arrow IPC files.

use crate::error::{Error, Result};
use arrow::datatypes::SchemaRef;
use arrow::ipc::writer::FileWriter;
use arrow::record_batch::RecordBatch;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// When a data file is closed and the next one started.
#[derive(Debug, Clone, Copy)]
pub(super) struct FileLimits {
    pub max_bytes: u64,
    pub max_rows: usize,
}

/// Counts bytes on their way to a file, so files can be cut by size.
pub(crate) struct Counting<W> {
    pub(crate) inner: W,
    pub(crate) written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

struct OpenFile {
    writer: FileWriter<Counting<BufWriter<File>>>,
    path: PathBuf,
    rows: usize,
}

pub(super) struct SplitWriter {
    dir: PathBuf,
    schema: SchemaRef,
    limits: FileLimits,
    files: usize,
    current: Option<OpenFile>,
    rows: i64,
    bytes: u64,
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::io(
        format!("writing {}", path.display()),
        std::io::Error::other(e.to_string()),
    )
}

impl SplitWriter {
    pub fn create(dir: PathBuf, schema: SchemaRef, limits: FileLimits) -> Result<Self> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        Ok(SplitWriter {
            dir,
            schema,
            limits,
            files: 0,
            current: None,
            rows: 0,
            bytes: 0,
        })
    }

    fn open(&mut self) -> Result<()> {
        let path = self.dir.join(format!("data-{:05}.arrow", self.files));
        let file = File::create(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        let sink = Counting {
            inner: BufWriter::with_capacity(1 << 20, file),
            written: 0,
        };
        let writer = FileWriter::try_new(sink, &self.schema).map_err(|e| write_error(&path, e))?;
        self.files += 1;
        self.current = Some(OpenFile {
            writer,
            path,
            rows: 0,
        });
        Ok(())
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        if self.current.is_none() {
            self.open()?;
        }
        let limits = self.limits;
        let Some(open) = self.current.as_mut() else {
            return Ok(());
        };
        open.writer
            .write(batch)
            .map_err(|e| write_error(&open.path, e))?;
        open.rows += batch.num_rows();
        let full =
            open.writer.get_ref().written >= limits.max_bytes || open.rows >= limits.max_rows;
        self.rows += batch.num_rows() as i64;
        // Checked after the write so a file never ends up empty; files overshoot by one batch.
        if full {
            self.close_current()?;
        }
        Ok(())
    }

    fn close_current(&mut self) -> Result<()> {
        let Some(mut open) = self.current.take() else {
            return Ok(());
        };
        open.writer
            .finish()
            .map_err(|e| write_error(&open.path, e))?;
        let counting = open
            .writer
            .into_inner()
            .map_err(|e| write_error(&open.path, e))?;
        self.bytes += counting.written;
        let file = counting
            .inner
            .into_inner()
            .map_err(|e| Error::io(format!("writing {}", open.path.display()), e.into_error()))?;
        // The folder is renamed into place next; the data must be on disk before the name is.
        file.sync_all()
            .map_err(|e| Error::io(format!("writing {}", open.path.display()), e))?;
        Ok(())
    }

    /// Closes the split and returns (rows, bytes). A split without rows still gets one file,
    /// so a reader always finds the schema.
    pub fn finish(mut self) -> Result<(i64, u64)> {
        self.close_current()?;
        if self.files == 0 {
            self.open()?;
            self.close_current()?;
        }
        Ok((self.rows, self.bytes))
    }
}
