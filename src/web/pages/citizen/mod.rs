//! Pages of a signed-in citizen: their page (`/me`: appointments, documents at the
//! office, identity), proving their citizen ID at the desk (`/me/identity`), booking
//! (`/book/…`), one appointment with cancel and reschedule (`/me/appointments/…`), and
//! their copies (`/me/copies`) with each copy's shares and uses (`/me/copies/{id}`). Each is a thin handler over the store functions the API
//! uses.

mod appointments;
pub mod booking;
mod me;
mod wallet;

use rocket::Route;

/// The citizen's pages.
pub fn routes() -> Vec<Route> {
    rocket::routes![
        me::my_page,
        me::identity_page,
        me::identity_code,
        me::my_copies,
        booking::choose_slot,
        booking::documents,
        booking::estimate,
        booking::confirm,
        appointments::appointment,
        appointments::cancel,
        appointments::reschedule_form,
        appointments::reschedule,
        wallet::copy,
        wallet::share,
        wallet::revoke
    ]
}
