//! Where the database lives, and keeping it readable by its owner alone: captures hold
//! personal data.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::search::SEARCH_FILE;

pub const DATABASE_FILE: &str = "inspector.db";

/// Where a running session says where it listens, with its process id (`session/listening.rs`
/// writes it). The store reads only the id: which other process has the database open.
pub const LISTENING_FILE: &str = "listening.json";

/// Whether process `pid` runs. Where the system cannot tell, it is taken as running.
pub fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// The id of another running process that said it listens on `data_dir`, if any. A file that
/// does not read names no one: a session that wrote it whole is the only one that matters.
pub fn other_session(data_dir: &Path) -> Option<u32> {
    let bytes = std::fs::read(data_dir.join(LISTENING_FILE)).ok()?;
    let written: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let pid = u32::try_from(written.get("pid")?.as_u64()?).ok()?;
    (pid != std::process::id() && process_alive(pid)).then_some(pid)
}

/// `~/.local/share/persona-inspector` on Linux, the platform's equivalent elsewhere.
pub fn default_data_dir() -> Result<PathBuf> {
    dirs::data_dir()
        .map(|d| d.join("persona-inspector"))
        .ok_or(Error::NoDataDir)
}

/// Creates the directory (0700) and the database files (0600) if needed, and tightens them if
/// they exist with looser modes. Returns the database path; the search index sits beside it.
pub fn prepare(data_dir: &Path) -> Result<PathBuf> {
    let fail = |source| Error::DataDir {
        path: data_dir.to_path_buf(),
        source,
    };
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(data_dir).map_err(fail)?;
    restrict(data_dir, 0o700).map_err(fail)?;

    for name in [DATABASE_FILE, SEARCH_FILE] {
        let db = data_dir.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&db).map_err(fail)?;
        // SQLite gives -wal, -shm and -journal the database file's mode, so these follow.
        let sidecars = ["-wal", "-shm", "-journal"].map(|suffix| sidecar(&db, suffix));
        for file in std::iter::once(db.clone()).chain(sidecars) {
            if file.exists() {
                restrict(&file, 0o600).map_err(fail)?;
            }
        }
    }
    Ok(data_dir.join(DATABASE_FILE))
}

/// Writes `bytes` to `path` readable by its owner alone, replacing it whole (a reader never sees
/// half a file): written beside it, then renamed over it.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    // Named for this process: two sessions writing at once each rename a whole file.
    let partial = sidecar(path, &format!(".{}.partial", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&partial)?;
    restrict(&partial, 0o600)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, path)
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}
