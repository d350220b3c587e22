//! Writing one split as numbered Arrow IPC files.

use super::{BATCH_ROWS, CHUNK_BYTES};
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
    /// Small batches waiting to be written as one (a folder of .txt files gives one row each).
    pending: Vec<RecordBatch>,
    pending_rows: usize,
    pending_bytes: usize,
}

fn write_error(path: &Path, e: arrow::error::ArrowError) -> Error {
    Error::arrow(format!("writing {}", path.display()), e)
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
            pending: Vec::new(),
            pending_rows: 0,
            pending_bytes: 0,
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

    /// Takes a batch of any size: large ones are cut to at most `BATCH_ROWS` rows (and about
    /// `CHUNK_BYTES`), small ones gathered, so the files' batches suit paging whatever the
    /// source's batching was.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let rows = batch.num_rows();
        if rows == 0 {
            return Ok(());
        }
        let size = batch.get_array_memory_size();
        let per_row = (size / rows).max(1);
        // Buffers carry spare capacity, so a source batch is only cut when far past the cap.
        let step = if rows > BATCH_ROWS || size > 2 * CHUNK_BYTES {
            (CHUNK_BYTES / per_row).clamp(1, BATCH_ROWS)
        } else {
            rows
        };
        let mut offset = 0;
        while offset < rows {
            let n = step.min(rows - offset);
            let part = if n == rows {
                batch.clone()
            } else {
                batch.slice(offset, n)
            };
            self.gather(part, n * per_row)?;
            offset += n;
        }
        Ok(())
    }

    fn gather(&mut self, batch: RecordBatch, bytes: usize) -> Result<()> {
        let rows = batch.num_rows();
        if self.pending_rows + rows > BATCH_ROWS || self.pending_bytes + bytes > CHUNK_BYTES {
            self.flush_pending()?;
        }
        self.pending.push(batch);
        self.pending_rows += rows;
        self.pending_bytes += bytes;
        if self.pending_rows >= BATCH_ROWS || self.pending_bytes >= CHUNK_BYTES {
            self.flush_pending()?;
        }
        Ok(())
    }

    fn flush_pending(&mut self) -> Result<()> {
        let batch = match self.pending.len() {
            0 => return Ok(()),
            1 => self.pending.pop().expect("one batch"),
            _ => arrow::compute::concat_batches(&self.schema, &self.pending)
                .map_err(|e| Error::Internal(format!("joining batches: {e}")))?,
        };
        self.pending.clear();
        self.pending_rows = 0;
        self.pending_bytes = 0;
        self.write_now(&batch)
    }

    fn write_now(&mut self, batch: &RecordBatch) -> Result<()> {
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
        self.flush_pending()?;
        self.close_current()?;
        if self.files == 0 {
            self.open()?;
            self.close_current()?;
        }
        Ok((self.rows, self.bytes))
    }
}
