//! `/verify`: anyone uploads a PDF and reads the verification report as a page — who
//! signed, for which office, when (Viet Nam time), whether each signature is valid and
//! why not, and the copy's status in the register. The same verification as
//! `POST /api/v1/verifications` (per-address limit, upload budget, work limits).

use maud::{Markup, html};
use rocket::form::{self, Form};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::{FromForm, State, get, post};

use crate::app::App;
use crate::error::UserFacing;
use crate::local_time::local_moment;
use crate::verification::{
    DocumentReport, Indication, RegisterStatus, ReportMessage, TransparencyState,
};
use crate::web::RequestId;
use crate::web::api::verifications::{Verifier, read_upload};
use crate::web::pages::i18n::{Lang, words};
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::session::Viewer;
use crate::web::upload::{Bounded, UploadRefused};

/// The upload form, with an error at the field when there is one.
fn form_page(viewer: &Viewer, error: Option<&str>) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(words::VERIFY_TITLE);
    let errors: Vec<(&str, &str)> = error.map(|e| ("file", e)).into_iter().collect();
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, &errors))
            h1 { (title) }
            p.lead { (lang.t(words::VERIFY_LEAD)) }
            form method="post" action="/verify" enctype="multipart/form-data" novalidate {
                div.field.error[error.is_some()] {
                    label for="file" { (lang.t(words::VERIFY_FILE)) }
                    p.hint #file-hint { (lang.t(words::VERIFY_HINT)) }
                    @if let Some(error) = error {
                        p.field-error #file-error { (error) }
                    }
                    input #file name="file" type="file" accept="application/pdf"
                        aria-describedby=(if error.is_some() { "file-hint file-error" } else { "file-hint" });
                }
                button type="submit" { (lang.t(words::VERIFY_BUTTON)) }
            }
            p { (lang.t(words::VERIFY_BY_CODE)) " " a href="/#code" { (lang.t(words::CHECK_TITLE)) } }
        },
    )
}

/// `GET /verify`.
#[get("/verify")]
pub fn verify_form(viewer: Viewer) -> Markup {
    form_page(&viewer, None)
}

#[derive(FromForm)]
pub struct VerifyUpload<'r> {
    file: TempFile<'r>,
}

fn message(lang: Lang, message: &ReportMessage) -> String {
    lang.pick(&message.message_vi, &message.message_en)
        .to_owned()
}

fn verdict_text(lang: Lang, indication: &Indication) -> (&'static str, &'static str) {
    match indication {
        Indication::TotalPassed => ("ok", lang.t(words::VERDICT_PASSED)),
        Indication::TotalFailed => ("bad", lang.t(words::VERDICT_FAILED)),
        _ => ("warn", lang.t(words::VERDICT_INDETERMINATE)),
    }
}

fn stamp_text(lang: Lang, indication: &Indication) -> (&'static str, &'static str) {
    match indication {
        Indication::TotalPassed => ("ok", lang.t(words::STAMP_PASSED)),
        Indication::TotalFailed => ("bad", lang.t(words::STAMP_FAILED)),
        _ => ("warn", lang.t(words::STAMP_INDETERMINATE)),
    }
}

fn utc_text_local(rfc3339: &str) -> String {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(local_moment)
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// The report as a page.
fn report_page(viewer: &Viewer, report: &DocumentReport) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(words::REPORT_TITLE);
    let (class, verdict) = verdict_text(lang, &report.verdict);
    page(
        viewer,
        title,
        html! {
            h1 { (title) }
            p class=(class) { strong { (verdict) } }
            h2 { (lang.t(words::REGISTER_STATUS)) }
            @match &report.register {
                Some(RegisterStatus::Found { certification_number, book, office, issued_at }) => {
                    p.ok { (lang.t(words::REGISTER_FOUND)) }
                    dl {
                        dt { (lang.t(words::CERTIFYING_OFFICE)) } dd { (office) }
                        dt { (lang.t(words::CERTIFICATION_NUMBER)) } dd { (certification_number) " — " (book) }
                        dt { (lang.t(words::ISSUED_AT)) } dd { (utc_text_local(issued_at)) }
                    }
                }
                Some(RegisterStatus::Annulled { certification_number, book, office, reason, .. }) => {
                    p.bad { (lang.t(words::REGISTER_ANNULLED)) " " (reason) }
                    dl {
                        dt { (lang.t(words::CERTIFYING_OFFICE)) } dd { (office) }
                        dt { (lang.t(words::CERTIFICATION_NUMBER)) } dd { (certification_number) " — " (book) }
                    }
                }
                Some(RegisterStatus::Mismatch) => { p.bad { (lang.t(words::REGISTER_MISMATCH)) } }
                _ => { p.warn { (lang.t(words::REGISTER_UNKNOWN)) } }
            }
            @match report.transparency.as_ref().map(|t| (t.state, t.signed_at.as_deref())) {
                Some((TransparencyState::Included, Some(signed_at))) => {
                    p.ok { (lang.t(words::LOG_INCLUDED)) " " (utc_text_local(signed_at)) "." }
                }
                Some((TransparencyState::NotYetIncluded, _)) => { p { (lang.t(words::LOG_NOT_YET_INCLUDED)) } }
                Some((TransparencyState::UntrustedHead, _)) => { p.warn { (lang.t(words::LOG_UNTRUSTED)) } }
                _ => {}
            }
            @for error in &report.errors {
                p.bad { (message(lang, error)) }
            }
            @for warning in &report.warnings {
                p.warn { (message(lang, warning)) }
            }
            h2 { (lang.t(words::SIGNATURES)) " (" (report.valid_signatures_count) "/" (report.signatures_count) ")" }
            @for (index, signature) in report.signatures.iter().enumerate() {
                @let (class, verdict) = verdict_text(lang, &signature.indication);
                section.card {
                    h3 { (lang.t(words::SIGNATURE)) " " (index + 1) }
                    p class=(class) { strong { (verdict) } }
                    dl {
                        dt { (lang.t(words::SIGNED_BY)) }
                        dd { (signature.signed_by.clone().unwrap_or_else(|| "—".to_owned())) }
                        @if let Some(at) = signature.signing_time {
                            dt { (lang.t(words::SIGNED_AT)) }
                            dd { (local_moment(at)) " (" (lang.t(words::CLAIMED)) ")" }
                        }
                        @if let Some(stamp) = &signature.signature_timestamp {
                            dt { (lang.t(words::TIME_STAMPED)) }
                            dd { (local_moment(stamp.time)) " — " (stamp.tsa) }
                        }
                        @if let Some(issuer) = signature.certificate_chain.first().map(|c| c.issuer.clone()) {
                            dt { (lang.t(words::CERTIFICATE_ISSUER)) } dd { (issuer) }
                        }
                    }
                    @for error in &signature.errors { p.bad { (message(lang, error)) } }
                    @for warning in &signature.warnings { p.warn { (message(lang, warning)) } }
                }
            }
            @if !report.document_timestamps.is_empty() {
                h2 { (lang.t(words::DOCUMENT_TIMESTAMPS)) }
                @for stamp in &report.document_timestamps {
                    @let (class, verdict) = stamp_text(lang, &stamp.indication);
                    section.card {
                        p class=(class) { strong { (verdict) } }
                        dl {
                            @if let Some(at) = stamp.time {
                                dt { (lang.t(words::DOCUMENT_TIMESTAMP_AT)) } dd { (local_moment(at)) }
                            }
                            @if let Some(tsa) = &stamp.tsa {
                                dt { (lang.t(words::TIMESTAMP_AUTHORITY)) } dd { (tsa) }
                            }
                        }
                        @for error in &stamp.errors { p.bad { (message(lang, error)) } }
                    }
                }
            }
            p { a href="/verify" { (lang.t(words::VERIFY_ANOTHER)) } }
        },
    )
}

/// `POST /verify` (multipart `file`): the report, or the form with the reason it could not
/// be checked.
#[post("/verify", data = "<upload>")]
pub async fn verify_upload(
    app: &State<App>,
    viewer: Viewer,
    verifier: Verifier,
    request_id: RequestId,
    upload: Result<Bounded<Form<VerifyUpload<'_>>, form::Errors<'_>>, UploadRefused>,
) -> Result<Markup, (Status, Markup)> {
    let lang = viewer.lang;
    let refused = |status: u16, vi: &str, en: &str| {
        (
            Status::from_code(status).unwrap_or(Status::UnprocessableEntity),
            form_page(&viewer, Some(lang.pick(vi, en))),
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
        return Err(refused(
            422,
            words::VERIFY_CHOOSE.vi,
            words::VERIFY_CHOOSE.en,
        ));
    };
    if form.file.len() == 0 {
        return Err(refused(
            422,
            words::VERIFY_CHOOSE.vi,
            words::VERIFY_CHOOSE.en,
        ));
    }
    let bytes = read_upload(&form.file)
        .await
        .map_err(|e| refused(400, &e.public.message_vi, &e.public.message_en))?;
    match app
        .verifier()
        .verify(&verifier.0, bytes, Some(&request_id.0))
        .await
    {
        Ok(report) => Ok(report_page(&viewer, &report)),
        Err(error) => {
            let public = error.public();
            Err(refused(
                public.status,
                &public.message_vi,
                &public.message_en,
            ))
        }
    }
}
