//! `/review`: the queue, one request side by side with its scans, certify (one or a
//! batch), send back.

use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post};

use crate::app::App;
use crate::certification::{RequestFilter, RequestState, store};
use crate::db::ids::RequestId;
use crate::db::models::{RegisterEntry, Role};
use crate::error::UserFacing;
use crate::web::RequestId as HttpRequestId;
use crate::web::pages::desk::request::{at_office, id_or_404};
use crate::web::pages::format::{day, moment, request_state, vnd_i64};
use crate::web::pages::i18n::words;
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::public::sign_in::CsrfOnly;
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

const OFFICIAL: &[Role] = &[Role::Official];

/// `GET /review`.
#[get("/review")]
pub async fn queue(app: &State<App>, viewer: Viewer) -> PageResult {
    let official = viewer.require(OFFICIAL)?.clone();
    let lang = viewer.lang;
    let actor = official.actor();
    let filter = RequestFilter {
        states: vec![RequestState::AwaitingCertification],
        ..RequestFilter::default()
    };
    let listed = app
        .db
        .run(move |conn| store::list_at_office(conn, &actor, &filter))
        .await
        .map_err(|e| viewer.error(&e))?;
    let title = lang.t(words::NAV_REVIEW);
    Ok(page(
        &viewer,
        title,
        html! {
            h1 { (title) }
            @if listed.is_empty() {
                p { (lang.t(words::QUEUE_EMPTY)) }
            } @else {
                form method="post" action="/review/certify-batch" {
                    (viewer.csrf_field())
                    div.table-wrap { table.list.stack {
                        caption { (lang.t(words::QUEUE_CAPTION)) " (" (listed.len()) ")" }
                        thead { tr {
                            th scope="col" { (lang.t(words::SELECT)) }
                            th scope="col" { (lang.t(words::DOCUMENT_TITLE)) }
                            th scope="col" { (lang.t(words::REQUESTER)) }
                            th scope="col" { (lang.t(words::RESULT_DATE)) }
                        } }
                        tbody {
                            @for r in &listed {
                                tr {
                                    td data-label=(lang.t(words::SELECT)) { div.check {
                                        input id={ "pick-" (r.id) } type="checkbox" name="ids" value=(r.id);
                                        label for={ "pick-" (r.id) } { span.visually-hidden { (lang.t(words::SELECT)) " " (r.document_title) } }
                                    } }
                                    td data-label=(lang.t(words::DOCUMENT_TITLE)) { a href={ "/review/" (r.id) } { (r.document_title) } br; span.hint { (r.original_pages) " " (lang.t(words::PAGES_UNIT)) " × " (r.copies) } }
                                    td data-label=(lang.t(words::REQUESTER)) { (r.requester_name) }
                                    td data-label=(lang.t(words::RESULT_DATE)) { (day(r.result_date)) }
                                }
                            }
                        }
                    } }
                    p.hint { (lang.t(words::BATCH_HINT)) }
                    button type="submit" { (lang.t(words::CERTIFY_SELECTED)) }
                }
            }
        },
    ))
}

/// `GET /review/{id}`: the scans beside the details, certify or send back.
#[get("/review/<id>")]
pub async fn review(app: &State<App>, viewer: Viewer, id: &str) -> PageResult {
    let official = viewer.require(OFFICIAL)?.clone();
    let id = id_or_404(&viewer, id)?;
    review_page(app, &viewer, &official.actor(), id, &[]).await
}

async fn review_page(
    app: &App,
    viewer: &Viewer,
    actor: &crate::audit::Actor,
    id: RequestId,
    errors: &[(&str, &str)],
) -> PageResult {
    let lang = viewer.lang;
    let actor = actor.clone();
    let r = app
        .db
        .run(move |conn| store::view_at_office(conn, &actor, &id))
        .await
        .map_err(|e| viewer.error(&e))?;
    let awaiting = r.state == RequestState::AwaitingCertification;
    Ok(page(
        viewer,
        &r.document_title,
        html! {
            (error_summary(lang, errors))
            p { a href="/review" { "← " (lang.t(words::NAV_REVIEW)) } }
            h1 { (r.document_title) }
            p { (request_state(lang, r.state)) }
            div.side {
                section aria-labelledby="scans-title" {
                    h2 #scans-title { (lang.t(words::SCANS)) " (" (r.scanned_pages) " " (lang.t(words::PAGES_UNIT)) ")" }
                    @for (index, scan) in r.scans.iter().enumerate() {
                        @let href = format!("/api/v1/desk/requests/{}/scans/{}", r.id, scan.position);
                        figure {
                            a href=(href) {
                                img src={ "/desk/requests/" (r.id) "/scans/" (scan.position) "/thumbnail?large=true" }
                                    alt={ (lang.t(words::SCAN)) " " (index + 1) ": " (scan.file_name) };
                            }
                            figcaption.hint { (index + 1) ". " (scan.file_name) " — " (scan.pages) " " (lang.t(words::PAGES_UNIT)) }
                        }
                    }
                }
                section aria-labelledby="details-title" {
                    h2 #details-title { (lang.t(words::DETAILS)) }
                    dl {
                        dt { (lang.t(words::REQUESTER)) }
                        dd { (r.requester_name) " — " (r.requester_citizen_id) }
                        dt { (lang.t(words::ORIGINAL_PAGES)) }
                        dd { (r.original_pages) }
                        dt { (lang.t(words::DOCUMENT_COPIES)) }
                        dd { (r.copies) }
                        dt { (lang.t(words::RECEIVED_AT)) }
                        dd { (moment(r.received_at)) }
                        dt { (lang.t(words::RESULT_DATE)) }
                        dd { (day(r.result_date)) }
                        dt { (lang.t(words::FEE)) }
                        dd { (vnd_i64(r.fee_vnd)) " " @if r.payment.is_some() { span.tag.ok { (lang.t(words::PAID)) } } @else { span.tag.warn { (lang.t(words::UNPAID)) } } }
                        @if let Some(checklist) = &r.checklist {
                            dt { (lang.t(words::CHECKLIST)) }
                            dd {
                                ul {
                                    @if checklist.original_shown { li { (lang.t(words::CHECK_ORIGINAL_SHOWN)) } }
                                    @if checklist.pages_counted { li { (lang.t(words::CHECK_PAGES_COUNTED)) } }
                                    @if checklist.no_erasure_seen { li { (lang.t(words::CHECK_NO_ERASURE)) } }
                                }
                            }
                        }
                    }
                    @if awaiting {
                        form method="post" action={ "/review/" (r.id) "/certify" } {
                            (viewer.csrf_field())
                            p.hint { (lang.t(words::CERTIFY_HINT)) }
                            button type="submit" { (lang.t(words::CERTIFY)) }
                        }
                        form method="post" action={ "/review/" (r.id) "/send-back" } novalidate {
                            (viewer.csrf_field())
                            div.field.error[!errors.is_empty()] {
                                label for="reason" { (lang.t(words::SEND_BACK_REASON)) }
                                @for (_, message) in errors { p.field-error #reason-error { (message) } }
                                textarea #reason name="reason" maxlength="1000" {}
                            }
                            button.secondary type="submit" { (lang.t(words::SEND_BACK)) }
                        }
                    }
                    @if let Some(copy) = &r.copy_id {
                        p { a href={ "/api/v1/copies/" (copy) "/pdf" } { (lang.t(words::DOWNLOAD_PDF)) } }
                    }
                }
            }
        },
    ))
}

/// The lines of certified copies, or of requests that could not be certified.
fn outcome_page(viewer: &Viewer, done: &[(String, Result<RegisterEntry, String>)]) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(words::CERTIFIED_TITLE);
    page(
        viewer,
        title,
        html! {
            h1 { (title) }
            ul {
                @for (what, outcome) in done {
                    li {
                        @match outcome {
                            Ok(entry) => {
                                span.tag.ok { (lang.t(words::STATE_CERTIFIED)) } " " (what) " — "
                                (lang.t(words::CERTIFICATION_NUMBER)) " " strong.certified-number { (entry.sequence) } " " (entry.book) " — "
                                a href={ "/api/v1/copies/" (entry.id) "/pdf" } { (lang.t(words::DOWNLOAD_PDF)) }
                            }
                            Err(message) => {
                                span.tag.bad { (lang.t(words::NOT_CERTIFIED)) } " " (what) ": " (message)
                            }
                        }
                    }
                }
            }
            p { a href="/review" { (lang.t(words::NAV_REVIEW)) } }
        },
    )
}

/// `POST /review/{id}/certify`.
#[post("/review/<id>/certify", data = "<form>")]
pub async fn certify(
    app: &State<App>,
    viewer: Viewer,
    request_id: HttpRequestId,
    id: &str,
    form: Posted<'_, CsrfOnly>,
) -> PageResult {
    let official = viewer.require(OFFICIAL)?.clone();
    let id = at_office(app, &viewer, &official, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(form.csrf())?;
    let outcome = app
        .certification()
        .certify(&official.user, &id, Some(request_id.0))
        .await
        .map_err(|e| viewer.error(&e))?;
    Ok(outcome_page(
        &viewer,
        &[(outcome.request.document_title.clone(), Ok(outcome.entry))],
    ))
}

/// The requests chosen for a batch.
#[derive(FromForm)]
pub struct BatchForm {
    csrf: String,
    ids: Vec<String>,
}

/// `POST /review/certify-batch`: each chosen request certified with its own number.
#[post("/review/certify-batch", data = "<form>")]
pub async fn certify_batch(
    app: &State<App>,
    viewer: Viewer,
    request_id: HttpRequestId,
    form: Posted<'_, BatchForm>,
) -> PageResult {
    let official = viewer.require(OFFICIAL)?.clone();
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let lang = viewer.lang;
    let ids: Vec<RequestId> = form
        .ids
        .iter()
        .filter_map(|t| RequestId::parse(t))
        .collect();
    if ids.is_empty() {
        return Err(viewer.problem(&crate::error::PublicError::new(
            422,
            "nothing_chosen",
            "Hãy chọn ít nhất một hồ sơ.".into(),
            "Choose at least one request.".into(),
        )));
    }
    let outcomes = app
        .certification()
        .certify_batch(&official.user, &ids, Some(request_id.0))
        .await
        .map_err(|e| viewer.error(&e))?;
    let done: Vec<(String, Result<RegisterEntry, String>)> = outcomes
        .into_iter()
        .map(|(id, outcome)| match outcome {
            Ok(outcome) => (outcome.request.document_title.clone(), Ok(outcome.entry)),
            Err(error) => {
                let public = error.public();
                (
                    id.to_string(),
                    Err(lang.pick(&public.message_vi, &public.message_en).to_owned()),
                )
            }
        })
        .collect();
    Ok(outcome_page(&viewer, &done))
}

/// The reason for sending back.
#[derive(FromForm)]
pub struct SendBackForm {
    csrf: String,
    reason: String,
}

/// `POST /review/{id}/send-back`.
#[post("/review/<id>/send-back", data = "<form>")]
pub async fn send_back(
    app: &State<App>,
    viewer: Viewer,
    request_id: HttpRequestId,
    id: &str,
    form: Posted<'_, SendBackForm>,
) -> Result<Redirect, PageFailure> {
    let official = viewer.require(OFFICIAL)?.clone();
    let id = at_office(app, &viewer, &official, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let actor = official.actor();
    let reason = form.reason.clone();
    let target = id.clone();
    let result = app
        .db
        .run(move |conn| store::send_back(conn, &actor, &target, &reason, Some(&request_id.0)))
        .await;
    match result {
        Ok(_) => Ok(Redirect::to("/review")),
        Err(error) => {
            let public = error.public();
            if public.status >= 500 {
                return Err(viewer.problem(&public));
            }
            let lang = viewer.lang;
            let message = lang.pick(&public.message_vi, &public.message_en).to_owned();
            let status = Status::from_code(public.status).unwrap_or(Status::UnprocessableEntity);
            match review_page(app, &viewer, &official.actor(), id, &[("reason", &message)]).await {
                Ok(markup) => Err(PageFailure::Page(status, markup)),
                Err(failure) => Err(failure),
            }
        }
    }
}
