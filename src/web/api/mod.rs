//! `/api/v1` JSON routes.

mod admin;
mod auth;
pub(crate) mod copies;
mod health;
pub(crate) mod verifications;
mod views;

use rocket::Route;

/// Every mount point and its routes, in one table.
pub fn mounts() -> Vec<(&'static str, Vec<Route>)> {
    vec![
        ("/api/v1", health::routes()),
        ("/api/v1/auth", auth::routes()),
        ("/api/v1", auth::me_routes()),
        ("/api/v1/admin", admin::routes()),
        ("/api/v1/copies", copies::routes()),
        ("/api/v1/copies", verifications::copy_routes()),
        ("/api/v1/verifications", verifications::routes()),
        ("/", crate::web::pages::routes()),
    ]
}
