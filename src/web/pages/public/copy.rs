//! `/v/{code}`: where the QR code on a copy leads. The copy's public status from the
//! register (valid or annulled with the reason; the office, number, book, issue time in
//! Viet Nam time, pages and digest — never the requester), and an upload box that checks
//! a file against this code: the same digest as the register and the full signature
//! validation of `POST /api/v1/verifications` (same per-address limit, same audit).
//!
//! Errors Rocket raises itself under `/v/` and `/verify` (the per-address limit, a wrong
//! API key, a body too large) are answered as pages by [`page_catcher`].

use maud::{Markup, html};
use rocket::form::{self, Form};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::request::Outcome;
use rocket::{FromForm, Request, State, catch, get, post};

use super::words as w;
use crate::app::App;
use crate::error::UserFacing;
use crate::registry::verifying::{CodeCheck, PublicState, PublicStatus};
use crate::web::api::verifications::{Verifier, read_upload};
use crate::web::guards::GuardFailure;
use crate::web::pages::i18n::{Lang, words};
use crate::web::pages::layout::{self, error_summary, page};
use crate::web::pages::local_text;
use crate::web::pages::session::{PageFailure, PageResult, Viewer};
use crate::web::upload::{Bounded, UploadRefused};
use crate::web::{ApiError, RequestId};

/// The copy's public status, or the "not found" page (404).
async fn public_status(
    app: &App,
    viewer: &Viewer,
    code: &str,
) -> Result<PublicStatus, PageFailure> {
    match app.verifier().public_status(code).await {
        Ok(status) => Ok(status),
        Err(error) if error.public().status == 404 => {
            let lang = viewer.lang;
            let title = lang.t(w::COPY_NOT_FOUND);
            Err(PageFailure::Page(
                Status::NotFound,
                page(
                    viewer,
                    title,
                    html! {
                        h1 { (title) }
                        p { (lang.t(w::COPY_NOT_FOUND_TEXT)) }
                        p { a href="/#code" { (lang.t(words::CHECK_TITLE)) } }
                    },
                ),
            ))
        }
        Err(error) => Err(viewer.error(&error)),
    }
}

/// Valid or annulled, and the register's facts.
fn status_block(lang: Lang, status: &PublicStatus) -> Markup {
    html! {
        @match status.status {
            PublicState::Valid => { p.ok #copy-status { strong { (lang.t(w::COPY_IS_VALID)) } } }
            PublicState::Annulled => {
                p.bad #copy-status {
                    strong { (lang.t(w::COPY_WAS_ANNULLED)) } " "
                    (status.annulled_reason.as_deref().unwrap_or(""))
                }
            }
        }
        dl {
            dt { (lang.t(words::CERTIFYING_OFFICE)) }
            dd { (status.office) }
            dt { (lang.t(words::CERTIFICATION_NUMBER)) }
            dd { (status.certification_number) }
            dt { (lang.t(w::BOOK)) }
            dd { (status.book) }
            dt { (lang.t(words::ISSUED_AT)) }
            dd { (status.issued_at.as_deref().map(local_text).unwrap_or_default()) }
            @if let Some(annulled_at) = status.annulled_at.as_deref() {
                dt { (lang.t(w::ANNULLED_AT)) }
                dd { (local_text(annulled_at)) }
            }
            dt { (lang.t(words::DOCUMENT_PAGES)) }
            dd { (status.page_count) }
            dt { "SHA-256" }
            dd { code { (status.sha256.as_deref().unwrap_or("")) } }
        }
    }
}

/// The upload box, with the reason a check could not be made at the field.
fn upload_form(lang: Lang, code: &str, error: Option<&str>) -> Markup {
    html! {
        h2 #check-title { (lang.t(w::CHECK_FILE_TITLE)) }
        form method="post" action={ "/v/" (code) "?lang=" (lang.code()) } enctype="multipart/form-data" novalidate {
            div.field.error[error.is_some()] {
                label for="file" { (lang.t(words::VERIFY_FILE)) }
                p.hint #file-hint { (lang.t(w::CHECK_FILE_HINT)) }
                @if let Some(error) = error { p.field-error #file-error { (error) } }
                input #file name="file" type="file" accept="application/pdf"
                    aria-describedby=(if error.is_some() { "file-hint file-error" } else { "file-hint" });
            }
            button type="submit" { (lang.t(words::CHECK_BUTTON)) }
        }
    }
}

/// The copy's page: the outcome of a check first when there is one, the status, the box.
fn copy_markup(
    viewer: &Viewer,
    status: &PublicStatus,
    check: Option<&CodeCheck>,
    error: Option<&str>,
) -> Markup {
    let lang = viewer.lang;
    let title = if check.is_some() {
        lang.t(words::REPORT_TITLE)
    } else {
        lang.t(w::COPY_TITLE)
    };
    let errors: Vec<(&str, &str)> = error.map(|e| ("file", e)).into_iter().collect();
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, &errors))
            h1 { (title) }
            @if let Some(check) = check {
                @if check.confirmed() {
                    p.ok #check-outcome { strong { (lang.t(w::FILE_CONFIRMED)) } }
                } @else {
                    p.bad #check-outcome { strong { (lang.t(w::FILE_NOT_CONFIRMED)) } }
                    ul {
                        @if !check.same_file { li { (lang.t(w::FILE_DIFFERS)) } }
                        @for message in check.report.errors.iter().chain(check.report.signatures.iter().flat_map(|s| s.errors.iter())) {
                            li { (lang.pick(&message.message_vi, &message.message_en)) }
                        }
                    }
                }
                h2 { (lang.t(w::COPY_TITLE)) }
            }
            p { (lang.t(w::CODE)) ": " code #lookup-code { (status.code) } }
            (status_block(lang, status))
            (upload_form(lang, &status.code, error))
        },
    )
}

/// `GET /v/{code}`: the landing page of a copy's QR code.
#[get("/v/<code>")]
pub async fn copy_page(app: &State<App>, viewer: Viewer, code: &str) -> PageResult {
    let status = public_status(app, &viewer, code).await?;
    Ok(copy_markup(&viewer, &status, None, None))
}

/// The file sent to check.
#[derive(FromForm)]
pub struct CheckForm<'r> {
    file: TempFile<'r>,
}

/// `POST /v/{code}` (multipart `file`): checks the file against the code — the same signed
/// content as registered, and a passing verification.
#[post("/v/<code>", data = "<upload>")]
pub async fn check_file(
    app: &State<App>,
    viewer: Viewer,
    verifier: Verifier,
    request_id: RequestId,
    code: &str,
    upload: Result<Bounded<Form<CheckForm<'_>>, form::Errors<'_>>, UploadRefused>,
) -> PageResult {
    let status = public_status(app, &viewer, code).await?;
    let lang = viewer.lang;
    let refused = |code: u16, vi: &str, en: &str| {
        PageFailure::Page(
            Status::from_code(code).unwrap_or(Status::UnprocessableEntity),
            copy_markup(&viewer, &status, None, Some(lang.pick(vi, en))),
        )
    };
    let (form, _hold) = match upload {
        Ok(upload) => upload.into_parts(),
        Err(error) => {
            let public = error.public();
            return Err(refused(
                public.status,
                &public.message_vi,
                &public.message_en,
            ));
        }
    };
    let Ok(form) = form else {
        return Err(refused(422, w::CHOOSE_PDF.vi, w::CHOOSE_PDF.en));
    };
    let bytes = read_upload(&form.file)
        .await
        .map_err(|e| refused(400, &e.public.message_vi, &e.public.message_en))?;
    let check = app
        .verifier()
        .check_against_code(&verifier.0, &status, bytes, Some(&request_id.0))
        .await
        .map_err(|error| {
            let public = error.public();
            refused(public.status, &public.message_vi, &public.message_en)
        })?;
    Ok(copy_markup(&viewer, &status, Some(&check), None))
}

/// Errors under `/v/` and `/verify` answered as pages, not JSON: a refused guard (the
/// per-address limit, a wrong API key) or a body Rocket would not read.
#[catch(default)]
pub async fn page_catcher(status: Status, request: &Request<'_>) -> (Status, Markup) {
    let public = GuardFailure::of(request)
        .filter(|public| public.status == status.code)
        .unwrap_or_else(|| ApiError::for_status(status).public);
    let lang = Lang::of(request);
    let title = lang.t(w::COULD_NOT_CHECK);
    let content = html! {
        h1 { (title) }
        p.bad { (lang.pick(&public.message_vi, &public.message_en)) }
        p { a href="/" { (lang.t(words::BACK_HOME)) } }
    };
    match request.guard::<Viewer>().await {
        Outcome::Success(viewer) => (status, page(&viewer, title, content)),
        _ => (status, layout::layout(lang, title, "/", content)),
    }
}
