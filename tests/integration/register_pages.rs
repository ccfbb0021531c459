//! The official's register-book pages (`/register-book…`), a copy's page `/v/{code}` after
//! an annulment, and the manage link's pages (`/a/{token}`) without any script: search by
//! number, name and status; one line in full; the annulment (the reason required, at the
//! field; then the line and the public page say annulled); another office's official finds
//! nothing; the exports' links answer the sealed PDF and the CSV; the statistics page
//! counts. And in Chromium (`tests/browser/register.py`), at 360 px with axe-core.

use certcopy::db::models::Role;
use rocket::http::{ContentType, Cookie, Status};

use crate::booking::support::{MONDAY_6AM, book, one_document, person};
use crate::common::{Backend, PASSWORD, TestApp, bearer};
use crate::issuing::{office_with_official, post_issue, small_jpeg};

/// What a page answered.
struct Answer {
    status: Status,
    location: Option<String>,
    body: String,
    headers: Vec<(String, String)>,
    csrf: Option<Cookie<'static>>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of the hidden form-token field.
    fn form_token(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let at = self.body.find(marker).expect("a form token on the page") + marker.len();
        self.body[at..].split('"').next().unwrap().to_owned()
    }
}

async fn answer(response: rocket::local::asynchronous::LocalResponse<'_>) -> Answer {
    let status = response.status();
    let location = response.headers().get_one("Location").map(str::to_owned);
    let headers = response
        .headers()
        .iter()
        .map(|h| (h.name().to_string(), h.value().to_owned()))
        .collect();
    let csrf = response
        .cookies()
        .get_private("certcopy_csrf")
        .map(|c| Cookie::new("certcopy_csrf", c.value().to_owned()));
    let body = response.into_string().await.unwrap_or_default();
    Answer {
        status,
        location,
        body,
        headers,
        csrf,
    }
}

/// `GET path` as the holder of `token` (anonymous without one), with this browser's form
/// token cookie when given.
async fn get(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    cookie: Option<&Cookie<'static>>,
) -> Answer {
    let mut request = app.client.get(path.to_owned());
    if let Some(token) = token {
        request = request.header(bearer(token));
    }
    if let Some(cookie) = cookie {
        request = request.private_cookie(cookie.clone());
    }
    answer(request.dispatch().await).await
}

/// `POST path` with a form body.
async fn post_form(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    cookie: Option<&Cookie<'static>>,
    body: &str,
) -> Answer {
    let mut request = app
        .client
        .post(path.to_owned())
        .header(ContentType::Form)
        .body(body);
    if let Some(token) = token {
        request = request.header(bearer(token));
    }
    if let Some(cookie) = cookie {
        request = request.private_cookie(cookie.clone());
    }
    answer(request.dispatch().await).await
}

/// `text` as a form value.
fn form_value(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Issues a copy through the API; its id and lookup code.
async fn issue(app: &TestApp, token: &str, name: &str, id: &str, title: &str) -> (String, String) {
    let (status, copy) = post_issue(
        app,
        token,
        &[
            ("requester_name", name),
            ("citizen_id", id),
            ("document_title", title),
            ("copies", "1"),
        ],
        &[("scans", "1.jpg", &small_jpeg(1))],
    )
    .await;
    assert_eq!(status, Status::Created, "{copy}");
    (
        copy["id"].as_str().unwrap().to_owned(),
        copy["code"].as_str().unwrap().to_owned(),
    )
}

/// Today's local date, `YYYY-MM-DD`, and its year and month.
fn today() -> (String, i32, u8) {
    let local = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    (
        local.date().to_string(),
        local.year(),
        u8::from(local.month()),
    )
}

crate::db_test!(register_book_pages_search_show_and_annul, |app| {
    let (_office, _, token) =
        office_with_official(&app, "UBND Phường Bến Thành", "lanhdao.benthanh.trang").await;
    let (_, _, other_token) =
        office_with_official(&app, "UBND Phường Đa Kao", "lanhdao.dakao.trang").await;
    let (first, _) = issue(
        &app,
        &token,
        "Nguyễn Văn An",
        "079203001234",
        "Bằng tốt nghiệp trung học phổ thông",
    )
    .await;
    let (second, code) = issue(
        &app,
        &token,
        "Trần Thị Bích Ngọc",
        "079204005678",
        "Giấy khai sinh",
    )
    .await;
    let t = Some(token.as_str());

    // The whole book, newest first, each line leading to its page.
    let page = get(&app, "/register-book", t, None).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    assert!(page.body.contains("Kết quả (2 dòng)"), "{}", page.body);
    let (newer, older) = (
        page.body.find("Trần Thị Bích Ngọc").expect("line 2"),
        page.body.find("Nguyễn Văn An").expect("line 1"),
    );
    assert!(newer < older, "newest first");
    assert!(
        page.body
            .contains(&format!("href=\"/register-book/{first}\""))
    );
    assert!(page.body.contains("data-label=\"Người yêu cầu\""));
    let (today, ..) = today();
    let today = time::Date::parse(
        &today,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    assert!(
        page.body.contains(&certcopy::local_time::date_dmy(today)),
        "the date as dd/mm/yyyy"
    );
    // The official's menu leads here.
    assert!(
        page.body
            .contains("href=\"/register-book\" aria-current=\"page\""),
        "{}",
        page.body
    );

    // By number, by name without marks, by ID number, by title, by status.
    for (query, found, not_found) in [
        ("number=1", "Nguyễn Văn An", "Trần Thị Bích Ngọc"),
        (
            "requester=nguyen%20van",
            "Nguyễn Văn An",
            "Trần Thị Bích Ngọc",
        ),
        (
            "requester=079204005678",
            "Trần Thị Bích Ngọc",
            "Nguyễn Văn An",
        ),
        ("title=giay%20khai", "Trần Thị Bích Ngọc", "Nguyễn Văn An"),
        (
            "status=valid&requester=van%20an",
            "Nguyễn Văn An",
            "Trần Thị Bích Ngọc",
        ),
    ] {
        let page = get(&app, &format!("/register-book?{query}"), t, None).await;
        assert_eq!(page.status, Status::Ok, "{query}: {}", page.body);
        assert!(page.body.contains(found), "{query}: {}", page.body);
        assert!(!page.body.contains(not_found), "{query}: {}", page.body);
    }
    // Today's lines, the dates typed as dd/mm/yyyy.
    let typed = certcopy::local_time::date_dmy(today).replace('/', "%2F");
    let dated = get(
        &app,
        &format!("/register-book?from={typed}&to={typed}"),
        t,
        None,
    )
    .await;
    assert!(dated.body.contains("Kết quả (2 dòng)"), "{}", dated.body);
    let none = get(&app, "/register-book?status=annulled", t, None).await;
    assert!(
        none.body.contains("Không có dòng nào khớp"),
        "{}",
        none.body
    );
    // A number that is none: the form again, the error at the field, 422.
    let wrong = get(&app, "/register-book?number=abc", t, None).await;
    assert_eq!(wrong.status, Status::UnprocessableEntity);
    assert!(
        wrong
            .body
            .contains("<a href=\"#number\">Số chứng thực phải là một số từ 1 trở lên.</a>")
            && wrong.body.contains("id=\"number-error\"")
            && wrong.body.contains("value=\"abc\""),
        "{}",
        wrong.body
    );
    let period = get(
        &app,
        "/register-book?from=2026-05-01&to=2026-04-01",
        t,
        None,
    )
    .await;
    assert_eq!(period.status, Status::UnprocessableEntity);
    assert!(period.body.contains("href=\"#to\""), "{}", period.body);

    // One line in full.
    let line_path = format!("/register-book/{second}");
    let line = get(&app, &line_path, t, None).await;
    assert_eq!(line.status, Status::Ok, "{}", line.body);
    for expected in [
        "Trần Thị Bích Ngọc",
        "079204005678",
        "Giấy khai sinh",
        "2.000 ₫",
        "Người Thử lanhdao.benthanh.trang, Phó Chủ tịch UBND phường",
        "Chưa ghi nhận tại bộ phận một cửa",
        &format!("href=\"/v/{code}\""),
        &format!("href=\"/api/v1/copies/{second}/pdf\""),
        &format!("action=\"/register-book/{second}/annul\""),
        "Có hiệu lực",
    ] {
        assert!(line.body.contains(expected), "`{expected}`: {}", line.body);
    }
    let cookie = line.csrf.clone().expect("the form token cookie");
    let csrf = line.form_token();

    // Another office's official, a clerk, nobody: not found, refused, asked to sign in —
    // and the form of another office's official is not even read.
    assert_eq!(
        get(&app, &line_path, Some(&other_token), None).await.status,
        Status::NotFound
    );
    let (_, clerk_token) = app.signed_in(Role::Clerk, "vanthu.trang").await;
    assert_eq!(
        get(&app, &line_path, Some(&clerk_token), None).await.status,
        Status::Forbidden
    );
    assert_eq!(
        get(&app, &line_path, None, None).await.status,
        Status::Unauthorized
    );
    let annul = format!("{line_path}/annul");
    let refused = post_form(&app, &annul, Some(&other_token), None, "").await;
    assert_eq!(refused.status, Status::NotFound);

    // The reason is required: 422, the summary linking to the field, the error there.
    let empty = post_form(
        &app,
        &annul,
        t,
        Some(&cookie),
        &format!("csrf={csrf}&reason=+"),
    )
    .await;
    assert_eq!(empty.status, Status::UnprocessableEntity, "{}", empty.body);
    assert!(
        empty
            .body
            .contains("<a href=\"#reason\">Hãy ghi lý do hủy (tối đa 500 ký tự).</a>")
            && empty
                .body
                .contains("<p class=\"field-error\" id=\"reason-error\">")
            && empty
                .body
                .contains("aria-describedby=\"reason-hint reason-error\""),
        "{}",
        empty.body
    );
    // Another browser's token: refused, nothing done.
    let forged = post_form(&app, &annul, t, Some(&cookie), "csrf=forged&reason=x").await;
    assert_eq!(forged.status, Status::Forbidden);

    // With a reason: back to the line, annulled with the reason, the form gone.
    let reason = "Cấp nhầm người yêu cầu";
    let done = post_form(
        &app,
        &annul,
        t,
        Some(&cookie),
        &format!("csrf={csrf}&reason={}", form_value(reason)),
    )
    .await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some(line_path.as_str()));
    let line = get(&app, &line_path, t, None).await;
    assert!(
        line.body.contains("<span class=\"tag bad\">Đã hủy</span>")
            && line.body.contains(reason)
            && !line.body.contains("/annul\""),
        "{}",
        line.body
    );
    // Twice: the line is no longer valid (409), said at the field.
    let again = post_form(
        &app,
        &annul,
        t,
        Some(&cookie),
        &format!("csrf={csrf}&reason=lai"),
    )
    .await;
    assert_eq!(again.status, Status::Conflict, "{}", again.body);
    assert!(
        again
            .body
            .contains("Chỉ hủy được bản sao đang có hiệu lực.")
    );

    // The search by status finds it; the copy's public page says annulled, with the reason.
    let annulled = get(&app, "/register-book?status=annulled", t, None).await;
    assert!(
        annulled.body.contains("Trần Thị Bích Ngọc") && !annulled.body.contains("Nguyễn Văn An")
    );
    let public = get(&app, &format!("/v/{code}"), None, None).await;
    assert_eq!(public.status, Status::Ok);
    assert!(
        public.body.contains("Bản sao đã bị hủy.") && public.body.contains(reason),
        "{}",
        public.body
    );
    assert!(
        !public.body.contains("079204005678"),
        "no ID number in public"
    );
    // The same page for a signed-in official carries their menu.
    let signed_in = get(&app, &format!("/v/{code}"), t, None).await;
    assert!(
        signed_in.body.contains("href=\"/register-book\""),
        "{}",
        signed_in.body
    );
    // The audit names the annulment once.
    let audited: i64 = app
        .db(move |conn| {
            use certcopy::db::schema::audit_log;
            use diesel::prelude::*;
            audit_log::table
                .filter(audit_log::target.eq(&second))
                .filter(audit_log::action.eq("copy.annul"))
                .count()
                .get_result(conn)
                .unwrap()
        })
        .await;
    assert_eq!(audited, 1);
});

crate::db_test!(register_book_exports_and_statistics_pages, |app| {
    let (office, _, token) =
        office_with_official(&app, "UBND Phường Tân Định", "lanhdao.tandinh.trang").await;
    issue(&app, &token, "Lê Văn Cường", "079205009999", "Sổ hộ khẩu").await;
    let (copy, _) = issue(
        &app,
        &token,
        "Phạm Thị Dung",
        "079206001111",
        "Giấy khai sinh",
    )
    .await;
    let (_, annulled) = app
        .post_json(
            &format!("/api/v1/copies/{copy}/annul"),
            &serde_json::json!({"reason": "Cấp nhầm"}),
            Some(&token),
        )
        .await;
    assert_eq!(annulled["status"], "annulled");
    let t = Some(token.as_str());
    let (today, year, month) = today();

    // The downloads: this month's sealed PDF and CSV, straight from the API's export.
    let page = get(&app, "/register-book/exports", t, None).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    let export = format!("/api/v1/offices/{}/register/export", office.id);
    for (format, content_type) in [("pdf", "application/pdf"), ("csv", "text/csv")] {
        let href = format!("{export}?year={year}&amp;month={month}&amp;format={format}");
        assert!(
            page.body.contains(&format!("href=\"{href}\"")),
            "{href}: {}",
            page.body
        );
        let file = app
            .client
            .get(href.replace("&amp;", "&"))
            .header(bearer(&token))
            .dispatch()
            .await;
        assert_eq!(file.status(), Status::Ok, "{format}");
        assert!(
            file.content_type()
                .is_some_and(|c| c.to_string().starts_with(content_type)),
            "{format}: {:?}",
            file.content_type()
        );
        let bytes = file.into_bytes().await.unwrap();
        if format == "pdf" {
            assert!(bytes.starts_with(b"%PDF-"));
        } else {
            assert!(String::from_utf8_lossy(&bytes).contains("Lê Văn Cường"));
        }
    }
    // The form for another period sends to the same export, the format by its button.
    assert!(
        page.body.contains(&format!("action=\"{export}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("name=\"format\" value=\"csv\""));
    assert!(page.body.contains("action=\"/register-book/statistics\""));

    // The monthly archives: none until the service has kept one, then a link to it.
    assert!(page.body.contains("Chưa có sổ lưu trữ"), "{}", page.body);
    let period = certcopy::registry::book::ExportPeriod {
        year,
        month: Some(time::Month::try_from(month).unwrap()),
    };
    let made = certcopy::registry::archive::archive_month(&app.app, period)
        .await
        .unwrap();
    assert_eq!(made.len(), 1);
    let page = get(&app, "/register-book/exports", t, None).await;
    let href = format!(
        "/api/v1/offices/{}/register/archives/{}",
        office.id,
        period.label()
    );
    assert!(
        page.body.contains(&format!("href=\"{href}\"")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!(
            "{:02}/{year} · 2 dòng",
            period.month.map(u8::from).unwrap()
        )),
        "{}",
        page.body
    );
    let file = app.client.get(href).header(bearer(&token)).dispatch().await;
    assert_eq!(file.status(), Status::Ok);
    assert!(file.into_bytes().await.unwrap().starts_with(b"%PDF-"));

    // The statistics of today: two certifications, one annulled since, the fees.
    // Dates typed as dd/mm/yyyy.
    let typed = {
        let date = time::Date::parse(
            &today,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap();
        certcopy::local_time::date_dmy(date).replace('/', "%2F")
    };
    let stats = get(
        &app,
        &format!("/register-book/statistics?from={typed}&to={typed}"),
        t,
        None,
    )
    .await;
    assert_eq!(stats.status, Status::Ok, "{}", stats.body);
    for expected in [
        "<dd id=\"certifications\">2</dd>",
        "<dd id=\"valid\">1</dd>",
        "<dd id=\"annulled\">1</dd>",
        "<dd id=\"void-lines\">0</dd>",
        "<dd id=\"annulments\">1</dd>",
        "<dd id=\"fees-charged\">4.000 ₫</dd>",
        "<dd id=\"fees-collected\">0 ₫</dd>",
        "Chưa tính được",
        "Không có hồ sơ nào bị từ chối trong kỳ.",
    ] {
        assert!(
            stats.body.contains(expected),
            "`{expected}`: {}",
            stats.body
        );
    }
    // By default: from the first of January to today.
    let default = get(&app, "/register-book/statistics", t, None).await;
    assert!(
        default.body.contains(&format!("01/01/{year}")),
        "{}",
        default.body
    );
    // A period that ends before it starts: the error at the field, 422.
    let wrong = get(
        &app,
        "/register-book/statistics?from=2026-05-01&to=2026-04-01",
        t,
        None,
    )
    .await;
    assert_eq!(wrong.status, Status::UnprocessableEntity);
    assert!(wrong.body.contains("href=\"#to\"") && wrong.body.contains("id=\"to-error\""));
    let bad_date = get(&app, "/register-book/statistics?from=hom-qua", t, None).await;
    assert_eq!(bad_date.status, Status::UnprocessableEntity);
    assert!(
        bad_date.body.contains("href=\"#from\""),
        "{}",
        bad_date.body
    );
});

crate::db_test!(manage_link_pages_work_with_forms_alone, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let office = app.office("UBND Phường Liên Kết").await;
    let citizen = person(&app, Role::Citizen, 41, None).await;
    let (status, booked) = book(
        &app,
        &citizen.token,
        &office.id,
        "2026-03-05 14:00",
        one_document(),
    )
    .await;
    assert_eq!(status, Status::Created, "{booked}");
    let token = booked["manage_token"].as_str().unwrap().to_owned();
    let base = format!("/a/{token}");

    // The appointment, private, with plain forms and no script.
    let page = get(&app, &base, None, None).await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    assert_eq!(page.header("Cache-Control"), Some("no-store"));
    assert_eq!(page.header("Referrer-Policy"), Some("no-referrer"));
    assert_eq!(page.header("X-Robots-Tag"), Some("noindex"));
    for expected in [
        "UBND Phường Liên Kết",
        "14:00 05/03/2026",
        "Giấy khai sinh",
        "2.000 ₫",
        "Đã đặt",
        &format!("action=\"{base}/cancel\""),
        &format!("href=\"{base}/reschedule\""),
        &format!("href=\"/api/v1/appointments/by-token/{token}/calendar.ics\""),
    ] {
        assert!(page.body.contains(expected), "`{expected}`: {}", page.body);
    }
    assert!(!page.body.contains("<script"), "{}", page.body);
    let cookie = page.csrf.clone().expect("the form token cookie");
    let csrf = page.form_token();

    // Reschedule: a day, then a time of that day, sent as a form.
    let days = get(&app, &format!("{base}/reschedule"), None, Some(&cookie)).await;
    assert_eq!(days.status, Status::Ok);
    assert_eq!(days.header("Cache-Control"), Some("no-store"));
    assert!(
        days.body
            .contains(&format!("href=\"{base}/reschedule?day=2026-03-06\"")),
        "{}",
        days.body
    );
    let times = get(
        &app,
        &format!("{base}/reschedule?day=2026-03-06"),
        None,
        Some(&cookie),
    )
    .await;
    assert!(
        times
            .body
            .contains(&format!("action=\"{base}/reschedule\""))
            && times.body.contains("value=\"2026-03-06T08:30:00+07:00\""),
        "{}",
        times.body
    );
    let forged = post_form(
        &app,
        &format!("{base}/reschedule"),
        None,
        Some(&cookie),
        "csrf=forged&slot=2026-03-06T08%3A30%3A00%2B07%3A00",
    )
    .await;
    assert_eq!(forged.status, Status::Forbidden);
    let moved = post_form(
        &app,
        &format!("{base}/reschedule"),
        None,
        Some(&cookie),
        &format!("csrf={csrf}&slot=2026-03-06T08%3A30%3A00%2B07%3A00"),
    )
    .await;
    assert_eq!(moved.status, Status::SeeOther, "{}", moved.body);
    assert_eq!(moved.location.as_deref(), Some(base.as_str()));
    let page = get(&app, &base, None, None).await;
    assert!(page.body.contains("08:30 06/03/2026"), "{}", page.body);

    // Cancel: back to the appointment, shown cancelled, nothing more to change.
    let cancelled = post_form(
        &app,
        &format!("{base}/cancel"),
        None,
        Some(&cookie),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(cancelled.status, Status::SeeOther, "{}", cancelled.body);
    let page = get(&app, &base, None, None).await;
    assert!(
        page.body.contains("<span class=\"tag bad\">Đã hủy</span>")
            && !page.body.contains("/cancel\""),
        "{}",
        page.body
    );
    let again = post_form(
        &app,
        &format!("{base}/cancel"),
        None,
        Some(&cookie),
        &format!("csrf={csrf}"),
    )
    .await;
    assert_eq!(again.status, Status::Conflict, "{}", again.body);

    // A token that is none: a 404 page, its forms not even read.
    let wrong = get(&app, "/a/not-the-token", None, None).await;
    assert_eq!(wrong.status, Status::NotFound);
    assert!(
        wrong.body.starts_with("<!DOCTYPE html>") && wrong.body.contains("<h1>"),
        "{}",
        wrong.body
    );
    assert_eq!(wrong.header("Cache-Control"), Some("no-store"));
    for path in ["/a/not-the-token/cancel", "/a/not-the-token/reschedule"] {
        assert_eq!(
            post_form(&app, path, None, None, "").await.status,
            Status::NotFound
        );
    }
    assert_eq!(
        get(&app, "/a/not-the-token/reschedule", None, None)
            .await
            .status,
        Status::NotFound
    );
    // The retired script is gone.
    assert_eq!(
        get(&app, "/assets/manage.js", None, None).await.status,
        Status::NotFound
    );
});

#[test]
fn the_register_book_and_the_manage_link_in_chromium() {
    use crate::common::browser::{run_script, runtime, screenshot_dir, serve_on_loopback};

    let runtime = runtime();
    let test = runtime
        .block_on(TestApp::builder(Backend::Sqlite).build())
        .expect("SQLite app");
    let (office, official, token) = runtime.block_on(office_with_official(
        &test,
        "UBND Phường Bến Thành",
        "lanhdao.benthanh.trinhduyet",
    ));
    // Two copies in the register, and an appointment booked with its manage link.
    runtime.block_on(issue(
        &test,
        &token,
        "Nguyễn Văn An",
        "079203001234",
        "Bằng tốt nghiệp trung học phổ thông",
    ));
    runtime.block_on(issue(
        &test,
        &token,
        "Trần Thị Bích Ngọc",
        "079204005678",
        "Giấy khai sinh",
    ));
    test.app.booking.clock.freeze(MONDAY_6AM);
    let citizen = runtime.block_on(person(&test, Role::Citizen, 42, None));
    let (status, booked) = runtime.block_on(book(
        &test,
        &citizen.token,
        &office.id,
        "2026-03-05 14:00",
        one_document(),
    ));
    assert_eq!(status, Status::Created, "{booked}");
    let manage = format!("/a/{}", booked["manage_token"].as_str().unwrap());

    // The same application served on a real port.
    let port = serve_on_loopback(&runtime, &test.app);

    let shots = screenshot_dir("register");
    run_script(
        "register.py",
        &[
            format!("http://127.0.0.1:{port}"),
            official.username.clone().expect("official username"),
            PASSWORD.to_owned(),
            manage.clone(),
            shots.display().to_string(),
        ],
        "all register checks passed",
        &shots,
    );
    // The annulment made in the browser is in the register.
    let annulled = runtime.block_on(test.db(|conn| {
        use certcopy::db::schema::register_entries;
        use diesel::prelude::*;
        register_entries::table
            .filter(register_entries::status.eq("annulled"))
            .select(register_entries::annulled_reason)
            .load::<Option<String>>(conn)
            .unwrap()
    }));
    assert_eq!(
        annulled,
        vec![Some("Cấp nhầm người yêu cầu (thử)".to_owned())]
    );
    drop(runtime);
}
