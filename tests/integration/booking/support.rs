//! Fixtures for the booking tests: accounts with sessions made directly in the database
//! (no Argon2 on the hot path), a frozen clock, and the seat-count invariant.

use std::collections::HashMap;

use certcopy::booking::OfficeCalendarConfig;
use certcopy::db::DbConn;
use certcopy::db::ids::{OfficeId, UserId};
use certcopy::db::models::{Office, OfficeCalendarRow, Role, Session, User};
use certcopy::db::now_utc;
use certcopy::secrets::{new_secret_token, token_hash};
use diesel::Connection;
use rocket::http::{Header, Status};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::common::{TestApp, bearer};

/// Monday 2 March 2026, 06:00 in Hà Nội: an ordinary working week follows.
pub const MONDAY_6AM: OffsetDateTime = datetime!(2026-03-02 06:00 +7);

/// A signed-in account: its bearer token.
pub struct Person {
    pub token: String,
}

/// Inserts an account and a session for it; citizens get a citizen ID derived from `n`.
pub fn insert_person(conn: &mut DbConn, role: Role, n: u32, office: Option<&OfficeId>) -> Person {
    let id = UserId::generate();
    let user = User {
        id: id.clone(),
        role: role.as_str().to_owned(),
        full_name: format!("Nguyễn Văn Thử {n}"),
        citizen_id: (role == Role::Citizen).then(|| format!("0792{n:08}")),
        username: (role != Role::Citizen).then(|| format!("{}.{n}", role.as_str())),
        phone: None,
        email: None,
        // Never used to log in: sessions are made directly.
        password_hash: "$argon2id$unused".into(),
        office_id: office.cloned(),
        position: (role == Role::Official).then(|| "Phó Chủ tịch UBND phường".into()),
        disabled: false,
        created_at: now_utc(),
        identity_verified_at: None,
        identity_verified_via: None,
    };
    certcopy::db::models::User::insert(conn, &user).expect("insert account");
    let token = new_secret_token("");
    Session {
        id: token_hash(&token),
        user_id: id.clone(),
        created_at: now_utc(),
        expires_at: now_utc() + time::Duration::hours(12),
    }
    .insert(conn)
    .expect("insert session");
    Person { token }
}

/// One account of `role` (staff at `office`).
pub async fn person(app: &TestApp, role: Role, n: u32, office: Option<&OfficeId>) -> Person {
    let office = office.cloned();
    app.db(move |conn| insert_person(conn, role, n, office.as_ref()))
        .await
}

/// `count` citizens with sessions, numbered from `first`, in one transaction.
pub async fn citizens(app: &TestApp, first: u32, count: u32) -> Vec<Person> {
    app.db(move |conn| {
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            Ok((first..first + count)
                .map(|n| insert_person(conn, Role::Citizen, n, None))
                .collect())
        })
        .expect("citizens")
    })
    .await
}

/// An office with a saved calendar.
pub async fn office_with(app: &TestApp, name: &str, config: OfficeCalendarConfig) -> Office {
    let office = app.office(name).await;
    let id = office.id.clone();
    app.db(move |conn| {
        let json = serde_json::to_string(&config).expect("calendar JSON");
        OfficeCalendarRow::save(conn, &id, &json, None, now_utc()).expect("save calendar");
    })
    .await;
    office
}

/// `2026-03-03T09:00:00+07:00` from `2026-03-03 09:00`.
pub fn local(wall_clock: &str) -> String {
    format!("{}:00+07:00", wall_clock.replace(' ', "T"))
}

/// One simple document.
pub fn one_document() -> Value {
    json!([{ "title": "Giấy khai sinh", "pages": 1, "copies": 1 }])
}

/// `POST /api/v1/appointments`.
pub async fn book(
    app: &TestApp,
    token: &str,
    office: &OfficeId,
    wall_clock: &str,
    documents: Value,
) -> (Status, Value) {
    app.post_json(
        "/api/v1/appointments",
        &json!({ "office_id": office, "slot_start": local(wall_clock), "documents": documents }),
        Some(token),
    )
    .await
}

/// `PUT` with a JSON body.
pub async fn put_json(
    app: &TestApp,
    path: &str,
    body: &Value,
    token: Option<&str>,
) -> (Status, Value) {
    app.put_json(path, body, token).await
}

/// `GET` answering text: status, content type, the named header, body.
pub async fn get_text(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    header: &str,
) -> (Status, String, Option<String>, String) {
    let mut request = app.client.get(path.to_owned());
    if let Some(token) = token {
        request = request.header(bearer(token));
    }
    request = request.header(Header::new("Accept-Language", "en"));
    let response = request.dispatch().await;
    let status = response.status();
    let content_type = response
        .content_type()
        .map(|c| c.to_string())
        .unwrap_or_default();
    let named = response.headers().get_one(header).map(str::to_owned);
    let body = response.into_string().await.unwrap_or_default();
    (status, content_type, named, body)
}

/// Remaining seats of each listed slot of `office` on `date`, by local start `HH:MM`.
pub async fn remaining(app: &TestApp, office: &OfficeId, date: &str) -> HashMap<String, u64> {
    let (status, body) = app
        .get(
            &format!("/api/v1/offices/{office}/slots?from={date}&to={date}"),
            None,
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    body["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .map(|slot| {
            let local = slot["start_local"].as_str().expect("start_local");
            (
                local[11..16].to_owned(),
                slot["remaining"].as_u64().expect("remaining"),
            )
        })
        .collect()
}

/// The database invariant: each slot counter is within its capacity and equals the number
/// of the slot's appointments that are not cancelled. Answers the appointments counted.
pub fn assert_seats_consistent(conn: &mut DbConn, office: &OfficeId) -> usize {
    let report = certcopy::booking::store::seat_report(conn, office).expect("seat report");
    assert!(report.is_consistent(), "{report:?}");
    report.appointments
}

/// Audit actions recorded for `target`, oldest first.
pub fn audit_actions(conn: &mut DbConn, target: &str) -> Vec<String> {
    use certcopy::db::schema::audit_log;
    use diesel::prelude::*;
    audit_log::table
        .filter(audit_log::target.eq(target))
        .order(audit_log::id.asc())
        .select(audit_log::action)
        .load(conn)
        .expect("audit rows")
}

/// The first `count` bookable slot starts of `office` in the next 30 days, asked of the
/// real server on `port` (real clock).
pub fn bookable_slots(port: u16, office: &OfficeId, count: usize) -> Vec<String> {
    let today = OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .date();
    let (status, listing) = crate::common::http::http(
        port,
        "GET",
        &format!(
            "/api/v1/offices/{office}/slots?from={today}&to={}",
            today + time::Duration::days(30)
        ),
        None,
        "",
    )
    .expect("slot listing");
    assert_eq!(status, 200, "{listing}");
    let listing: Value = serde_json::from_str(&listing).expect("JSON");
    let starts: Vec<String> = listing["slots"]
        .as_array()
        .expect("slots")
        .iter()
        .take(count)
        .map(|slot| slot["start_local"].as_str().expect("start").to_owned())
        .collect();
    assert_eq!(
        starts.len(),
        count,
        "no bookable slot in the next 30 days (holiday data?)"
    );
    starts
}
