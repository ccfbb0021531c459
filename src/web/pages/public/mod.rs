//! Pages for everyone, signed in or not: the home page, checking a copy by its code, the
//! language switch, finding an office and an office's page, and verifying a file.

mod home;
mod offices;
mod verify;

use rocket::Route;

/// The public pages.
pub fn routes() -> Vec<Route> {
    rocket::routes![
        home::home,
        home::check_code,
        home::switch_language,
        offices::offices,
        offices::office,
        verify::verify_form,
        verify::verify_upload
    ]
}
