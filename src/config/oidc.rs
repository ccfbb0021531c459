//! The `[oidc]` settings: login through the national identity provider (OpenID Connect),
//! which proves a citizen ID (docs/ARCHITECTURE.md §9). Absent: the login routes answer
//! 404 and nothing is contacted.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The relying party's settings, as registered with the identity provider.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer URL; its discovery document is
    /// `{issuer_url}/.well-known/openid-configuration` and its `issuer` must equal this.
    pub issuer_url: String,
    /// The client id registered with the provider.
    pub client_id: String,
    /// The client secret (sent with HTTP Basic to the token endpoint).
    pub client_secret: String,
    /// Where the provider sends the browser back: this service's
    /// `/api/v1/auth/oidc/callback` as registered with the provider.
    pub redirect_url: String,
    /// The ID-token claim that carries the 12-digit citizen ID.
    #[serde(default = "default_citizen_id_claim")]
    pub citizen_id_claim: String,
    /// Accepted assurance levels: the ID token's `acr` must be one of these. Also sent to
    /// the provider as `acr_values`.
    pub acr_values: Vec<String>,
    /// Scopes asked for besides `openid` (always asked).
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Path of this service the browser goes to after a successful login.
    #[serde(default = "default_after_login_path")]
    pub after_login_path: String,
    /// An ID token signed with a key the cached key set lacks makes the service fetch the
    /// provider's keys again, at most once in this many seconds.
    #[serde(default = "default_jwks_min_refresh_seconds")]
    pub jwks_min_refresh_seconds: u64,
    /// Time limit of each request to the provider, in seconds.
    #[serde(default = "default_http_timeout_seconds")]
    pub http_timeout_seconds: u64,
}

fn default_citizen_id_claim() -> String {
    "citizen_id".to_owned()
}

fn default_scopes() -> Vec<String> {
    vec!["profile".to_owned()]
}

fn default_after_login_path() -> String {
    "/".to_owned()
}

fn default_jwks_min_refresh_seconds() -> u64 {
    10
}

fn default_http_timeout_seconds() -> u64 {
    10
}

// The client secret never reaches a log line through `{:?}`.
impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_url", &self.redirect_url)
            .field("citizen_id_claim", &self.citizen_id_claim)
            .field("acr_values", &self.acr_values)
            .field("scopes", &self.scopes)
            .field("after_login_path", &self.after_login_path)
            .field("jwks_min_refresh_seconds", &self.jwks_min_refresh_seconds)
            .field("http_timeout_seconds", &self.http_timeout_seconds)
            .finish()
    }
}

fn invalid(reason: String) -> ConfigError {
    ConfigError::Invalid {
        setting: "oidc",
        reason,
    }
}

fn is_http_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(char::is_whitespace)
        && url.len() > "http://".len()
}

impl OidcConfig {
    /// Checks the settings (called by [`super::Config`]'s validation).
    pub(super) fn validated(mut self) -> Result<Self, ConfigError> {
        self.issuer_url = self.issuer_url.trim().to_owned();
        if !is_http_url(&self.issuer_url) {
            return Err(invalid(format!(
                "issuer_url `{}` is not an http(s) URL",
                self.issuer_url
            )));
        }
        if !is_http_url(self.redirect_url.trim()) {
            return Err(invalid(format!(
                "redirect_url `{}` is not an http(s) URL",
                self.redirect_url
            )));
        }
        self.redirect_url = self.redirect_url.trim().to_owned();
        if self.client_id.trim().is_empty() {
            return Err(invalid("client_id must not be empty".into()));
        }
        if self.citizen_id_claim.trim().is_empty() {
            return Err(invalid("citizen_id_claim must not be empty".into()));
        }
        self.acr_values.retain(|value| !value.trim().is_empty());
        if self.acr_values.is_empty() {
            return Err(invalid(
                "acr_values must name at least one accepted assurance level".into(),
            ));
        }
        self.scopes
            .retain(|scope| !scope.trim().is_empty() && scope != "openid");
        if self.scopes.iter().any(|scope| scope.contains(' ')) {
            return Err(invalid("a scope must not contain a space".into()));
        }
        let path = &self.after_login_path;
        if !path.starts_with('/') || path.starts_with("//") || path.contains('\\') {
            return Err(invalid(format!(
                "after_login_path `{path}` must be a path of this service (starting with one `/`)"
            )));
        }
        if !(1..=120).contains(&self.http_timeout_seconds) {
            return Err(invalid(
                "http_timeout_seconds must be between 1 and 120".into(),
            ));
        }
        if self.jwks_min_refresh_seconds > 86_400 {
            return Err(invalid(
                "jwks_min_refresh_seconds must be at most 86400".into(),
            ));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use figment::Figment;
    use figment::providers::{Format, Serialized, Toml};

    use super::super::Config;

    const SECTION: &str = r#"
[default.oidc]
issuer_url = "https://id.example.gov.vn/"
client_id = "certcopy"
client_secret = "s3cret-value"
redirect_url = "https://chungthuc.example.gov.vn/api/v1/auth/oidc/callback"
acr_values = ["urn:vn:eid:level2"]
"#;

    fn load(toml: &str) -> Result<Config, super::ConfigError> {
        let figment = Figment::from(rocket::Config::default())
            .merge(Serialized::defaults(Config::default()))
            .merge(Toml::string(toml).nested())
            .select("debug");
        Config::from_figment(&figment)
    }

    #[test]
    fn absent_section_is_off() {
        assert!(load("").unwrap().oidc.is_none());
    }

    #[test]
    fn section_is_read_with_defaults() {
        let oidc = load(SECTION).unwrap().oidc.expect("oidc on");
        assert_eq!(oidc.citizen_id_claim, "citizen_id");
        assert_eq!(oidc.scopes, vec!["profile".to_owned()]);
        assert_eq!(oidc.after_login_path, "/");
        // The secret never shows in a debug print of the configuration.
        let printed = format!("{oidc:?}");
        assert!(!printed.contains("s3cret-value"), "{printed}");
    }

    #[test]
    fn unusable_sections_are_refused_by_name() {
        for (change, expected) in [
            ("acr_values = [\"urn:vn:eid:level2\"]", "acr_values = []"),
            ("client_id = \"certcopy\"", "client_id = \" \""),
            (
                "issuer_url = \"https://id.example.gov.vn/\"",
                "issuer_url = \"id.example.gov.vn\"",
            ),
        ] {
            let error = load(&SECTION.replace(change, expected)).unwrap_err();
            assert!(error.to_string().contains("oidc"), "{error}");
        }
        let open_redirect = format!("{SECTION}after_login_path = \"//evil.example\"\n");
        assert!(load(&open_redirect).is_err());
        let typo = format!("{SECTION}client_secert = \"x\"\n");
        assert!(load(&typo).is_err());
    }
}
