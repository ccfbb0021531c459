//! Pages of a receiving agency's staff (`agency_staff` accounts, signed in with a
//! password): the agency's dossiers (`/agency`), opening one, and one dossier
//! (`/agency/dossiers/{id}`) with its documents, attaching a copy by share code, by lookup
//! code or as an uploaded PDF, and verifying them all again. Thin handlers over
//! [`crate::dossiers`], as `/api/v1/dossiers…` for the agency's systems; the staff act in
//! the agency's name (docs/ARCHITECTURE.md §13). Verifying a single file is the public
//! `/verify` page.

pub(crate) mod words;

use maud::{Markup, html};
use rocket::form::{self, Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{Route, State, get, post};
use serde_json::Value;

use self::words as w;
use crate::app::App;
use crate::db::ids::DossierId;
use crate::db::models::Role;
use crate::dossiers::{Attachment, DocumentView, DossierError, DossierView, NewDossier};
use crate::error::{PublicError, UserFacing};
use crate::web::RequestId;
use crate::web::api::verifications::{read_upload, upload_over_limit};
use crate::web::pages::format::moment;
use crate::web::pages::i18n::{Lang, words as common};
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::public::sign_in::{CsrfOnly, text_field};
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};
use crate::web::upload::{Bounded, UploadRefused};

/// The agency's pages.
pub fn routes() -> Vec<Route> {
    rocket::routes![
        dossiers,
        create,
        dossier,
        attach_code,
        attach_file,
        reverify
    ]
}

const STAFF: &[Role] = &[Role::AgencyStaff];

fn utc(at: time::PrimitiveDateTime) -> String {
    moment(at.assume_utc())
}

/// The new-dossier form as typed.
#[derive(FromForm, Default)]
pub struct DossierForm {
    csrf: String,
    reference: String,
    procedure: String,
    applicant_name: String,
}

fn dossiers_page(
    viewer: &Viewer,
    dossiers: &[DossierView],
    form: &DossierForm,
    errors: &[(&str, &str)],
) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(w::DOSSIERS_TITLE);
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, errors))
            h1 { (title) }
            p.hint { (lang.t(w::DOSSIERS_HINT)) }
            @if dossiers.is_empty() {
                p { (lang.t(w::NO_DOSSIERS)) }
            } @else {
                div.table-wrap { table.list.stack {
                    thead { tr {
                        th scope="col" { (lang.t(w::REFERENCE)) }
                        th scope="col" { (lang.t(w::PROCEDURE)) }
                        th scope="col" { (lang.t(w::APPLICANT)) }
                        th scope="col" { (lang.t(w::DOCUMENTS)) }
                        th scope="col" { (lang.t(w::OPENED)) }
                    } }
                    tbody {
                        @for dossier in dossiers {
                            tr {
                                td data-label=(lang.t(w::REFERENCE)) {
                                    a href={ "/agency/dossiers/" (dossier.id) } { (dossier.reference) }
                                    @if dossier.has_annulled { " " span.tag.bad { (lang.t(w::HAS_ANNULLED)) } }
                                }
                                td data-label=(lang.t(w::PROCEDURE)) { (dossier.procedure) }
                                td data-label=(lang.t(w::APPLICANT)) { (dossier.applicant_name) }
                                td data-label=(lang.t(w::DOCUMENTS)) { (dossier.documents.len()) }
                                td data-label=(lang.t(w::OPENED)) { (utc(dossier.created_at)) }
                            }
                        }
                    }
                } }
            }
            section.card aria-labelledby="new-dossier" {
                h2 #new-dossier { (lang.t(w::NEW_DOSSIER)) }
                form method="post" action="/agency/dossiers" novalidate {
                    (viewer.csrf_field())
                    (text_field("reference", lang.t(w::REFERENCE), "text", &form.reference, "off", errors))
                    p.hint { (lang.t(w::REFERENCE_HINT)) }
                    (text_field("procedure", lang.t(w::PROCEDURE), "text", &form.procedure, "off", errors))
                    (text_field("applicant_name", lang.t(w::APPLICANT), "text", &form.applicant_name, "off", errors))
                    button type="submit" { (lang.t(w::CREATE)) }
                }
            }
        },
    )
}

async fn list(app: &App, viewer: &Viewer) -> Result<Vec<DossierView>, PageFailure> {
    let staff = viewer.require(STAFF)?.user.clone();
    app.dossiers()
        .list(&staff)
        .await
        .map_err(|e| viewer.error(&e))
}

/// `GET /agency`.
#[get("/agency")]
pub async fn dossiers(app: &State<App>, viewer: Viewer) -> PageResult {
    let found = list(app, &viewer).await?;
    Ok(dossiers_page(
        &viewer,
        &found,
        &<DossierForm as Default>::default(),
        &[],
    ))
}

/// The field a refusal of the domain is about, with its message in the page's language.
fn field_error(lang: Lang, error: &DossierError) -> Option<(&'static str, String)> {
    let public = error.public();
    let field = match error {
        DossierError::InvalidField(field) => field,
        DossierError::ReferenceTaken => "reference",
        _ => return None,
    };
    Some((
        field,
        lang.pick(&public.message_vi, &public.message_en).to_owned(),
    ))
}

/// `POST /agency/dossiers`: opens a dossier and goes to it.
#[post("/agency/dossiers", data = "<form>")]
pub async fn create(
    app: &State<App>,
    viewer: Viewer,
    form: Posted<'_, DossierForm>,
) -> Result<Redirect, PageFailure> {
    let staff = viewer.require(STAFF)?.user.clone();
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let request = NewDossier {
        reference: form.reference.clone(),
        procedure: form.procedure.clone(),
        applicant_name: form.applicant_name.clone(),
    };
    match app.dossiers().create(&staff, request).await {
        Ok(made) => Ok(Redirect::to(format!("/agency/dossiers/{}", made.id))),
        Err(error) => match field_error(viewer.lang, &error) {
            Some((field, message)) => {
                let found = list(app, &viewer).await?;
                Err(PageFailure::Page(
                    Status::UnprocessableEntity,
                    dossiers_page(&viewer, &found, &form, &[(field, &message)]),
                ))
            }
            None => Err(viewer.error(&error)),
        },
    }
}

fn verdict_tag(lang: Lang, verdict: &str) -> Markup {
    let (class, text) = match verdict {
        "TOTAL_PASSED" => ("tag ok", common::VERDICT_PASSED),
        "TOTAL_FAILED" => ("tag bad", common::VERDICT_FAILED),
        _ => ("tag warn", common::VERDICT_INDETERMINATE),
    };
    html! { span class=(class) { (lang.t(text)) } }
}

fn register_cell(lang: Lang, document: &DocumentView) -> Markup {
    let register = &document.report["register"];
    let text_of = |value: &Value| value.as_str().map(str::to_owned).unwrap_or_default();
    html! {
        @match document.register_status.as_str() {
            "FOUND" => {
                span.tag.ok { (lang.t(w::IN_REGISTER)) }
                br;
                (text_of(&register["office"])) ", "
                (lang.t(common::CERTIFICATION_NUMBER)) " " (register["certification_number"]) " — " (text_of(&register["book"]))
            }
            "ANNULLED" => {
                span.tag.bad { (lang.t(w::ANNULLED_IN_REGISTER)) }
                br;
                (text_of(&register["office"])) ": " (text_of(&register["reason"]))
            }
            "MISMATCH" => { span.tag.bad { (lang.t(w::NOT_THE_ISSUED_FILE)) } }
            _ => { span.tag.warn { (lang.t(w::NOT_IN_REGISTER)) } }
        }
    }
}

fn dossier_page(
    viewer: &Viewer,
    dossier: &DossierView,
    done: Option<&str>,
    errors: &[(&str, &str)],
) -> Markup {
    let lang = viewer.lang;
    let base = format!("/agency/dossiers/{}", dossier.id);
    let notice = match done {
        Some("attached") => Some(w::ATTACHED),
        Some("already") => Some(w::ALREADY_THERE),
        Some("reverified") => Some(w::REVERIFIED),
        _ => None,
    };
    page(
        viewer,
        &dossier.reference,
        html! {
            (error_summary(lang, errors))
            @if let Some(notice) = notice {
                div.notice role="status" { p { (lang.t(notice)) } }
            }
            p { a href="/agency" { "← " (lang.t(w::BACK_TO_DOSSIERS)) } }
            h1 { (lang.t(w::REFERENCE)) " " (dossier.reference) }
            @if dossier.has_annulled { p { span.tag.bad { (lang.t(w::HAS_ANNULLED)) } } }
            dl {
                dt { (lang.t(w::PROCEDURE)) } dd { (dossier.procedure) }
                dt { (lang.t(w::APPLICANT)) } dd { (dossier.applicant_name) }
                dt { (lang.t(w::OPENED)) } dd { (utc(dossier.created_at)) }
            }
            h2 #documents { (lang.t(w::DOCUMENTS)) }
            @if dossier.documents.is_empty() {
                p { (lang.t(w::NO_DOCUMENTS)) }
            } @else {
                div.table-wrap { table.list.stack {
                    thead { tr {
                        th scope="col" { (lang.t(w::COPY)) }
                        th scope="col" { (lang.t(w::VIA)) }
                        th scope="col" { (lang.t(w::RESULT)) }
                        th scope="col" { (lang.t(w::REGISTER)) }
                        th scope="col" { (lang.t(w::VERIFIED_AT)) }
                    } }
                    tbody {
                        @for (index, document) in dossier.documents.iter().enumerate() {
                            tr {
                                td data-label=(lang.t(w::COPY)) {
                                    (index + 1) ". "
                                    @if let Some(signer) = document.report["signatures"][0]["signed_by"].as_str() { (signer) br; }
                                    span.hint { "SHA-256 " (document.sha256.get(..16).unwrap_or(&document.sha256)) "…" }
                                }
                                td data-label=(lang.t(w::VIA)) {
                                    (lang.t(match document.attached_via.as_str() {
                                        "share" => w::VIA_SHARE,
                                        "code" => w::VIA_CODE,
                                        _ => w::VIA_UPLOAD,
                                    }))
                                }
                                td data-label=(lang.t(w::RESULT)) { (verdict_tag(lang, &document.verdict)) }
                                td data-label=(lang.t(w::REGISTER)) { (register_cell(lang, document)) }
                                td data-label=(lang.t(w::VERIFIED_AT)) { (utc(document.verified_at)) }
                            }
                        }
                    }
                } }
                form method="post" action={ (base) "/reverify" } {
                    (viewer.csrf_field())
                    button.secondary type="submit" { (lang.t(w::REVERIFY)) }
                }
            }
            section.card aria-labelledby="attach-code" {
                h2 #attach-code { (lang.t(w::ATTACH_TITLE)) ": " (lang.t(w::ATTACH_BY_CODE)) }
                form method="post" action={ (base) "/documents" } novalidate {
                    (viewer.csrf_field())
                    fieldset {
                        legend { (lang.t(w::CODE_KIND)) }
                        div.check {
                            input #kind-share type="radio" name="kind" value="share" checked;
                            label for="kind-share" { (lang.t(w::SHARE_CODE_KIND)) }
                        }
                        div.check {
                            input #kind-verification type="radio" name="kind" value="verification";
                            label for="kind-verification" { (lang.t(w::VERIFICATION_CODE_KIND)) }
                        }
                    }
                    (text_field("code", lang.t(w::CODE), "text", "", "off", errors))
                    button type="submit" { (lang.t(w::ATTACH)) }
                }
            }
            section.card aria-labelledby="attach-file" {
                h2 #attach-file { (lang.t(w::ATTACH_TITLE)) ": " (lang.t(w::ATTACH_FILE)) }
                form method="post" action={ (base) "/upload" } enctype="multipart/form-data" novalidate {
                    (viewer.csrf_field())
                    @let error = errors.iter().find(|(field, _)| *field == "file").map(|e| e.1);
                    div.field.error[error.is_some()] {
                        label for="file" { (lang.t(w::FILE)) }
                        @if let Some(error) = error { p.field-error #file-error { (error) } }
                        input #file name="file" type="file" accept="application/pdf,.pdf"
                            aria-describedby=[error.map(|_| "file-error")];
                    }
                    button type="submit" { (lang.t(w::ATTACH)) }
                }
            }
        },
    )
}

/// One of the agency's dossiers, for a member of its staff.
async fn one(app: &App, viewer: &Viewer, id: &str) -> Result<DossierView, PageFailure> {
    let staff = viewer.require(STAFF)?.user.clone();
    let id = DossierId::parse(id).ok_or_else(|| viewer.error(&DossierError::NotFound))?;
    app.dossiers()
        .get(&staff, &id)
        .await
        .map_err(|e| viewer.error(&e))
}

/// `GET /agency/dossiers/{id}`.
#[get("/agency/dossiers/<id>?<done>")]
pub async fn dossier(app: &State<App>, viewer: Viewer, id: &str, done: Option<&str>) -> PageResult {
    let found = one(app, &viewer, id).await?;
    Ok(dossier_page(&viewer, &found, done, &[]))
}

/// What an attachment answered, as the page after it: back to the dossier with a notice,
/// or the dossier with the reason next to the field.
fn attached(
    viewer: &Viewer,
    dossier: &DossierView,
    field: &str,
    result: Result<(DossierView, bool), DossierError>,
) -> Result<Redirect, PageFailure> {
    match result {
        Ok((view, fresh)) => Ok(Redirect::to(format!(
            "/agency/dossiers/{}?done={}#documents",
            view.id,
            if fresh { "attached" } else { "already" }
        ))),
        Err(error) => {
            let public = error.public();
            if public.status >= 500 || public.status == 503 || public.status == 429 {
                return Err(viewer.problem(&public));
            }
            let message = viewer
                .lang
                .pick(&public.message_vi, &public.message_en)
                .to_owned();
            Err(PageFailure::Page(
                Status::from_code(public.status).unwrap_or(Status::UnprocessableEntity),
                dossier_page(viewer, dossier, None, &[(field, &message)]),
            ))
        }
    }
}

/// The attach-by-code form.
#[derive(FromForm)]
pub struct CodeForm {
    csrf: String,
    kind: String,
    code: String,
}

/// `POST /agency/dossiers/{id}/documents`: a share code or a lookup code.
#[post("/agency/dossiers/<id>/documents", data = "<form>")]
pub async fn attach_code(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, CodeForm>,
) -> Result<Redirect, PageFailure> {
    let staff = viewer.require(STAFF)?.user.clone();
    let dossier = one(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let code = form.code.trim().to_owned();
    if code.is_empty() {
        let message = viewer.lang.t(w::CODE_MISSING);
        return Err(PageFailure::Page(
            Status::UnprocessableEntity,
            dossier_page(&viewer, &dossier, None, &[("code", message)]),
        ));
    }
    let attachment = if form.kind == "verification" {
        Attachment::Code(code)
    } else {
        Attachment::Share(code)
    };
    let result = app
        .dossiers()
        .attach(&staff, &dossier.id, attachment, Some(request_id.0))
        .await;
    attached(&viewer, &dossier, "code", result)
}

/// The upload form.
#[derive(FromForm)]
pub struct FileForm<'r> {
    csrf: String,
    file: TempFile<'r>,
}

/// `POST /agency/dossiers/{id}/upload` (multipart `file`), within the verification byte
/// budget.
#[post("/agency/dossiers/<id>/upload", data = "<upload>")]
pub async fn attach_file(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    upload: Result<Bounded<Form<FileForm<'_>>, form::Errors<'_>>, UploadRefused>,
) -> Result<Redirect, PageFailure> {
    let staff = viewer.require(STAFF)?.user.clone();
    let dossier = one(app, &viewer, id).await?;
    let (form, _hold) = upload
        .map_err(|refused| viewer.problem(&refused.public()))?
        .into_parts();
    let refuse = |status: Status, message: &str| {
        PageFailure::Page(
            status,
            dossier_page(&viewer, &dossier, None, &[("file", message)]),
        )
    };
    let form = match form {
        Ok(form) => form,
        Err(errors) if upload_over_limit(&errors) => {
            let public = PublicError::new(
                413,
                "payload_too_large",
                "Tệp tải lên vượt quá giới hạn kích thước cho phép.".into(),
                "The uploaded file exceeds the size limit.".into(),
            );
            return Err(refuse(
                Status::PayloadTooLarge,
                viewer.lang.pick(&public.message_vi, &public.message_en),
            ));
        }
        Err(_) => {
            return Err(refuse(
                Status::UnprocessableEntity,
                viewer.lang.t(w::FILE_MISSING),
            ));
        }
    };
    viewer.check_csrf(&form.csrf)?;
    if form.file.len() == 0 {
        return Err(refuse(
            Status::UnprocessableEntity,
            viewer.lang.t(w::FILE_MISSING),
        ));
    }
    let bytes = read_upload(&form.file)
        .await
        .map_err(|e| viewer.problem(&e.public))?;
    let result = app
        .dossiers()
        .attach(
            &staff,
            &dossier.id,
            Attachment::Upload(bytes),
            Some(request_id.0),
        )
        .await;
    attached(&viewer, &dossier, "file", result)
}

/// `POST /agency/dossiers/{id}/reverify`.
#[post("/agency/dossiers/<id>/reverify", data = "<form>")]
pub async fn reverify(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, CsrfOnly>,
) -> Result<Redirect, PageFailure> {
    let staff = viewer.require(STAFF)?.user.clone();
    let dossier = one(app, &viewer, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(form.csrf())?;
    let view = app
        .dossiers()
        .reverify(&staff, &dossier.id, Some(request_id.0))
        .await
        .map_err(|e| viewer.error(&e))?;
    Ok(Redirect::to(format!(
        "/agency/dossiers/{}?done=reverified#documents",
        view.id
    )))
}
