//! What every response carries for the browser's protection, and what the access log may
//! show of a path.
//!
//! - `Content-Security-Policy`: only this origin's scripts, styles, images and forms; no
//!   inline script or style (the pages load `/assets/page.css` and no script), no framing, no plugins.
//! - `Referrer-Policy`: `no-referrer` on paths that carry a secret (the manage link
//!   `/a/{token}` and its API, the QR page `/v/{code}`, the identity provider's callback
//!   with its one-time code in the query), so the secret never leaves in a
//!   `Referer` header; `strict-origin-when-cross-origin` elsewhere.
//! - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`.
//! - `Strict-Transport-Security` when the service is published over HTTPS (`base_url`
//!   starts with `https://`).
//!
//! [`loggable_path`] replaces those secrets with `…` in access lines.

use rocket::http::Header;
use rocket::{Response, Route, get, routes};

/// Content-Security-Policy of every response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
    frame-ancestors 'none'; form-action 'self'";

/// Path prefixes whose next segment is a secret (a manage-link token or a verification
/// code).
const SECRET_SEGMENT_AFTER: &[&str] = &["/a/", "/v/", "/api/v1/appointments/by-token/"];

/// Paths whose query carries a secret: the identity provider's answer (a one-time
/// authorization code and the login's state).
const SECRET_QUERY_ON: &[&str] = &["/api/v1/auth/oidc/callback"];

fn carries_secret(path: &str) -> bool {
    SECRET_SEGMENT_AFTER
        .iter()
        .any(|prefix| path.starts_with(prefix))
        || SECRET_QUERY_ON.contains(&path)
}

/// Sets the security headers of a response to a request for `path`.
pub fn set_headers(path: &str, https: bool, response: &mut Response<'_>) {
    response.set_header(Header::new(
        "Content-Security-Policy",
        CONTENT_SECURITY_POLICY,
    ));
    let referrer = if carries_secret(path) {
        "no-referrer"
    } else {
        "strict-origin-when-cross-origin"
    };
    response.set_header(Header::new("Referrer-Policy", referrer));
    response.set_header(Header::new("X-Content-Type-Options", "nosniff"));
    response.set_header(Header::new("X-Frame-Options", "DENY"));
    // Pages follow the chosen language and the session: never reuse a stored one.
    if response
        .content_type()
        .is_some_and(|content_type| content_type.is_html())
    {
        if response.headers().get_one("Cache-Control").is_none() {
            response.set_header(Header::new("Cache-Control", "no-cache"));
        }
        response.set_header(Header::new("Vary", "Accept-Language, Cookie"));
    }
    if https {
        response.set_header(Header::new(
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ));
    }
}

/// `path` as the access log shows it: the secret segment after a secret-bearing prefix
/// is replaced by `…`, the rest (e.g. `/cancel`) kept.
pub fn loggable_path(path: &str) -> String {
    for prefix in SECRET_SEGMENT_AFTER {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |at| &rest[at..]);
            return format!("{prefix}…{tail}");
        }
    }
    path.to_owned()
}

/// The pages' stylesheet, embedded in the binary.
pub fn asset_routes() -> Vec<Route> {
    routes![stylesheet]
}

#[get("/page.css")]
fn stylesheet() -> (rocket::http::ContentType, &'static str) {
    (
        rocket::http::ContentType::CSS,
        include_str!("assets/page.css"),
    )
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn secrets_are_cut_from_logged_paths() {
        assert_eq!(loggable_path("/a/Zx9secret"), "/a/…");
        assert_eq!(
            loggable_path("/api/v1/appointments/by-token/Zx9secret/cancel"),
            "/api/v1/appointments/by-token/…/cancel"
        );
        assert_eq!(loggable_path("/v/K7QX-M2PA"), "/v/…");
        assert_eq!(loggable_path("/api/v1/health"), "/api/v1/health");
    }

    #[test]
    fn the_provider_callback_sends_no_referrer() {
        assert!(super::carries_secret("/api/v1/auth/oidc/callback"));
        assert!(!super::carries_secret("/api/v1/auth/oidc/start"));
    }
}
