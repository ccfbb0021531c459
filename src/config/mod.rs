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

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::{Figment, Profile};
use serde::{Deserialize, Serialize};

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
    /// Where signed copies and scans are stored. Empty means `{data_dir}/blobs`.
    pub blob_dir: PathBuf,
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
    /// Login through the national identity provider (OpenID Connect); off when absent.
    pub oidc: Option<OidcConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            database_pool_size: 8,
            blob_dir: PathBuf::new(),
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
            oidc: None,
        }
    }
}

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
                    .ignore(&["PROFILE", "CONFIG", "LOG", "TEST_DATABASE_URL"])
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
        for proxy in &self.trusted_proxies {
            if Network::parse(proxy).is_none() {
                return Err(ConfigError::Invalid {
                    setting: "trusted_proxies",
                    reason: format!("`{proxy}` is not an IP address or network (a.b.c.d/n)"),
                });
            }
        }
        if !(1..=1000).contains(&self.max_pages) {
            return Err(ConfigError::Invalid {
                setting: "max_pages",
                reason: "must be between 1 and 1000".into(),
            });
        }
        self.oidc = self.oidc.take().map(OidcConfig::validated).transpose()?;
        Ok(self)
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
    fn postgres_url_selects_postgres() {
        let config = load("", &[("database_url", "postgres://postgres@127.0.0.1/x")]).unwrap();
        assert_eq!(config.database_backend(), DatabaseBackend::Postgres);
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
