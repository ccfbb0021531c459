//! Pages for everyone, signed in or not: the home page, checking a copy by its code and
//! a copy's page (`/v/{code}`), the language switch, finding an office and an office's
//! page, verifying a file, and the appointment behind a manage link (`/a/{token}`).

pub(crate) mod copy;
pub(crate) mod home;
mod manage;
mod offices;
pub mod sign_in;
mod verify;
mod words;

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
        verify::verify_upload,
        sign_in::login_form,
        sign_in::login,
        sign_in::logout,
        sign_in::register_form,
        sign_in::register,
        sign_in::password_form,
        sign_in::change_password,
        copy::copy_page,
        copy::check_file,
        manage::appointment,
        manage::reschedule_form,
        manage::reschedule,
        manage::cancel
    ]
}
