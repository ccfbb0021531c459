//! The OpenID Connect relying party: discovery, the authorization request (code flow,
//! PKCE S256, `state`, `nonce`, `acr_values`), the code exchange and the ID-token checks
//! (signature by the provider's JWKS, issuer, audience, expiry, nonce, assurance level),
//! with one bounded re-fetch of the key set when a token names a key it lacks (the
//! provider rotated its keys). docs/ARCHITECTURE.md §9.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet,
    CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, Scope, SignatureVerificationError, TokenResponse, reqwest,
};
use rocket::tokio::sync::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::OidcError;
use crate::config::OidcConfig;

/// How long a started login may take before its callback is refused.
pub const LOGIN_LIFETIME: time::Duration = time::Duration::minutes(10);

/// What the service keeps (in a private cookie) between the redirect to the provider and
/// the callback: checked once, then dropped.
#[derive(Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    /// The `state` sent to the provider.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier.
    pub pkce_verifier: String,
    /// Unix time after which the callback is refused.
    pub expires_at: i64,
}

impl PendingLogin {
    /// SHA-256 (hex) of the state: what is stored once the callback is answered.
    pub fn state_hash(&self) -> String {
        hex::encode(sha256(&self.state))
    }

    /// When the login expires (UTC).
    pub fn expires_at_utc(&self) -> time::PrimitiveDateTime {
        let at = time::OffsetDateTime::from_unix_timestamp(self.expires_at)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        time::PrimitiveDateTime::new(at.date(), at.time())
    }
}

// Secrets of a login in progress never reach a log line through `{:?}`.
impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLogin")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A started login: where to send the browser, and what to keep until it comes back.
#[derive(Debug)]
pub struct LoginStart {
    /// The provider's authorization URL with every parameter.
    pub authorize_url: String,
    /// Kept until the callback.
    pub pending: PendingLogin,
}

/// What the provider's callback carries in its query.
#[derive(Debug, Default, Clone)]
pub struct Callback {
    /// The authorization code.
    pub code: Option<String>,
    /// The `state` echoed back.
    pub state: Option<String>,
    /// An error code from the provider (`access_denied`, `login_required`, …).
    pub error: Option<String>,
    /// The provider's description of that error.
    pub error_description: Option<String>,
    /// The issuer that answers (`iss`, RFC 9207), when the provider sends it.
    pub issuer: Option<String>,
}

/// A citizen ID proven by the provider's ID token.
#[derive(Debug, Clone)]
pub struct ProvenIdentity {
    /// The 12-digit citizen ID (normalised).
    pub citizen_id: String,
    /// The `name` claim as sent (not yet normalised), if any.
    pub name: Option<String>,
    /// The provider's issuer URL.
    pub issuer: String,
    /// The provider's subject identifier.
    pub subject: String,
    /// The assurance level the provider states (`acr`).
    pub acr: String,
}

/// Discovery and keys, fetched on first use and kept.
#[derive(Debug)]
struct ProviderState {
    metadata: CoreProviderMetadata,
    jwks: CoreJsonWebKeySet,
    /// Bumped at each key-set fetch, so concurrent callbacks fetch once.
    jwks_generation: u64,
}

/// The relying party of one configured provider. Cheap to share; caches the provider's
/// metadata and key set.
#[derive(Debug)]
pub struct RelyingParty {
    config: OidcConfig,
    http: reqwest::Client,
    provider: RwLock<Option<Arc<ProviderState>>>,
    /// When the key set was last fetched again because a token named an unknown key.
    last_key_refresh: Mutex<Option<Instant>>,
}

/// ID-token signatures accepted: public-key algorithms only (no shared-secret MACs, no
/// `none`).
const SIGNATURE_ALGORITHMS: &[CoreJwsSigningAlgorithm] = &[
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

impl RelyingParty {
    /// A relying party for `config`; nothing is contacted until the first login.
    pub fn new(config: OidcConfig) -> Result<Self, OidcError> {
        let http = reqwest::Client::builder()
            // Following redirects would let a provider response point us anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(config.http_timeout_seconds))
            .build()
            .map_err(|e| OidcError::Misconfigured(format!("HTTP client: {e}")))?;
        Ok(RelyingParty {
            config,
            http,
            provider: RwLock::new(None),
            last_key_refresh: Mutex::new(None),
        })
    }

    /// The settings.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    async fn provider(&self) -> Result<Arc<ProviderState>, OidcError> {
        if let Some(state) = self.provider.read().await.as_ref() {
            return Ok(state.clone());
        }
        let mut slot = self.provider.write().await;
        if let Some(state) = slot.as_ref() {
            return Ok(state.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer_url.clone())
            .map_err(|e| OidcError::Misconfigured(format!("issuer_url: {e}")))?;
        // Discovery checks that the document's `issuer` is the configured one and fetches
        // the key set named by `jwks_uri`.
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::ProviderUnavailable(format!("discovery: {e}")))?;
        let jwks = metadata.jwks().clone();
        let state = Arc::new(ProviderState {
            metadata,
            jwks,
            jwks_generation: 0,
        });
        *slot = Some(state.clone());
        Ok(state)
    }

    /// Fetches the key set again after a token named a key that `seen` lacks. Bounded:
    /// concurrent callbacks share one fetch, and a fetch happens at most once per
    /// `jwks_min_refresh_seconds`. Answers whether there is a newer key set to try.
    async fn refresh_keys(&self, seen: &ProviderState) -> Result<bool, OidcError> {
        let mut last = self.last_key_refresh.lock().await;
        let current = self.provider().await?;
        if current.jwks_generation != seen.jwks_generation {
            return Ok(true);
        }
        let interval = Duration::from_secs(self.config.jwks_min_refresh_seconds);
        if last.is_some_and(|at| at.elapsed() < interval) {
            tracing::warn!(
                "OIDC: ID token signed with an unknown key; key set fetched less than {}s ago, not fetched again",
                interval.as_secs()
            );
            return Ok(false);
        }
        *last = Some(Instant::now());
        let jwks = CoreJsonWebKeySet::fetch_async(current.metadata.jwks_uri(), &self.http)
            .await
            .map_err(|e| OidcError::ProviderUnavailable(format!("key set: {e}")))?;
        tracing::info!(
            keys = jwks.keys().len(),
            "OIDC: provider key set fetched again (unknown signing key)"
        );
        let mut metadata = current.metadata.clone();
        metadata = metadata.set_jwks(jwks.clone());
        *self.provider.write().await = Some(Arc::new(ProviderState {
            metadata,
            jwks,
            jwks_generation: current.jwks_generation + 1,
        }));
        Ok(true)
    }

    fn redirect_url(&self) -> Result<RedirectUrl, OidcError> {
        RedirectUrl::new(self.config.redirect_url.clone())
            .map_err(|e| OidcError::Misconfigured(format!("redirect_url: {e}")))
    }

    /// Starts a login: the authorization URL (code flow, PKCE S256, fresh `state` and
    /// `nonce`, the accepted `acr_values`) and what to keep until the callback.
    pub async fn begin(&self, now: time::OffsetDateTime) -> Result<LoginStart, OidcError> {
        let provider = self.provider().await?;
        let client = CoreClient::from_provider_metadata(
            provider.metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(self.redirect_url()?);
        let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(pkce_challenge);
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        for acr in &self.config.acr_values {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(LoginStart {
            authorize_url: url.to_string(),
            pending: PendingLogin {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: pkce_verifier.secret().clone(),
                expires_at: (now + LOGIN_LIFETIME).unix_timestamp(),
            },
        })
    }

    /// Checks the provider's callback against the login started in this browser: present,
    /// not expired, same `state`, no provider error. Answers the authorization code. The
    /// caller then records the state as used ([`PendingLogin::state_hash`]) and calls
    /// [`RelyingParty::finish`].
    pub fn check_callback<'c>(
        &self,
        pending: Option<&PendingLogin>,
        callback: &'c Callback,
        now: time::OffsetDateTime,
    ) -> Result<&'c str, OidcError> {
        let pending = pending.ok_or(OidcError::BadState("no login in progress"))?;
        if pending.expires_at < now.unix_timestamp() {
            return Err(OidcError::BadState("login started too long ago"));
        }
        let state = callback
            .state
            .as_deref()
            .ok_or(OidcError::BadState("callback without state"))?;
        // Compared as hashes: the comparison time says nothing about the expected value.
        if sha256(state) != sha256(&pending.state) {
            return Err(OidcError::BadState(
                "state does not match the login started",
            ));
        }
        // An answer naming another issuer is a mix-up (RFC 9207, §2.4).
        if callback
            .issuer
            .as_deref()
            .is_some_and(|issuer| issuer != self.config.issuer_url)
        {
            return Err(OidcError::BadState("callback from another issuer"));
        }
        if let Some(error) = &callback.error {
            return Err(OidcError::ProviderRefused {
                error: error.chars().take(64).collect(),
                description: callback
                    .error_description
                    .as_deref()
                    .unwrap_or("")
                    .chars()
                    .take(200)
                    .collect(),
            });
        }
        callback
            .code
            .as_deref()
            .filter(|code| !code.is_empty())
            .ok_or(OidcError::BadState("callback without code"))
    }

    /// Completes a login: exchanges the code (with the PKCE verifier), checks the ID token
    /// and reads the citizen ID claim.
    pub async fn finish(
        &self,
        pending: &PendingLogin,
        code: &str,
    ) -> Result<ProvenIdentity, OidcError> {
        let provider = self.provider().await?;
        let client = CoreClient::from_provider_metadata(
            provider.metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(self.redirect_url()?);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Misconfigured(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|error| match error {
                RequestTokenError::ServerResponse(response) => OidcError::ProviderRefused {
                    error: response.error().to_string(),
                    description: response
                        .error_description()
                        .map(|d| d.chars().take(200).collect())
                        .unwrap_or_default(),
                },
                RequestTokenError::Parse(e, _) => {
                    OidcError::TokenInvalid(format!("token response unreadable: {e}"))
                }
                other => OidcError::ProviderUnavailable(format!("token endpoint: {other}")),
            })?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::TokenInvalid("token response without an ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());

        let mut provider = provider;
        let mut refreshed = false;
        loop {
            match self.check_id_token(&provider, id_token, &nonce) {
                Err(ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::NoMatchingKey,
                )) if !refreshed => {
                    refreshed = true;
                    if !self.refresh_keys(&provider).await? {
                        return Err(OidcError::TokenInvalid(
                            "signed with a key the provider's key set lacks".into(),
                        ));
                    }
                    provider = self.provider().await?;
                }
                Err(ClaimsVerificationError::InvalidAuthContext(detail)) => {
                    return Err(OidcError::AssuranceTooLow(detail));
                }
                Err(error) => return Err(OidcError::TokenInvalid(error.to_string())),
                Ok((subject, acr)) => return self.read_identity(id_token, subject, acr),
            }
        }
    }

    /// Signature, issuer, audience, expiry, nonce and `acr`; answers the subject and acr.
    fn check_id_token(
        &self,
        provider: &ProviderState,
        id_token: &CoreIdToken,
        nonce: &Nonce,
    ) -> Result<(String, String), ClaimsVerificationError> {
        let accepted = self.config.acr_values.clone();
        let verifier = CoreIdTokenVerifier::new_confidential_client(
            ClientId::new(self.config.client_id.clone()),
            ClientSecret::new(self.config.client_secret.clone()),
            provider.metadata.issuer().clone(),
            provider.jwks.clone(),
        )
        .set_allowed_algs(SIGNATURE_ALGORITHMS.iter().cloned())
        .set_auth_context_verifier_fn(move |acr: Option<&AuthenticationContextClass>| match acr {
            Some(acr) if accepted.iter().any(|level| level == acr.as_str()) => Ok(()),
            Some(acr) => Err(format!("acr `{}` is not an accepted level", acr.as_str())),
            None => Err("no acr claim".to_owned()),
        });
        let claims = id_token.claims(&verifier, nonce)?;
        let acr = claims
            .auth_context_ref()
            .map(|acr| acr.as_str().to_owned())
            .unwrap_or_default();
        Ok((claims.subject().as_str().to_owned(), acr))
    }

    /// Reads the citizen ID and name claims from an ID token already checked.
    fn read_identity(
        &self,
        id_token: &CoreIdToken,
        subject: String,
        acr: String,
    ) -> Result<ProvenIdentity, OidcError> {
        let compact = id_token.to_string();
        let payload = compact
            .split('.')
            .nth(1)
            .and_then(|part| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(part)
                    .ok()
            })
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .ok_or_else(|| OidcError::TokenInvalid("ID token payload unreadable".into()))?;
        let claim = &self.config.citizen_id_claim;
        let raw = match payload.get(claim) {
            None | Some(serde_json::Value::Null) => {
                return Err(OidcError::ClaimMissing(claim.clone()));
            }
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(_) => return Err(OidcError::ClaimInvalid(claim.clone())),
        };
        let citizen_id = crate::identity::normalize_citizen_id(&raw)
            .map_err(|_| OidcError::ClaimInvalid(claim.clone()))?;
        let name = payload
            .get("name")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        Ok(ProvenIdentity {
            citizen_id,
            name,
            issuer: self.config.issuer_url.clone(),
            subject,
            acr,
        })
    }
}
