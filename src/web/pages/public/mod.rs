//! Pages for everyone, signed in or not: the home page, checking a copy by its code, and
//! the language switch.

mod home;

use rocket::Route;

/// The public pages.
pub fn routes() -> Vec<Route> {
    rocket::routes![home::home, home::check_code, home::switch_language]
}
