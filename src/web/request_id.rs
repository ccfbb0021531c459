//! Request ids and access logs: every request gets an id (the client's `X-Request-Id`
//! when it is sane, else a new UUID), echoed in the response header, in error bodies and
//! in the audit log, and one `tracing` line per request with method, path (secrets cut,
//! see [`super::security::loggable_path`]), status and duration. The same fairing sets the
//! security headers of every response ([`super::security`]).

use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Data, Response};

/// The id of the current request.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id assigned to `request` (assigned on first use).
    pub fn of(request: &Request<'_>) -> String {
        request.local_cache(|| RequestId(new_id(request))).0.clone()
    }
}

fn new_id(request: &Request<'_>) -> String {
    request
        .headers()
        .get_one("X-Request-Id")
        .filter(|id| {
            (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for RequestId {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(RequestId(RequestId::of(request)))
    }
}

struct Started(Instant);

/// Fairing assigning request ids and writing the access log.
pub struct RequestLog;

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "request id and access log",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        request.local_cache(|| Started(Instant::now()));
        let _ = RequestId::of(request);
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let id = RequestId::of(request);
        let elapsed = request.local_cache(|| Started(Instant::now())).0.elapsed();
        tracing::info!(
            request_id = %id,
            method = %request.method(),
            path = %super::security::loggable_path(request.uri().path().as_str()),
            status = response.status().code,
            ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        );
        response.set_header(Header::new("X-Request-Id", id));
        let https = request
            .rocket()
            .state::<crate::app::App>()
            .is_some_and(|app| app.config.base_url.starts_with("https://"));
        super::security::set_headers(request.uri().path().as_str(), https, response);
    }
}
