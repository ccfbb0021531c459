//! Issuing certified copies through the API: the copy is registered, stored, downloadable
//! by the right people only; failures injected at every step leave no visible copy and no
//! gap in the register.

use certcopy::db::models::{EntryStatus, Office, RegisterEntry, Role, User};
use certcopy::intake::ScanFile;
use certcopy::intake::synthetic::{synthetic_scan_jpeg, synthetic_scan_png};
use certcopy::registry::issuance::{FailMode, FailPoint, IssueError, IssueOptions, IssueRequest};
use rocket::http::{ContentType, Status};
use serde_json::Value;

use crate::common::{Backend, TestApp, assert_error, bearer, read};

/// A small A4 scan (100 dpi keeps tests fast; true size is still A4).
pub fn small_jpeg(page: u32) -> Vec<u8> {
    synthetic_scan_jpeg(page, 827, 1169, 100)
}

/// Multipart body with text fields and files.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (ContentType, Vec<u8>) {
    let boundary = "----certcopy-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (
        ContentType::new("multipart", "form-data").with_params(("boundary", boundary)),
        body,
    )
}

/// An office with an official (with development certificates) and the official's token.
pub async fn office_with_official(
    app: &TestApp,
    name: &str,
    username: &str,
) -> (Office, User, String) {
    let office = app.office(name).await;
    let official = app.user(Role::Official, username, Some(&office.id)).await;
    let core = app.app.clone();
    rocket::tokio::task::spawn_blocking(move || core.ensure_dev_pki().map(|_| ()))
        .await
        .unwrap()
        .expect("development certificates");
    let token = app.login(username).await;
    (office, official, token)
}

pub async fn post_issue(
    app: &TestApp,
    token: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (Status, Value) {
    let (content_type, body) = multipart(fields, files);
    read(
        app.client
            .post("/api/v1/copies")
            .header(content_type)
            .header(bearer(token))
            .body(body)
            .dispatch()
            .await,
    )
    .await
}

pub const FIELDS: &[(&str, &str)] = &[
    ("requester_name", "Nguyễn Văn An"),
    ("citizen_id", "079203001234"),
    ("document_title", "Bằng tốt nghiệp trung học phổ thông"),
    ("copies", "2"),
];

async fn issue_and_download(app: TestApp) {
    let (office, _official, token) =
        office_with_official(&app, "UBND Phường Bến Nghé", "lanhdao.bn").await;
    let (one, two) = (small_jpeg(1), small_jpeg(2));
    let (status, copy) = post_issue(
        &app,
        &token,
        FIELDS,
        &[("scans", "trang1.jpg", &one), ("scans", "trang2.jpg", &two)],
    )
    .await;
    assert_eq!(status, Status::Created, "{copy}");
    assert_eq!(copy["certification_number"], 1);
    assert_eq!(
        copy["book"],
        format!(
            "01/{}",
            time::OffsetDateTime::now_utc()
                .to_offset(time::macros::offset!(+7))
                .year()
        )
    );
    assert_eq!(copy["page_count"], 2);
    assert_eq!(copy["fee_vnd"], 8_000, "2 pages × 2,000 VND × 2 copies");
    let code = copy["code"].as_str().unwrap();
    assert_eq!(code.replace('-', "").len(), 20, "100-bit code");
    assert!(
        copy["verify_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/v/{code}"))
    );

    // The official's office downloads it; the bytes hash to the registered SHA-256.
    let download = copy["download_url"].as_str().unwrap().to_owned();
    let response = app
        .client
        .get(download.clone())
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::PDF));
    let pdf = response.into_bytes().await.unwrap();
    assert_eq!(
        certcopy::storage::Sha256Hex::of(&pdf).as_str(),
        copy["sha256"].as_str().unwrap()
    );

    // The citizen whose ID it carries sees it in their account and downloads it.
    let (_, citizen_token) = {
        let body = serde_json::json!({"full_name": "Nguyễn Văn An", "citizen_id": "079203001234", "phone": "0912345678", "password": "Hoa-sen-2026"});
        assert_eq!(
            app.post_json("/api/v1/auth/register", &body, None).await.0,
            Status::Accepted
        );
        let login = serde_json::json!({"login": "079203001234", "password": "Hoa-sen-2026"});
        let (_, session) = app.post_json("/api/v1/auth/login", &login, None).await;
        ((), session["token"].as_str().unwrap().to_owned())
    };
    // Once the ID is proven at the desk.
    app.verify_at_desk(&citizen_token, "079203001234").await;
    let (status, mine) = app.get("/api/v1/copies/mine", Some(&citizen_token)).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["id"], copy["id"]);
    let response = app
        .client
        .get(download.clone())
        .header(bearer(&citizen_token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);

    // Anyone else gets 404 (not 403: the copy's existence is not revealed), even a
    // citizen whose own ID is verified.
    let (stranger_user, stranger) = app.signed_in(Role::Citizen, "nguoi.la").await;
    app.mark_verified(stranger_user.citizen_id.as_deref().unwrap())
        .await;
    let (_, other_clerk) = app.signed_in(Role::Clerk, "canbo.khac").await;
    for token in [stranger, other_clerk] {
        let answer = read(
            app.client
                .get(download.clone())
                .header(bearer(&token))
                .dispatch()
                .await,
        )
        .await;
        assert_error(&answer, Status::NotFound, "copy_not_found");
    }

    // Only officials issue.
    let (_, clerk_token) = {
        let clerk = app.user(Role::Clerk, "canbo.bn", Some(&office.id)).await;
        (clerk, app.login("canbo.bn").await)
    };
    let answer = post_issue(&app, &clerk_token, FIELDS, &[("scans", "a.jpg", &one)]).await;
    assert_error(&answer, Status::Forbidden, "forbidden");

    // The official annuls it; it stays in the register as annulled.
    let (status, annulled) = app
        .post_json(
            &format!("/api/v1/copies/{}/annul", copy["id"].as_str().unwrap()),
            &serde_json::json!({"reason": "Cấp nhầm"}),
            Some(&token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{annulled}");
    assert_eq!(annulled["status"], "annulled");
}

#[rocket::async_test]
async fn issue_and_download_sqlite() {
    issue_and_download(TestApp::builder(Backend::Sqlite).build().await.unwrap()).await;
}

#[rocket::async_test]
async fn issue_and_download_postgres() {
    if let Some(app) = TestApp::builder(Backend::Postgres).build().await {
        issue_and_download(app).await;
    }
}

async fn bad_input_is_refused_without_using_a_number(app: TestApp) {
    let (office, _official, token) =
        office_with_official(&app, "UBND Phường Thử", "lanhdao.thu").await;
    let jpeg = small_jpeg(1);
    let truncated = &jpeg[..jpeg.len() / 2];
    let text_file = b"day khong phai anh".as_slice();
    type Case<'a> = (
        Vec<(&'a str, &'a str)>,
        Vec<(&'a str, &'a str, &'a [u8])>,
        Status,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            FIELDS.to_vec(),
            vec![("scans", "cut.jpg", truncated)],
            Status::UnprocessableEntity,
            "",
        ),
        (
            FIELDS.to_vec(),
            vec![("scans", "note.jpg", text_file)],
            Status::UnprocessableEntity,
            "",
        ),
        (FIELDS.to_vec(), vec![], Status::UnprocessableEntity, ""),
        (
            vec![
                ("requester_name", "Nguyễn Văn An"),
                ("citizen_id", "12345"),
                ("document_title", "Giấy khai sinh"),
            ],
            vec![("scans", "a.jpg", &jpeg)],
            Status::UnprocessableEntity,
            "invalid_citizen_id",
        ),
        (
            vec![
                ("requester_name", "Nguyễn Văn An"),
                ("citizen_id", "079203001234"),
                ("document_title", "X"),
                ("copies", "0"),
            ],
            vec![("scans", "a.jpg", &jpeg)],
            Status::UnprocessableEntity,
            "invalid_field",
        ),
    ];
    for (fields, files, status, code) in cases {
        let answer = post_issue(&app, &token, &fields, &files).await;
        assert_eq!(answer.0, status, "{}", answer.1);
        assert!(answer.1["error"]["code"].is_string(), "{}", answer.1);
        if !code.is_empty() {
            assert_eq!(answer.1["error"]["code"], code);
        }
        assert!(!answer.1["error"]["message_vi"].as_str().unwrap().is_empty());
    }
    let year = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .year();
    let book = app
        .db(move |conn| RegisterEntry::book(conn, &office.id, year).unwrap())
        .await;
    assert!(book.is_empty(), "refused input uses no number: {book:?}");
}

#[rocket::async_test]
async fn bad_input_is_refused_sqlite() {
    bad_input_is_refused_without_using_a_number(
        TestApp::builder(Backend::Sqlite).build().await.unwrap(),
    )
    .await;
}

#[rocket::async_test]
async fn bad_input_is_refused_postgres() {
    if let Some(app) = TestApp::builder(Backend::Postgres).build().await {
        bad_input_is_refused_without_using_a_number(app).await;
    }
}

pub fn request(scans: Vec<ScanFile>) -> IssueRequest {
    IssueRequest {
        requester_name: "Trần Thị Bình".into(),
        requester_citizen_id: "001099000111".into(),
        document_title: "Giấy khai sinh".into(),
        copies: 1,
        scans,
        placement: Default::default(),
    }
}

async fn injected_failures_leave_no_copy_and_no_gap(app: TestApp) {
    let (office, official, _) = office_with_official(&app, "UBND Phường Lỗi", "lanhdao.loi").await;
    let issuer = app.app.issuer();
    let scans = vec![ScanFile {
        name: "p1.png".into(),
        bytes: synthetic_scan_png(1, 600, 800, 100, false),
    }];
    let points = [
        FailPoint::AfterNumber,
        FailPoint::AfterAssembly,
        FailPoint::AfterOfficialSignature,
        FailPoint::AfterSealSignature,
        FailPoint::AfterStore,
    ];
    for mode in [FailMode::Error, FailMode::Crash] {
        for point in points {
            let options = IssueOptions {
                fail_at: Some((point, mode)),
                ..IssueOptions::default()
            };
            let outcome = issuer
                .issue(&official, request(scans.clone()), options, None)
                .await;
            assert!(
                matches!(outcome, Err(IssueError::Injected(p)) if p == point),
                "{point:?}: {outcome:?}"
            );
            if mode == FailMode::Crash {
                let pending = app
                    .db(|conn| {
                        use certcopy::db::schema::register_entries::dsl::*;
                        use diesel::prelude::*;
                        register_entries
                            .filter(status.eq("pending"))
                            .count()
                            .get_result::<i64>(conn)
                            .unwrap()
                    })
                    .await;
                assert!(pending >= 1, "a crash leaves the entry pending");
            }
        }
    }
    // A crash leaves its entry pending (invisible); the next start voids it.
    let voided = app
        .db(|conn| certcopy::registry::void_interrupted(conn, time::Duration::seconds(-1)).unwrap())
        .await;
    assert_eq!(voided, points.len());
    let issued = issuer
        .issue(&official, request(scans), IssueOptions::default(), None)
        .await
        .expect("issues after failures");
    assert_eq!(
        issued.entry.sequence, 11,
        "ten spoiled lines, then the good one"
    );

    let office_id = office.id.clone();
    let book = app
        .db(move |conn| RegisterEntry::book(conn, &office_id, issued.entry.year).unwrap())
        .await;
    assert_eq!(
        book.iter().map(|e| e.sequence).collect::<Vec<_>>(),
        (1..=11).collect::<Vec<_>>(),
        "no gaps"
    );
    for entry in &book[..10] {
        assert_eq!(entry.status(), EntryStatus::Void);
        assert!(entry.void_reason.as_deref().is_some_and(|r| !r.is_empty()));
        assert!(!entry.is_published());
        assert!(entry.document_sha256.is_none());
    }
    assert_eq!(book[10].status(), EntryStatus::Valid);
    let citizen = app
        .db(|conn| RegisterEntry::published_for_citizen(conn, "001099000111").unwrap())
        .await;
    assert_eq!(citizen.len(), 1, "only the good copy is visible");
}

#[rocket::async_test]
async fn injected_failures_sqlite() {
    injected_failures_leave_no_copy_and_no_gap(
        TestApp::builder(Backend::Sqlite).build().await.unwrap(),
    )
    .await;
}

#[rocket::async_test]
async fn injected_failures_postgres() {
    if let Some(app) = TestApp::builder(Backend::Postgres).build().await {
        injected_failures_leave_no_copy_and_no_gap(app).await;
    }
}
