//! Files only the service's own user may read: private keys, the SQLite database, blobs,
//! the cookie secret (docs/ARCHITECTURE.md §9).
//!
//! Files are created with their final mode (`O_CREAT | O_EXCL` with mode 0600), never
//! created readable and tightened afterwards, so there is no moment at which another local
//! user could open them; directories are created 0700. Atomic writes go to a staging file
//! in the same directory and are renamed into place after `fsync`, so a crash never leaves
//! half a key under the real name. On other platforms the modes are left to the system.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

/// Mode of secret files: read and write for the owner only.
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// Mode of files anyone may read (certificates).
pub const PUBLIC_FILE_MODE: u32 = 0o644;
/// Mode of directories holding secret files.
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// Creates `dir` and its missing parents with mode 0700 (existing ones are left as they
/// are).
pub fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(PRIVATE_DIR_MODE);
    }
    builder.create(dir)
}

/// Creates a new file with `mode`, failing if it exists.
pub fn create_new_with_mode(path: &Path, mode: u32) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    options.open(path)
}

/// Creates an empty file with mode 0600 unless it exists already. Returns whether it was
/// created now.
pub fn ensure_private_file(path: &Path) -> std::io::Result<bool> {
    match create_new_with_mode(path, PRIVATE_FILE_MODE) {
        Ok(file) => {
            file.sync_all()?;
            Ok(true)
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(error) => Err(error),
    }
}

/// Writes `bytes` to `path` atomically, the file having `mode` from its creation: staging
/// file `{path}.partial` (a leftover from a crash is removed first), `fsync`, rename.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    let staging = path.with_extension("partial");
    match std::fs::remove_file(&staging) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    let mut file = create_new_with_mode(&staging, mode)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&staging, path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .expect("the file was just created")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn files_and_directories_have_their_mode_from_creation() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        create_private_dir_all(&nested).unwrap();
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        let key = nested.join("k.key");
        // A leftover staging file from a crash, readable by all: replaced, not reused.
        std::fs::write(key.with_extension("partial"), b"old").unwrap();
        std::fs::set_permissions(
            key.with_extension("partial"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        write_atomic(&key, b"secret", PRIVATE_FILE_MODE).unwrap();
        assert_eq!(mode(&key), 0o600);
        assert_eq!(std::fs::read(&key).unwrap(), b"secret");
        assert!(!key.with_extension("partial").exists());
        let db = nested.join("x.db");
        assert!(ensure_private_file(&db).unwrap());
        assert!(!ensure_private_file(&db).unwrap());
        assert_eq!(mode(&db), 0o600);
    }
}
