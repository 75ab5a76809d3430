//! Reading an input file (the document, an overlay, the configuration, a spec-diff ignore file)
//! from disk. Their paths come from the command line and from `codegen.yaml`, which is input
//! too, so a path may name anything: a device that never ends (`/dev/zero` grew the run to
//! 2.1 GB), a FIFO whose open waits for a writer that never comes, a folder. Only a regular
//! file (or a link to one) is read, and only up to a limit.

use std::io::Read as _;
use std::path::Path;

/// An input file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: cannot read: {source}", crate::escape::shown(.file))]
    /// The file could not be opened or read.
    Io {
        /// The file, as messages name it.
        file: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    #[error("{}: is {kind}, not a regular file; give the path of a file", crate::escape::shown(.file))]
    /// The path names a folder, a device, a FIFO or a socket.
    NotAFile {
        /// The file, as messages name it.
        file: String,
        /// What it is instead ("a folder", "a FIFO", …).
        kind: &'static str,
    },
    #[error("{}: is larger than {}, the most this generator reads from one file (see \"Limits\" in the README)", crate::escape::shown(.file), size_text(*.limit))]
    /// The file holds more than the limit.
    TooLarge {
        /// The file, as messages name it.
        file: String,
        /// The limit, in bytes.
        limit: u64,
    },
}

/// The bytes of the regular file at `path`, at most `limit` of them.
///
/// The path is looked at before it is opened (opening a FIFO waits for a writer; opening a
/// device may do something), and what was opened is looked at again, since the path may have
/// been replaced in between; on Unix it is opened without waiting, so a FIFO put there in that
/// moment is refused instead of waited for. At most `limit + 1` bytes are read, so a file that
/// grows while it is read is refused too.
pub(crate) fn read_input(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = || path.display().to_string();
    let io = |source| ReadError::Io { file: file(), source };
    let kind = |meta: &std::fs::Metadata| match not_a_file(&meta.file_type()) {
        Some(kind) => Err(ReadError::NotAFile { file: file(), kind }),
        None if meta.len() > limit => Err(ReadError::TooLarge { file: file(), limit }),
        None => Ok(()),
    };
    kind(&std::fs::metadata(path).map_err(io)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let opened = options.open(path).map_err(io)?;
    let meta = opened.metadata().map_err(io)?;
    kind(&meta)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    opened.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { file: file(), limit });
    }
    Ok(bytes)
}

/// `limit` in MiB when it is a whole number of them, else in bytes.
fn size_text(limit: u64) -> String {
    if limit >= 1 << 20 && limit.is_multiple_of(1 << 20) {
        format!("{} MiB", limit >> 20)
    } else {
        format!("{limit} bytes")
    }
}

/// What a file that is not a regular file is, in messages; `None` for a regular file.
fn not_a_file(t: &std::fs::FileType) -> Option<&'static str> {
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
    }
    Some("not a regular file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let small = dir.path().join("small.yaml");
        std::fs::write(&small, "a: 1\n").expect("write");
        assert_eq!(read_input(&small, 5).expect("within the limit"), b"a: 1\n");
        assert!(matches!(read_input(&small, 4), Err(ReadError::TooLarge { limit: 4, .. })));
        assert!(matches!(read_input(dir.path(), 1 << 20), Err(ReadError::NotAFile { kind: "a folder", .. })));
        assert!(matches!(read_input(&dir.path().join("absent"), 1 << 20), Err(ReadError::Io { .. })));
        #[cfg(unix)]
        {
            assert!(matches!(read_input(Path::new("/dev/zero"), 1 << 20), Err(ReadError::NotAFile { kind: "a device", .. })));
            // A FIFO with no writer: refused at once instead of waited for.
            let fifo = dir.path().join("fifo");
            let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("no NUL");
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
            assert!(matches!(read_input(&fifo, 1 << 20), Err(ReadError::NotAFile { kind: "a FIFO", .. })));
        }
        let e = read_input(dir.path(), 1).expect_err("a folder").to_string();
        assert!(e.ends_with("is a folder, not a regular file; give the path of a file"), "{e}");
    }
}
