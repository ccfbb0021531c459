//! Typed service configuration.
//!
//! Settings come from, in increasing priority: built-in defaults, `Rocket.toml` (the
//! `[default]` table and the table of the active profile), and `CERTCOPY_*` environment
//! variables (`CERTCOPY_DATABASE_URL`, `CERTCOPY_DATA_DIR`, …). Rocket's own settings
//! (`address`, `port`, `secret_key`, limits) are read from the same sources, so
//! `CERTCOPY_PORT=9000` works as well as `ROCKET_PORT=9000`.
//!
//! The configuration is loaded once at start and passed by value into managed state;
//! there is no global. A malformed value fails the start with a message that names the
//! setting.

mod network;
mod oidc;
mod trust;

pub use network::Network;
pub use oidc::OidcConfig;
pub use trust::{TrustError, TrustStore};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::{Figment, Profile};
use serde::{Deserialize, Serialize};

use crate::pki::{TokenKeyRef, TokenKeys, TokenModule};
use crate::work_limit::{LimitSettings, UploadBudget, WorkLimit, WorkLimits};

/// Error raised while loading or checking the configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A setting is present but has the wrong shape (figment names the key).
    #[error("cấu hình không hợp lệ / invalid configuration: {0}")]
    Malformed(#[from] Box<figment::Error>),
    /// A setting parsed but its value is not acceptable.
    #[error("cấu hình không hợp lệ / invalid configuration: `{setting}`: {reason}")]
    Invalid {
        /// The setting's name as written in `Rocket.toml` (env: `CERTCOPY_` + upper case).
        setting: &'static str,
        /// Why the value is refused.
        reason: String,
    },
}

/// Which database backend a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DatabaseBackend {
    /// Embedded SQLite (the default): a file path or `sqlite://path`.
    Sqlite,
    /// PostgreSQL: `postgres://…` or `postgresql://…`.
    Postgres,
}

impl DatabaseBackend {
    /// Picks the backend from the URL scheme. Anything that is not a PostgreSQL URL is a
    /// SQLite path.
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }

    /// The name shown by the health endpoint.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// The certcopy settings (Rocket's own settings are read separately by Rocket).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Directory for the database file, blobs and generated secrets.
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL, otherwise a SQLite file path. Empty means
    /// `{data_dir}/certcopy.db`.
    pub database_url: String,
    /// Connections kept in the pool.
    pub database_pool_size: u32,
    /// Where signed copies and scans are stored. Empty means `{data_dir}/blobs`. Unused
    /// when `blob_url` names an S3 store.
    pub blob_dir: PathBuf,
    /// `s3://bucket/prefix`: keep the blobs in an S3-compatible object store instead of
    /// `blob_dir` (what several instances share). Credentials come from the environment
    /// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`). Empty: the local `blob_dir`.
    pub blob_url: String,
    /// The S3 service's address when it is not AWS, e.g. `https://s3.example.vn`.
    pub s3_endpoint: String,
    /// The S3 region (default `us-east-1`, which S3-compatible services accept).
    pub s3_region: String,
    /// Allow a plain `http://` `s3_endpoint`. Only for a test server on loopback.
    pub s3_allow_http: bool,
    /// Access key of the S3 store, when not in the environment (`AWS_ACCESS_KEY_ID`).
    pub s3_access_key_id: String,
    /// Its secret (better: `AWS_SECRET_ACCESS_KEY` in the environment). Never printed.
    pub s3_secret_access_key: SecretSetting,
    /// Public base URL printed in QR codes, e.g. `https://chungthuc.example.gov.vn`.
    pub base_url: String,
    /// Directory of the development PKI (`certcopy pki init`).
    pub pki_dir: PathBuf,
    /// Create the development PKI on start when it is missing.
    pub dev_pki: bool,
    /// Seed the demo office and staff accounts into an empty database.
    pub seed_demo: bool,
    /// Lifetime of a login session, in hours.
    pub session_hours: u32,
    /// Largest accepted upload (one scan file, one PDF to verify), in MB.
    pub max_upload_mb: u64,
    /// Most pages in one original document.
    pub max_pages: u32,
    /// Trusted root certificates for verification (PEM/DER files). Empty with `dev_pki`
    /// on: the development root.
    pub trust_anchors: Vec<PathBuf>,
    /// Intermediate CA certificates known to the verifier.
    pub trust_intermediates: Vec<PathBuf>,
    /// Certificate revocation lists for verification. Empty with `dev_pki` on: the
    /// development CRL.
    pub trust_crls: Vec<PathBuf>,
    /// Verifications per minute per client address on the public (anonymous) path.
    pub public_verify_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or networks such as
    /// `10.0.0.0/8`). Empty: the client address is always the socket's peer, and forwarding
    /// headers are ignored, so nobody can pick the address a limit counts against.
    pub trusted_proxies: Vec<String>,
    /// Verifications running at once in this process; 0: one less than the CPUs (at
    /// least 1), so a flood of uploads leaves a core to the rest of the service.
    pub verify_max_concurrent: u32,
    /// Verifications waiting for a free slot at once; more are refused (503).
    pub verify_queue: u32,
    /// Longest a verification waits for a free slot, in milliseconds.
    pub verify_queue_wait_ms: u64,
    /// Longest a verification may take, waiting included, in milliseconds; past it the
    /// work stops and the answer is 503 `verification_deadline`.
    pub verify_deadline_ms: u64,
    /// Issuances running at once in this process; 0: one less than the CPUs (at least 1).
    pub issue_max_concurrent: u32,
    /// Issuances waiting for a free slot at once; more are refused (503).
    pub issue_queue: u32,
    /// Longest an issuance waits for a free slot, in milliseconds.
    pub issue_queue_wait_ms: u64,
    /// Longest an issuance may take, waiting included, in milliseconds; past it the work
    /// stops, any number allocated is voided, and the answer is 503 `issuance_deadline`.
    pub issue_deadline_ms: u64,
    /// Bytes of verification uploads (public and agency) received and held at once, in MB.
    /// An upload reserves its declared size before its body is read and waits at most
    /// `verify_queue_wait_ms` for room, then is refused (503) unread.
    pub upload_budget_mb: u64,
    /// Longest an upload body may take to arrive, in seconds; a slower one is stopped and
    /// answered 408, so a slow sender cannot hold its share of the budget for ever.
    pub upload_read_timeout_secs: u64,
    /// Longest wait for an agency's webhook to answer an annulment notice, in seconds; a
    /// claimed notice is left to its sender for twice this plus 5 s before another
    /// instance may take it (`webhooks::lease`).
    pub webhook_timeout_secs: u64,
    /// Seconds the public status of a valid copy is kept in memory for lookups by code (0:
    /// none). An annulment made by this instance is seen at once; one made by another
    /// instance sharing the database, within this time.
    pub status_cache_secs: u64,
    /// The register log's signing key (Ed25519, PKCS#8 PEM). Empty means
    /// `{data_dir}/log.key`, made on first start; instances sharing a database must share
    /// it, like the secret key.
    pub log_key_file: PathBuf,
    /// The log public key verifications trust tree heads from (base64 of the 32 bytes,
    /// as `certcopy registry key` prints it). Empty: the service's own log key.
    pub log_public_key: String,
    /// Seconds between two signed tree heads of the register log (one is signed only when
    /// the log or the audit chain grew); 0 publishes only on demand.
    pub log_head_interval_secs: u64,
    /// Time-stamp requests one client address may make per minute (`POST
    /// /api/v1/timestamp`).
    pub tsa_per_minute: u32,
    /// The policy OID of the time-stamping authority's tokens (dotted). The default is a
    /// development policy under the documentation enterprise number of RFC 5612.
    pub tsa_policy: String,
    /// Time-stamp both signatures of every copy issued with the service's own TSA (PAdES
    /// B-T: the copy proves when it was signed, after the signers' certificates expire).
    pub copy_timestamps: bool,
    /// With `copy_timestamps`, make copies PAdES B-LTA: after the signatures, a Document
    /// Security Store with the certificates and the CRLs (from the trust material) that
    /// validate them and their time-stamps, then a document time-stamp over everything.
    /// The copy then verifies offline, years later, with only the trust anchors.
    pub copy_long_term: bool,
    /// `certcopy registry retimestamp` and the `copies.retimestamp` job renew stored B-LTA
    /// copies whose last document time-stamp's authority certificate expires within this
    /// many days.
    pub retimestamp_horizon_days: u32,
    /// Hours between two runs of the `copies.retimestamp` job (0: only by the command).
    pub retimestamp_every_hours: u32,
    /// Seconds between two runs of the job that voids register lines left pending by an
    /// interrupted issuance (older than 15 minutes).
    pub void_interrupted_every_secs: u64,
    /// Seconds between two looks of an instance's job runner for due jobs.
    pub job_poll_secs: u64,
    /// PKCS#11 module (e.g. `/usr/lib/softhsm/libsofthsm2.so`) holding keys named in
    /// `official_keys` and `seal_keys`. Empty: every key is a file in `pki_dir`.
    pub pkcs11_module: PathBuf,
    /// The token's user PIN (better: `pkcs11_pin_file`, or the environment variable
    /// `CERTCOPY_PKCS11_PIN`, which wins over both). Never printed.
    pub pkcs11_pin: SecretSetting,
    /// A file holding the token's user PIN (one line), instead of `pkcs11_pin`.
    pub pkcs11_pin_file: PathBuf,
    /// Officials whose key is on the token: user id → `pkcs11:<token label>/<key label>`
    /// (or `…/id=<hex>`). Others sign with key files.
    pub official_keys: BTreeMap<String, String>,
    /// Office seals whose key is on the token: office id → `pkcs11:<token>/<key>`.
    pub seal_keys: BTreeMap<String, String>,
    /// Password hashes (Argon2id, 19 MiB each) computed at once; 0: one per CPU core.
    pub password_hash_concurrency: u32,
    /// How long a login or registration waits for a hashing slot before the answer is
    /// 503 `service_busy`, in milliseconds.
    pub password_hash_wait_ms: u64,
    /// Login attempts per account name without delay; after them each attempt doubles the
    /// wait (1 s, 2 s, 4 s, … up to `login_backoff_max_secs`). A successful login resets it.
    pub login_free_attempts_per_account: u32,
    /// Failed login attempts per client address without delay (then the same back-off).
    pub login_free_attempts_per_address: u32,
    /// Longest back-off between login attempts, in seconds.
    pub login_backoff_max_secs: u64,
    /// Registrations per client address per hour.
    pub register_per_address_per_hour: u32,
    /// Registrations per citizen ID per hour.
    pub register_per_citizen_id_per_hour: u32,
    /// Appointments one citizen ID may hold at once (booked, not yet past), all offices
    /// together.
    pub max_active_appointments_per_citizen: u32,
    /// Login through the national identity provider (OpenID Connect); off when absent.
    pub oidc: Option<OidcConfig>,
}

/// A setting that is a secret: read like a string, never shown by `Debug` or serialised.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct SecretSetting(String);

impl SecretSetting {
    /// A secret with this value.
    pub fn new(value: impl Into<String>) -> Self {
        SecretSetting(value.into())
    }

    /// The value, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is empty (not set).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for SecretSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "[redacted]"
        })
    }
}

impl Serialize for SecretSetting {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(if self.0.is_empty() { "" } else { "[redacted]" })
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            database_pool_size: 8,
            blob_dir: PathBuf::new(),
            blob_url: String::new(),
            s3_endpoint: String::new(),
            s3_region: "us-east-1".to_owned(),
            s3_allow_http: false,
            s3_access_key_id: String::new(),
            s3_secret_access_key: SecretSetting::default(),
            base_url: "http://127.0.0.1:8000".to_owned(),
            pki_dir: PathBuf::from("certs/dev"),
            dev_pki: true,
            seed_demo: true,
            session_hours: 12,
            max_upload_mb: 50,
            max_pages: 100,
            trust_anchors: Vec::new(),
            trust_intermediates: Vec::new(),
            trust_crls: Vec::new(),
            public_verify_per_minute: 20,
            trusted_proxies: Vec::new(),
            pkcs11_module: PathBuf::new(),
            pkcs11_pin: SecretSetting::default(),
            pkcs11_pin_file: PathBuf::new(),
            official_keys: BTreeMap::new(),
            seal_keys: BTreeMap::new(),
            verify_max_concurrent: 0,
            verify_queue: 32,
            verify_queue_wait_ms: 500,
            verify_deadline_ms: 1_500,
            issue_max_concurrent: 0,
            issue_queue: 16,
            issue_queue_wait_ms: 5_000,
            issue_deadline_ms: 20_000,
            upload_budget_mb: 64,
            upload_read_timeout_secs: 120,
            webhook_timeout_secs: 10,
            status_cache_secs: 5,
            log_key_file: PathBuf::new(),
            log_public_key: String::new(),
            log_head_interval_secs: 60,
            tsa_per_minute: 120,
            tsa_policy: crate::tsa::DEVELOPMENT_POLICY.to_owned(),
            copy_timestamps: true,
            copy_long_term: true,
            retimestamp_horizon_days: 365,
            retimestamp_every_hours: 24,
            void_interrupted_every_secs: 300,
            job_poll_secs: 2,
            password_hash_concurrency: 0,
            password_hash_wait_ms: 2000,
            login_free_attempts_per_account: 5,
            login_free_attempts_per_address: 30,
            login_backoff_max_secs: 900,
            register_per_address_per_hour: 10,
            register_per_citizen_id_per_hour: 5,
            max_active_appointments_per_citizen: 3,
            oidc: None,
        }
    }
}

/// The environment variable holding the token's user PIN (read verbatim, before
/// `pkcs11_pin_file` and `pkcs11_pin`).
pub const PIN_VARIABLE: &str = "CERTCOPY_PKCS11_PIN";

/// Keys that belong to Rocket and may sit next to ours in the same table.
const ROCKET_KEYS: &[&str] = &[
    "profile",
    "__non_exhaustive",
    "reuse",
    "address",
    "port",
    "workers",
    "max_blocking",
    "ident",
    "ip_header",
    "proxy_proto_header",
    "keep_alive",
    "log_level",
    "cli_colors",
    "secret_key",
    "temp_dir",
    "limits",
    "tls",
    "mtls",
    "shutdown",
];

impl Config {
    /// The figment every setting is read from: defaults, `Rocket.toml`, then `ROCKET_*`
    /// and `CERTCOPY_*` environment variables. The caller may merge overrides on top.
    pub fn figment() -> Figment {
        let profile = Profile::from_env_or("CERTCOPY_PROFILE", rocket::Config::DEFAULT_PROFILE);
        Figment::from(rocket::Config::default())
            .merge(Serialized::defaults(Config::default()))
            .merge(Toml::file(Env::var_or("CERTCOPY_CONFIG", "Rocket.toml")).nested())
            .merge(Env::prefixed("ROCKET_").ignore(&["PROFILE"]).global())
            .merge(
                Env::prefixed("CERTCOPY_")
                    .ignore(&[
                        "PROFILE",
                        "CONFIG",
                        "LOG",
                        "TEST_DATABASE_URL",
                        "PKCS11_PIN",
                    ])
                    .global(),
            )
            .select(profile)
    }

    /// Extracts and checks the certcopy settings from a figment. Keys that are neither
    /// ours nor Rocket's are refused, so a typo does not silently fall back to a default.
    pub fn from_figment(figment: &Figment) -> Result<Self, ConfigError> {
        let config: Config = figment
            .extract()
            .map_err(|error| ConfigError::Malformed(Box::new(error)))?;
        let all = figment
            .extract::<serde_json::Map<String, serde_json::Value>>()
            .map_err(|error| ConfigError::Malformed(Box::new(error)))?;
        let ours = serde_json::to_value(Config::default()).unwrap_or_default();
        for key in all.keys() {
            let known = ROCKET_KEYS.contains(&key.as_str()) || ours.get(key).is_some();
            if !known {
                return Err(ConfigError::Invalid {
                    setting: "(unknown)",
                    reason: format!("unknown setting `{key}`"),
                });
            }
        }
        config.validated()
    }

    /// The S3 store of the blobs, when `blob_url` names one.
    pub fn s3_settings(&self) -> Option<crate::storage::S3Settings> {
        let url = self.blob_url.trim();
        (!url.is_empty()).then(|| crate::storage::S3Settings {
            url: url.to_owned(),
            endpoint: self.s3_endpoint.trim().trim_end_matches('/').to_owned(),
            region: self.s3_region.trim().to_owned(),
            allow_http: self.s3_allow_http,
            access_key_id: self.s3_access_key_id.trim().to_owned(),
            secret_access_key: self.s3_secret_access_key.clone(),
        })
    }

    /// Opens the configured blob store: S3 when `blob_url` is set, else `blob_dir`.
    pub fn blob_store(&self) -> Result<crate::storage::BlobStore, crate::storage::StorageError> {
        match self.s3_settings() {
            Some(settings) => crate::storage::BlobStore::open_s3(&settings),
            None => crate::storage::BlobStore::open_local(&self.blob_dir),
        }
    }

    /// Loads from the standard sources.
    pub fn load() -> Result<Self, ConfigError> {
        Self::from_figment(&Self::figment())
    }

    fn validated(mut self) -> Result<Self, ConfigError> {
        if self.data_dir.as_os_str().is_empty() {
            return Err(ConfigError::Invalid {
                setting: "data_dir",
                reason: "must not be empty".into(),
            });
        }
        if self.database_url.trim().is_empty() {
            self.database_url = self
                .data_dir
                .join("certcopy.db")
                .to_string_lossy()
                .into_owned();
        }
        if self.blob_dir.as_os_str().is_empty() {
            self.blob_dir = self.data_dir.join("blobs");
        }
        if let Some(settings) = self.s3_settings() {
            settings
                .bucket_and_prefix()
                .map_err(|e| ConfigError::Invalid {
                    setting: "blob_url",
                    reason: e.to_string(),
                })?;
            let endpoint = &settings.endpoint;
            if !(endpoint.is_empty()
                || endpoint.starts_with("https://")
                || (endpoint.starts_with("http://") && settings.allow_http))
            {
                return Err(ConfigError::Invalid {
                    setting: "s3_endpoint",
                    reason: format!(
                        "`{endpoint}` must be an https:// URL (http:// only with s3_allow_http)"
                    ),
                });
            }
        }
        let base = self.base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.contains(' ') {
            return Err(ConfigError::Invalid {
                setting: "base_url",
                reason: format!("`{}` is not an http(s) URL", self.base_url),
            });
        }
        self.base_url = base;
        if !(1..=512).contains(&self.database_pool_size) {
            return Err(ConfigError::Invalid {
                setting: "database_pool_size",
                reason: "must be between 1 and 512".into(),
            });
        }
        if !(1..=24 * 30).contains(&self.session_hours) {
            return Err(ConfigError::Invalid {
                setting: "session_hours",
                reason: "must be between 1 and 720".into(),
            });
        }
        if !(1..=1024).contains(&self.max_upload_mb) {
            return Err(ConfigError::Invalid {
                setting: "max_upload_mb",
                reason: "must be between 1 and 1024".into(),
            });
        }
        if !(1..=65_536).contains(&self.upload_budget_mb) {
            return Err(ConfigError::Invalid {
                setting: "upload_budget_mb",
                reason: "must be between 1 and 65536".into(),
            });
        }
        if !(1..=3_600).contains(&self.upload_read_timeout_secs) {
            return Err(ConfigError::Invalid {
                setting: "upload_read_timeout_secs",
                reason: "must be between 1 and 3600 (one hour)".into(),
            });
        }
        self.tsa_policy()?;
        if self.log_head_interval_secs > 86_400 {
            return Err(ConfigError::Invalid {
                setting: "log_head_interval_secs",
                reason: "must be at most 86400 (one day)".into(),
            });
        }
        if self.status_cache_secs > 300 {
            return Err(ConfigError::Invalid {
                setting: "status_cache_secs",
                reason: "must be at most 300 (five minutes)".into(),
            });
        }
        if !(10..=86_400).contains(&self.void_interrupted_every_secs) {
            return Err(ConfigError::Invalid {
                setting: "void_interrupted_every_secs",
                reason: "must be between 10 and 86400 (one day)".into(),
            });
        }
        if !(1..=300).contains(&self.job_poll_secs) {
            return Err(ConfigError::Invalid {
                setting: "job_poll_secs",
                reason: "must be between 1 and 300".into(),
            });
        }
        if self.retimestamp_every_hours > 24 * 30 {
            return Err(ConfigError::Invalid {
                setting: "retimestamp_every_hours",
                reason: "must be at most 720 (30 days)".into(),
            });
        }
        if !(1..=120).contains(&self.webhook_timeout_secs) {
            return Err(ConfigError::Invalid {
                setting: "webhook_timeout_secs",
                reason: "must be between 1 and 120".into(),
            });
        }
        for proxy in &self.trusted_proxies {
            if Network::parse(proxy).is_none() {
                return Err(ConfigError::Invalid {
                    setting: "trusted_proxies",
                    reason: format!("`{proxy}` is not an IP address or network (a.b.c.d/n)"),
                });
            }
        }
        for (setting, value) in [
            ("verify_max_concurrent", self.verify_max_concurrent),
            ("issue_max_concurrent", self.issue_max_concurrent),
        ] {
            if value > 1024 {
                return Err(ConfigError::Invalid {
                    setting,
                    reason: "must be between 0 (automatic) and 1024".into(),
                });
            }
        }
        for (setting, value) in [
            ("verify_queue", self.verify_queue),
            ("issue_queue", self.issue_queue),
        ] {
            if value > 100_000 {
                return Err(ConfigError::Invalid {
                    setting,
                    reason: "must be between 0 and 100000".into(),
                });
            }
        }
        for (setting, value, min) in [
            ("verify_queue_wait_ms", self.verify_queue_wait_ms, 0),
            ("issue_queue_wait_ms", self.issue_queue_wait_ms, 0),
            ("verify_deadline_ms", self.verify_deadline_ms, 1),
            ("issue_deadline_ms", self.issue_deadline_ms, 1),
        ] {
            if !(min..=600_000).contains(&value) {
                return Err(ConfigError::Invalid {
                    setting,
                    reason: format!("must be between {min} and 600000 (ten minutes)"),
                });
            }
        }
        if self.password_hash_concurrency > 256 {
            return Err(ConfigError::Invalid {
                setting: "password_hash_concurrency",
                reason: "must be between 0 (one per core) and 256".into(),
            });
        }
        if !(1..=60_000).contains(&self.password_hash_wait_ms) {
            return Err(ConfigError::Invalid {
                setting: "password_hash_wait_ms",
                reason: "must be between 1 and 60000".into(),
            });
        }
        let at_least_one = [
            (
                "login_free_attempts_per_account",
                self.login_free_attempts_per_account,
            ),
            (
                "login_free_attempts_per_address",
                self.login_free_attempts_per_address,
            ),
            (
                "register_per_address_per_hour",
                self.register_per_address_per_hour,
            ),
            (
                "register_per_citizen_id_per_hour",
                self.register_per_citizen_id_per_hour,
            ),
            (
                "max_active_appointments_per_citizen",
                self.max_active_appointments_per_citizen,
            ),
        ];
        for (setting, value) in at_least_one {
            if value == 0 {
                return Err(ConfigError::Invalid {
                    setting,
                    reason: "must be at least 1".into(),
                });
            }
        }
        if !(1..=86_400).contains(&self.login_backoff_max_secs) {
            return Err(ConfigError::Invalid {
                setting: "login_backoff_max_secs",
                reason: "must be between 1 and 86400".into(),
            });
        }
        if !(1..=1000).contains(&self.max_pages) {
            return Err(ConfigError::Invalid {
                setting: "max_pages",
                reason: "must be between 1 and 1000".into(),
            });
        }
        self.token_keys()?;
        let uses_token = !self.official_keys.is_empty() || !self.seal_keys.is_empty();
        if uses_token && self.pkcs11_module.as_os_str().is_empty() {
            return Err(ConfigError::Invalid {
                setting: "pkcs11_module",
                reason: "keys on a token are configured but no PKCS#11 module".into(),
            });
        }
        if !self.pkcs11_pin.is_empty() && !self.pkcs11_pin_file.as_os_str().is_empty() {
            return Err(ConfigError::Invalid {
                setting: "pkcs11_pin_file",
                reason: "give the PIN either in `pkcs11_pin` or in a file, not both".into(),
            });
        }
        self.oidc = self.oidc.take().map(OidcConfig::validated).transpose()?;
        Ok(self)
    }

    /// The keys configured on the token, parsed.
    pub fn token_keys(&self) -> Result<TokenKeys, ConfigError> {
        let parse = |setting: &'static str, keys: &BTreeMap<String, String>| {
            keys.iter()
                .map(|(id, reference)| {
                    TokenKeyRef::parse(reference)
                        .map(|key| (id.clone(), key))
                        .map_err(|error| ConfigError::Invalid {
                            setting,
                            reason: format!("`{id}`: {error}"),
                        })
                })
                .collect::<Result<BTreeMap<_, _>, _>>()
        };
        Ok(TokenKeys {
            officials: parse("official_keys", &self.official_keys)?,
            seals: parse("seal_keys", &self.seal_keys)?,
        })
    }

    /// The PKCS#11 module with its PIN (from `CERTCOPY_PKCS11_PIN`, `pkcs11_pin_file` or
    /// `pkcs11_pin`), loaded
    /// and initialised; `None` when no module is configured.
    pub fn token_module(&self) -> Result<Option<TokenModule>, ConfigError> {
        if self.pkcs11_module.as_os_str().is_empty() {
            return Ok(None);
        }
        // The environment variable is read as it is: through the figment a PIN of digits
        // would become a number and lose its leading zeros.
        let from_env = std::env::var(PIN_VARIABLE)
            .ok()
            .filter(|pin| !pin.is_empty());
        let pin = if let Some(pin) = from_env {
            pin
        } else if self.pkcs11_pin_file.as_os_str().is_empty() {
            self.pkcs11_pin.expose().to_owned()
        } else {
            let text = std::fs::read_to_string(&self.pkcs11_pin_file).map_err(|error| {
                ConfigError::Invalid {
                    setting: "pkcs11_pin_file",
                    reason: format!("{}: {error}", self.pkcs11_pin_file.display()),
                }
            })?;
            text.trim_end_matches(['\r', '\n']).to_owned()
        };
        if pin.is_empty() {
            return Err(ConfigError::Invalid {
                setting: "pkcs11_pin",
                reason: "a PKCS#11 module needs the token's user PIN (`pkcs11_pin`, \
                         `CERTCOPY_PKCS11_PIN` or `pkcs11_pin_file`)"
                    .into(),
            });
        }
        TokenModule::open(&self.pkcs11_module, pin)
            .map(Some)
            .map_err(|error| ConfigError::Invalid {
                setting: "pkcs11_module",
                reason: error.to_string(),
            })
    }

    /// The concurrency limits and deadlines of verifications and issuances.
    pub fn work_limits(&self) -> WorkLimits {
        let automatic = std::thread::available_parallelism()
            .map_or(1, |cpus| cpus.get().saturating_sub(1))
            .max(1);
        let running = |configured: u32| match configured {
            0 => automatic,
            n => usize::try_from(n).unwrap_or(automatic),
        };
        let limit = |max_running: u32, queue: u32, wait_ms: u64| {
            Arc::new(WorkLimit::new(LimitSettings {
                max_running: running(max_running),
                max_waiting: usize::try_from(queue).unwrap_or(0),
                max_wait: Duration::from_millis(wait_ms),
            }))
        };
        WorkLimits {
            verify: limit(
                self.verify_max_concurrent,
                self.verify_queue,
                self.verify_queue_wait_ms,
            ),
            verify_deadline: Duration::from_millis(self.verify_deadline_ms),
            issue: limit(
                self.issue_max_concurrent,
                self.issue_queue,
                self.issue_queue_wait_ms,
            ),
            issue_deadline: Duration::from_millis(self.issue_deadline_ms),
            upload_budget: Arc::new(UploadBudget::new(
                self.upload_budget_mb.saturating_mul(1_000_000),
                Duration::from_millis(self.verify_queue_wait_ms),
            )),
            upload_read_timeout: Duration::from_secs(self.upload_read_timeout_secs),
        }
    }

    /// Trust material files: the configured ones, or the development PKI's.
    pub fn trust_files(&self) -> (Vec<PathBuf>, Vec<PathBuf>, Vec<PathBuf>) {
        if self.trust_anchors.is_empty() && self.dev_pki {
            (
                vec![self.pki_dir.join("root.crt")],
                vec![self.pki_dir.join("justice-ca.crt")],
                vec![self.pki_dir.join("crl.pem")],
            )
        } else {
            (
                self.trust_anchors.clone(),
                self.trust_intermediates.clone(),
                self.trust_crls.clone(),
            )
        }
    }

    /// The trusted proxies as networks (validated at load).
    pub fn trusted_proxy_networks(&self) -> Vec<Network> {
        self.trusted_proxies
            .iter()
            .filter_map(|proxy| Network::parse(proxy))
            .collect()
    }

    /// The trust store of this configuration. With the development PKI on and no anchors
    /// configured, development files that do not exist yet are skipped (the PKI is created
    /// later in the start, and the store loaded again).
    pub fn trust_store(&self) -> Result<TrustStore, TrustError> {
        let (anchors, intermediates, crls) = self.trust_files();
        let development = self.trust_anchors.is_empty() && self.dev_pki;
        let keep = |paths: Vec<PathBuf>| -> Vec<PathBuf> {
            if development {
                paths.into_iter().filter(|p| p.exists()).collect()
            } else {
                paths
            }
        };
        TrustStore::load(&keep(anchors), &keep(intermediates), &keep(crls))
    }

    /// Password hashes computed at once: the setting, or the number of CPU cores.
    pub fn password_hash_permits(&self) -> usize {
        match self.password_hash_concurrency {
            0 => std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            n => usize::try_from(n).unwrap_or(1),
        }
    }

    /// Largest accepted upload in bytes.
    pub fn max_upload_bytes(&self) -> u64 {
        self.max_upload_mb * 1_000_000
    }

    /// The backend selected by [`Config::database_url`].
    pub fn database_backend(&self) -> DatabaseBackend {
        DatabaseBackend::from_url(&self.database_url)
    }

    /// Path of the file holding the cookie-signing key generated on first start.
    pub fn secret_key_path(&self) -> PathBuf {
        self.data_dir.join("secret.key")
    }

    /// The time-stamping authority's policy OID.
    pub fn tsa_policy(&self) -> Result<const_oid::ObjectIdentifier, ConfigError> {
        const_oid::ObjectIdentifier::new(self.tsa_policy.trim()).map_err(|_| ConfigError::Invalid {
            setting: "tsa_policy",
            reason: "must be an object identifier in dotted form, e.g. 1.2.3.4".into(),
        })
    }

    /// Where the register log's signing key is.
    pub fn log_key_path(&self) -> PathBuf {
        if self.log_key_file.as_os_str().is_empty() {
            self.data_dir.join("log.key")
        } else {
            self.log_key_file.clone()
        }
    }

    /// Where the development PKI lives.
    pub fn pki_dir(&self) -> &Path {
        &self.pki_dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(toml: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(rocket::Config::default())
            .merge(Serialized::defaults(Config::default()))
            .merge(Toml::string(toml).nested());
        for (key, value) in env {
            figment = figment.merge((*key, *value));
        }
        Config::from_figment(&figment.select("debug"))
    }

    #[test]
    fn defaults_work_on_a_fresh_clone() {
        let config = load("", &[]).expect("defaults are valid");
        assert_eq!(config.database_url, "data/certcopy.db");
        assert_eq!(config.blob_dir, PathBuf::from("data/blobs"));
        assert_eq!(config.base_url, "http://127.0.0.1:8000");
        assert_eq!(config.database_backend(), DatabaseBackend::Sqlite);
    }

    #[test]
    fn work_limits_follow_the_settings_and_zero_means_automatic() {
        let config = load(
            "[default]\nverify_max_concurrent = 3\nverify_queue = 7\nverify_queue_wait_ms = 250\nverify_deadline_ms = 1500\nissue_queue = 0",
            &[],
        )
        .unwrap();
        let limits = config.work_limits();
        assert_eq!(
            limits.verify.settings(),
            LimitSettings {
                max_running: 3,
                max_waiting: 7,
                max_wait: Duration::from_millis(250),
            }
        );
        assert_eq!(limits.verify_deadline, Duration::from_millis(1500));
        assert!(limits.issue.settings().max_running >= 1);
        assert_eq!(limits.issue.settings().max_waiting, 0);
        assert_eq!(limits.upload_budget.total_bytes(), 62_500 * 1024);
        assert_eq!(limits.upload_read_timeout, Duration::from_secs(120));
        let error = load("[default]\nupload_budget_mb = 0", &[]).unwrap_err();
        assert!(error.to_string().contains("upload_budget_mb"), "{error}");
        let error = load("[default]\nverify_deadline_ms = 0", &[]).unwrap_err();
        assert!(error.to_string().contains("verify_deadline_ms"), "{error}");
        let error = load("[default]\nissue_max_concurrent = 5000", &[]).unwrap_err();
        assert!(
            error.to_string().contains("issue_max_concurrent"),
            "{error}"
        );
    }

    #[test]
    fn postgres_url_selects_postgres() {
        let config = load("", &[("database_url", "postgres://postgres@127.0.0.1/x")]).unwrap();
        assert_eq!(config.database_backend(), DatabaseBackend::Postgres);
    }

    #[test]
    fn token_keys_are_parsed_and_checked() {
        let toml = "[default]\npkcs11_module = \"/usr/lib/softhsm/libsofthsm2.so\"\n\
                    pkcs11_pin = \"123456\"\n\
                    official_keys = { \"u-1\" = \"pkcs11:UBND/ky so\" }\n\
                    seal_keys = { \"o-1\" = \"pkcs11:UBND/id=01ff\" }\n";
        let config = load(toml, &[]).expect("valid token settings");
        let keys = config.token_keys().unwrap();
        assert_eq!(keys.officials["u-1"].to_string(), "pkcs11:UBND/ky so");
        assert_eq!(keys.seals["o-1"].to_string(), "pkcs11:UBND/id=01ff");
        // The PIN is never shown.
        let shown = format!("{config:?} {}", serde_json::to_string(&config).unwrap());
        assert!(!shown.contains("123456"), "{shown}");
        assert_eq!(config.pkcs11_pin.expose(), "123456");

        let error = load(
            "[default]\npkcs11_module = \"/m.so\"\nofficial_keys = { u = \"keys/u.pem\" }",
            &[],
        )
        .unwrap_err();
        assert!(error.to_string().contains("official_keys"), "{error}");
        let error = load("[default]\nseal_keys = { o = \"pkcs11:t/k\" }", &[]).unwrap_err();
        assert!(error.to_string().contains("pkcs11_module"), "{error}");
        let error = load(
            "[default]\npkcs11_pin = \"1\"\npkcs11_pin_file = \"/run/pin\"",
            &[],
        )
        .unwrap_err();
        assert!(error.to_string().contains("pkcs11_pin_file"), "{error}");
    }

    #[test]
    fn a_module_without_a_pin_is_refused() {
        let config = load("[default]\npkcs11_module = \"/m.so\"", &[]).unwrap();
        let error = config.token_module().unwrap_err();
        assert!(error.to_string().contains("pkcs11_pin"), "{error}");
        let config = load(
            "[default]\npkcs11_module = \"/m.so\"\npkcs11_pin_file = \"/nonexistent/pin\"",
            &[],
        )
        .unwrap();
        let error = config.token_module().unwrap_err();
        assert!(error.to_string().contains("pkcs11_pin_file"), "{error}");
    }

    #[test]
    fn malformed_setting_is_named() {
        let error = load("[default]\nsession_hours = \"soon\"", &[]).unwrap_err();
        assert!(error.to_string().contains("session_hours"), "{error}");
        let error = load("[default]\nbase_url = \"ftp://x\"", &[]).unwrap_err();
        assert!(error.to_string().contains("base_url"), "{error}");
        let error = load("[default]\ndatabse_url = \"typo\"", &[]).unwrap_err();
        assert!(error.to_string().contains("databse_url"), "{error}");
    }
}
