//! Content-addressed blob storage over `object_store`.
//!
//! Blobs (signed copies, scans) are stored under `sha256/{first two hex}/{full hex}`: the
//! name is the SHA-256 of the content, so a stored blob can always be checked against its
//! name, and storing the same bytes twice is a no-op. The local backend writes to a
//! staging file (`name#N`) and renames it into place with fsync, so a crash never leaves a
//! partial blob under a real name; [`BlobStore::sweep_staging`] removes leftovers on start.
//! Blob files are created with mode 0600 and their directories 0700 (copies and scans are
//! personal data; [`crate::private_files`]).
//! An S3-compatible store can replace the local one at scale (docs/ARCHITECTURE.md §7).

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};

/// Errors of the blob store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The store could not be opened.
    #[error("cannot open blob store at {path}: {reason}")]
    Open {
        /// Directory.
        path: PathBuf,
        /// Cause.
        reason: String,
    },
    /// No blob has this digest.
    #[error("blob {0} not found")]
    NotFound(String),
    /// A digest string is not 64 lower-case hex characters.
    #[error("`{0}` is not a SHA-256 digest")]
    BadDigest(String),
    /// The stored bytes no longer match their name (disk corruption or tampering).
    #[error("blob {0} is corrupted: content does not match its SHA-256")]
    Corrupted(String),
    /// Any other I/O failure.
    #[error("blob store I/O failed: {0}")]
    Io(String),
}

/// A SHA-256 digest as 64 lower-case hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sha256Hex(String);

impl Sha256Hex {
    /// Digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(bytes)))
    }

    /// A digest computed elsewhere.
    pub fn from_digest(digest: [u8; 32]) -> Self {
        Self(hex::encode(digest))
    }

    /// Parses a hex digest (either case).
    pub fn parse(text: &str) -> Result<Self, StorageError> {
        let lower = text.to_ascii_lowercase();
        if lower.len() == 64 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(lower))
        } else {
            Err(StorageError::BadDigest(text.to_owned()))
        }
    }

    /// The hex string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Sha256Hex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The blob store, cheap to clone.
#[derive(Clone)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    root: PathBuf,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("root", &self.root)
            .finish()
    }
}

fn io_error(error: impl std::fmt::Display) -> StorageError {
    StorageError::Io(error.to_string())
}

impl BlobStore {
    /// Opens (creating if needed) a local store rooted at `dir`.
    pub fn open_local(dir: &FsPath) -> Result<Self, StorageError> {
        let open_error = |reason: String| StorageError::Open {
            path: dir.to_owned(),
            reason,
        };
        crate::private_files::create_private_dir_all(dir).map_err(|e| open_error(e.to_string()))?;
        let root = dir.canonicalize().map_err(|e| open_error(e.to_string()))?;
        let store = LocalFileSystem::new_with_prefix(&root)
            .map_err(|e| open_error(e.to_string()))?
            .with_fsync(true);
        Ok(Self {
            store: Arc::new(store),
            root,
        })
    }

    fn location(digest: &Sha256Hex) -> ObjectPath {
        let hex = digest.as_str();
        ObjectPath::from(format!("sha256/{}/{}", &hex[..2], hex))
    }

    /// Stores `bytes` and returns their digest. Idempotent. Pass [`bytes::Bytes`] to keep
    /// using the buffer afterwards without a copy.
    pub async fn put(&self, bytes: impl Into<bytes::Bytes>) -> Result<Sha256Hex, StorageError> {
        let bytes: bytes::Bytes = bytes.into();
        let digest = Sha256Hex::of(&bytes);
        self.put_hashed(bytes, digest).await
    }

    /// [`Self::put`] with the digest already computed by the caller over exactly these
    /// bytes (issuing gets it from the signing's own hashing). Reads check it again.
    pub async fn put_hashed(
        &self,
        bytes: bytes::Bytes,
        digest: Sha256Hex,
    ) -> Result<Sha256Hex, StorageError> {
        let location = Self::location(&digest);
        if self.store.head(&location).await.is_ok() {
            return Ok(digest);
        }
        let path = self.root.join(location.as_ref());
        rocket::tokio::task::spawn_blocking(move || write_private_blob(&path, &bytes))
            .await
            .map_err(io_error)?
            .map_err(io_error)?;
        Ok(digest)
    }

    /// Reads a blob and checks it still hashes to its name.
    pub async fn get(&self, digest: &Sha256Hex) -> Result<Vec<u8>, StorageError> {
        let location = Self::location(digest);
        let result = match self.store.get(&location).await {
            Ok(result) => result,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(StorageError::NotFound(digest.to_string()));
            }
            Err(other) => return Err(io_error(other)),
        };
        let bytes = result.bytes().await.map_err(io_error)?.to_vec();
        if Sha256Hex::of(&bytes) != *digest {
            return Err(StorageError::Corrupted(digest.to_string()));
        }
        Ok(bytes)
    }

    /// Whether a blob exists.
    pub async fn exists(&self, digest: &Sha256Hex) -> Result<bool, StorageError> {
        match self.store.head(&Self::location(digest)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(other) => Err(io_error(other)),
        }
    }

    /// Removes staging files (`name#N`) left by a crash during a write. Returns how many
    /// were removed. Run at start, before serving.
    pub fn sweep_staging(&self) -> Result<usize, StorageError> {
        fn walk(dir: &FsPath, removed: &mut usize) -> std::io::Result<()> {
            for entry in std::fs::read_dir(dir)? {
                let entry = entry?;
                let path = entry.path();
                if entry.file_type()?.is_dir() {
                    walk(&path, removed)?;
                } else if is_staging_name(&entry.file_name().to_string_lossy()) {
                    std::fs::remove_file(&path)?;
                    *removed += 1;
                }
            }
            Ok(())
        }
        let mut removed = 0;
        walk(&self.root, &mut removed).map_err(io_error)?;
        Ok(removed)
    }

    /// Filesystem root of the store.
    pub fn root(&self) -> &FsPath {
        &self.root
    }
}

/// Writes a blob file the way `object_store`'s local backend does (staging file
/// `{name}#{digits}`, fsync, rename, fsync of the directory), but created with mode 0600 in
/// directories created 0700, which that backend cannot do.
fn write_private_blob(path: &FsPath, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("blob path without a directory"))?;
    crate::private_files::create_private_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt: u32 = 0;
    let (staging, mut file) = loop {
        let mut suffix = [0u8; 4];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut suffix)
            .map_err(|_| std::io::Error::other("no randomness"))?;
        let staging = dir.join(format!("{name}#{}", u32::from_be_bytes(suffix)));
        match crate::private_files::create_new_with_mode(
            &staging,
            crate::private_files::PRIVATE_FILE_MODE,
        ) {
            Ok(file) => break (staging, file),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && attempt < 8 => {
                attempt += 1;
            }
            Err(error) => return Err(error),
        }
    };
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&staging, path));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&staging);
        return Err(error);
    }
    std::fs::File::open(dir)?.sync_all()
}

/// Staging files of a blob write are named `{name}#{digits}`.
fn is_staging_name(name: &str) -> bool {
    match name.rsplit_once('#') {
        Some((_, suffix)) => !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rocket::async_test]
    async fn put_get_round_trip_and_dedup() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open_local(dir.path()).unwrap();
        let digest = store.put(b"ban sao".to_vec()).await.unwrap();
        assert_eq!(digest, Sha256Hex::of(b"ban sao"));
        assert_eq!(store.put(b"ban sao".to_vec()).await.unwrap(), digest);
        assert_eq!(store.get(&digest).await.unwrap(), b"ban sao");
        let missing = Sha256Hex::of(b"other");
        assert!(matches!(
            store.get(&missing).await,
            Err(StorageError::NotFound(_))
        ));
        assert!(!store.exists(&missing).await.unwrap());
    }

    #[rocket::async_test]
    async fn corrupted_blob_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open_local(dir.path()).unwrap();
        let digest = store.put(b"original".to_vec()).await.unwrap();
        let hex = digest.as_str();
        let file = store.root().join("sha256").join(&hex[..2]).join(hex);
        std::fs::write(&file, b"tampered").unwrap();
        assert!(matches!(
            store.get(&digest).await,
            Err(StorageError::Corrupted(_))
        ));
    }

    #[test]
    fn staging_leftovers_are_swept_and_invisible() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open_local(dir.path()).unwrap();
        let sub = store.root().join("sha256").join("ab");
        std::fs::create_dir_all(&sub).unwrap();
        let partial = sub.join(format!("{}#1", "ab".repeat(32)));
        std::fs::write(&partial, b"half a pdf").unwrap();
        std::fs::write(sub.join("ab".repeat(32)), b"kept").unwrap();
        assert_eq!(store.sweep_staging().unwrap(), 1);
        assert!(!partial.exists());
        assert!(sub.join("ab".repeat(32)).exists());
    }

    #[cfg(unix)]
    #[rocket::async_test]
    async fn blobs_and_their_directories_are_private_from_creation() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &FsPath| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("data/blobs");
        let store = BlobStore::open_local(&root).unwrap();
        assert_eq!(mode(&root), 0o700);
        assert_eq!(mode(&dir.path().join("data")), 0o700);
        let digest = store.put(b"scan of an ID card".to_vec()).await.unwrap();
        let hex = digest.as_str();
        let sub = store.root().join("sha256").join(&hex[..2]);
        assert_eq!(mode(&store.root().join("sha256")), 0o700);
        assert_eq!(mode(&sub), 0o700);
        assert_eq!(mode(&sub.join(hex)), 0o600);
        assert_eq!(
            std::fs::read_dir(&sub).unwrap().count(),
            1,
            "no staging left"
        );
        assert_eq!(store.get(&digest).await.unwrap(), b"scan of an ID card");
    }

    #[test]
    fn digest_parsing() {
        assert!(Sha256Hex::parse(&"A".repeat(64)).is_ok());
        assert!(Sha256Hex::parse("abc").is_err());
        assert!(Sha256Hex::parse(&"g".repeat(64)).is_err());
    }
}
