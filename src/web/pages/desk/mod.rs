//! Pages of the front desk (clerks, and officials who also work it): the day's list with
//! check-in by booking code, walk-ins, confirming a citizen's ID, and one request's page
//! (scans, order, checklist and hand-over, refusal, payment, withdrawal). Each is a thin
//! handler over the store and service functions the desk API uses; a request of another
//! office is not found.

pub(crate) mod request;
mod today;

use rocket::Route;

/// The desk's pages.
pub fn routes() -> Vec<Route> {
    rocket::routes![
        today::desk,
        today::check_in,
        today::walk_in_form,
        today::walk_in,
        today::confirm_identity,
        request::request_page,
        request::thumbnail,
        request::upload_scans,
        request::reorder,
        request::hand_over,
        request::refuse,
        request::payment,
        request::withdraw
    ]
}
