//! Random access to a file that may be compressed: parquet and the Arrow IPC file format keep
//! their index at the end, so a compressed one is first unpacked into the scratch folder
//! (streamed, never held in memory) and read from the copy.

use crate::error::{Error, Result};
use crate::ingest::format::{file_label, open_stream, read_error, Compression, ReadLimits};
use std::cell::Cell;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Opens `path`, or for a compressed file its unpacked copy, for random access. The copy lasts
/// as long as the returned guard, which the reader keeps.
pub(super) fn open_seekable(
    path: &Path,
    compression: Compression,
    scratch: &Path,
    limits: &ReadLimits,
) -> Result<(File, Option<Unpacked>)> {
    let (read_path, unpacked) = match compression {
        Compression::None => (path.to_path_buf(), None),
        _ => {
            let p = unpack(path, compression, scratch, limits)?;
            (p.clone(), Some(Unpacked(p)))
        }
    };
    let file =
        File::open(&read_path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    Ok((file, unpacked))
}

/// A decompressed copy in the scratch folder, removed when dropped.
pub(super) struct Unpacked(PathBuf);

impl Drop for Unpacked {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn unpack(
    path: &Path,
    compression: Compression,
    scratch: &Path,
    limits: &ReadLimits,
) -> Result<PathBuf> {
    let target = scratch.join(format!(
        ".unpacked-{}",
        file_label(path).replace(['/', '\\'], "_")
    ));
    let mut stream = open_stream(path, compression, Rc::new(Cell::new(0)), limits)?;
    let mut out = File::create(&target)
        .map_err(|e| Error::io(format!("creating {}", target.display()), e))?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = stream
            .read(&mut buf)
            .map_err(|e| read_error(path, compression, e))?;
        if n == 0 {
            break;
        }
        std::io::Write::write_all(&mut out, &buf[..n])
            .map_err(|e| Error::io(format!("writing {}", target.display()), e))?;
    }
    Ok(target)
}
