//! Pages of an office's official: the review queue (`/review`, oldest result date first,
//! with a batch certification), one request with its scans beside its details
//! (`/review/{id}`), certifying it (the issuance: number, statement, the official's
//! signature and the office seal) or sending it back to the desk with a reason; the
//! office's register book (`/register-book`: search, one line with its annulment, the
//! sealed PDF and CSV of a month or a year, the statistics of a period). Thin handlers over
//! the same services as `/api/v1/review/…`, `/api/v1/offices/{id}/register…` and
//! `/api/v1/copies/{id}/annul`.

mod register;
mod review;
mod words;

use rocket::Route;

/// The official's pages.
pub fn routes() -> Vec<Route> {
    rocket::routes![
        review::queue,
        review::review,
        review::certify,
        review::certify_batch,
        review::send_back,
        register::search,
        register::line,
        register::annul,
        register::exports,
        register::statistics
    ]
}
