//! Content-addressed blob storage over `object_store`.
//!
//! Blobs (signed copies, scans) are stored under `sha256/{first two hex}/{full hex}`: the
//! name is the SHA-256 of the content, so a stored blob can always be checked against its
//! name, and storing the same bytes twice is a no-op. The local backend writes to a
//! staging file (`name#N`) and renames it into place with fsync, so a crash never leaves a
//! partial blob under a real name; [`BlobStore::sweep_staging`] removes leftovers on start.
//! Blob files are created with mode 0600 and their directories 0700 (copies and scans are
//! personal data; [`crate::private_files`]).
//!
//! At scale the blobs live in an S3-compatible object store ([`BlobStore::open_s3`],
//! `blob_url = "s3://bucket/prefix"`) under the same names: a PUT is atomic there, so no
//! staging is needed; copies above [`MULTIPART_THRESHOLD`] go up in parts. Every read
//! checks the bytes against their name on either backend. [`migrate`] copies a local
//! store to S3 (docs/ARCHITECTURE.md §18).

pub mod migrate;

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use futures::StreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};

/// Blobs larger than this are uploaded to S3 in parts of [`MULTIPART_PART`] bytes.
pub const MULTIPART_THRESHOLD: usize = 16 * 1024 * 1024;
/// Size of one part of a multipart upload (S3 wants at least 5 MiB but for the last).
pub const MULTIPART_PART: usize = 8 * 1024 * 1024;
/// Parts of one upload in flight at once.
const MULTIPART_CONCURRENCY: usize = 4;

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
    /// The S3 settings cannot make a client.
    #[error("cannot use the S3 store {url}: {reason}")]
    S3Config {
        /// The configured `s3://` URL.
        url: String,
        /// Cause.
        reason: String,
    },
}

/// Where and how to reach an S3-compatible store. Credentials come from the environment
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, or a role).
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// `s3://bucket` or `s3://bucket/prefix`.
    pub url: String,
    /// The service's address when it is not AWS (`https://s3.example.vn`). Empty: AWS.
    pub endpoint: String,
    /// Region (S3-compatible services accept any, commonly `us-east-1`).
    pub region: String,
    /// Allow a plain `http://` endpoint (a loopback test server); never in production.
    pub allow_http: bool,
    /// Access key, when not taken from the environment.
    pub access_key_id: String,
    /// Its secret.
    pub secret_access_key: crate::config::SecretSetting,
}

impl S3Settings {
    /// The bucket and the prefix inside it of an `s3://bucket/prefix` URL.
    pub fn bucket_and_prefix(&self) -> Result<(String, String), StorageError> {
        let bad = |reason: &str| StorageError::S3Config {
            url: self.url.clone(),
            reason: reason.to_owned(),
        };
        let rest = self
            .url
            .strip_prefix("s3://")
            .ok_or_else(|| bad("must start with s3://"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !bucket_ok {
            return Err(bad(
                "the bucket name must be 3-63 lower-case letters, digits, '-' or '.'",
            ));
        }
        let prefix = prefix.trim_matches('/');
        if prefix.split('/').any(|part| part == "." || part == "..")
            || prefix.contains("//")
            || prefix.chars().any(char::is_control)
        {
            return Err(bad("the prefix must be plain path segments"));
        }
        Ok((bucket.to_owned(), prefix.to_owned()))
    }
}

/// Which kind of store holds the blobs.
#[derive(Debug, Clone)]
enum Backend {
    /// A directory (its canonical path).
    Local(PathBuf),
    /// An S3 bucket; blobs under the prefix.
    S3 { bucket: String, prefix: String },
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
    backend: Backend,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("backend", &self.backend)
            .finish()
    }
}

impl std::fmt::Display for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.backend {
            Backend::Local(root) => write!(f, "{}", root.display()),
            Backend::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            Backend::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
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
            backend: Backend::Local(root),
        })
    }

    /// Opens an S3-compatible store. Nothing is sent yet: [`Self::check_reachable`] does.
    pub fn open_s3(settings: &S3Settings) -> Result<Self, StorageError> {
        let (bucket, prefix) = settings.bucket_and_prefix()?;
        // TLS to the store uses rustls on ring, the crypto the service already has; the
        // first store opened installs it as the process default (later calls find it).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(&bucket)
            .with_allow_http(settings.allow_http)
            .with_retry(object_store::RetryConfig {
                max_retries: 4,
                retry_timeout: std::time::Duration::from_secs(30),
                ..Default::default()
            });
        if !settings.region.is_empty() {
            builder = builder.with_region(&settings.region);
        }
        if !settings.endpoint.is_empty() {
            builder = builder.with_endpoint(&settings.endpoint);
        }
        if !settings.access_key_id.is_empty() {
            builder = builder
                .with_access_key_id(&settings.access_key_id)
                .with_secret_access_key(settings.secret_access_key.expose());
        }
        let store = builder.build().map_err(|e| StorageError::S3Config {
            url: settings.url.clone(),
            reason: e.to_string(),
        })?;
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(store)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(
                store,
                prefix.as_str(),
            ))
        };
        Ok(Self {
            store,
            backend: Backend::S3 { bucket, prefix },
        })
    }

    /// Asks the store for a name that cannot exist: answers whether the store can be
    /// reached with these credentials (a missing object is fine, a refusal is not).
    pub async fn check_reachable(&self) -> Result<(), StorageError> {
        let probe = ObjectPath::from("sha256/00/reachability-probe");
        match self.store.head(&probe).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(other) => Err(io_error(other)),
        }
    }

    /// Whether the blobs are in an S3-compatible store.
    pub fn is_s3(&self) -> bool {
        matches!(self.backend, Backend::S3 { .. })
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
        if self.store.head(&Self::location(&digest)).await.is_ok() {
            return Ok(digest);
        }
        self.write(&digest, bytes).await?;
        Ok(digest)
    }

    /// Writes `bytes` under `digest`'s name, replacing what is there (the caller hashed
    /// them). The store's copy appears whole or not at all.
    pub(crate) async fn write(
        &self,
        digest: &Sha256Hex,
        bytes: bytes::Bytes,
    ) -> Result<(), StorageError> {
        let location = Self::location(digest);
        match &self.backend {
            Backend::Local(root) => {
                let path = root.join(location.as_ref());
                rocket::tokio::task::spawn_blocking(move || write_private_blob(&path, &bytes))
                    .await
                    .map_err(io_error)?
                    .map_err(io_error)?;
            }
            Backend::S3 { .. } if bytes.len() > MULTIPART_THRESHOLD => {
                self.put_in_parts(&location, bytes).await?;
            }
            Backend::S3 { .. } => {
                self.store
                    .put(&location, bytes.into())
                    .await
                    .map_err(io_error)?;
            }
        }
        Ok(())
    }

    /// A multipart upload: parts of [`MULTIPART_PART`] bytes, a few in flight; aborted
    /// (its parts deleted) when any part fails, so nothing appears under the name.
    async fn put_in_parts(
        &self,
        location: &ObjectPath,
        bytes: bytes::Bytes,
    ) -> Result<(), StorageError> {
        let upload = self.store.put_multipart(location).await.map_err(io_error)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, MULTIPART_PART);
        let mut offset = 0;
        while offset < bytes.len() {
            let end = (offset + MULTIPART_PART).min(bytes.len());
            if let Err(error) = writer.wait_for_capacity(MULTIPART_CONCURRENCY).await {
                let _ = writer.abort().await;
                return Err(io_error(error));
            }
            writer.put(bytes.slice(offset..end));
            offset = end;
        }
        writer.finish().await.map_err(io_error)?;
        Ok(())
    }

    /// The digests of every blob in the store, in the store's listing order. Names that
    /// are not blobs (staging files, strays) are left out.
    pub fn list(&self) -> futures::stream::BoxStream<'_, Result<(Sha256Hex, u64), StorageError>> {
        self.store
            .list(Some(&ObjectPath::from("sha256")))
            .filter_map(|item| async move {
                match item {
                    Ok(meta) => {
                        let name = meta.location.filename()?;
                        let digest = Sha256Hex::parse(name).ok()?;
                        (Self::location(&digest) == meta.location)
                            .then_some(Ok((digest, meta.size)))
                    }
                    Err(error) => Some(Err(io_error(error))),
                }
            })
            .boxed()
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
    /// were removed. Run at start, before serving. An S3 store has none: a PUT appears
    /// whole or not at all, and a failed multipart upload is aborted.
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
        let Backend::Local(root) = &self.backend else {
            return Ok(0);
        };
        let mut removed = 0;
        walk(root, &mut removed).map_err(io_error)?;
        Ok(removed)
    }

    /// Filesystem root of a local store; `None` for S3.
    pub fn root(&self) -> Option<&FsPath> {
        match &self.backend {
            Backend::Local(root) => Some(root),
            Backend::S3 { .. } => None,
        }
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
        let file = store
            .root()
            .unwrap()
            .join("sha256")
            .join(&hex[..2])
            .join(hex);
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
        let sub = store.root().unwrap().join("sha256").join("ab");
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
        let sub = store.root().unwrap().join("sha256").join(&hex[..2]);
        assert_eq!(mode(&store.root().unwrap().join("sha256")), 0o700);
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
