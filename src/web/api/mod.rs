//! `/api/v1` JSON routes.

mod account;
mod admin;
mod admin_accounts;
mod appointments;
mod auth;
mod booking_input;
mod certification;
pub(crate) mod copies;
mod desk;
mod dossiers;
mod health;
mod log;
mod offices;
mod official_grants;
pub(crate) mod oidc;
pub mod openapi;
mod register_book;
mod signature_images;
mod timestamp;
pub(crate) mod verifications;
mod views;
mod wallet;

use rocket::Route;

/// Every mount point and its routes, in one table.
pub fn mounts() -> Vec<(&'static str, Vec<Route>)> {
    vec![
        ("/api/v1", health::routes()),
        ("/api/v1", log::routes()),
        ("/api/v1", timestamp::routes()),
        ("/api/v1", openapi::routes()),
        ("/api/v1/auth", auth::routes()),
        (oidc::MOUNT, oidc::routes()),
        ("/api/v1", auth::me_routes()),
        ("/api/v1/admin", admin::routes()),
        ("/api/v1/admin", admin_accounts::routes()),
        ("/api/v1/admin", signature_images::routes()),
        ("/api/v1", account::routes()),
        ("/api/v1/official-grants", official_grants::routes()),
        ("/api/v1/copies", copies::routes()),
        ("/api/v1/copies", verifications::copy_routes()),
        ("/api/v1/verifications", verifications::routes()),
        ("/", crate::web::pages::routes()),
        ("/api/v1", offices::routes()),
        ("/api/v1", register_book::routes()),
        ("/api/v1", appointments::routes()),
        ("/api/v1/desk", desk::routes()),
        ("/api/v1/desk/requests", certification::desk_routes()),
        ("/api/v1/review", certification::review_routes()),
        ("/api/v1", certification::other_routes()),
        ("/api/v1", wallet::routes()),
        ("/api/v1/dossiers", dossiers::routes()),
        ("/api/v1/agency", dossiers::agency_routes()),
    ]
}
