//! The administrator's pages through the local client, on SQLite and PostgreSQL: an
//! office created and its calendar edited (a bad value answers 422 with the error at its
//! field, through the same validation as the API), closed days added and removed, the
//! practice and the head of office; staff created with a temporary password shown once,
//! an official approved by a second admin only (the requester's own approval is refused
//! on the page); account actions; an agency with its keys; and the audit log filtered on
//! the page and through `GET /api/v1/admin/audit`, a page at a time.

use certcopy::audit::{self, AuditEvent};
use certcopy::db::ids::UserId;
use certcopy::db::models::{Role, User};
use rocket::http::{ContentType, Cookie, Header, Status};
use serde_json::json;

use crate::common::{TestApp, bearer};
use crate::db_test;

/// An admin's browser: a bearer token for the session, and this browser's form token
/// (cookie and field) for the forms.
struct Browser<'a> {
    app: &'a TestApp,
    token: String,
    cookie: Cookie<'static>,
    csrf: String,
}

/// A page's answer: status, where it redirects, its HTML and its `Cache-Control`.
struct Answer {
    status: Status,
    location: Option<String>,
    html: String,
    cache: Option<String>,
}

/// `text` percent-encoded for a form body.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The value of the hidden form-token field of a page.
fn form_token(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = page.find(marker).expect("a form token on the page") + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

impl<'a> Browser<'a> {
    async fn open(app: &'a TestApp, token: &str) -> Browser<'a> {
        let response = app
            .client
            .get("/admin")
            .header(bearer(token))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Ok);
        let cookie = response
            .cookies()
            .get_private("certcopy_csrf")
            .map(|c| Cookie::new("certcopy_csrf", c.value().to_owned()))
            .expect("the form-token cookie");
        let page = response.into_string().await.unwrap();
        Browser {
            app,
            token: token.to_owned(),
            cookie,
            csrf: form_token(&page),
        }
    }

    async fn answer(response: rocket::local::asynchronous::LocalResponse<'_>) -> Answer {
        let status = response.status();
        let location = response.headers().get_one("Location").map(str::to_owned);
        let cache = response
            .headers()
            .get_one("Cache-Control")
            .map(str::to_owned);
        let html = response.into_string().await.unwrap_or_default();
        Answer {
            status,
            location,
            html,
            cache,
        }
    }

    async fn get(&self, path: &str) -> Answer {
        Self::answer(
            self.app
                .client
                .get(path.to_owned())
                .header(bearer(&self.token))
                .private_cookie(self.cookie.clone())
                .dispatch()
                .await,
        )
        .await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let mut body = format!("csrf={}", encode(&self.csrf));
        for (name, value) in fields {
            body.push_str(&format!("&{name}={}", encode(value)));
        }
        Self::answer(
            self.app
                .client
                .post(path.to_owned())
                .header(ContentType::Form)
                .header(bearer(&self.token))
                .private_cookie(self.cookie.clone())
                .body(body)
                .dispatch()
                .await,
        )
        .await
    }
}

/// Asserts a redirect after a form (PRG) and returns where to.
fn redirected(answer: &Answer) -> String {
    assert_eq!(answer.status, Status::SeeOther, "{}", answer.html);
    answer.location.clone().expect("Location")
}

/// Asserts that a page shows an error at `field`: in the summary (a link to it) and at
/// the field.
fn error_at(answer: &Answer, status: Status, field: &str) {
    assert_eq!(answer.status, status, "{}", answer.html);
    assert!(
        answer.html.contains("class=\"error-summary\"")
            && answer.html.contains(&format!("<a href=\"#{field}\">")),
        "the summary links to {field}: {}",
        answer.html
    );
    assert!(
        answer.html.contains(&format!("id=\"{field}-error\"")),
        "the error is at {field}: {}",
        answer.html
    );
}

/// The value of the `<code id="secret">` of an answer (a password or key shown once).
fn secret(answer: &Answer) -> String {
    assert_eq!(answer.status, Status::Ok, "{}", answer.html);
    assert_eq!(answer.cache.as_deref(), Some("no-store"));
    let marker = "<code id=\"secret\">";
    let at = answer.html.find(marker).expect("the secret") + marker.len();
    answer.html[at..].split('<').next().unwrap().to_owned()
}

/// Creates an office through the page; its id.
async fn new_office(browser: &Browser<'_>, name: &str) -> String {
    let answer = browser
        .post(
            "/admin/offices",
            &[
                ("office_name", name),
                ("kind", "commune_committee"),
                ("office_province", "Hà Nội"),
                ("office_district", "Quận Hoàn Kiếm"),
                ("address", "1 Tràng Tiền"),
            ],
        )
        .await;
    let location = redirected(&answer);
    let id = location
        .strip_prefix("/admin/offices/")
        .and_then(|rest| rest.split('?').next())
        .expect("the office's page")
        .to_owned();
    assert!(location.ends_with("?done=office-created"), "{location}");
    id
}

/// The standard calendar's fields with some changed.
fn calendar_fields<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("hours_monday", "07:30-11:30, 13:30-17:00"),
        ("hours_tuesday", "07:30-11:30, 13:30-17:00"),
        ("hours_wednesday", "07:30-11:30, 13:30-17:00"),
        ("hours_thursday", "07:30-11:30, 13:30-17:00"),
        ("hours_friday", "07:30-11:30, 13:30-17:00"),
        ("hours_saturday", ""),
        ("hours_sunday", ""),
        ("slot_minutes", "15"),
        ("counters", "2"),
        ("minimum_notice_minutes", "120"),
        ("booking_horizon_days", "30"),
        ("cancellation_cutoff_minutes", "120"),
        ("no_show_grace_minutes", "15"),
        ("large_request_page_threshold", "50"),
    ];
    for (name, value) in changes {
        let field = fields.iter_mut().find(|(n, _)| n == name).expect("a field");
        field.1 = value;
    }
    fields
}

db_test!(
    admin_creates_an_office_and_edits_its_calendar_on_pages,
    |app| {
        let (_, token) = app.signed_in(Role::Admin, "quantri.trang").await;
        let browser = Browser::open(&app, &token).await;

        // The overview: the sections, the menu of an admin.
        let overview = browser.get("/admin").await;
        for link in [
            "href=\"/admin/staff\"",
            "href=\"/admin/agencies\"",
            "href=\"/admin/audit\"",
        ] {
            assert!(overview.html.contains(link), "{link}: {}", overview.html);
        }
        assert!(!overview.html.contains("style="), "no inline style");

        // A new office: a name is needed (the domain's refusal, at the field).
        let refused = browser
            .post(
                "/admin/offices",
                &[
                    ("office_name", " "),
                    ("kind", "commune_committee"),
                    ("office_province", "Hà Nội"),
                    ("office_district", ""),
                    ("address", "1 Tràng Tiền"),
                ],
            )
            .await;
        error_at(&refused, Status::UnprocessableEntity, "office_name");
        let office = new_office(&browser, "UBND Phường Tràng Tiền").await;
        let listed = browser.get("/admin?name=tr%C3%A0ng").await;
        assert!(
            listed
                .html
                .contains(&format!("href=\"/admin/offices/{office}\"")),
            "{}",
            listed.html
        );

        // Its page: the standard calendar in the form.
        let page = browser.get(&format!("/admin/offices/{office}")).await;
        assert_eq!(page.status, Status::Ok, "{}", page.html);
        assert!(
            page.html.contains("value=\"07:30-11:30, 13:30-17:00\""),
            "{}",
            page.html
        );
        assert!(page.html.contains("id=\"counters\""));

        // A bad value: 422, the error at its field, what was typed kept, nothing saved.
        let path = format!("/admin/offices/{office}/calendar");
        let bad = browser
            .post(&path, &calendar_fields(&[("counters", "0")]))
            .await;
        error_at(&bad, Status::UnprocessableEntity, "counters");
        assert!(bad.html.contains("phải từ 1 đến 100"), "{}", bad.html);
        let not_a_number = browser
            .post(&path, &calendar_fields(&[("slot_minutes", "mười lăm")]))
            .await;
        error_at(&not_a_number, Status::UnprocessableEntity, "slot_minutes");
        assert!(not_a_number.html.contains("value=\"mười lăm\""));
        let bad_hours = browser
            .post(&path, &calendar_fields(&[("hours_friday", "07:30-11:20")]))
            .await;
        error_at(&bad_hours, Status::UnprocessableEntity, "hours_friday");
        let unreadable = browser
            .post(&path, &calendar_fields(&[("hours_monday", "sáng")]))
            .await;
        error_at(&unreadable, Status::UnprocessableEntity, "hours_monday");
        let (status, stored) = app
            .get(&format!("/api/v1/offices/{office}/calendar"), Some(&token))
            .await;
        assert_eq!(status, Status::Ok, "{stored}");
        assert_eq!(stored["revision"], 0, "nothing saved: {stored}");

        // A good calendar: saved (PRG), as the API reads it.
        let saved = browser
            .post(
                &path,
                &calendar_fields(&[("hours_saturday", "7:30-11:30"), ("counters", "3")]),
            )
            .await;
        assert!(redirected(&saved).contains("done=calendar-saved"));
        let (_, stored) = app
            .get(&format!("/api/v1/offices/{office}/calendar"), Some(&token))
            .await;
        assert_eq!(stored["revision"], 1, "{stored}");
        assert_eq!(stored["calendar"]["counters"], 3);
        assert_eq!(
            stored["calendar"]["weekly_hours"]["saturday"],
            json!([{"start": "07:30", "end": "11:30"}])
        );

        // Closed days: added with a reason, refused twice and when no real date, removed.
        let closures = format!("/admin/offices/{office}/closures");
        let added = browser
            .post(
                &closures,
                &[
                    ("closure_date", "15/10/2026"),
                    ("closure_reason", "Tập huấn nghiệp vụ"),
                ],
            )
            .await;
        assert!(redirected(&added).contains("done=closure-added"));
        let twice = browser
            .post(
                &closures,
                &[("closure_date", "2026-10-15"), ("closure_reason", "")],
            )
            .await;
        error_at(&twice, Status::UnprocessableEntity, "closure_date");
        assert!(
            twice.html.contains("đã nghỉ vào ngày này"),
            "{}",
            twice.html
        );
        let no_date = browser
            .post(
                &closures,
                &[("closure_date", "31/02/2026"), ("closure_reason", "")],
            )
            .await;
        error_at(&no_date, Status::UnprocessableEntity, "closure_date");
        let (_, stored) = app
            .get(&format!("/api/v1/offices/{office}/calendar"), Some(&token))
            .await;
        assert_eq!(
            stored["calendar"]["closures"],
            json!([{"date": "2026-10-15", "reason": "Tập huấn nghiệp vụ"}])
        );
        let page = browser.get(&format!("/admin/offices/{office}")).await;
        assert!(page.html.contains("15/10/2026"), "{}", page.html);
        assert!(page.html.contains("Tập huấn nghiệp vụ"));
        let removed = browser
            .post(
                &format!("/admin/offices/{office}/closures/remove"),
                &[("date", "2026-10-15")],
            )
            .await;
        assert!(redirected(&removed).contains("done=closure-removed"));
        let (_, stored) = app
            .get(&format!("/api/v1/offices/{office}/calendar"), Some(&token))
            .await;
        assert_eq!(stored["calendar"]["closures"], json!([]));
        assert_eq!(stored["revision"], 3, "each change audited as a revision");
        assert_eq!(app.audit_rows("calendar.update").await.len(), 3);

        // One-person operation.
        let practice = browser
            .post(
                &format!("/admin/offices/{office}/practice"),
                &[("single_person", "true")],
            )
            .await;
        assert!(redirected(&practice).contains("done=practice-saved"));
        let page = browser.get(&format!("/admin/offices/{office}")).await;
        assert!(
            page.html.contains(
                "id=\"practice-one\" type=\"radio\" name=\"single_person\" value=\"true\" checked"
            ),
            "{}",
            page.html
        );
        assert_eq!(app.audit_rows("office.practice").await.len(), 1);

        // Another admin's browser without the form token of this one: refused.
        let forged = app
            .client
            .post(format!("/admin/offices/{office}/practice"))
            .header(ContentType::Form)
            .header(bearer(&token))
            .body("csrf=forged&single_person=false")
            .dispatch()
            .await;
        assert_eq!(forged.status(), Status::Forbidden);

        // An office that does not exist: 404.
        let missing = browser
            .get("/admin/offices/00000000-0000-4000-8000-000000000000")
            .await;
        assert_eq!(missing.status, Status::NotFound);
    }
);

db_test!(staff_are_created_and_officials_need_a_second_admin, |app| {
    let (requester, token) = app.signed_in(Role::Admin, "quantri.mot").await;
    let (_, second_token) = app.signed_in(Role::Admin, "quantri.hai").await;
    let browser = Browser::open(&app, &token).await;
    let second = Browser::open(&app, &second_token).await;
    let office = new_office(&browser, "UBND Phường Hàng Bạc").await;

    // A form that misses its fields is a 422 page, nothing created.
    let empty = app
        .client
        .post("/admin/staff")
        .header(ContentType::Form)
        .header(bearer(&token))
        .body("")
        .dispatch()
        .await;
    assert_eq!(empty.status(), Status::UnprocessableEntity);

    // An official without a position: the domain's refusal at the field.
    let staff = |role: &'static str, username: &'static str, position: &'static str| {
        let office = office.clone();
        let browser = &browser;
        async move {
            browser
                .post(
                    "/admin/staff",
                    &[
                        ("role", role),
                        ("username", username),
                        ("full_name", "Lê Văn Lãnh"),
                        ("office_id", &office),
                        ("position", position),
                    ],
                )
                .await
        }
    };
    let no_position = staff("official", "lanhdao.hangbac", "").await;
    error_at(&no_position, Status::UnprocessableEntity, "position");
    let bad_name = staff("clerk", "Tên Sai", "").await;
    error_at(&bad_name, Status::UnprocessableEntity, "username");

    // The official: a clerk with a pending request, and a temporary password shown once.
    let created = staff("official", "lanhdao.hangbac", "Phó Chủ tịch UBND phường").await;
    let password = secret(&created);
    assert!(
        created.html.contains("Phó Chủ tịch UBND phường"),
        "{}",
        created.html
    );
    let (status, login) = app.login_answer("lanhdao.hangbac", &password).await;
    assert_eq!(status, Status::Ok, "{login}");
    assert_eq!(login["password_change_required"], true, "{login}");
    let official = app
        .db(|conn| {
            User::find_by_username(conn, "lanhdao.hangbac")
                .unwrap()
                .unwrap()
        })
        .await;
    assert_eq!(
        official.role(),
        Role::Clerk,
        "not an official before approval"
    );
    let rows = app.audit_rows("staff.create").await;
    assert!(
        !rows.iter().any(|row| row.detail.contains(&password)),
        "the password is never in the log"
    );
    // Shown once: the staff page does not show it again.
    let page = browser.get("/admin/staff").await;
    assert!(!page.html.contains(&password));
    let grant = {
        let marker = "action=\"/admin/grants/";
        let at = page.html.find(marker).expect("the pending grant") + marker.len();
        page.html[at..].split('/').next().unwrap().to_owned()
    };
    assert!(
        page.html.contains("Bạn là người đề nghị"),
        "the requester is told: {}",
        page.html
    );

    // The requester cannot approve their own request: the page says so at the request.
    let own = browser
        .post(&format!("/admin/grants/{grant}/approve"), &[])
        .await;
    error_at(&own, Status::Forbidden, &format!("approve-{grant}"));
    assert!(own.html.contains("cần người thứ hai"), "{}", own.html);
    let still = app
        .db({
            let id = official.id.clone();
            move |conn| User::find(conn, &id).unwrap().unwrap()
        })
        .await;
    assert_eq!(still.role(), Role::Clerk);

    // A refusal needs a reason.
    let no_reason = second
        .post(&format!("/admin/grants/{grant}/refuse"), &[("reason", " ")])
        .await;
    error_at(
        &no_reason,
        Status::UnprocessableEntity,
        &format!("reason-{grant}"),
    );

    // The second admin approves: an official, who may then head the office.
    let approved = second
        .post(&format!("/admin/grants/{grant}/approve"), &[])
        .await;
    assert!(redirected(&approved).contains("done=grant-approved"));
    let now = app
        .db({
            let id = official.id.clone();
            move |conn| User::find(conn, &id).unwrap().unwrap()
        })
        .await;
    assert_eq!(now.role(), Role::Official);
    assert_eq!(now.position.as_deref(), Some("Phó Chủ tịch UBND phường"));
    let approval = app.audit_rows("official_grant.approve").await;
    assert_eq!(approval.len(), 1);
    assert_ne!(approval[0].actor_id.as_ref(), Some(&requester.id));
    let head = browser
        .post(
            &format!("/admin/offices/{office}/head"),
            &[("head", official.id.as_str())],
        )
        .await;
    assert!(redirected(&head).contains("done=head-appointed"));
    let page = browser.get(&format!("/admin/offices/{office}")).await;
    assert!(
        page.html.contains("Hiện nay: <strong>Lê Văn Lãnh</strong>"),
        "{}",
        page.html
    );

    // A clerk, then what an admin does to an account.
    let clerk = staff("clerk", "canbo.hangbac", "").await;
    let first_password = secret(&clerk);
    let (clerk_token, _) = app.login_with("canbo.hangbac", &first_password).await;
    let clerk = app
        .db(|conn| {
            User::find_by_username(conn, "canbo.hangbac")
                .unwrap()
                .unwrap()
        })
        .await;
    let account = format!("/admin/accounts/{}", clerk.id);
    let page = browser.get(&account).await;
    assert_eq!(page.status, Status::Ok, "{}", page.html);
    let no_reason = browser
        .post(&format!("{account}/disable"), &[("reason", "")])
        .await;
    error_at(&no_reason, Status::UnprocessableEntity, "reason");
    let disabled = browser
        .post(
            &format!("{account}/disable"),
            &[("reason", "Nghỉ việc từ 01/12/2026")],
        )
        .await;
    assert!(redirected(&disabled).contains("done=disabled"));
    let (status, _) = app.get("/api/v1/me", Some(&clerk_token)).await;
    assert_eq!(status, Status::Unauthorized, "the session ended");
    let (status, _) = app.login_answer("canbo.hangbac", &first_password).await;
    assert_ne!(status, Status::Ok, "a disabled account does not sign in");
    let enabled = browser.post(&format!("{account}/enable"), &[]).await;
    assert!(redirected(&enabled).contains("done=enabled"));
    let ended = browser.post(&format!("{account}/sessions/end"), &[]).await;
    assert!(redirected(&ended).contains("done=sessions-ended"));
    let reset = browser
        .post(&format!("{account}/password-reset"), &[])
        .await;
    let temporary = secret(&reset);
    let (status, login) = app.login_answer("canbo.hangbac", &temporary).await;
    assert_eq!(status, Status::Ok, "{login}");
    assert_eq!(login["password_change_required"], true);
    // An admin cannot disable themself: refused at the field.
    let own = browser
        .post(
            &format!("/admin/accounts/{}/disable", requester.id),
            &[("reason", "Thử")],
        )
        .await;
    error_at(&own, Status::Conflict, "reason");
    // Asking for the official role of a clerk from the account's page.
    let asked = browser
        .post(
            &format!("{account}/official-grant"),
            &[("position", "Chủ tịch UBND phường")],
        )
        .await;
    assert!(redirected(&asked).contains("done=grant-requested"));
    let (status, grants) = app
        .get(
            "/api/v1/official-grants?status=pending",
            Some(&second_token),
        )
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(grants.as_array().unwrap().len(), 1, "{grants}");

    // The staff list of the office, and a new admin's temporary password.
    let listed = browser.get(&format!("/admin/staff?office={office}")).await;
    assert!(listed.html.contains("canbo.hangbac") && listed.html.contains("lanhdao.hangbac"));
    let admin = browser
        .post(
            "/admin/staff",
            &[
                ("role", "admin"),
                ("username", "quantri.ba"),
                ("full_name", "Đỗ Thị Ba"),
                ("office_id", ""),
                ("position", ""),
            ],
        )
        .await;
    secret(&admin);
});

db_test!(agencies_get_api_keys_shown_once_on_pages, |app| {
    let (_, token) = app.signed_in(Role::Admin, "quantri.coquan").await;
    let browser = Browser::open(&app, &token).await;
    let bad = browser
        .post(
            "/admin/agencies",
            &[
                ("agency_name", "Sở Giáo dục"),
                ("username", "1sai"),
                ("key_label", ""),
            ],
        )
        .await;
    error_at(&bad, Status::UnprocessableEntity, "username");
    let created = browser
        .post(
            "/admin/agencies",
            &[
                ("agency_name", "Sở Giáo dục và Đào tạo Hà Nội"),
                ("username", "so.giaoduc"),
                ("key_label", "Cổng tuyển sinh"),
            ],
        )
        .await;
    let key = secret(&created);
    assert!(key.starts_with("cc_live_"), "{key}");
    let (status, me) = read_me(&app, &key).await;
    assert_eq!(status, Status::Ok, "{me}");
    let agency = UserId::parse(me["id"].as_str().unwrap()).unwrap();

    let list = browser.get("/admin/agencies").await;
    assert!(
        list.html
            .contains(&format!("href=\"/admin/agencies/{agency}\""))
    );
    let page = browser.get(&format!("/admin/agencies/{agency}")).await;
    assert_eq!(page.status, Status::Ok, "{}", page.html);
    assert!(page.html.contains(&key[..12]), "the prefix is listed");
    assert!(!page.html.contains(&key), "never the whole key");

    let no_label = browser
        .post(&format!("/admin/agencies/{agency}/keys"), &[("label", "")])
        .await;
    error_at(&no_label, Status::UnprocessableEntity, "label");
    let another = browser
        .post(
            &format!("/admin/agencies/{agency}/keys"),
            &[("label", "Phòng khảo thí")],
        )
        .await;
    let second_key = secret(&another);
    assert_ne!(second_key, key);

    // Revoking the first key: it stops working, the second still works.
    let (status, keys) = app
        .get(
            &format!("/api/v1/admin/agencies/{agency}/api-keys"),
            Some(&token),
        )
        .await;
    assert_eq!(status, Status::Ok);
    let first = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["label"] == "Cổng tuyển sinh")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = browser
        .post(
            &format!("/admin/agencies/{agency}/keys/{first}/revoke"),
            &[],
        )
        .await;
    assert!(redirected(&revoked).contains("done=key-revoked"));
    assert_eq!(read_me(&app, &key).await.0, Status::Unauthorized);
    assert_eq!(read_me(&app, &second_key).await.0, Status::Ok);
    let rows = app.audit_rows("api_key.issue").await;
    assert!(rows.iter().all(|row| !row.detail.contains(&second_key)));
});

async fn read_me(app: &TestApp, key: &str) -> (Status, serde_json::Value) {
    crate::common::read(
        app.client
            .get("/api/v1/me")
            .header(Header::new("X-Api-Key", key.to_owned()))
            .dispatch()
            .await,
    )
    .await
}

db_test!(the_audit_log_is_filtered_and_read_a_page_at_a_time, |app| {
    let (admin, token) = app.signed_in(Role::Admin, "quantri.nhatky").await;
    let browser = Browser::open(&app, &token).await;
    let first = new_office(&browser, "UBND Phường Nhật Tân").await;
    let second = new_office(&browser, "UBND Phường Quảng An").await;
    let saved = browser
        .post(
            &format!("/admin/offices/{second}/calendar"),
            &calendar_fields(&[("counters", "4")]),
        )
        .await;
    redirected(&saved);
    // Sixty rows of another kind, by nobody.
    app.db(|conn| {
        for n in 0..60 {
            let event = AuditEvent {
                action: "test.bulk",
                target: Some(format!("row-{n}")),
                office_id: None,
                detail: json!({ "n": n }),
            };
            audit::record(conn, None, event, None).unwrap();
        }
    })
    .await;

    // By actor (username), action kind and office.
    let page = browser
        .get("/admin/audit?actor=quantri.nhatky&action=office")
        .await;
    assert_eq!(page.status, Status::Ok, "{}", page.html);
    assert_eq!(page.html.matches("<code>office.create</code>").count(), 2);
    assert!(!page.html.contains("calendar.update") && !page.html.contains("test.bulk"));
    let page = browser.get(&format!("/admin/audit?office={second}")).await;
    assert!(page.html.contains("calendar.update"));
    assert!(page.html.contains("<code>office.create</code>"));
    assert!(!page.html.contains("test.bulk"));
    assert!(
        !page
            .html
            .contains(&format!("href=\"/admin/offices/{first}\">"))
    );
    // By id, the same as by username.
    let by_id = browser
        .get(&format!(
            "/admin/audit?actor={}&action=calendar.update",
            admin.id
        ))
        .await;
    assert_eq!(
        by_id.html.matches("<code>calendar.update</code>").count(),
        1
    );
    // Nobody by that name: nothing.
    let nobody = browser.get("/admin/audit?actor=khong.ai").await;
    assert!(
        nobody.html.contains("Không có dòng nào."),
        "{}",
        nobody.html
    );
    // Dates in Viet Nam: today has everything, yesterday nothing; a wrong date is 422.
    let today = certcopy::local_time::local_date(time::OffsetDateTime::now_utc()).unwrap();
    let day = |date: time::Date| certcopy::local_time::date_dmy(date);
    let page = browser
        .get(&format!(
            "/admin/audit?action=office.create&from={}&to={}",
            day(today),
            day(today)
        ))
        .await;
    assert_eq!(page.html.matches("<code>office.create</code>").count(), 2);
    let yesterday = today.previous_day().unwrap();
    let page = browser
        .get(&format!("/admin/audit?to={}", day(yesterday)))
        .await;
    assert!(page.html.contains("Không có dòng nào."));
    let wrong = browser.get("/admin/audit?from=32%2F13%2F2026").await;
    error_at(&wrong, Status::UnprocessableEntity, "from");

    // Newest first, fifty a page, then the older ones.
    let page = browser.get("/admin/audit?action=test.bulk").await;
    assert_eq!(page.html.matches("<code>test.bulk</code>").count(), 50);
    let newest = page.html.find("row-59").unwrap();
    assert!(newest < page.html.find("row-58").unwrap());
    let marker = "href=\"/admin/audit?action=test.bulk&amp;before=";
    let at = page.html.find(marker).expect("a link to older rows") + marker.len();
    let before: i64 = page.html[at..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let older = browser
        .get(&format!("/admin/audit?action=test.bulk&before={before}"))
        .await;
    assert_eq!(older.html.matches("<code>test.bulk</code>").count(), 10);
    assert!(older.html.contains("row-0") && !older.html.contains("row-10<"));
    assert!(!older.html.contains("&amp;before="), "no older page");

    // The API takes the same filters, and `limit`.
    let (status, rows) = app
        .get(
            "/api/v1/admin/audit?actor=quantri.nhatky&action=office.create",
            Some(&token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{rows}");
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");
    assert!(
        rows[0]["id"].as_i64() > rows[1]["id"].as_i64(),
        "newest first"
    );
    let (_, rows) = app
        .get(
            &format!("/api/v1/admin/audit?office={second}&action=calendar"),
            Some(&token),
        )
        .await;
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["action"], "calendar.update");
    let (_, rows) = app
        .get("/api/v1/admin/audit?action=test.bulk&limit=5", Some(&token))
        .await;
    assert_eq!(rows.as_array().unwrap().len(), 5);
    let last = rows[4]["id"].as_i64().unwrap();
    let (_, rows) = app
        .get(
            &format!("/api/v1/admin/audit?action=test.bulk&limit=100&before={last}"),
            Some(&token),
        )
        .await;
    assert_eq!(rows.as_array().unwrap().len(), 55);
    let (_, rows) = app
        .get(
            &format!("/api/v1/admin/audit?from={}&to={}", yesterday, yesterday),
            Some(&token),
        )
        .await;
    assert_eq!(rows, json!([]));
    let (status, _) = app
        .get("/api/v1/admin/audit?from=15/10/2026", Some(&token))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
    let (status, _) = app
        .get("/api/v1/admin/audit?office=not-an-id", Some(&token))
        .await;
    assert_eq!(status, Status::UnprocessableEntity);
});
