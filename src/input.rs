//! Bounded reading of the small text inputs the tool reads whole: study specs and claims files
//! (TOML) and stratum files (CSV).
//!
//! A path that is not a regular file (a directory, a FIFO, `/dev/zero`, a socket) or a file over
//! the limit is refused at once, before anything is read: the metadata is checked first, then the
//! file is opened without blocking (a FIFO swapped in after the check cannot hang the open), its
//! own metadata checked again, and at most `limit + 1` bytes are read, so a file that grows while
//! it is read cannot get past the limit either. Both are usage errors ([`Error::File`], exit 2)
//! naming the file and the limit.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// Largest study spec or claims file (TOML) read: 16 MiB.
pub const SPEC_MAX_BYTES: u64 = 16 * 1024 * 1024;
/// Largest stratum file (`trialstat strata FILE`) read: 64 MiB.
pub const STRATA_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// `16 MiB` for a limit in bytes.
fn human(limit: u64) -> String {
    if limit % (1024 * 1024) == 0 {
        format!("{} MiB", limit / (1024 * 1024))
    } else {
        format!("{limit} bytes")
    }
}

#[cfg(unix)]
fn kind(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a directory"
    } else if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn kind(ft: std::fs::FileType) -> &'static str {
    if ft.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Read the whole of `path`, a regular file of at most `limit` bytes; `what` names the kind of
/// file in errors ("spec file", "stratum file").
pub fn read_bounded(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    let name = path.display().to_string();
    let ferr = |message: String| Error::File { file: name.clone(), message };
    let not_regular = |ft: std::fs::FileType| ferr(format!("not a regular file ({}); a {what} must be a regular file of at most {}", kind(ft), human(limit)));
    let too_large = |size: String| ferr(format!("{size} is over the {} limit for a {what}", human(limit)));
    let check = |m: &std::fs::Metadata| -> Result<()> {
        if !m.file_type().is_file() {
            return Err(not_regular(m.file_type()));
        }
        if m.len() > limit {
            return Err(too_large(format!("{} bytes", m.len())));
        }
        Ok(())
    };
    let meta = std::fs::metadata(path).map_err(|e| ferr(format!("cannot read: {e}")))?;
    check(&meta)?;
    let file = open_nonblocking(path).map_err(|e| ferr(format!("cannot read: {e}")))?;
    check(&file.metadata().map_err(|e| ferr(format!("cannot read: {e}")))?)?;
    let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| ferr(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large("the file grew while it was read and".into()));
    }
    Ok(bytes)
}

/// [`read_bounded`] as UTF-8 text.
pub fn read_bounded_text(path: &Path, limit: u64, what: &str) -> Result<String> {
    let bytes = read_bounded(path, limit, what)?;
    String::from_utf8(bytes).map_err(|e| Error::File {
        file: path.display().to_string(),
        message: format!("not UTF-8 text (first invalid byte at offset {})", e.utf8_error().valid_up_to()),
    })
}

/// Open for reading; on Unix with `O_NONBLOCK`, so that opening a FIFO does not wait for a
/// writer (reads of a regular file are not affected by the flag).
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK);
    }
    o.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_non_files_and_large_files_and_reads_the_rest() {
        let d = tempfile::tempdir().unwrap();
        let e = read_bounded(d.path(), 100, "spec file").unwrap_err().to_string();
        assert!(e.ends_with("not a regular file (a directory); a spec file must be a regular file of at most 100 bytes"), "{e}");
        let f = d.path().join("a.toml");
        std::fs::write(&f, vec![b'x'; 101]).unwrap();
        let e = read_bounded(&f, 100, "spec file").unwrap_err().to_string();
        assert!(e.ends_with("a.toml: 101 bytes is over the 100 bytes limit for a spec file"), "{e}");
        std::fs::write(&f, vec![b'x'; 100]).unwrap();
        assert_eq!(read_bounded(&f, 100, "spec file").unwrap().len(), 100);
        let e = read_bounded(&d.path().join("missing"), 100, "spec file").unwrap_err().to_string();
        assert!(e.contains("missing: cannot read"), "{e}");
        assert_eq!(human(SPEC_MAX_BYTES), "16 MiB");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_dev_zero_and_a_fifo_at_once() {
        let e = read_bounded(Path::new("/dev/zero"), SPEC_MAX_BYTES, "spec file").unwrap_err().to_string();
        assert_eq!(e, "/dev/zero: not a regular file (a character device); a spec file must be a regular file of at most 16 MiB");
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_bounded(&fifo, 10, "stratum file").unwrap_err().to_string();
        assert!(e.contains("not a regular file (a FIFO)"), "{e}");
    }
}
