//! Pages of an office's official: the review queue (`/review`, oldest result date first,
//! with a batch certification), one request with its scans beside its details
//! (`/review/{id}`), certifying it (the issuance: number, statement, the official's
//! signature and the office seal) or sending it back to the desk with a reason. Thin
//! handlers over the same service as `/api/v1/review/…`.

mod review;

use rocket::Route;

/// The official's pages.
pub fn routes() -> Vec<Route> {
    rocket::routes![
        review::queue,
        review::review,
        review::certify,
        review::certify_batch,
        review::send_back
    ]
}
