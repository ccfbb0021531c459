//! The one layout of every page: a header with the service's name and the language
//! switch, the page's content in `<main>`, a footer. No inline script or style (the
//! Content-Security-Policy forbids them); the stylesheet is `/assets/page.css`, embedded
//! in the binary.

use maud::{DOCTYPE, Markup, html};

use super::i18n::{Lang, words};
use super::session::Viewer;
use crate::db::models::Role;

/// A whole page for someone not known to be signed in: `title` in the tab and the heading
/// of the content.
pub fn layout(lang: Lang, title: &str, here: &str, content: Markup) -> Markup {
    chrome(lang, title, here, None, content)
}

/// A whole page for `viewer`: with the menu of their role and the sign-out button when
/// they are signed in.
pub fn page(viewer: &Viewer, title: &str, content: Markup) -> Markup {
    let nav = viewer.signed_in().map(|user| {
        let lang = viewer.lang;
        let links: &[(&str, super::i18n::Text)] = match user.role() {
            Role::Citizen => &[
                ("/me", words::NAV_MY_PAGE),
                ("/offices", words::NAV_BOOK),
                ("/me/copies", words::NAV_MY_COPIES),
            ],
            Role::Clerk => &[("/desk", words::NAV_DESK)],
            Role::Official => &[
                ("/desk", words::NAV_DESK),
                ("/review", words::NAV_REVIEW),
                ("/register-book", words::NAV_REGISTER),
            ],
            Role::Admin => &[
                ("/admin", words::NAV_ADMIN),
                ("/admin/staff", super::admin::words::NAV_STAFF),
                ("/admin/agencies", super::admin::words::NAV_AGENCIES),
                ("/admin/audit", super::admin::words::NAV_AUDIT),
            ],
            Role::Agency => &[("/verify", words::NAV_VERIFY)],
            Role::AgencyStaff => &[
                ("/agency", super::agency::words::NAV_DOSSIERS),
                ("/verify", words::NAV_VERIFY),
            ],
        };
        html! {
            nav.site aria-label=(lang.t(words::NAV_LABEL)) {
                ul {
                    @for (href, text) in links {
                        li { a href=(href) aria-current=[(viewer.here == *href).then_some("page")] { (lang.t(*text)) } }
                    }
                    li.who { (user.user.full_name) }
                    li {
                        form method="post" action="/logout" {
                            (viewer.csrf_field())
                            button.link type="submit" { (lang.t(words::SIGN_OUT)) }
                        }
                    }
                }
            }
        }
    });
    chrome(viewer.lang, title, &viewer.here, nav, content)
}

/// The frame of every page.
fn chrome(lang: Lang, title: &str, here: &str, nav: Option<Markup>, content: Markup) -> Markup {
    let other = lang.other();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – " (lang.t(words::SERVICE_NAME)) }
                link rel="stylesheet" href="/assets/page.css";
                link rel="icon" href="data:,";
            }
            body {
                a.skip href="#content" { (lang.t(words::SKIP_TO_CONTENT)) }
                header.site {
                    a.brand href="/" { (lang.t(words::SERVICE_NAME)) }
                    a.lang href={ "/lang/" (other.code()) "?next=" (query_value(here)) }
                        hreflang=(other.code()) lang=(other.code())
                        aria-label=(lang.t(words::SWITCH_LANGUAGE_LABEL)) {
                        (lang.t(words::SWITCH_LANGUAGE))
                    }
                    @if let Some(nav) = nav {
                        (nav)
                    } @else {
                        a.sign-in href={ "/login?next=" (query_value(here)) } { (lang.t(words::SIGN_IN)) }
                    }
                }
                main #content { (content) }
                footer.site { p { (lang.t(words::FOOTER)) } }
            }
        }
    }
}

/// `text` as a query-string value: everything but unreserved characters and `/`
/// percent-encoded.
fn query_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An error summary at the top of a form: the heading and one link per field in error
/// (`(field id, message)`).
pub fn error_summary(lang: Lang, errors: &[(&str, &str)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                h2 #error-summary-title { (lang.t(words::ERROR_SUMMARY)) }
                ul {
                    @for (field, message) in errors {
                        li { a href={ "#" (field) } { (message) } }
                    }
                }
            }
        }
    }
}
