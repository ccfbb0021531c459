//! HTML pages (docs/ARCHITECTURE.md §12), grouped by who uses them: [`public`] for
//! everyone (the home page, checking a code, the language switch). Each page is written
//! with `maud` beside its handler, in the one [`layout`], with its words from the
//! catalogue in [`i18n`].
//!
//! `/v/{code}` (this file, from before the layout) is where the QR code on a copy leads:
//! the copy's public status and an upload box that checks a file against this code (same
//! digest as the register, and full signature validation).

pub mod admin;
pub mod citizen;
pub mod desk;
pub mod format;
pub mod i18n;
pub mod layout;
pub mod official;
pub mod public;
pub mod session;

pub use i18n::Lang;

use rocket::form::{self, Form};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::content::RawHtml;
use rocket::{Catcher, FromForm, Request, Route, State, catch, catchers, get, post, routes};

use crate::app::App;
use crate::error::UserFacing;
use crate::registry::verifying::{PublicState, PublicStatus};
use crate::web::api::verifications::{Verifier, read_upload};
use crate::web::guards::GuardFailure;
use crate::web::upload::{Bounded, UploadRefused};
use crate::web::{ApiError, RequestId};

/// The HTML pages.
pub fn routes() -> Vec<Route> {
    let mut all = routes![copy_page, check_file];
    all.extend(public::routes());
    all.extend(citizen::routes());
    all.extend(desk::routes());
    all.extend(official::routes());
    all.extend(admin::routes());
    all
}

/// Errors under `/v/` answered as pages, not JSON: a refused guard (the per-address limit,
/// a wrong API key) or a body Rocket would not read.
pub fn catchers() -> Vec<Catcher> {
    catchers![page_catcher]
}

#[catch(default)]
fn page_catcher(status: Status, request: &Request<'_>) -> (Status, RawHtml<String>) {
    let lang = Lang::of(request);
    let public = GuardFailure::of(request)
        .filter(|public| public.status == status.code)
        .unwrap_or_else(|| ApiError::for_status(status).public);
    let body = format!(
        "<h1>{}</h1><p class=\"bad\">{}</p>",
        lang.pick("Không kiểm tra được", "Could not check"),
        esc(lang.pick(&public.message_vi, &public.message_en))
    );
    (status, page(lang, lang.pick("Lỗi", "Error"), &body))
}

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A page of this file in the common layout; `body` is HTML already escaped by its
/// builder. The language switch leads back to the copy pages' entry point.
fn page(lang: Lang, title: &str, body: &str) -> RawHtml<String> {
    RawHtml(layout::layout(lang, title, "/", maud::PreEscaped(body.to_owned())).into_string())
}

/// An RFC 3339 instant as `HH:MM dd/mm/yyyy` in Viet Nam time (the text as is when it does
/// not parse).
pub(crate) fn local_text(rfc3339: &str) -> String {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(crate::local_time::local_moment)
        .unwrap_or_else(|_| rfc3339.to_owned())
}

fn not_found_page(lang: Lang) -> (Status, RawHtml<String>) {
    let body = format!(
        "<h1>{}</h1><p>{}</p>",
        lang.pick("Không tìm thấy bản sao", "Copy not found"),
        lang.pick(
            "Mã tra cứu không có trong sổ chứng thực. Hãy kiểm tra lại mã in dưới mã QR.",
            "This code is not in the certification register. Check the code printed under the QR code."
        )
    );
    (
        Status::NotFound,
        page(lang, lang.pick("Không tìm thấy", "Not found"), &body),
    )
}

fn status_block(lang: Lang, status: &PublicStatus) -> String {
    let state = match status.status {
        PublicState::Valid => format!(
            "<p class=\"ok\"><strong>{}</strong></p>",
            lang.pick("Bản sao có hiệu lực", "The copy is valid")
        ),
        PublicState::Annulled => format!(
            "<p class=\"bad\"><strong>{}</strong> {}</p>",
            lang.pick("Bản sao đã bị hủy.", "The certification was annulled."),
            esc(status.annulled_reason.as_deref().unwrap_or(""))
        ),
    };
    let field = |vi: &str, en: &str, value: &str| {
        format!("<dt>{}</dt><dd>{}</dd>", lang.pick(vi, en), esc(value))
    };
    format!(
        "{state}<dl>{}{}{}{}{}<dt>SHA-256</dt><dd><code>{}</code></dd></dl>",
        field("Cơ quan chứng thực", "Certifying office", &status.office),
        field(
            "Số chứng thực",
            "Certification number",
            &status.certification_number.to_string()
        ),
        field("Quyển số", "Book", &status.book),
        field(
            "Thời điểm cấp (giờ Việt Nam)",
            "Issued (Viet Nam time)",
            &status
                .issued_at
                .as_deref()
                .map(local_text)
                .unwrap_or_default()
        ),
        field("Số trang", "Pages", &status.page_count.to_string()),
        esc(status.sha256.as_deref().unwrap_or("")),
    )
}

fn upload_form(lang: Lang, code: &str) -> String {
    format!(
        "<h2>{}</h2><p>{}</p><form method=\"post\" action=\"/v/{code}?lang={l}\" enctype=\"multipart/form-data\">\
         <label for=\"file\">{}</label> <input type=\"file\" id=\"file\" name=\"file\" accept=\"application/pdf\" required> \
         <button>{}</button></form>",
        lang.pick("Kiểm tra tệp bạn nhận được", "Check the file you received"),
        lang.pick(
            "Tải lên tệp PDF để đối chiếu với bản đã cấp và kiểm tra chữ ký số.",
            "Upload the PDF to compare it with the copy issued and check its signatures."
        ),
        lang.pick("Tệp PDF", "PDF file"),
        lang.pick("Kiểm tra", "Check"),
        code = esc(code),
        l = lang.pick("vi", "en"),
    )
}

/// The landing page of a copy's QR code.
#[get("/v/<code>")]
async fn copy_page(
    app: &State<App>,
    lang: Lang,
    code: &str,
) -> Result<RawHtml<String>, (Status, RawHtml<String>)> {
    let Ok(status) = app.verifier().public_status(code).await else {
        return Err(not_found_page(lang));
    };
    let code = status.code.clone();
    let title = lang.pick("Tra cứu bản sao chứng thực", "Certified copy lookup");
    let body = format!(
        "<h1>{title}</h1><p>{}: <code>{}</code></p>{}{}",
        lang.pick("Mã", "Code"),
        esc(&code),
        status_block(lang, &status),
        upload_form(lang, &code)
    );
    Ok(page(lang, title, &body))
}

#[derive(FromForm)]
struct CheckForm<'r> {
    file: TempFile<'r>,
}

/// The page answering a check that could not be made.
fn check_error_page(lang: Lang, status: Status, vi: &str, en: &str) -> (Status, RawHtml<String>) {
    let body = format!(
        "<h1>{}</h1><p class=\"bad\">{}</p>",
        lang.pick("Không kiểm tra được", "Could not check"),
        esc(lang.pick(vi, en))
    );
    (status, page(lang, lang.pick("Lỗi", "Error"), &body))
}

/// Checks an uploaded file against the code: same signed content as registered, and a
/// passing verification.
#[post("/v/<code>", data = "<upload>")]
async fn check_file(
    app: &State<App>,
    lang: Lang,
    verifier: Verifier,
    request_id: RequestId,
    code: &str,
    upload: Result<Bounded<Form<CheckForm<'_>>, form::Errors<'_>>, UploadRefused>,
) -> Result<RawHtml<String>, (Status, RawHtml<String>)> {
    let verifier_service = app.verifier();
    let Ok(status) = verifier_service.public_status(code).await else {
        return Err(not_found_page(lang));
    };
    let (form, _hold) = match upload {
        Ok(upload) => upload.into_parts(),
        Err(refused) => {
            let public = refused.public();
            let status = Status::from_code(public.status).unwrap_or(Status::BadRequest);
            return Err(check_error_page(
                lang,
                status,
                &public.message_vi,
                &public.message_en,
            ));
        }
    };
    let Ok(form) = form else {
        return Err(check_error_page(
            lang,
            Status::UnprocessableEntity,
            "Hãy chọn một tệp PDF (tối đa theo giới hạn tải lên).",
            "Choose a PDF file (within the upload limit).",
        ));
    };
    let bytes = read_upload(&form.file).await.map_err(|e| {
        check_error_page(
            lang,
            Status::BadRequest,
            &e.public.message_vi,
            &e.public.message_en,
        )
    })?;
    let check = verifier_service
        .check_against_code(&verifier.0, &status, bytes, Some(&request_id.0))
        .await
        .map_err(|error| {
            let status = Status::from_code(error.status()).unwrap_or(Status::UnprocessableEntity);
            check_error_page(lang, status, &error.message_vi(), &error.message_en())
        })?;
    let (report, same_file, passed) = (&check.report, check.same_file, check.confirmed());
    let mut body = format!("<h1>{}</h1>", lang.pick("Kết quả kiểm tra", "Check result"));
    if passed {
        body.push_str(&format!(
            "<p class=\"ok\"><strong>{}</strong></p>",
            lang.pick(
                "Tệp đúng là bản sao đã cấp và các chữ ký số hợp lệ.",
                "The file is the copy issued and its signatures are valid."
            )
        ));
    } else {
        body.push_str(&format!(
            "<p class=\"bad\"><strong>{}</strong></p><ul>",
            lang.pick("Tệp KHÔNG được xác nhận.", "The file is NOT confirmed.")
        ));
        if !same_file {
            body.push_str(&format!(
                "<li>{}</li>",
                lang.pick(
                    "Nội dung tệp khác với bản sao đã cấp theo mã này.",
                    "The file differs from the copy issued under this code."
                )
            ));
        }
        let messages = report
            .errors
            .iter()
            .chain(report.signatures.iter().flat_map(|s| s.errors.iter()));
        for message in messages {
            body.push_str(&format!(
                "<li>{}</li>",
                esc(lang.pick(&message.message_vi, &message.message_en))
            ));
        }
        body.push_str("</ul>");
    }
    body.push_str(&status_block(lang, &status));
    body.push_str(&upload_form(lang, &status.code));
    Ok(page(
        lang,
        lang.pick("Kết quả kiểm tra", "Check result"),
        &body,
    ))
}
