//! `/desk/requests/{id}`: one document at the desk — who brought it, its scans (thumbnails,
//! move up/down, remove, add or replace), the comparison checklist and the hand-over to
//! the official, the fee payment, the refusal on a ground of Decree 23/2015/NĐ-CP Art. 22
//! (a signed notice is made), and the withdrawal. Every change goes through the same
//! store and service functions as `/api/v1/desk/requests/…`, then back to the page.

use maud::html;
use rocket::form::{self, Form, FromForm};
use rocket::fs::TempFile;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post};

use super::today::DESK;
use crate::app::App;
use crate::certification::{
    Checklist, NewScanFile, PaymentMethod, RefusalGround, RequestState, RequestView, store,
};
use crate::db::ids::RequestId;
use crate::error::{PublicError, UserFacing};
use crate::web::RequestId as HttpRequestId;
use crate::web::api::verifications::{read_upload, upload_over_limit};
use crate::web::guards::AuthUser;
use crate::web::pages::format::{day, moment, request_state, vnd_i64};
use crate::web::pages::i18n::words;
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::public::sign_in::CsrfOnly;
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};
use crate::web::upload::{Bounded, Unshared, UploadRefused};

pub(crate) fn id_or_404(viewer: &Viewer, text: &str) -> Result<RequestId, PageFailure> {
    RequestId::parse(text)
        .ok_or_else(|| viewer.error(&crate::certification::CertificationError::NotFound))
}

/// The request named in the path, if it is one of the office of `staff` (else 404),
/// checked before the form is read (the desk's pages and the official's).
pub(crate) async fn at_office(
    app: &App,
    viewer: &Viewer,
    staff: &AuthUser,
    text: &str,
) -> Result<RequestId, PageFailure> {
    let id = id_or_404(viewer, text)?;
    let (actor, found) = (staff.actor(), id.clone());
    app.db
        .run(move |conn| store::load_at_office(conn, &actor, &found).map(|_| ()))
        .await
        .map_err(|e| viewer.error(&e))?;
    Ok(id)
}

/// `positions` with the items at `a` and `b` swapped.
fn swapped(positions: &[i32], a: usize, b: usize) -> Vec<i32> {
    let mut order = positions.to_vec();
    order.swap(a, b);
    order
}

/// The request page with `errors` (field id, message) at the top.
pub async fn request_page_with(
    app: &App,
    viewer: &Viewer,
    clerk: &AuthUser,
    id: RequestId,
    status: Status,
    errors: Vec<(&str, String)>,
) -> Result<maud::Markup, PageFailure> {
    let lang = viewer.lang;
    let actor = clerk.actor();
    let r: RequestView = app
        .db
        .run(move |conn| store::view_at_office(conn, &actor, &id))
        .await
        .map_err(|e| viewer.error(&e))?;
    let listed: Vec<(&str, &str)> = errors.iter().map(|(f, m)| (*f, m.as_str())).collect();
    let open = matches!(
        r.state,
        RequestState::Received | RequestState::Scanned | RequestState::AwaitingCertification
    );
    let editable = matches!(r.state, RequestState::Received | RequestState::Scanned);
    let positions: Vec<i32> = r.scans.iter().map(|s| s.position).collect();
    let order_text = |order: &[i32]| {
        order
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let title = format!("{} — {}", lang.t(words::REQUEST_TITLE), r.document_title);
    let markup = page(
        viewer,
        &title,
        html! {
            (error_summary(lang, &listed))
            p { a href="/desk" { "← " (lang.t(words::NAV_DESK)) } }
            h1 { (r.document_title) }
            p { (request_state(lang, r.state)) }
            @if let Some(reason) = &r.returned_reason {
                @if editable {
                    div.panel { p { strong { (lang.t(words::SENT_BACK)) } " " (reason) } }
                }
            }
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
                dd {
                    (vnd_i64(r.fee_vnd)) " — "
                    @if let Some(paid) = &r.payment {
                        span.tag.ok { (lang.t(words::PAID)) } " " (moment(paid.paid_at))
                        @if let Some(receipt) = &paid.receipt_no { " (" (receipt) ")" }
                    } @else {
                        span.tag.warn { (lang.t(words::UNPAID)) }
                    }
                }
            }
            h2 #scans-title { (lang.t(words::SCANS)) " (" (r.scans.len()) "; " (r.scanned_pages) " " (lang.t(words::PAGES_UNIT)) ")" }
            @if r.scans.is_empty() {
                p { (lang.t(words::NO_SCANS)) }
            } @else {
                ol.scans aria-labelledby="scans-title" {
                    @for (index, scan) in r.scans.iter().enumerate() {
                        @let href = format!("/api/v1/desk/requests/{}/scans/{}", r.id, scan.position);
                        li {
                            a href=(href) {
                                img src={ "/desk/requests/" (r.id) "/scans/" (scan.position) "/thumbnail" }
                                    alt={ (lang.t(words::SCAN)) " " (index + 1) ": " (scan.file_name) } loading="lazy";
                            }
                            p.hint { (index + 1) ". " (scan.file_name) " — " (scan.pages) " " (lang.t(words::PAGES_UNIT)) }
                            @if editable {
                                div.actions {
                                    @if index > 0 {
                                        @let up = swapped(&positions, index - 1, index);
                                        form method="post" action={ "/desk/requests/" (r.id) "/order" } {
                                            (viewer.csrf_field())
                                            input type="hidden" name="order" value=(order_text(&up));
                                            button.secondary type="submit" aria-label={ (lang.t(words::MOVE_UP)) " " (index + 1) } { "↑" }
                                        }
                                    }
                                    @if index + 1 < positions.len() {
                                        @let down = swapped(&positions, index, index + 1);
                                        form method="post" action={ "/desk/requests/" (r.id) "/order" } {
                                            (viewer.csrf_field())
                                            input type="hidden" name="order" value=(order_text(&down));
                                            button.secondary type="submit" aria-label={ (lang.t(words::MOVE_DOWN)) " " (index + 1) } { "↓" }
                                        }
                                    }
                                    @if positions.len() > 1 {
                                        @let rest: Vec<i32> = positions.iter().copied().filter(|p| *p != scan.position).collect();
                                        form method="post" action={ "/desk/requests/" (r.id) "/order" } {
                                            (viewer.csrf_field())
                                            input type="hidden" name="order" value=(order_text(&rest));
                                            button.secondary type="submit" aria-label={ (lang.t(words::REMOVE)) " " (index + 1) } { (lang.t(words::REMOVE)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if editable {
                section.card aria-labelledby="upload-title" {
                    h2 #upload-title { (lang.t(words::ADD_SCANS)) }
                    form method="post" action={ "/desk/requests/" (r.id) "/scans" } enctype="multipart/form-data" {
                        (viewer.csrf_field())
                        div.field {
                            label for="scans" { (lang.t(words::SCAN_FILES)) }
                            p.hint #scans-hint { (lang.t(words::SCAN_FILES_HINT)) }
                            input #scans type="file" name="scans" multiple accept="image/jpeg,image/png,application/pdf" aria-describedby="scans-hint";
                        }
                        @if !r.scans.is_empty() {
                            div.check {
                                input #replace type="checkbox" name="replace" value="true";
                                label for="replace" { (lang.t(words::REPLACE_SCANS)) }
                            }
                        }
                        button type="submit" { (lang.t(words::UPLOAD)) }
                    }
                }
            }
            @if r.state == RequestState::Scanned {
                section.card aria-labelledby="hand-over-title" {
                    h2 #hand-over-title { (lang.t(words::HAND_OVER_TITLE)) }
                    form method="post" action={ "/desk/requests/" (r.id) "/hand-over" } {
                        (viewer.csrf_field())
                        fieldset #checklist {
                            legend { (lang.t(words::CHECKLIST)) }
                            @for (name, text) in [
                                ("original_shown", words::CHECK_ORIGINAL_SHOWN),
                                ("pages_counted", words::CHECK_PAGES_COUNTED),
                                ("no_erasure_seen", words::CHECK_NO_ERASURE),
                            ] {
                                div.check {
                                    input id=(name) type="checkbox" name=(name) value="true";
                                    label for=(name) { (lang.t(text)) }
                                }
                            }
                        }
                        button type="submit" { (lang.t(words::HAND_OVER)) }
                    }
                }
            }
            @if open && r.payment.is_none() {
                section.card aria-labelledby="payment-title" {
                    h2 #payment-title { (lang.t(words::PAYMENT_TITLE)) " — " (vnd_i64(r.fee_vnd)) }
                    form method="post" action={ "/desk/requests/" (r.id) "/payment" } {
                        (viewer.csrf_field())
                        fieldset {
                            legend { (lang.t(words::PAYMENT_METHOD)) }
                            div.check { input #method-cash type="radio" name="method" value="cash" checked; label for="method-cash" { (lang.t(words::PAYMENT_CASH)) } }
                            div.check { input #method-transfer type="radio" name="method" value="transfer"; label for="method-transfer" { (lang.t(words::PAYMENT_TRANSFER)) } }
                        }
                        div.field {
                            label for="receipt_no" { (lang.t(words::RECEIPT_NO)) }
                            input #receipt_no type="text" name="receipt_no" maxlength="100" autocomplete="off";
                        }
                        button type="submit" { (lang.t(words::RECORD_PAYMENT)) }
                    }
                }
            }
            @if open {
                section.card aria-labelledby="refuse-title" {
                    h2 #refuse-title { (lang.t(words::REFUSE_TITLE)) }
                    form method="post" action={ "/desk/requests/" (r.id) "/refuse" } {
                        (viewer.csrf_field())
                        div.field {
                            label for="ground" { (lang.t(words::REFUSAL_GROUND)) }
                            select #ground name="ground" {
                                @for ground in RefusalGround::ALL {
                                    option value=(ground.as_str()) { (ground.clause()) ". " (lang.pick(ground.text_vi(), ground.text_en())) }
                                }
                            }
                        }
                        div.field {
                            label for="detail" { (lang.t(words::REFUSAL_DETAIL)) }
                            textarea #detail name="detail" maxlength="1000" {}
                        }
                        button.warning type="submit" { (lang.t(words::REFUSE)) }
                    }
                    form method="post" action={ "/desk/requests/" (r.id) "/withdraw" } {
                        (viewer.csrf_field())
                        p.hint { (lang.t(words::WITHDRAW_HINT)) }
                        button.secondary type="submit" { (lang.t(words::WITHDRAW)) }
                    }
                }
            }
            @if let Some(copy) = &r.copy_id {
                p { a href={ "/api/v1/copies/" (copy) "/pdf" } { (lang.t(words::DOWNLOAD_PDF)) } }
            }
            @if let Some(refusal) = &r.refusal {
                p.bad { (lang.pick(refusal.ground_vi, refusal.ground_en)) }
                @if refusal.notice_available {
                    p { a href={ "/api/v1/certification-requests/" (r.id) "/refusal-notice" } { (lang.t(words::REFUSAL_NOTICE)) } }
                }
            }
        },
    );
    if status == Status::Ok {
        Ok(markup)
    } else {
        Err(PageFailure::Page(status, markup))
    }
}

/// `GET /desk/requests/{id}`.
#[get("/desk/requests/<id>")]
pub async fn request_page(app: &State<App>, viewer: Viewer, id: &str) -> PageResult {
    let clerk = viewer.require(DESK)?.clone();
    let id = id_or_404(&viewer, id)?;
    request_page_with(app, &viewer, &clerk, id, Status::Ok, Vec::new()).await
}

/// A small JPEG of a scan's first page.
#[derive(rocket::Responder)]
pub struct Thumbnail {
    bytes: Vec<u8>,
    content_type: rocket::http::ContentType,
    cache: rocket::http::Header<'static>,
}

/// `GET /desk/requests/{id}/scans/{position}/thumbnail?large=`: the first page of a scan,
/// at most 320 px on its longer side, or 1400 px with `large=true` (what the official
/// compares); staff of the office. The scan is content-addressed, so the browser may keep
/// it.
#[get("/desk/requests/<id>/scans/<position>/thumbnail?<large>")]
pub async fn thumbnail(
    app: &State<App>,
    viewer: Viewer,
    id: &str,
    position: i32,
    large: Option<bool>,
) -> Result<Thumbnail, PageFailure> {
    let side = if large == Some(true) { 1400 } else { 320 };
    let staff = viewer.require(DESK)?.clone();
    let id = at_office(app, &viewer, &staff, id).await?;
    let scan = app
        .db
        .run(move |conn| {
            crate::db::models::CertificationScan::of_request(conn, &id)?
                .into_iter()
                .find(|scan| scan.position == position)
                .ok_or(crate::certification::CertificationError::NotFound)
        })
        .await
        .map_err(|e| viewer.error(&e))?;
    let digest = crate::storage::Sha256Hex::parse(&scan.sha256)
        .map_err(|e| viewer.error(&crate::certification::CertificationError::from(e)))?;
    let bytes = app
        .blobs
        .get(&digest)
        .await
        .map_err(|e| viewer.error(&crate::certification::CertificationError::from(e)))?;
    let limits = app.scan_limits();
    let name = scan.file_name.clone();
    let made = rocket::tokio::task::spawn_blocking(move || {
        let pages =
            crate::intake::read_scans_owned(vec![crate::intake::ScanFile { name, bytes }], &limits)
                .map_err(|e| e.to_string())?;
        let first = pages.first().ok_or_else(|| "no page".to_owned())?;
        crate::intake::thumbnail_jpeg(first, side).map_err(|e| e.to_string())
    })
    .await;
    match made {
        Ok(Ok(bytes)) => Ok(Thumbnail {
            bytes,
            content_type: rocket::http::ContentType::JPEG,
            cache: rocket::http::Header::new("Cache-Control", "private, max-age=86400"),
        }),
        Ok(Err(error)) => {
            tracing::error!(scan = %scan.sha256, "thumbnail failed: {error}");
            Err(viewer.problem(&PublicError::internal_error()))
        }
        Err(error) => {
            tracing::error!(scan = %scan.sha256, "thumbnail task failed: {error}");
            Err(viewer.problem(&PublicError::internal_error()))
        }
    }
}

/// After a change: back to the page, or the page with the error of `field`.
async fn after<E: UserFacing>(
    app: &App,
    viewer: &Viewer,
    clerk: &AuthUser,
    id: RequestId,
    result: Result<RequestView, E>,
    field: &'static str,
) -> Result<Redirect, PageFailure> {
    match result {
        Ok(view) => Ok(Redirect::to(format!("/desk/requests/{}", view.id))),
        Err(error) => {
            let public = error.public();
            if public.status >= 500 {
                return Err(viewer.problem(&public));
            }
            let message = viewer
                .lang
                .pick(&public.message_vi, &public.message_en)
                .to_owned();
            let status = Status::from_code(public.status).unwrap_or(Status::UnprocessableEntity);
            match request_page_with(app, viewer, clerk, id, status, vec![(field, message)]).await {
                Ok(markup) => Err(PageFailure::Page(status, markup)),
                Err(failure) => Err(failure),
            }
        }
    }
}

/// The scan upload form.
#[derive(FromForm)]
pub struct ScanForm<'r> {
    csrf: String,
    scans: Vec<TempFile<'r>>,
    replace: Option<bool>,
}

/// `POST /desk/requests/{id}/scans` (multipart): adds or replaces scans.
#[post("/desk/requests/<id>/scans", data = "<upload>")]
pub async fn upload_scans(
    app: &State<App>,
    viewer: Viewer,
    request_id: HttpRequestId,
    id: &str,
    upload: Result<Bounded<Form<ScanForm<'_>>, form::Errors<'_>, Unshared>, UploadRefused>,
) -> Result<Redirect, PageFailure> {
    let clerk = viewer.require(DESK)?.clone();
    let id = at_office(app, &viewer, &clerk, id).await?;
    let (form, _hold) = upload
        .map_err(|refused| viewer.problem(&refused.public()))?
        .into_parts();
    let form = match form {
        Ok(form) => form,
        Err(errors) => {
            let public = if upload_over_limit(&errors) {
                PublicError::new(
                    413,
                    "payload_too_large",
                    "Tệp tải lên vượt quá giới hạn kích thước cho phép.".into(),
                    "An uploaded file exceeds the size limit.".into(),
                )
            } else {
                PublicError::new(
                    422,
                    "invalid_form",
                    "Hãy chọn ít nhất một tệp bản quét (JPEG, PNG hoặc PDF).".into(),
                    "Choose at least one scan file (JPEG, PNG or PDF).".into(),
                )
            };
            return after::<PublicError>(app, &viewer, &clerk, id, Err(public), "scans").await;
        }
    };
    viewer.check_csrf(&form.csrf)?;
    let mut files = Vec::with_capacity(form.scans.len());
    for (index, file) in form.scans.iter().enumerate() {
        if file.len() == 0 {
            continue;
        }
        let bytes = read_upload(file)
            .await
            .map_err(|e| viewer.problem(&e.public))?;
        files.push(NewScanFile {
            name: file
                .raw_name()
                .map(|name| name.dangerous_unsafe_unsanitized_raw().as_str().to_owned())
                .unwrap_or_else(|| format!("scan-{}", index + 1)),
            bytes,
        });
    }
    let result = app
        .certification()
        .upload_scans(
            &clerk.actor(),
            &id,
            files,
            form.replace.unwrap_or(false),
            Some(request_id.0),
        )
        .await;
    after(app, &viewer, &clerk, id, result, "scans").await
}

/// A new order of the scans (positions, comma-separated; those left out are removed).
#[derive(FromForm)]
pub struct OrderForm {
    csrf: String,
    order: String,
}

/// `POST /desk/requests/{id}/order`.
#[post("/desk/requests/<id>/order", data = "<form>")]
pub async fn reorder(
    app: &State<App>,
    viewer: Viewer,
    request_id: HttpRequestId,
    id: &str,
    form: Posted<'_, OrderForm>,
) -> Result<Redirect, PageFailure> {
    let clerk = viewer.require(DESK)?.clone();
    let id = at_office(app, &viewer, &clerk, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let order: Vec<i32> = form
        .order
        .split(',')
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    let actor = clerk.actor();
    let target = id.clone();
    let result = app
        .db
        .run(move |conn| store::reorder_scans(conn, &actor, &target, &order, Some(&request_id.0)))
        .await;
    after(app, &viewer, &clerk, id, result, "scans").await
}

/// The checklist.
#[derive(FromForm)]
pub struct HandOverForm {
    csrf: String,
    original_shown: bool,
    pages_counted: bool,
    no_erasure_seen: bool,
}

/// `POST /desk/requests/{id}/hand-over`.
#[post("/desk/requests/<id>/hand-over", data = "<form>")]
pub async fn hand_over(
    app: &State<App>,
    viewer: Viewer,
    request_id: HttpRequestId,
    id: &str,
    form: Posted<'_, HandOverForm>,
) -> Result<Redirect, PageFailure> {
    let clerk = viewer.require(DESK)?.clone();
    let id = at_office(app, &viewer, &clerk, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let checklist = Checklist {
        pages_counted: form.pages_counted,
        no_erasure_seen: form.no_erasure_seen,
        original_shown: form.original_shown,
    };
    let actor = clerk.actor();
    let target = id.clone();
    let result = app
        .db
        .run(move |conn| store::hand_over(conn, &actor, &target, checklist, Some(&request_id.0)))
        .await;
    after(app, &viewer, &clerk, id, result, "checklist").await
}

/// The refusal.
#[derive(FromForm)]
pub struct RefuseForm {
    csrf: String,
    ground: String,
    detail: Option<String>,
}

/// `POST /desk/requests/{id}/refuse`: refuses, with the signed notice.
#[post("/desk/requests/<id>/refuse", data = "<form>")]
pub async fn refuse(
    app: &State<App>,
    viewer: Viewer,
    request_id: HttpRequestId,
    id: &str,
    form: Posted<'_, RefuseForm>,
) -> Result<Redirect, PageFailure> {
    let clerk = viewer.require(DESK)?.clone();
    let id = at_office(app, &viewer, &clerk, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let Some(ground) = RefusalGround::parse(&form.ground) else {
        let public = PublicError::new(
            422,
            "invalid_field",
            "Hãy chọn một căn cứ từ chối.".into(),
            "Choose a ground of refusal.".into(),
        );
        return after::<PublicError>(app, &viewer, &clerk, id, Err(public), "ground").await;
    };
    let detail = form
        .detail
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let result = app
        .certification()
        .refuse(&clerk.actor(), &id, ground, detail, Some(request_id.0))
        .await;
    after(app, &viewer, &clerk, id, result, "ground").await
}

/// The payment.
#[derive(FromForm)]
pub struct PaymentForm {
    csrf: String,
    method: String,
    receipt_no: Option<String>,
}

/// `POST /desk/requests/{id}/payment`.
#[post("/desk/requests/<id>/payment", data = "<form>")]
pub async fn payment(
    app: &State<App>,
    viewer: Viewer,
    request_id: HttpRequestId,
    id: &str,
    form: Posted<'_, PaymentForm>,
) -> Result<Redirect, PageFailure> {
    let clerk = viewer.require(DESK)?.clone();
    let id = at_office(app, &viewer, &clerk, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let method = match form.method.as_str() {
        "transfer" => PaymentMethod::Transfer,
        _ => PaymentMethod::Cash,
    };
    let receipt = form
        .receipt_no
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let actor = clerk.actor();
    let target = id.clone();
    let result = app
        .db
        .run(move |conn| {
            store::record_payment(
                conn,
                &actor,
                &target,
                method,
                receipt.as_deref(),
                Some(&request_id.0),
            )
        })
        .await;
    after(app, &viewer, &clerk, id, result, "receipt_no").await
}

/// `POST /desk/requests/{id}/withdraw`: the citizen takes the original back.
#[post("/desk/requests/<id>/withdraw", data = "<form>")]
pub async fn withdraw(
    app: &State<App>,
    viewer: Viewer,
    request_id: HttpRequestId,
    id: &str,
    form: Posted<'_, CsrfOnly>,
) -> Result<Redirect, PageFailure> {
    let clerk = viewer.require(DESK)?.clone();
    let id = at_office(app, &viewer, &clerk, id).await?;
    let form = viewer.form(form)?;
    viewer.check_csrf(form.csrf())?;
    let actor = clerk.actor();
    let target = id.clone();
    let result = app
        .db
        .run(move |conn| store::withdraw(conn, &actor, &target, Some(&request_id.0)))
        .await;
    after(app, &viewer, &clerk, id, result, "ground").await
}
