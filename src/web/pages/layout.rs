//! The one layout of every page: a header with the service's name and the language
//! switch, the page's content in `<main>`, a footer. No inline script or style (the
//! Content-Security-Policy forbids them); the stylesheet is `/assets/page.css`, embedded
//! in the binary.

use maud::{DOCTYPE, Markup, html};

use super::i18n::{Lang, words};

/// A whole page: `title` in the tab and the heading of the content.
pub fn layout(lang: Lang, title: &str, here: &str, content: Markup) -> Markup {
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
