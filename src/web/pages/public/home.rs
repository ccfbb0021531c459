//! `/`: what the service is, how it works, and a box to check a copy by the code under
//! its QR code (`/check?code=` leads to the copy's page `/v/{code}`). `/lang/{vi|en}`
//! remembers the language and goes back where the person was.

use maud::{Markup, html};
use rocket::get;
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;

use crate::registry::code::{display_code, normalize_verification_code};
use crate::web::pages::i18n::{Lang, words};
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::session::Viewer;

/// The home page, with an optional error for the code box.
fn home_page(viewer: &Viewer, code: &str, error: Option<&str>) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(words::HOME_TITLE);
    let errors: Vec<(&str, &str)> = error.map(|e| ("code", e)).into_iter().collect();
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, &errors))
            h1 { (title) }
            p.lead { (lang.t(words::HOME_LEAD)) }
            h2 { (lang.t(words::HOME_STEPS_TITLE)) }
            ol.steps {
                li { (lang.t(words::HOME_STEP_BOOK)) }
                li { (lang.t(words::HOME_STEP_DESK)) }
                li { (lang.t(words::HOME_STEP_COPY)) }
            }
            p { a href="/offices" { (lang.t(words::NAV_OFFICES)) } }
            section.card aria-labelledby="check-title" {
                h2 #check-title { (lang.t(words::CHECK_TITLE)) }
                form method="get" action="/check" novalidate {
                    div.field.error[error.is_some()] {
                        label for="code" { (lang.t(words::CHECK_LABEL)) }
                        p.hint #code-hint { (lang.t(words::CHECK_HINT)) }
                        @if let Some(error) = error {
                            p.field-error #code-error { (error) }
                        }
                        input #code name="code" type="text" value=(code)
                            autocomplete="off" autocapitalize="characters" spellcheck="false"
                            inputmode="text" maxlength="40"
                            aria-describedby=(if error.is_some() { "code-hint code-error" } else { "code-hint" });
                    }
                    button type="submit" { (lang.t(words::CHECK_BUTTON)) }
                }
            }
        },
    )
}

/// `GET /`.
#[get("/")]
pub fn home(viewer: Viewer) -> Markup {
    home_page(&viewer, "", None)
}

/// `GET /check?code=…`: the copy's page for a well-formed code, else the home page with
/// the error at the box (422).
#[get("/check?<code>")]
pub fn check_code(viewer: Viewer, code: Option<String>) -> Result<Redirect, (Status, Markup)> {
    let lang = viewer.lang;
    let typed = code.as_deref().unwrap_or("").trim();
    if typed.is_empty() {
        return Err((
            Status::UnprocessableEntity,
            home_page(&viewer, "", Some(lang.t(words::CHECK_EMPTY))),
        ));
    }
    match normalize_verification_code(typed) {
        Some(code) => Ok(Redirect::to(format!("/v/{}", display_code(&code)))),
        None => Err((
            Status::UnprocessableEntity,
            home_page(&viewer, typed, Some(lang.t(words::CHECK_INVALID))),
        )),
    }
}

/// Only a path of this site: starts with one `/`, no scheme, no host, no backslash or
/// control character. Anything else goes home.
pub fn same_site_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control)
                && path.len() <= 512 =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// `GET /lang/{vi|en}?next=/path`: remembers the language (a cookie for a year) and goes
/// back to `next` on this site.
#[get("/lang/<code>?<next>")]
pub fn switch_language(
    cookies: &CookieJar<'_>,
    code: &str,
    next: Option<&str>,
) -> Result<Redirect, Status> {
    let lang = Lang::parse(code).ok_or(Status::NotFound)?;
    cookies.add(lang.cookie());
    Ok(Redirect::to(same_site_path(next)))
}

#[cfg(test)]
mod tests {
    use super::same_site_path;

    #[test]
    fn the_switch_goes_back_only_to_this_site() {
        assert_eq!(same_site_path(Some("/v/ABCD")), "/v/ABCD");
        assert_eq!(same_site_path(Some("/?x=1")), "/?x=1");
        for hostile in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "evil",
            "/a\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(same_site_path(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(same_site_path(None), "/");
    }
}
