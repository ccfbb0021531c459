//! HTTP layer: routes only. Each file under `api/` exposes `routes()`; handlers parse the
//! request, call a domain module and map the result. No business logic lives here.
//! [`guards`] authenticates requests (sessions, API keys) and checks the caller's role.

pub mod api;
pub mod client;
pub mod error;
pub mod guards;
pub mod json_body;
pub mod pages;
pub mod request_id;
pub mod security;
pub mod upload;

use figment::Figment;
use rocket::http::Status;
use rocket::{Build, Request, Rocket, catch, catchers};

pub use error::ApiError;
pub use request_id::RequestId;

use crate::app::App;
use guards::GuardFailure;

/// Builds the Rocket instance serving `app` with Rocket settings from `figment`.
pub fn build_rocket(figment: Figment, app: App) -> Rocket<Build> {
    // Upload limits follow `max_upload_mb` (Rocket's own defaults are far smaller).
    let figment = figment.merge((
        "limits",
        api::copies::upload_limits(app.config.max_upload_bytes()),
    ));
    let identity_provider = api::oidc::IdentityProvider::from_config(&app.config);
    let mut rocket = rocket::custom(figment)
        .manage(identity_provider)
        .manage(app)
        .attach(request_id::RequestLog)
        .register("/", catchers![default_catcher])
        .register("/v", pages::catchers())
        .register("/verify", pages::catchers());
    for (base, routes) in api::mounts() {
        rocket = rocket.mount(base, routes);
    }
    rocket = rocket.mount("/assets", security::asset_routes());
    rocket
}

/// Every error Rocket produces itself (unknown route, guard failure, body too large, …)
/// answered in the same JSON shape as handler errors.
#[catch(default)]
fn default_catcher(status: Status, request: &Request<'_>) -> ApiError {
    match GuardFailure::of(request) {
        Some(public) if public.status == status.code => ApiError {
            public,
            internal: None,
        },
        _ => ApiError::for_status(status),
    }
}
