//! HTML pages (docs/ARCHITECTURE.md §12), grouped by who uses them: [`public`] for
//! everyone (the home page, checking a code, a copy's page `/v/{code}`, the manage link
//! `/a/{token}`, the language switch, signing in), [`citizen`], [`desk`] and [`official`].
//! Each page is written with `maud` beside its handler, in the one [`layout`], with its
//! words from the catalogue in [`i18n`].

pub mod admin;
pub mod agency;
pub mod citizen;
pub mod desk;
pub mod format;
pub mod i18n;
pub mod layout;
pub mod official;
pub mod public;
pub mod session;

pub use i18n::Lang;

use rocket::{Catcher, Route, catchers};

/// The HTML pages.
pub fn routes() -> Vec<Route> {
    let mut all = public::routes();
    all.extend(citizen::routes());
    all.extend(desk::routes());
    all.extend(official::routes());
    all.extend(admin::routes());
    all.extend(agency::routes());
    all
}

/// Errors under `/v/` and `/verify` answered as pages, not JSON: a refused guard (the
/// per-address limit, a wrong API key) or a body Rocket would not read.
pub fn catchers() -> Vec<Catcher> {
    catchers![public::copy::page_catcher]
}

/// An RFC 3339 instant as `HH:MM dd/mm/yyyy` in Viet Nam time (the text as is when it does
/// not parse).
pub(crate) fn local_text(rfc3339: &str) -> String {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(crate::local_time::local_moment)
        .unwrap_or_else(|_| rfc3339.to_owned())
}
