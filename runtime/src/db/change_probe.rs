//! The token cache's change check on a SQLite file: [`ChangeProbe`], whose [`Marker`]
//! differs from any value read before another connection, of any process, committed to the
//! file. Why it reads the WAL-index header, and why it never closes the `-shm` file, is in
//! the [`auth_cache`](super::auth_cache) module's documentation.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// A value of a [`ChangeProbe`]: a different one means another connection committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Marker {
    /// Both copies of the WAL-index header.
    WalIndex([u8; WAL_INDEX_HEADERS]),
    /// `PRAGMA data_version`.
    DataVersion(i64),
}

/// The two copies of SQLite's 48-byte WAL-index header at the start of `-shm` (its
/// checkpoint information, which readers update, follows them and is not compared).
const WAL_INDEX_HEADERS: usize = 96;

/// How the cache of a SQLite file learns that the file changed.
pub(super) struct ChangeProbe {
    /// The cache's own connection: `data_version` is read on it, and while it is open SQLite
    /// keeps the `-shm` file the header is read from.
    conn: Mutex<rusqlite::Connection>,
    /// WAL mode: the `-shm` file, opened once for the process (see [`shm_file`]).
    shm: Option<&'static std::fs::File>,
}

impl ChangeProbe {
    pub(super) fn open(path: &Path) -> rusqlite::Result<Self> {
        use rusqlite::OpenFlags;
        // The name SQLite derives `-shm` from has its symbolic links resolved.
        let path =
            std::fs::canonicalize(path).map_err(|_| rusqlite::Error::InvalidPath(path.into()))?;
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(1))?;
        // One read maps the WAL index (and creates `-shm` if this is the first connection).
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0))?;
        conn.query_row("PRAGMA data_version", [], |row| row.get::<_, i64>(0))?;
        let shm = if mode.eq_ignore_ascii_case("wal") {
            let mut name = path.into_os_string();
            name.push("-shm");
            match shm_file(Path::new(&name)) {
                Ok(file) => Some(file),
                Err(e) => {
                    tracing::debug!(error = %e, "token cache: no WAL index to read, using data_version");
                    None
                }
            }
        } else {
            None
        };
        Ok(Self {
            conn: Mutex::new(conn),
            shm,
        })
    }

    /// The file's change marker now: it differs from any value read before another
    /// connection committed.
    pub(super) fn read(&self) -> rusqlite::Result<Marker> {
        if let Some(shm) = self.shm {
            let mut header = [0; WAL_INDEX_HEADERS];
            if read_at(shm, &mut header).is_ok() {
                return Ok(Marker::WalIndex(header));
            }
        }
        let conn = self
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        conn.prepare_cached("PRAGMA data_version")?
            .query_row([], |row| row.get(0))
            .map(Marker::DataVersion)
    }

    #[cfg(test)]
    pub(super) fn reads_the_wal_index(&self) -> bool {
        self.shm.is_some()
    }

    /// Whether both read the same `-shm` descriptor (for tests).
    #[cfg(test)]
    pub(super) fn shares_its_shm_with(&self, other: &ChangeProbe) -> bool {
        matches!((self.shm, other.shm), (Some(a), Some(b)) if std::ptr::eq(a, b))
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, 0)
}

#[cfg(not(unix))]
fn read_at(_: &std::fs::File, _: &mut [u8]) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// The `-shm` file at `path`, opened read-only once per process and file (by device and
/// inode) and never closed: closing it would drop this process's POSIX locks on it, which
/// SQLite's connections rely on.
fn shm_file(path: &Path) -> std::io::Result<&'static std::fs::File> {
    use std::sync::OnceLock;
    static OPEN: OnceLock<Mutex<HashMap<(u64, u64), &'static std::fs::File>>> = OnceLock::new();
    let id = file_id(&std::fs::metadata(path)?)?;
    let mut open = OPEN
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(file) = open.get(&id) {
        return Ok(file);
    }
    let file: &'static std::fs::File = Box::leak(Box::new(std::fs::File::open(path)?));
    let mut header = [0; WAL_INDEX_HEADERS];
    read_at(file, &mut header)?;
    open.insert(id, file);
    Ok(file)
}

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Ok((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> std::io::Result<(u64, u64)> {
    Err(std::io::ErrorKind::Unsupported.into())
}
