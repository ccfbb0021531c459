//! `/me` (appointments, documents at the office, identity status), `/me/identity` (the
//! one-time code and QR code to show at the desk with the ID card) and `/me/copies` (the
//! copies issued under the verified citizen ID, to download or check).

use maud::{Markup, html};
use rocket::http::Status;
use rocket::{State, get, post};

use super::booking::qr_image;
use crate::app::App;
use crate::auth::{self, AuthError};
use crate::booking::store::{self, CitizenReader};
use crate::db::models::{AppointmentStatus, Role};
use crate::registry::copies::{CopyView, citizen_copies};
use crate::web::pages::format::{appointment_status, day, moment, request_state, vnd_i64};
use crate::web::pages::i18n::words;
use crate::web::pages::layout::page;
use crate::web::pages::public::sign_in::CsrfOnly;
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

/// A notice that the citizen ID is not yet proven, with the way to prove it.
fn unverified_notice(viewer: &Viewer) -> Markup {
    let lang = viewer.lang;
    html! {
        div.card {
            h2 { (lang.t(words::IDENTITY_UNVERIFIED_TITLE)) }
            p { (lang.t(words::IDENTITY_UNVERIFIED_TEXT)) }
            p { a href="/me/identity" { (lang.t(words::IDENTITY_GET_CODE)) } }
        }
    }
}

/// `GET /me`.
#[get("/me")]
pub async fn my_page(app: &State<App>, viewer: Viewer) -> PageResult {
    let citizen = viewer.require(&[Role::Citizen])?.clone();
    let lang = viewer.lang;
    let reader = CitizenReader::of(&citizen.user);
    let appointments = app
        .db
        .run(move |conn| store::my_appointments(conn, &reader))
        .await
        .map_err(|e| viewer.error(&e))?;
    let requests = app
        .certification()
        .citizen_requests(&citizen.user)
        .await
        .map_err(|e| viewer.error(&e))?;
    let verified = citizen.user.verified_citizen_id().is_some();
    let title = lang.t(words::NAV_MY_PAGE);
    Ok(page(
        &viewer,
        title,
        html! {
            h1 { (title) }
            p { (lang.t(words::HELLO)) " " strong { (citizen.user.full_name) } }
            @if !verified { (unverified_notice(&viewer)) }
            p { a.button href="/offices" { (lang.t(words::NAV_BOOK)) } }
            h2 #appointments { (lang.t(words::MY_APPOINTMENTS)) }
            @if appointments.is_empty() {
                p { (lang.t(words::NO_APPOINTMENTS)) }
            } @else {
                div.table-wrap { table.list.stack {
                    thead { tr {
                        th scope="col" { (lang.t(words::APPOINTMENT_TIME)) }
                        th scope="col" { (lang.t(words::CERTIFYING_OFFICE)) }
                        th scope="col" { (lang.t(words::BOOKING_CODE)) }
                        th scope="col" { (lang.t(words::STATUS)) }
                    } }
                    tbody {
                        @for a in &appointments {
                            tr {
                                td data-label=(lang.t(words::APPOINTMENT_TIME)) { a href={ "/me/appointments/" (a.id) } { (moment(a.slot_start_local)) } }
                                td data-label=(lang.t(words::CERTIFYING_OFFICE)) { (a.office.name) }
                                td data-label=(lang.t(words::BOOKING_CODE)) { code { (a.booking_code.to_string()) } }
                                td data-label=(lang.t(words::STATUS)) { (appointment_status(lang, a.status)) }
                            }
                        }
                    }
                } }
            }
            h2 #requests { (lang.t(words::MY_REQUESTS)) }
            @if requests.is_empty() {
                p { (lang.t(words::NO_REQUESTS)) }
            } @else {
                div.table-wrap { table.list.stack {
                    thead { tr {
                        th scope="col" { (lang.t(words::DOCUMENT_TITLE)) }
                        th scope="col" { (lang.t(words::STATUS)) }
                        th scope="col" { (lang.t(words::RESULT_DATE)) }
                        th scope="col" { (lang.t(words::FEE)) }
                    } }
                    tbody {
                        @for r in &requests {
                            tr {
                                td data-label=(lang.t(words::DOCUMENT_TITLE)) {
                                    (r.document_title)
                                    @if let Some(refusal) = &r.refusal {
                                        br; span.bad { (lang.pick(refusal.ground_vi, refusal.ground_en)) }
                                        @if refusal.notice_available {
                                            br; a href={ "/api/v1/certification-requests/" (r.id) "/refusal-notice" } { (lang.t(words::REFUSAL_NOTICE)) }
                                        }
                                    }
                                }
                                td data-label=(lang.t(words::STATUS)) { (request_state(lang, r.state)) }
                                td data-label=(lang.t(words::RESULT_DATE)) { (day(r.result_date)) }
                                td data-label=(lang.t(words::FEE)) { (vnd_i64(r.fee_vnd)) }
                            }
                        }
                    }
                } }
                p { a href="/me/copies" { (lang.t(words::NAV_MY_COPIES)) } }
            }
        },
    ))
}

/// `GET /me/identity`: why and how the citizen ID is proven, with the button for a code.
#[get("/me/identity")]
pub fn identity_page(viewer: Viewer) -> PageResult {
    let citizen = viewer.require(&[Role::Citizen])?;
    let lang = viewer.lang;
    let title = lang.t(words::IDENTITY_TITLE);
    let verified = citizen.user.verified_citizen_id().is_some();
    Ok(page(
        &viewer,
        title,
        html! {
            h1 { (title) }
            @if verified {
                p.ok { strong { (lang.t(words::IDENTITY_VERIFIED)) } }
            } @else {
                p { (lang.t(words::IDENTITY_UNVERIFIED_TEXT)) }
                form method="post" action="/me/identity" {
                    (viewer.csrf_field())
                    button type="submit" { (lang.t(words::IDENTITY_GET_CODE)) }
                }
            }
        },
    ))
}

/// `POST /me/identity`: a fresh one-time code with its QR code, shown this once.
#[post("/me/identity", data = "<form>")]
pub async fn identity_code(
    app: &State<App>,
    viewer: Viewer,
    form: Posted<'_, CsrfOnly>,
) -> PageResult {
    let citizen = viewer.require(&[Role::Citizen])?.clone();
    let form = viewer.form(form)?;
    viewer.check_csrf(form.csrf())?;
    let lang = viewer.lang;
    let user = citizen.user;
    let issued = app
        .db
        .run(move |conn| auth::request_identity_code(conn, &user))
        .await
        .map_err(|e: AuthError| viewer.error(&e))?;
    let qr = crate::booking::qr_svg(&issued.code).map_err(|e| {
        tracing::error!("identity code QR: {e}");
        viewer.problem(&crate::error::PublicError::internal_error())
    })?;
    let title = lang.t(words::IDENTITY_TITLE);
    Ok(page(
        &viewer,
        title,
        html! {
            div.panel {
                h1 { (title) }
                p { (lang.t(words::IDENTITY_CODE)) }
                p.big #identity-code { (issued.code) }
            }
            p.qr { img src=(qr_image(&qr)) alt=(lang.t(words::IDENTITY_QR_ALT)); }
            p { (lang.t(words::IDENTITY_CODE_HINT)) }
            p.hint { (lang.t(words::VALID_UNTIL)) " " (moment(issued.expires_at.assume_utc())) }
        },
    ))
}

/// `GET /me/copies`: the copies issued under the verified citizen ID.
#[get("/me/copies")]
pub async fn my_copies(app: &State<App>, viewer: Viewer) -> PageResult {
    let citizen = viewer.require(&[Role::Citizen])?.clone();
    let lang = viewer.lang;
    let title = lang.t(words::NAV_MY_COPIES);
    let Some(citizen_id) = citizen.user.verified_citizen_id().map(str::to_owned) else {
        return Err(PageFailure::Page(
            Status::Forbidden,
            page(
                &viewer,
                title,
                html! { h1 { (title) } (unverified_notice(&viewer)) },
            ),
        ));
    };
    let entries = app
        .db
        .run(move |conn| citizen_copies(conn, &citizen_id))
        .await
        .map_err(|e| viewer.error(&e))?;
    let copies: Vec<CopyView> = entries
        .iter()
        .map(|e| CopyView::new(e, &app.config.base_url))
        .collect();
    Ok(page(
        &viewer,
        title,
        html! {
            h1 { (title) }
            @if copies.is_empty() {
                p { (lang.t(words::NO_COPIES)) }
            } @else {
                div.table-wrap { table.list.stack {
                    thead { tr {
                        th scope="col" { (lang.t(words::DOCUMENT_TITLE)) }
                        th scope="col" { (lang.t(words::ISSUED_AT)) }
                        th scope="col" { (lang.t(words::STATUS)) }
                        th scope="col" { (lang.t(words::FILE)) }
                    } }
                    tbody {
                        @for copy in &copies {
                            tr {
                                td data-label=(lang.t(words::DOCUMENT_TITLE)) {
                                    a href={ "/me/copies/" (copy.id) } { (copy.document_title) } br;
                                    span.hint { (lang.t(words::CERTIFICATION_NUMBER)) " " (copy.certification_number) " — " (copy.book) " — " (copy.page_count) " " (lang.t(words::PAGES_UNIT)) }
                                }
                                td data-label=(lang.t(words::ISSUED_AT)) { (copy.issued_at.as_deref().map(crate::web::pages::local_text).unwrap_or_default()) }
                                td data-label=(lang.t(words::STATUS)) {
                                    @if copy.status == "valid" {
                                        span.tag.ok { (lang.t(words::COPY_VALID)) }
                                    } @else {
                                        span.tag.bad { (lang.t(words::COPY_ANNULLED)) }
                                    }
                                }
                                td data-label=(lang.t(words::FILE)) {
                                    a href={ "/api/v1/copies/" (copy.id) "/pdf" } download { (lang.t(words::DOWNLOAD_PDF)) }
                                    br;
                                    a href={ "/v/" (copy.code) } { (lang.t(words::CHECK_TITLE)) }
                                }
                            }
                        }
                    }
                } }
            }
        },
    ))
}

/// Statuses a citizen may still change.
pub fn changeable(status: AppointmentStatus) -> bool {
    status == AppointmentStatus::Booked
}
