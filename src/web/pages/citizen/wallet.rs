//! One copy of the citizen's wallet (`/me/copies/{id}`): the copy (download, check), its
//! shares (revoke one at once) and every use agencies made of it; sharing it for a
//! purpose (`POST /me/copies/{id}/shares`: the code shown once, with its QR code). Thin
//! handlers over `crate::reuse`, as `/api/v1/me/wallet…`.

use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post};

use super::booking::qr_image;
use crate::app::App;
use crate::db::ids::{CopyId, ShareId, UserId};
use crate::db::models::Role;
use crate::db::now_utc;
use crate::error::UserFacing;
use crate::reuse::{self, AgencyRef, NewShare, ShareState, WalletCopy};
use crate::web::RequestId;
use crate::web::pages::format::{moment, vnd_i64};
use crate::web::pages::i18n::words;
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::public::sign_in::CsrfOnly;
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

fn copy_id(viewer: &Viewer, text: &str) -> Result<CopyId, PageFailure> {
    CopyId::parse(text).ok_or_else(|| viewer.error(&reuse::ReuseError::CopyNotFound))
}

fn utc(at: time::PrimitiveDateTime) -> String {
    moment(at.assume_utc())
}

/// What the share form holds, as typed.
#[derive(FromForm, Default)]
pub struct ShareForm {
    csrf: String,
    purpose: String,
    procedure_code: String,
    agency_id: String,
    days: String,
    max_uses: String,
}

fn copy_page(
    viewer: &Viewer,
    copy: &WalletCopy,
    agencies: &[AgencyRef],
    form: &ShareForm,
    errors: &[(&str, String)],
) -> Markup {
    let lang = viewer.lang;
    let listed: Vec<(&str, &str)> = errors.iter().map(|(f, m)| (*f, m.as_str())).collect();
    let error_of = |field: &str| {
        errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.clone())
    };
    let valid = copy.copy.status == "valid";
    let days = if form.days.is_empty() {
        "30"
    } else {
        form.days.as_str()
    };
    page(
        viewer,
        &copy.copy.document_title,
        html! {
            (error_summary(lang, &listed))
            p { a href="/me/copies" { "← " (lang.t(words::NAV_MY_COPIES)) } }
            h1 { (copy.copy.document_title) }
            @if valid {
                p { span.tag.ok { (lang.t(words::COPY_VALID)) } }
            } @else {
                p { span.tag.bad { (lang.t(words::COPY_ANNULLED)) } " " (copy.annulled_reason.as_deref().unwrap_or("")) }
            }
            dl {
                dt { (lang.t(words::CERTIFYING_OFFICE)) }
                dd { (copy.office) }
                dt { (lang.t(words::CERTIFICATION_NUMBER)) }
                dd { (copy.copy.certification_number) " — " (copy.copy.book_reference) }
                dt { (lang.t(words::ISSUED_AT)) }
                dd { (copy.copy.issued_at.as_deref().map(crate::web::pages::local_text).unwrap_or_default()) }
                dt { (lang.t(words::DOCUMENT_PAGES)) }
                dd { (copy.copy.page_count) }
                dt { (lang.t(words::FEE)) }
                dd { (vnd_i64(copy.copy.fee_vnd)) }
            }
            div.actions {
                a.button.secondary href={ "/api/v1/copies/" (copy.copy.id) "/pdf" } download { (lang.t(words::DOWNLOAD_PDF)) }
                a href={ "/v/" (copy.copy.code) } { (lang.t(words::CHECK_TITLE)) }
            }
            h2 #shares { (lang.t(words::SHARES)) }
            @if copy.shares.is_empty() {
                p { (lang.t(words::NO_SHARES)) }
            } @else {
                div.table-wrap { table.list.stack {
                    thead { tr {
                        th scope="col" { (lang.t(words::SHARE_PURPOSE)) }
                        th scope="col" { (lang.t(words::SHARE_AGENCY)) }
                        th scope="col" { (lang.t(words::SHARE_USES)) }
                        th scope="col" { (lang.t(words::VALID_UNTIL)) }
                        th scope="col" { (lang.t(words::STATUS)) }
                    } }
                    tbody {
                        @for share in &copy.shares {
                            tr {
                                td data-label=(lang.t(words::SHARE_PURPOSE)) {
                                    (share.purpose)
                                    @if let Some(code) = &share.procedure_code { br; span.hint { (code) } }
                                }
                                td data-label=(lang.t(words::SHARE_AGENCY)) {
                                    @match &share.agency { Some(a) => { (a.name) } None => { (lang.t(words::ANY_AGENCY)) } }
                                }
                                td data-label=(lang.t(words::SHARE_USES)) {
                                    (share.uses) @if let Some(max) = share.max_uses { " / " (max) }
                                }
                                td data-label=(lang.t(words::VALID_UNTIL)) { (utc(share.expires_at)) }
                                td data-label=(lang.t(words::STATUS)) {
                                    @match share.state {
                                        ShareState::Active => {
                                            span.tag.ok { (lang.t(words::SHARE_ACTIVE)) }
                                            form method="post" action={ "/me/shares/" (share.id) "/revoke" } {
                                                (viewer.csrf_field())
                                                button.link type="submit" { (lang.t(words::REVOKE)) }
                                            }
                                        }
                                        ShareState::Expired => { span.tag { (lang.t(words::SHARE_EXPIRED)) } }
                                        ShareState::Revoked => { span.tag.bad { (lang.t(words::SHARE_REVOKED)) } }
                                        ShareState::UsedUp => { span.tag { (lang.t(words::SHARE_USED_UP)) } }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
            h2 #uses { (lang.t(words::USES_TITLE)) }
            @if copy.uses.is_empty() {
                p { (lang.t(words::NO_USES)) }
            } @else {
                ul {
                    @for used in &copy.uses {
                        li {
                            strong { (used.agency.name) } " — "
                            @if used.kind == "verified" { (lang.t(words::USE_VERIFIED)) } @else { (lang.t(words::USE_REDEEMED)) }
                            @if let Some(procedure) = &used.procedure { " (" (procedure) ")" }
                            " — " (utc(used.used_at))
                        }
                    }
                }
            }
            @if valid {
                section.card aria-labelledby="share-title" {
                    h2 #share-title { (lang.t(words::SHARE_TITLE)) }
                    p.hint { (lang.t(words::SHARE_HINT)) }
                    form method="post" action={ "/me/copies/" (copy.copy.id) "/shares" } novalidate {
                        (viewer.csrf_field())
                        @for (name, label, hint, kind, value) in [
                            ("purpose", lang.t(words::SHARE_PURPOSE), Some(lang.t(words::SHARE_PURPOSE_HINT)), "text", form.purpose.as_str()),
                            ("procedure_code", lang.t(words::PROCEDURE_CODE), Some(lang.t(words::PROCEDURE_CODE_HINT)), "text", form.procedure_code.as_str()),
                        ] {
                            @let error = error_of(name);
                            div.field.error[error.is_some()] {
                                label for=(name) { (label) }
                                @if let Some(hint) = hint { p.hint id={ (name) "-hint" } { (hint) } }
                                @if let Some(error) = &error { p.field-error id={ (name) "-error" } { (error) } }
                                input id=(name) name=(name) type=(kind) value=(value) maxlength="300"
                                    aria-describedby={ (name) "-hint" @if error.is_some() { " " (name) "-error" } };
                            }
                        }
                        @let error = error_of("agency_id");
                        div.field.error[error.is_some()] {
                            label for="agency_id" { (lang.t(words::SHARE_AGENCY)) }
                            @if let Some(error) = &error { p.field-error #agency_id-error { (error) } }
                            select #agency_id name="agency_id" {
                                option value="" { (lang.t(words::ANY_AGENCY)) }
                                @for agency in agencies {
                                    option value=(agency.id) selected[form.agency_id == agency.id.as_str()] { (agency.name) }
                                }
                            }
                        }
                        @for (name, label, value) in [
                            ("days", lang.t(words::SHARE_DAYS), days),
                            ("max_uses", lang.t(words::SHARE_MAX_USES), form.max_uses.as_str()),
                        ] {
                            @let error = error_of(name);
                            div.field.error[error.is_some()] {
                                label for=(name) { (label) }
                                @if let Some(error) = &error { p.field-error id={ (name) "-error" } { (error) } }
                                input id=(name) name=(name) type="number" min="1" inputmode="numeric" value=(value);
                            }
                        }
                        button type="submit" { (lang.t(words::SHARE_BUTTON)) }
                    }
                }
            }
        },
    )
}

async fn load(
    app: &App,
    viewer: &Viewer,
    id: CopyId,
) -> Result<(WalletCopy, Vec<AgencyRef>), PageFailure> {
    let citizen = viewer.require(&[Role::Citizen])?.user.clone();
    let base = app.config.base_url.clone();
    app.db
        .run(move |conn| {
            let copy = reuse::wallet_copy(conn, &citizen, &id, &base, now_utc())?;
            Ok::<_, reuse::ReuseError>((copy, reuse::agencies(conn)?))
        })
        .await
        .map_err(|e| viewer.error(&e))
}

/// `GET /me/copies/{id}`.
#[get("/me/copies/<id>")]
pub async fn copy(app: &State<App>, viewer: Viewer, id: &str) -> PageResult {
    viewer.require(&[Role::Citizen])?;
    let id = copy_id(&viewer, id)?;
    let (copy, agencies) = load(app, &viewer, id).await?;
    Ok(copy_page(
        &viewer,
        &copy,
        &agencies,
        &<ShareForm as Default>::default(),
        &[],
    ))
}

/// `POST /me/copies/{id}/shares`: the code, shown once.
#[post("/me/copies/<id>/shares", data = "<form>")]
pub async fn share(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, ShareForm>,
) -> PageResult {
    let citizen = viewer.require(&[Role::Citizen])?.user.clone();
    let id = copy_id(&viewer, id)?;
    let (copy, agencies) = load(app, &viewer, id.clone()).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let lang = viewer.lang;
    let number = |text: &str| -> Result<Option<u32>, ()> {
        let text = text.trim();
        if text.is_empty() {
            Ok(None)
        } else {
            text.parse().map(Some).map_err(|_| ())
        }
    };
    let refuse = |field: &'static str, message: String| {
        PageFailure::Page(
            Status::UnprocessableEntity,
            copy_page(&viewer, &copy, &agencies, &form, &[(field, message)]),
        )
    };
    let days = number(&form.days)
        .map_err(|()| refuse("days", lang.t(words::SHARE_DAYS_INVALID).to_owned()))?;
    let max_uses = number(&form.max_uses)
        .map_err(|()| refuse("max_uses", lang.t(words::SHARE_MAX_USES_INVALID).to_owned()))?;
    let agency_id =
        match form.agency_id.trim() {
            "" => None,
            text => Some(UserId::parse(text).ok_or_else(|| {
                refuse("agency_id", lang.t(words::SHARE_AGENCY_UNKNOWN).to_owned())
            })?),
        };
    let request = NewShare {
        agency_id,
        purpose: form.purpose.clone(),
        procedure_code: Some(form.procedure_code.clone()),
        days,
        max_uses,
    };
    let made = app
        .db
        .run(move |conn| {
            reuse::share(
                conn,
                &citizen,
                &id,
                &request,
                now_utc(),
                Some(&request_id.0),
            )
        })
        .await;
    let made = match made {
        Ok(made) => made,
        Err(error) => {
            let public = error.public();
            return match error.field() {
                Some(field) if public.status == 422 => Err(refuse(
                    field,
                    lang.pick(&public.message_vi, &public.message_en).to_owned(),
                )),
                _ => Err(viewer.problem(&public)),
            };
        }
    };
    let qr = crate::booking::qr_svg(&made.code).map_err(|e| {
        tracing::error!("share code QR: {e}");
        viewer.problem(&crate::error::PublicError::internal_error())
    })?;
    let title = lang.t(words::SHARED_TITLE);
    Ok(page(
        &viewer,
        title,
        html! {
            div.panel {
                h1 { (title) }
                p { (lang.t(words::SHARE_CODE)) }
                p #share-code { code { (made.code) } }
            }
            p.qr { img src=(qr_image(&qr)) alt=(lang.t(words::SHARE_QR_ALT)); }
            p { (lang.t(words::SHARE_CODE_HINT)) }
            dl {
                dt { (lang.t(words::SHARE_PURPOSE)) }
                dd { (made.share.purpose) }
                dt { (lang.t(words::SHARE_AGENCY)) }
                dd { @match &made.share.agency { Some(a) => { (a.name) } None => { (lang.t(words::ANY_AGENCY)) } } }
                dt { (lang.t(words::VALID_UNTIL)) }
                dd { (utc(made.share.expires_at)) }
            }
            p { a href={ "/me/copies/" (copy.copy.id) } { (lang.t(words::BACK_TO_COPY)) } }
        },
    ))
}

/// `POST /me/shares/{id}/revoke`.
#[post("/me/shares/<id>/revoke", data = "<form>")]
pub async fn revoke(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    id: &str,
    form: Posted<'_, CsrfOnly>,
) -> Result<Redirect, PageFailure> {
    let citizen = viewer.require(&[Role::Citizen])?.user.clone();
    let id = ShareId::parse(id).ok_or_else(|| viewer.error(&reuse::ReuseError::ShareNotFound))?;
    let (owner, share) = (citizen.clone(), id.clone());
    app.db
        .run(move |conn| reuse::own_share(conn, &owner, &share).map(|_| ()))
        .await
        .map_err(|e| viewer.error(&e))?;
    let form = viewer.form(form)?;
    viewer.check_csrf(form.csrf())?;
    let revoked = app
        .db
        .run(move |conn| reuse::revoke(conn, &citizen, &id, now_utc(), Some(&request_id.0)))
        .await
        .map_err(|e| viewer.error(&e))?;
    Ok(Redirect::to(format!(
        "/me/copies/{}#shares",
        revoked.copy_id
    )))
}
