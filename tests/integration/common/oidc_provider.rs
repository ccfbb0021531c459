//! A real OpenID provider for the login tests: `tests/oidc/provider.mjs` (npm
//! `oidc-provider`) run with Node on a free loopback port, stopped on drop; and a browser
//! that goes through the login: start at the service, the provider's login form, back
//! to the service's callback through Rocket's local client.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use certcopy::config::OidcConfig;
use openidconnect::reqwest;
use rocket::http::{Cookie, Status};
use rocket::local::asynchronous::LocalRequest;

use super::TestApp;
use super::http::free_port;

/// The accepted assurance level; the provider's `binh` logs in one level below.
pub const LEVEL_HIGH: &str = "urn:vn:eid:level2";
/// The client registered in the provider script.
const CLIENT_ID: &str = "certcopy";
const CLIENT_SECRET: &str = "certcopy-test-secret-0123456789abcdef";
/// The callback as registered with the provider (the service's default `base_url`).
pub const REDIRECT_URL: &str = "http://127.0.0.1:8000/api/v1/auth/oidc/callback";

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// The provider process.
pub struct OidcProvider {
    child: Option<Child>,
    pub port: u16,
}

impl OidcProvider {
    /// Starts the provider on a free port. Fails (never skips) when Node or the npm
    /// packages are missing.
    pub fn start() -> OidcProvider {
        let mut provider = OidcProvider {
            child: None,
            port: free_port(),
        };
        provider.spawn();
        provider
    }

    fn spawn(&mut self) {
        let dir = provider_dir();
        assert!(
            dir.join("node_modules/oidc-provider/package.json").exists(),
            "the OpenID provider's npm packages are missing: run `npm ci` in tests/oidc \
             (Node from Debian: apt-get install nodejs npm)"
        );
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(&dir)
            .env("PORT", self.port.to_string())
            .env("CLIENT_REDIRECT_URI", REDIRECT_URL)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run `node` ({e}): install Node (apt-get install nodejs npm) and \
                     run `npm ci` in tests/oidc"
                )
            });
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("ready ") {
                    let _ = ready_tx.send(());
                }
            }
        });
        let (err_tx, err_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            let _ = err_tx.send(text);
        });
        if ready_rx.recv_timeout(Duration::from_secs(90)).is_err() {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = err_rx
                .recv_timeout(Duration::from_secs(5))
                .unwrap_or_default();
            panic!("the OpenID provider did not start (run `npm ci` in tests/oidc?):\n{stderr}");
        }
        self.child = Some(child);
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the provider and starts it again on the same port: it comes back with a new
    /// signing key (a key rotation).
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    pub fn issuer(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The service's `[oidc]` settings for this provider.
    pub fn config(&self) -> OidcConfig {
        OidcConfig {
            issuer_url: self.issuer(),
            client_id: CLIENT_ID.to_owned(),
            client_secret: CLIENT_SECRET.to_owned(),
            redirect_url: REDIRECT_URL.to_owned(),
            citizen_id_claim: "citizen_id".to_owned(),
            acr_values: vec![LEVEL_HIGH.to_owned()],
            scopes: vec!["profile".to_owned(), "citizen".to_owned()],
            after_login_path: "/".to_owned(),
            jwks_min_refresh_seconds: 60,
            http_timeout_seconds: 10,
        }
    }

    /// What the token endpoint does to ID tokens from now on: `honest`, `tampered`,
    /// `foreign_key`, `wrong_nonce`, `wrong_audience`.
    pub async fn set_token_mode(&self, mode: &str) {
        let response = reqwest::get(format!("{}/__test/token-mode?mode={mode}", self.issuer()))
            .await
            .expect("provider answers");
        assert_eq!(response.status().as_u16(), 204);
    }

    /// How often the provider's key set was fetched.
    pub async fn jwks_fetches(&self) -> u64 {
        let text = reqwest::get(format!("{}/__test/stats", self.issuer()))
            .await
            .expect("provider answers")
            .text()
            .await
            .expect("stats");
        let stats: serde_json::Value = serde_json::from_str(&text).expect("stats JSON");
        stats["jwks"].as_u64().expect("jwks count")
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The `name=value` part of every `Set-Cookie` of a response.
fn set_cookies<'h>(headers: impl Iterator<Item = &'h str>) -> Vec<(String, String)> {
    headers
        .filter_map(|header| {
            let pair = header.split(';').next()?;
            let (name, value) = pair.split_once('=')?;
            Some((name.trim().to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// Where the browser stands after the provider sent it back.
pub struct ProviderAnswer {
    /// The callback path and query (`/api/v1/auth/oidc/callback?code=…&state=…`).
    pub callback: String,
    /// The service's pending-login cookie (`certcopy_oidc=…`), as the browser holds it.
    pub pending_cookie: String,
}

/// The service's answer to the callback.
pub struct CallbackAnswer {
    pub status: Status,
    pub location: Option<String>,
    /// `certcopy_session=…` when a session was set.
    pub session_cookie: Option<String>,
    pub body: serde_json::Value,
}

/// Starts a login at the service (with the browser's session cookie, if any), logs in
/// at the provider as `account`, and answers where the provider sends the browser back.
pub async fn login_at_provider(
    app: &TestApp,
    account: &str,
    session_cookie: Option<&str>,
) -> ProviderAnswer {
    let request = with_cookies(
        app.client.get("/api/v1/auth/oidc/start"),
        session_cookie.as_slice(),
    );
    let response = request.dispatch().await;
    assert_eq!(response.status(), Status::SeeOther, "start redirects");
    let authorize_url = response
        .headers()
        .get_one("Location")
        .expect("Location")
        .to_owned();
    let pending_cookie = set_cookies(response.headers().get("Set-Cookie"))
        .into_iter()
        .find(|(name, _)| name == "certcopy_oidc")
        .map(|(name, value)| format!("{name}={value}"))
        .expect("pending-login cookie");

    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client");
    let mut jar: Vec<(String, String)> = Vec::new();
    let mut next = authorize_url;
    for _ in 0..8 {
        if next.starts_with(REDIRECT_URL) {
            return ProviderAnswer {
                callback: next["http://127.0.0.1:8000".len()..].to_owned(),
                pending_cookie,
            };
        }
        let cookie_header = jar
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let interaction_form = next.contains("/interaction/") && !next.ends_with("/login");
        let response = browser
            .get(&next)
            .header("Cookie", &cookie_header)
            .send()
            .await
            .expect("provider answers");
        remember(&mut jar, &response);
        let response = if interaction_form {
            assert_eq!(response.status().as_u16(), 200, "login form shown");
            let form = response.text().await.expect("form");
            assert!(form.contains("name=\"login\""), "{form}");
            let cookie_header = jar
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ");
            let submitted = browser
                .post(format!("{next}/login"))
                .header("Cookie", cookie_header)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(format!("login={account}"))
                .send()
                .await
                .expect("provider answers the login form");
            remember(&mut jar, &submitted);
            submitted
        } else {
            response
        };
        assert!(
            response.status().is_redirection(),
            "provider redirects, got {}",
            response.status()
        );
        let location = response
            .headers()
            .get("Location")
            .and_then(|l| l.to_str().ok())
            .expect("Location")
            .to_owned();
        next = if location.starts_with('/') {
            format!("http://127.0.0.1:{}{location}", url_port(&next))
        } else {
            location
        };
    }
    panic!("the provider did not send the browser back to the service");
}

fn url_port(url: &str) -> u16 {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .and_then(|host| host.rsplit(':').next())
        .and_then(|port| port.parse().ok())
        .expect("a port in the URL")
}

fn remember(jar: &mut Vec<(String, String)>, response: &reqwest::Response) {
    let headers = response
        .headers()
        .get_all("Set-Cookie")
        .iter()
        .filter_map(|value| value.to_str().ok());
    for (name, value) in set_cookies(headers) {
        jar.retain(|(kept, _)| *kept != name);
        if !value.is_empty() {
            jar.push((name, value));
        }
    }
}

/// Adds cookies (`name=value` as a `Set-Cookie` gave them, percent-encoded) to a request
/// of Rocket's local client, as a browser sends them back.
pub fn with_cookies<'c>(mut request: LocalRequest<'c>, cookies: &[&str]) -> LocalRequest<'c> {
    for pair in cookies {
        let cookie = Cookie::parse_encoded(pair.to_string()).expect("a cookie");
        request = request.cookie(cookie);
    }
    request
}

/// Sends the browser to the service's callback (`path_and_query`) with `cookies`.
pub async fn callback(app: &TestApp, path_and_query: &str, cookies: &[&str]) -> CallbackAnswer {
    let response = with_cookies(app.client.get(path_and_query.to_owned()), cookies)
        .dispatch()
        .await;
    let status = response.status();
    let location = response.headers().get_one("Location").map(str::to_owned);
    let session_cookie = set_cookies(response.headers().get("Set-Cookie"))
        .into_iter()
        .find(|(name, value)| name == "certcopy_session" && !value.is_empty())
        .map(|(name, value)| format!("{name}={value}"));
    let text = response.into_string().await.unwrap_or_default();
    CallbackAnswer {
        status,
        location,
        session_cookie,
        body: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    }
}

/// The whole login as `account`: provider, then the service's callback.
pub async fn oidc_login(
    app: &TestApp,
    account: &str,
    session_cookie: Option<&str>,
) -> CallbackAnswer {
    let answer = login_at_provider(app, account, session_cookie).await;
    let mut cookies = vec![answer.pending_cookie.as_str()];
    cookies.extend(session_cookie);
    callback(app, &answer.callback, &cookies).await
}

/// The signed-in account (`/api/v1/me`) with a session cookie.
pub async fn me_with_cookie(app: &TestApp, cookie: &str) -> (Status, serde_json::Value) {
    let response = with_cookies(app.client.get("/api/v1/me"), &[cookie])
        .dispatch()
        .await;
    super::read(response).await
}
