//! `/api/v1/offices/{id}/register` and `/statistics`: the office's register book —
//! search, exports (PDF signed by the office seal, CSV; audited), the sealed monthly
//! archives the job runner keeps, and statistics. Who may
//! do what is decided in [`crate::registry::book`]: the office's officials, and
//! administrators for the statistics only.

use rocket::http::{ContentType, Header, Status};
use rocket::serde::json::Json;
use rocket::{Responder, Route, State, get, routes};
use time::OffsetDateTime;

use crate::app::App;
use crate::db::ids::OfficeId;
use crate::local_time::local_date;
use crate::registry::archive::{self, RegisterArchive};
use crate::registry::book::{
    self, ExportPeriod, RegisterBookError, RegisterPage, RegisterQuery, RegisterQueryText,
    RegisterStatistics,
};
use crate::web::guards::AuthUser;
use crate::web::{ApiError, RequestId};

pub fn routes() -> Vec<Route> {
    routes![search, export, archives, archive_file, statistics]
}

/// Search the register: `number`, `from`/`to` (local `YYYY-MM-DD`), `requester` (part of
/// the name, or the ID number), `title` (part), `status` (`valid`, `void`, `annulled`),
/// `page` (from 1) and `per_page` (at most 100).
#[allow(clippy::too_many_arguments)] // one per query parameter
#[get(
    "/offices/<office_id>/register?<number>&<from>&<to>&<requester>&<title>&<status>&<page>&<per_page>"
)]
async fn search(
    app: &State<App>,
    user: AuthUser,
    office_id: OfficeId,
    number: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    requester: Option<&str>,
    title: Option<&str>,
    status: Option<&str>,
    page: Option<&str>,
    per_page: Option<&str>,
) -> Result<Json<RegisterPage>, ApiError> {
    let actor = user.actor();
    if !book::may_read_register(&actor, &office_id) {
        return Err(RegisterBookError::Forbidden.into());
    }
    let query = RegisterQuery::parse(RegisterQueryText {
        number,
        from,
        to,
        requester,
        title,
        status,
        page,
        per_page,
    })?;
    let page = app
        .db
        .run(move |conn| book::search_register(conn, &actor, &office_id, &query))
        .await?;
    Ok(Json(page))
}

/// A downloaded export.
#[derive(Responder)]
struct ExportFile {
    body: Vec<u8>,
    content_type: ContentType,
    disposition: Header<'static>,
}

/// Export the book of a month (`year`, `month`) or a year (`year`) as `format=pdf`
/// (default; signed by the office seal) or `format=csv`. Audited.
#[get("/offices/<office_id>/register/export?<year>&<month>&<format>")]
async fn export(
    app: &State<App>,
    user: AuthUser,
    request_id: RequestId,
    office_id: OfficeId,
    year: Option<&str>,
    month: Option<&str>,
    format: Option<&str>,
) -> Result<ExportFile, ApiError> {
    let actor = user.actor();
    if !book::may_read_register(&actor, &office_id) {
        return Err(RegisterBookError::Forbidden.into());
    }
    let period = ExportPeriod::parse(year, month)?;
    let as_pdf = match format.map(str::trim) {
        None | Some("") | Some("pdf") => true,
        Some("csv") => false,
        Some(_) => return Err(RegisterBookError::InvalidField("format").into()),
    };
    let reader = actor.clone();
    let extract = app
        .db
        .run(move |conn| book::book_extract(conn, &reader, &office_id, period))
        .await?;
    let name = format!("so-chung-thuc-{}", period.label());
    let (body, extract, content_type, file_name) = if as_pdf {
        let keys = app.keys.clone();
        let now = OffsetDateTime::now_utc();
        let (pdf, extract) = rocket::tokio::task::spawn_blocking(move || {
            let seal = keys
                .seal_signer(extract.office.id.as_str())
                .map_err(RegisterBookError::from)?;
            let pdf = book::register_pdf(&extract, seal.as_ref(), now)?;
            Ok::<_, RegisterBookError>((pdf, extract))
        })
        .await
        .map_err(|e| {
            let mut error = ApiError::for_status(Status::InternalServerError);
            error.internal = Some(format!("register export task: {e}"));
            error
        })??;
        (pdf, extract, ContentType::PDF, format!("{name}.pdf"))
    } else {
        let csv = book::register_csv(&extract);
        (
            csv,
            extract,
            ContentType::new("text", "csv").with_params(("charset", "utf-8")),
            format!("{name}.csv"),
        )
    };
    let format_name = if as_pdf { "pdf" } else { "csv" };
    app.db
        .run(move |conn| {
            book::record_export(conn, &actor, &extract, format_name, Some(&request_id.0))
        })
        .await?;
    Ok(ExportFile {
        body,
        content_type,
        disposition: Header::new(
            "Content-Disposition",
            format!("attachment; filename=\"{file_name}\""),
        ),
    })
}

/// The sealed books of past months the service archived, newest first.
#[get("/offices/<office_id>/register/archives")]
async fn archives(
    app: &State<App>,
    user: AuthUser,
    office_id: OfficeId,
) -> Result<Json<Vec<RegisterArchive>>, ApiError> {
    let actor = user.actor();
    let list = app
        .db
        .run(move |conn| archive::list(conn, &actor, &office_id))
        .await?;
    Ok(Json(list))
}

/// One archived month (`YYYY-MM`): the sealed PDF, checked against its SHA-256.
#[get("/offices/<office_id>/register/archives/<period>")]
async fn archive_file(
    app: &State<App>,
    user: AuthUser,
    office_id: OfficeId,
    period: &str,
) -> Result<ExportFile, ApiError> {
    let actor = user.actor();
    if !book::may_read_register(&actor, &office_id) {
        return Err(RegisterBookError::Forbidden.into());
    }
    let period = archive::parse_period(period)?;
    let found = archive::file(app, &actor, &office_id, &period).await?;
    let Some((archive, body)) = found else {
        return Err(ApiError::for_status(Status::NotFound));
    };
    Ok(ExportFile {
        body,
        content_type: ContentType::PDF,
        disposition: Header::new(
            "Content-Disposition",
            format!(
                "attachment; filename=\"so-chung-thuc-{}.pdf\"",
                archive.period
            ),
        ),
    })
}

/// Statistics of the office over `from`..`to` (local dates, both included, at most 366
/// days; by default this year to today).
#[get("/offices/<office_id>/statistics?<from>&<to>")]
async fn statistics(
    app: &State<App>,
    user: AuthUser,
    office_id: OfficeId,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Json<RegisterStatistics>, ApiError> {
    let actor = user.actor();
    if !book::may_read_statistics(&actor, &office_id) {
        return Err(RegisterBookError::Forbidden.into());
    }
    let now = OffsetDateTime::now_utc();
    let today = local_date(now).unwrap_or(now.date());
    let period = book::statistics_period(from, to, today)?;
    let stats = app
        .db
        .run(move |conn| book::register_statistics(conn, &actor, &office_id, period, now))
        .await?;
    Ok(Json(stats))
}
