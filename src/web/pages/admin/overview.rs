//! `/admin`: where everything is, the offices (found by name, district, province), and a
//! new office (`POST /admin/offices`, as `POST /api/v1/admin/offices`).

use maud::{Markup, html};
use rocket::form::FromForm;
use rocket::http::Status;
use rocket::response::Redirect;
use rocket::{State, get, post};

use super::words as w;
use super::{ADMIN, FieldErrors, Input, failed, listed, notice, read, refusal, select, typed};
use crate::app::App;
use crate::auth::{self, AuthError, NewOffice};
use crate::booking::OfficeSummary;
use crate::booking::store::{self, MAX_OFFICES, OfficeFilter};
use crate::db::models::{GrantStatus, OfficeKind};
use crate::web::RequestId;
use crate::web::pages::i18n::{Text, words};
use crate::web::pages::layout::{error_summary, page};
use crate::web::pages::session::{PageFailure, PageResult, Posted, Viewer};

/// The words of an office kind.
pub(super) fn kind_text(kind: &str) -> Text {
    match OfficeKind::parse(kind) {
        Some(OfficeKind::CommuneCommittee) => w::KIND_COMMUNE,
        Some(OfficeKind::DistrictJustice) => w::KIND_DISTRICT_JUSTICE,
        Some(OfficeKind::Notary) => w::KIND_NOTARY,
        None => w::KIND_UNKNOWN,
    }
}

/// The new-office form as sent.
#[derive(FromForm, Default)]
pub struct OfficeForm {
    csrf: String,
    office_name: String,
    kind: String,
    office_province: String,
    office_district: String,
    address: String,
}

/// What the overview shows: the search typed, the offices found, the pending requests.
struct Overview {
    filter: OfficeFilter,
    offices: Vec<OfficeSummary>,
    pending: usize,
}

async fn load(app: &App, viewer: &Viewer, filter: OfficeFilter) -> Result<Overview, PageFailure> {
    let admin = viewer.require(ADMIN)?.user.clone();
    read(app, viewer, move |conn| {
        let offices = store::find_offices(conn, &filter).map_err(failed)?;
        let pending = auth::list_official_grants(conn, &admin, Some(GrantStatus::Pending))
            .map_err(failed)?
            .len();
        Ok(Overview {
            filter,
            offices,
            pending,
        })
    })
    .await
}

fn overview_page(
    viewer: &Viewer,
    shown: &Overview,
    form: &OfficeForm,
    errors: &FieldErrors,
    done: Option<&str>,
) -> Markup {
    let lang = viewer.lang;
    let title = lang.t(words::NAV_ADMIN);
    let kinds: Vec<(String, String)> = OfficeKind::ALL
        .iter()
        .map(|kind| {
            (
                kind.as_str().to_owned(),
                lang.t(kind_text(kind.as_str())).to_owned(),
            )
        })
        .collect();
    let chosen_kind = if form.kind.is_empty() {
        OfficeKind::CommuneCommittee.as_str()
    } else {
        form.kind.as_str()
    };
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let (name, district, province) = (
        text(&shown.filter.name),
        text(&shown.filter.district),
        text(&shown.filter.province),
    );
    page(
        viewer,
        title,
        html! {
            (error_summary(lang, &listed(errors)))
            (notice(lang, done))
            h1 { (title) }
            ul {
                li { a href="#offices" { (lang.t(w::OFFICES)) } }
                li {
                    a href="/admin/staff" { (lang.t(w::NAV_STAFF)) }
                    @if shown.pending > 0 {
                        " — " span.tag.warn { (shown.pending) " " (lang.t(w::GRANTS_WAITING)) }
                    }
                }
                li { a href="/admin/agencies" { (lang.t(w::NAV_AGENCIES)) } }
                li { a href="/admin/audit" { (lang.t(w::NAV_AUDIT)) } }
            }
            h2 #offices { (lang.t(w::OFFICES)) }
            form method="get" action="/admin" role="search" aria-label=(lang.t(w::FIND_OFFICES)) {
                (Input::text("name", lang.t(words::OFFICE_NAME), &name).render(&[]))
                (Input::text("district", lang.t(words::DISTRICT), &district).render(&[]))
                (Input::text("province", lang.t(words::PROVINCE), &province).render(&[]))
                button.secondary type="submit" { (lang.t(words::SEARCH)) }
            }
            @if shown.offices.is_empty() {
                p { (lang.t(words::OFFICES_NONE)) }
            } @else {
                div.table-wrap { table.list.stack {
                    caption { (lang.t(words::OFFICES_FOUND)) " (" (shown.offices.len()) ")" }
                    thead { tr {
                        th scope="col" { (lang.t(words::OFFICE_NAME)) }
                        th scope="col" { (lang.t(words::DISTRICT)) }
                        th scope="col" { (lang.t(words::PROVINCE)) }
                    } }
                    tbody {
                        @for office in &shown.offices {
                            tr {
                                td data-label=(lang.t(words::OFFICE_NAME)) { a href={ "/admin/offices/" (office.id) } { (office.name) } }
                                td data-label=(lang.t(words::DISTRICT)) { (office.district) }
                                td data-label=(lang.t(words::PROVINCE)) { (office.province) }
                            }
                        }
                    }
                } }
                @if shown.offices.len() >= MAX_OFFICES {
                    p.hint { (lang.t(w::OFFICES_CAPPED)) }
                }
            }
            section.card aria-labelledby="new-office-title" {
                h2 #new-office-title { (lang.t(w::NEW_OFFICE)) }
                form method="post" action="/admin/offices" novalidate {
                    (viewer.csrf_field())
                    (Input::text("office_name", lang.t(words::OFFICE_NAME), &form.office_name).hint(lang.t(w::OFFICE_NAME_HINT)).render(errors))
                    (select("kind", lang.t(w::OFFICE_KIND), None, &kinds, chosen_kind, errors))
                    (Input::text("office_province", lang.t(words::PROVINCE), &form.office_province).render(errors))
                    (Input::text("office_district", lang.t(words::DISTRICT), &form.office_district).hint(lang.t(w::DISTRICT_HINT)).render(errors))
                    (Input::text("address", lang.t(words::ADDRESS), &form.address).render(errors))
                    button type="submit" { (lang.t(w::CREATE_OFFICE)) }
                }
            }
        },
    )
}

/// `GET /admin?name=&district=&province=&done=`.
#[get("/admin?<name>&<district>&<province>&<done>")]
pub async fn overview(
    app: &State<App>,
    viewer: Viewer,
    name: Option<String>,
    district: Option<String>,
    province: Option<String>,
    done: Option<&str>,
) -> PageResult {
    let filter = OfficeFilter {
        province,
        district,
        name,
    };
    let shown = load(app, &viewer, filter).await?;
    Ok(overview_page(
        &viewer,
        &shown,
        &<OfficeForm as Default>::default(),
        &Vec::new(),
        done,
    ))
}

/// The field of the new-office form an error of the domain is about.
fn field_of(error: &AuthError) -> &'static str {
    match error {
        AuthError::InvalidField("province") => "office_province",
        AuthError::InvalidField("district") => "office_district",
        AuthError::InvalidField("address") => "address",
        _ => "office_name",
    }
}

/// The overview again with the new-office form as sent and its errors.
async fn with_errors(
    app: &App,
    viewer: &Viewer,
    status: Status,
    errors: FieldErrors,
    form: &OfficeForm,
) -> PageFailure {
    match load(app, viewer, OfficeFilter::default()).await {
        Ok(shown) => PageFailure::Page(status, overview_page(viewer, &shown, form, &errors, None)),
        Err(failure) => failure,
    }
}

/// `POST /admin/offices`: creates the office, then its page.
#[post("/admin/offices", data = "<form>")]
pub async fn create_office(
    app: &State<App>,
    viewer: Viewer,
    request_id: RequestId,
    form: Posted<'_, OfficeForm>,
) -> Result<Redirect, PageFailure> {
    let admin = viewer.require(ADMIN)?.clone();
    let form = viewer.form(form)?;
    viewer.check_csrf(&form.csrf)?;
    let lang = viewer.lang;
    let Some(kind) = OfficeKind::parse(&form.kind) else {
        let errors = vec![("kind".to_owned(), lang.t(w::CHOOSE_KIND).to_owned())];
        return Err(with_errors(app, &viewer, Status::UnprocessableEntity, errors, &form).await);
    };
    let request = NewOffice {
        name: form.office_name.clone(),
        kind,
        province: form.office_province.clone(),
        district: typed(&form.office_district).unwrap_or_default(),
        address: form.address.clone(),
    };
    let actor = admin.actor();
    let result = app
        .db
        .run(move |conn| auth::create_office(conn, &actor, &request, Some(&request_id.0)))
        .await;
    match result {
        Ok(office) => {
            if let Err(internal) = app.provision_dev_certificates().await {
                tracing::error!(office = %office.id, "{internal}");
            }
            Ok(Redirect::to(format!(
                "/admin/offices/{}?done=office-created",
                office.id
            )))
        }
        Err(error) => {
            let (status, message) = refusal(&viewer, &error)?;
            let errors = vec![(field_of(&error).to_owned(), message)];
            Err(with_errors(app, &viewer, status, errors, &form).await)
        }
    }
}
