//! The data directory, the database file and backups hold every insured person's ID number and
//! every device's token hash: on Unix the directory is created readable by its owner only
//! (0700) and the files 0600. SQLite gives its `-wal` and `-shm` files the mode of the
//! database file, so they follow.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` (and any missing parent) readable by its owner only; an existing directory
/// is left as it is.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `path`, which must not exist yet, readable and writable by its owner only.
pub fn create_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes an existing file readable and writable by its owner only (a database file made
/// before this rule, or one copied in).
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// The database file: created empty and private if missing (before SQLite creates it with
/// the process's umask), made private if it exists.
pub fn database_file(path: &Path) -> io::Result<()> {
    match create_new(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => restrict(path),
        Err(e) => Err(e),
    }
}
