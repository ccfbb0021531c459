//! Application state shared by handlers, the CLI and tests, and the start-up sequence.

use std::sync::Arc;

use crate::auth::{self, AuthError, AuthLimits, AuthService, DemoAccounts, PasswordHasher};
use crate::booking::BookingContext;
use crate::config::{Config, ConfigError, TrustError, TrustStore};
use crate::db::models::{Office, User};
use crate::db::{Db, DbError};
use crate::intake::Limits;
use crate::pki::{DevPki, FileKeyStore, KeyStore, PkiError, TokenKeyStore};
use crate::registry::issuance::Issuer;
use crate::registry::verifying::VerifyService;
use crate::storage::{BlobStore, StorageError};
use crate::work_limit::WorkLimits;

/// Everything a request handler needs, managed by Rocket.
#[derive(Debug, Clone)]
pub struct App {
    /// Settings.
    pub config: Config,
    /// Database pool.
    pub db: Db,
    /// Blob storage.
    pub blobs: BlobStore,
    /// Signing keys of officials and office seals.
    pub keys: Arc<dyn KeyStore>,
    /// Trust anchors, intermediates and CRLs for verification.
    pub trust: Arc<TrustStore>,
    /// Holiday data and clock of the booking rules (the clock is also the throttles').
    pub booking: BookingContext,
    /// Concurrency limits and deadlines of verifications and issuances (shared by clones).
    pub work: WorkLimits,
    /// Password hashing for requests: bounded, never holding a database connection.
    pub passwords: PasswordHasher,
    /// Public statuses of valid copies behind their codes, kept `status_cache_secs`.
    pub status_cache:
        Arc<crate::registry::status_cache::StatusCache<crate::registry::verifying::PublicStatus>>,
    /// Verification reports of stored valid copies by their SHA-256 (what a share
    /// redemption answers), kept `status_cache_secs`.
    pub report_cache:
        Arc<crate::registry::status_cache::StatusCache<crate::verification::DocumentReport>>,
    /// The key that signs the register log's tree heads.
    pub log_key: Arc<crate::transparency::heads::LogKey>,
    /// The log key verifications trust heads from (`log_public_key`, or the own key).
    pub log_trust: crate::transparency::heads::LogPublicKey,
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Database unreachable or migration failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Blob store unusable.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Development PKI could not be created.
    #[error(transparent)]
    Pki(#[from] PkiError),
    /// The register could not be recovered at start.
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
    /// Trust material for verification could not be loaded.
    #[error("verification trust material: {0}")]
    Trust(#[from] TrustError),
    /// The register log's key could not be read or made.
    #[error(transparent)]
    LogKey(#[from] crate::transparency::heads::LogKeyError),
    /// Demo data could not be seeded.
    #[error("seeding demo data failed: {0}")]
    Seed(#[from] AuthError),
    /// The password-hashing threads could not be started.
    #[error("starting the password-hashing threads: {0}")]
    HashThreads(std::io::Error),
    /// A file in the data directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// Path.
        path: std::path::PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

impl App {
    /// Opens the database (running migrations) and the blob store.
    pub fn open(config: Config) -> Result<App, StartError> {
        crate::private_files::create_private_dir_all(&config.data_dir).map_err(|source| {
            StartError::Io {
                path: config.data_dir.clone(),
                source,
            }
        })?;
        let db = Db::open(&config.database_url, config.database_pool_size)?;
        let applied = db.migrate()?;
        tracing::info!(
            backend = db.backend().name(),
            migrations = applied,
            "database ready"
        );
        let blobs = config.blob_store()?;
        tracing::info!(store = %blobs, "blob store");
        let interrupted = {
            let mut conn = db.get()?;
            crate::registry::void_interrupted(&mut conn, time::Duration::minutes(15)).map_err(
                |e| {
                    DbError::Query(diesel::result::Error::QueryBuilderError(
                        e.to_string().into(),
                    ))
                },
            )?
        };
        let (entries, audit_rows) = {
            let mut conn = db.get()?;
            crate::transparency::adopt_existing(&mut conn)?
        };
        if entries + audit_rows > 0 {
            tracing::info!(
                entries,
                audit_rows,
                "register entries and audit rows older than the register log were taken into it"
            );
        }
        let log_key = Arc::new(crate::transparency::heads::LogKey::load_or_create(
            &config.log_key_path(),
        )?);
        let log_trust = if config.log_public_key.trim().is_empty() {
            log_key.public()
        } else {
            crate::transparency::heads::LogPublicKey::from_base64(&config.log_public_key)?
        };
        if interrupted > 0 {
            tracing::warn!(
                count = interrupted,
                "register entries left pending by an interrupted issuance were voided"
            );
        }
        let swept = blobs.sweep_staging()?;
        if swept > 0 {
            tracing::warn!(
                removed = swept,
                "removed partial blobs left by an interrupted write"
            );
        }
        let keys: Arc<dyn KeyStore> = match config.token_module()? {
            Some(module) => Arc::new(TokenKeyStore::new(
                module,
                config.token_keys()?,
                &config.pki_dir,
            )),
            None => Arc::new(FileKeyStore::new(&config.pki_dir)),
        };
        let trust = Arc::new(config.trust_store()?);
        let work = config.work_limits();
        let passwords = PasswordHasher::new(
            config.password_hash_permits(),
            std::time::Duration::from_millis(config.password_hash_wait_ms),
        )
        .map_err(StartError::HashThreads)?;
        let mut booking = BookingContext::new();
        booking.max_active_per_citizen = config.max_active_appointments_per_citizen;
        let status_cache = Arc::new(crate::registry::status_cache::StatusCache::new(
            std::time::Duration::from_secs(config.status_cache_secs),
            100_000,
        ));
        let report_cache = Arc::new(crate::registry::status_cache::StatusCache::new(
            std::time::Duration::from_secs(config.status_cache_secs),
            5_000,
        ));
        Ok(App {
            work,
            status_cache,
            report_cache,
            log_key,
            log_trust,
            config,
            db,
            blobs,
            keys,
            trust,
            booking,
            passwords,
        })
    }

    /// Full start: open, seed the demo office into an empty database, and create the
    /// development PKI and the certificates of every office and official that lacks one.
    pub fn start(config: Config) -> Result<App, StartError> {
        let app = App::open(config)?;
        if app.config.seed_demo {
            let mut conn = app.db.get()?;
            if let Some(demo) = auth::seed_demo(&mut conn)? {
                let path = write_demo_accounts(&app.config.data_dir, &demo)?;
                tracing::warn!(
                    office = %demo.office.name,
                    file = %path.display(),
                    "DEMO ACCOUNTS created; their passwords are in this file (mode 0600), written \
                     once: read it, then delete it / mật khẩu tài khoản thử nghiệm nằm trong tệp này"
                );
            }
        }
        let mut app = app;
        if app.config.dev_pki {
            app.ensure_dev_pki()?;
            app.trust = Arc::new(app.config.trust_store()?);
        }
        Ok(app)
    }

    /// The issuing pipeline over this app's database, blob store and keys.
    pub fn issuer(&self) -> Issuer {
        Issuer {
            db: self.db.clone(),
            blobs: self.blobs.clone(),
            keys: self.keys.clone(),
            base_url: self.config.base_url.clone(),
            limits: self.scan_limits(),
            limit: self.work.issue.clone(),
            deadline: self.work.issue_deadline,
            timestamp_policy: self
                .config
                .copy_timestamps
                .then(|| self.config.tsa_policy().ok())
                .flatten(),
            long_term: self.config.copy_long_term.then(|| self.trust.clone()),
        }
    }

    /// The re-timestamping of stored copies, with the TSA's key (loaded now) and
    /// configured policy.
    pub fn retimestamper(
        &self,
    ) -> Result<
        crate::registry::retimestamp::Retimestamper,
        crate::registry::retimestamp::RetimestampError,
    > {
        let policy = self.config.tsa_policy()?;
        let tsa = crate::tsa::OwnTsa::new(self.db.clone(), self.keys.as_ref(), policy)?;
        Ok(crate::registry::retimestamp::Retimestamper {
            db: self.db.clone(),
            blobs: self.blobs.clone(),
            tsa: std::sync::Arc::new(tsa),
            trust: self.trust.clone(),
        })
    }

    /// The desk's and officials' work on certification requests.
    pub fn certification(&self) -> crate::certification::CertificationDesk {
        crate::certification::CertificationDesk {
            db: self.db.clone(),
            blobs: self.blobs.clone(),
            keys: self.keys.clone(),
            limits: self.scan_limits(),
            issuer: self.issuer(),
        }
    }

    /// The verification service over this app's register and trust store.
    pub fn verifier(&self) -> VerifyService {
        VerifyService {
            db: Some(self.db.clone()),
            trust: self.trust.clone(),
            max_bytes: self.config.max_upload_bytes(),
            public_per_minute: self.config.public_verify_per_minute,
            limit: self.work.verify.clone(),
            deadline: self.work.verify_deadline,
            status_cache: Some(self.status_cache.clone()),
            log_trust: Some(self.log_trust),
            #[cfg(feature = "test-support")]
            test_pause: None,
        }
    }

    /// Login, registration and staff creation over this app's database and hasher.
    pub fn auth(&self) -> AuthService {
        let config = &self.config;
        AuthService {
            db: self.db.clone(),
            passwords: self.passwords.clone(),
            limits: AuthLimits {
                login_free_per_account: config.login_free_attempts_per_account,
                login_free_per_address: config.login_free_attempts_per_address,
                login_backoff_max_ms: i64::try_from(config.login_backoff_max_secs)
                    .unwrap_or(i64::MAX / 1000)
                    .saturating_mul(1000),
                register_per_address_per_hour: config.register_per_address_per_hour,
                register_per_citizen_id_per_hour: config.register_per_citizen_id_per_hour,
            },
            session_hours: config.session_hours,
        }
    }

    /// Scan intake limits from the configuration.
    pub fn scan_limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.config.max_upload_bytes(),
            max_pages: self.config.max_pages,
            ..Limits::default()
        }
    }

    /// Creates the development PKI if missing and issues development certificates for
    /// offices and officials that have none.
    pub fn ensure_dev_pki(&self) -> Result<DevPki, StartError> {
        let (pki, created) = DevPki::ensure(&self.config.pki_dir)?;
        if created {
            tracing::warn!(
                dir = %pki.dir().display(),
                "created a DEVELOPMENT PKI: copies signed with these keys have no legal value; \
                 KHÓA PHÁT TRIỂN, không dùng cho vận hành thật"
            );
        }
        if pki.ensure_tsa()? {
            tracing::warn!("issued the DEVELOPMENT time-stamping authority certificate");
        }
        let mut conn = self.db.get()?;
        let offices = Office::list(&mut conn)?;
        // Keys held on a token get no development key file.
        for office in &offices {
            if self.config.seal_keys.contains_key(office.id.as_str()) {
                continue;
            }
            if pki.ensure_office_seal(office.id.as_str(), &office.name)? {
                tracing::warn!(office = %office.name, "issued DEVELOPMENT agency-seal certificate");
            }
        }
        for official in User::officials(&mut conn)? {
            if self.config.official_keys.contains_key(official.id.as_str()) {
                continue;
            }
            let office_name = offices
                .iter()
                .find(|o| Some(&o.id) == official.office_id.as_ref())
                .map(|o| o.name.as_str())
                .unwrap_or("certcopy");
            if pki.ensure_official(official.id.as_str(), &official.full_name, office_name)? {
                tracing::warn!(official = %official.full_name, "issued DEVELOPMENT signing certificate");
            }
        }
        Ok(pki)
    }

    /// With the development PKI on, issues development certificates for offices and
    /// officials that have none ([`App::ensure_dev_pki`], RSA key generation: run on the
    /// blocking pool). Called after creating an office or approving an official. The
    /// error is for the log only.
    pub async fn provision_dev_certificates(&self) -> Result<(), String> {
        if !self.config.dev_pki {
            return Ok(());
        }
        let app = self.clone();
        match rocket::tokio::task::spawn_blocking(move || app.ensure_dev_pki().map(|_| ())).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(format!("development PKI: {error}")),
            Err(join) => Err(format!("development PKI task: {join}")),
        }
    }
}

/// Writes the demo accounts' passwords to `{data_dir}/demo-accounts.txt`, created with
/// mode 0600 (never chmod-ed after the fact), so they never reach the log.
fn write_demo_accounts(
    data_dir: &std::path::Path,
    demo: &DemoAccounts,
) -> Result<std::path::PathBuf, StartError> {
    let path = data_dir.join("demo-accounts.txt");
    let io = |source| StartError::Io {
        path: path.clone(),
        source,
    };
    let mut text = format!(
        "DEMO ACCOUNTS / TÀI KHOẢN THỬ NGHIỆM (development only / chỉ dùng để thử)\n\
         office / cơ quan: {} ({})\n",
        demo.office.name, demo.office.id
    );
    for (role, username, password) in &demo.logins {
        text.push_str(&format!(
            "  {:<9} login: {:<16} password: {}\n",
            role.as_str(),
            username,
            password
        ));
    }
    // A file left by an earlier database is replaced, so it is always created anew with
    // mode 0600.
    crate::private_files::write_atomic(
        &path,
        text.as_bytes(),
        crate::private_files::PRIVATE_FILE_MODE,
    )
    .map_err(io)?;
    Ok(path)
}
