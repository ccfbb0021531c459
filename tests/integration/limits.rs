//! Bounded concurrent work: a full verification or issuance limit answers 503 with
//! `Retry-After` before any work; a deadline stops the work (no verdict; the number voided,
//! no blob); a caller that goes away stops the blocking work, and the permit comes back.

use std::time::{Duration, Instant};

use certcopy::db::models::{EntryStatus, RegisterEntry};
use certcopy::error::UserFacing;
use certcopy::intake::ScanFile;
use certcopy::registry::issuance::{FailPoint, IssueError, IssueOptions};
use certcopy::registry::verifying::{Requester, VerifyError};
use certcopy::work_limit::{CancelToken, WorkLimit};
use rocket::http::{ContentType, Status};
use serde_json::Value;

use crate::common::{Backend, TestApp, assert_error, bearer};
use crate::issuing::{FIELDS, multipart, office_with_official, request, small_jpeg};

/// A long pause that only a cancellation ends early.
const LONG: Duration = Duration::from_secs(60);

/// Status, `Retry-After` and JSON body of a response.
async fn answer(
    response: rocket::local::asynchronous::LocalResponse<'_>,
) -> (Status, Option<String>, Value) {
    let status = response.status();
    let retry_after = response.headers().get_one("Retry-After").map(str::to_owned);
    let text = response.into_string().await.unwrap_or_default();
    (
        status,
        retry_after,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// Waits until `limit` has all its permits back, for at most `within`.
async fn permits_back(limit: &WorkLimit, within: Duration) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if limit.available() == limit.settings().max_running {
            return true;
        }
        rocket::tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// Regular files under `dir` (the blob store), recursively.
fn files_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .map(|entry| {
                let path = entry.path();
                if path.is_dir() { files_under(&path) } else { 1 }
            })
            .sum()
    })
}

async fn app_with_one_slot(backend: Backend) -> Option<TestApp> {
    TestApp::builder(backend)
        .with_config(|c| {
            c.verify_max_concurrent = 1;
            c.verify_queue = 0;
            c.issue_max_concurrent = 1;
            c.issue_queue = 0;
            c.issue_queue_wait_ms = 2_000;
        })
        .build()
        .await
}

async fn full_limits_answer_503_with_retry_after(app: TestApp) {
    let (_, official, token) = office_with_official(&app, "UBND Phường Bận", "lanhdao.ban").await;
    let copy = app
        .app
        .issuer()
        .issue(
            &official,
            request(vec![ScanFile {
                name: "1.jpg".into(),
                bytes: small_jpeg(1),
            }]),
            IssueOptions::default(),
            None,
        )
        .await
        .expect("issued while idle");

    // Every verification slot taken: an upload is refused at once, before any work.
    let holder = CancelToken::with_deadline(LONG);
    let held = app
        .app
        .work
        .verify
        .acquire(&holder)
        .await
        .expect("free slot");
    let started = Instant::now();
    let refused = answer(
        app.client
            .post("/api/v1/verifications")
            .header(ContentType::PDF)
            .body(copy.pdf.clone())
            .dispatch()
            .await,
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_error(
        &(refused.0, refused.2.clone()),
        Status::ServiceUnavailable,
        "service_busy",
    );
    assert_eq!(
        refused.1.as_deref(),
        Some("1"),
        "Retry-After: the queue wait, rounded up"
    );
    drop(held);
    let served = answer(
        app.client
            .post("/api/v1/verifications")
            .header(ContentType::PDF)
            .body(copy.pdf.clone())
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(served.0, Status::Ok, "{}", served.2);
    assert_eq!(served.2["verdict"], "TOTAL_PASSED");

    // Every issuance slot taken: the official's request is refused with nothing written.
    let before = app.db(|conn| RegisterEntry::count(conn).unwrap()).await;
    let held = app
        .app
        .work
        .issue
        .acquire(&holder)
        .await
        .expect("free slot");
    let scan = small_jpeg(1);
    let (content_type, body) = multipart(FIELDS, &[("scans", "1.jpg", &scan)]);
    let refused = answer(
        app.client
            .post("/api/v1/copies")
            .header(content_type)
            .header(bearer(&token))
            .body(body)
            .dispatch()
            .await,
    )
    .await;
    assert_error(
        &(refused.0, refused.2.clone()),
        Status::ServiceUnavailable,
        "service_busy",
    );
    assert_eq!(refused.1.as_deref(), Some("2"));
    let after = app.db(|conn| RegisterEntry::count(conn).unwrap()).await;
    assert_eq!(before, after, "no number taken");
    drop(held);
    let issued =
        crate::issuing::post_issue(&app, &token, FIELDS, &[("scans", "1.jpg", &scan)]).await;
    assert_eq!(issued.0, Status::Created, "{}", issued.1);
}

#[rocket::async_test]
async fn full_limits_answer_503_sqlite() {
    full_limits_answer_503_with_retry_after(app_with_one_slot(Backend::Sqlite).await.unwrap())
        .await;
}

#[rocket::async_test]
async fn full_limits_answer_503_postgres() {
    if let Some(app) = app_with_one_slot(Backend::Postgres).await {
        full_limits_answer_503_with_retry_after(app).await;
    }
}

async fn deadline_and_departure_stop_verification(app: TestApp) {
    let pdf = {
        let (_, official, _) = office_with_official(&app, "UBND Phường Hạn", "lanhdao.han").await;
        app.app
            .issuer()
            .issue(
                &official,
                request(vec![ScanFile {
                    name: "1.jpg".into(),
                    bytes: small_jpeg(1),
                }]),
                IssueOptions::default(),
                None,
            )
            .await
            .expect("issued")
            .pdf
    };
    let limit = app.app.work.verify.clone();

    // The deadline passes while the work runs: no verdict, 503, and the permit is back.
    let mut service = app.app.verifier();
    service.deadline = Duration::from_millis(300);
    service.test_pause = Some(LONG);
    let admitted = service.admit(Requester::Operator).await.unwrap();
    let started = Instant::now();
    let outcome = service.verify(&admitted, pdf.clone(), None).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let error = outcome.expect_err("stopped at the deadline");
    assert!(matches!(error, VerifyError::Deadline(_)), "{error:?}");
    let public = error.public();
    assert_eq!((public.status, public.code), (503, "verification_deadline"));
    assert_eq!(public.retry_after_secs, Some(1));
    assert!(permits_back(&limit, Duration::from_secs(1)).await);

    // The caller goes away (its future is dropped): the blocking work stops at its next
    // check and the permit returns long before the pause or the deadline would end.
    let mut service = app.app.verifier();
    service.deadline = LONG * 2;
    service.test_pause = Some(LONG);
    let admitted = service.admit(Requester::Operator).await.unwrap();
    let caller = rocket::tokio::spawn(async move { service.verify(&admitted, pdf, None).await });
    let end = Instant::now() + Duration::from_secs(10);
    while limit.available() == limit.settings().max_running && Instant::now() < end {
        rocket::tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        limit.available() < limit.settings().max_running,
        "the work holds a permit"
    );
    caller.abort();
    assert!(caller.await.unwrap_err().is_cancelled());
    assert!(
        permits_back(&limit, Duration::from_secs(2)).await,
        "the blocking work ended and gave its permit back"
    );
}

#[rocket::async_test]
async fn deadline_and_departure_stop_verification_sqlite() {
    deadline_and_departure_stop_verification(
        TestApp::builder(Backend::Sqlite).build().await.unwrap(),
    )
    .await;
}

#[rocket::async_test]
async fn deadline_and_departure_stop_verification_postgres() {
    if let Some(app) = TestApp::builder(Backend::Postgres).build().await {
        deadline_and_departure_stop_verification(app).await;
    }
}

/// The entries of the register, oldest first.
async fn entries(app: &TestApp) -> Vec<RegisterEntry> {
    app.db(|conn| {
        use certcopy::db::schema::register_entries::dsl::*;
        use diesel::prelude::*;
        register_entries
            .order(sequence.asc())
            .select(RegisterEntry::as_select())
            .load::<RegisterEntry>(conn)
            .unwrap()
    })
    .await
}

async fn deadline_and_departure_stop_issuance(app: TestApp) {
    let (_, official, _) = office_with_official(&app, "UBND Phường Dừng", "lanhdao.dung").await;
    let blobs = app.app.config.blob_dir.clone();
    let limit = app.app.work.issue.clone();
    let scans = vec![ScanFile {
        name: "1.jpg".into(),
        bytes: small_jpeg(1),
    }];

    // The deadline passes after the number was allocated and the PDF assembled: the
    // issuance stops, its number is a void line, and no blob is written.
    let mut issuer = app.app.issuer();
    issuer.deadline = Duration::from_millis(400);
    let options = IssueOptions {
        pause_at: Some((FailPoint::AfterAssembly, LONG)),
        ..IssueOptions::default()
    };
    let started = Instant::now();
    let outcome = issuer
        .issue(&official, request(scans.clone()), options, None)
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let error = outcome.expect_err("stopped at the deadline");
    assert!(matches!(error, IssueError::Deadline(_)), "{error:?}");
    assert_eq!((error.status(), error.code()), (503, "issuance_deadline"));
    assert_eq!(error.public().retry_after_secs, Some(1));
    let book = entries(&app).await;
    assert_eq!(book.len(), 1);
    assert_eq!(book[0].status(), EntryStatus::Void);
    assert!(
        book[0]
            .void_reason
            .as_deref()
            .is_some_and(|r| r.contains("issuance_deadline"))
    );
    assert_eq!(files_under(&blobs), 0, "no blob");
    assert!(permits_back(&limit, Duration::from_secs(1)).await);

    // The caller goes away while the official's signature is being made: the work stops,
    // its number is voided (not left pending), no blob, the permit comes back.
    let issuer = app.app.issuer();
    let options = IssueOptions {
        pause_at: Some((FailPoint::AfterOfficialSignature, LONG)),
        ..IssueOptions::default()
    };
    let signer = official.clone();
    let caller = rocket::tokio::spawn(async move {
        issuer
            .issue(&signer, request(scans), options, None)
            .await
            .map(|_| ())
    });
    let end = Instant::now() + Duration::from_secs(20);
    while entries(&app).await.len() < 2 && Instant::now() < end {
        rocket::tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        entries(&app).await.len(),
        2,
        "the second issuance took its number"
    );
    caller.abort();
    assert!(caller.await.unwrap_err().is_cancelled());
    assert!(
        permits_back(&limit, Duration::from_secs(3)).await,
        "the work ended and gave its permit back"
    );
    let book = entries(&app).await;
    assert_eq!(
        book[1].status(),
        EntryStatus::Void,
        "{:?}",
        book[1].void_reason
    );
    assert!(
        book[1]
            .void_reason
            .as_deref()
            .is_some_and(|r| r.contains("issuance_cancelled"))
    );
    assert_eq!(files_under(&blobs), 0, "no blob");
}

#[rocket::async_test]
async fn deadline_and_departure_stop_issuance_sqlite() {
    deadline_and_departure_stop_issuance(TestApp::builder(Backend::Sqlite).build().await.unwrap())
        .await;
}

#[rocket::async_test]
async fn deadline_and_departure_stop_issuance_postgres() {
    if let Some(app) = TestApp::builder(Backend::Postgres).build().await {
        deadline_and_departure_stop_issuance(app).await;
    }
}

/// Sends a verification request's head declaring `declared` bytes, then `prefix` of the
/// body, and leaves the connection open. (Rocket reads the first 14 bytes of every body
/// before routing, so a prefix at least that long lets the request reach its guards.)
fn upload_head(port: u16, declared: usize, prefix: &[u8]) -> std::net::TcpStream {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("read timeout");
    write!(
        stream,
        "POST /api/v1/verifications HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Type: application/pdf\r\nContent-Length: {declared}\r\n\r\n"
    )
    .expect("head sent");
    stream.write_all(prefix).expect("body prefix sent");
    stream
}

/// The first bytes of an upload whose rest is never sent.
const PREFIX: &[u8] = b"%PDF-1.7\n%unsent rest\n";

/// Status, `Retry-After` and JSON body of the answer on `stream`.
fn upload_answer(mut stream: std::net::TcpStream) -> (u16, Option<String>, Value) {
    use std::io::Read;
    let mut raw = Vec::new();
    // The server may close while part of the declared body is unsent: read what came.
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let retry_after = head
        .lines()
        .find_map(|line| {
            line.strip_prefix("retry-after: ")
                .or(line.strip_prefix("Retry-After: "))
        })
        .map(str::to_owned);
    (
        status,
        retry_after,
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

/// On a real server: a body declared over the limit is refused at once, unread; uploads
/// reserve their declared size in the byte budget before being read, and one that finds
/// no room is refused (503 with `Retry-After`) while another holds it; a sender too slow
/// for the read deadline is stopped (408) and its share returns.
#[test]
fn upload_bodies_are_bounded_before_they_are_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = crate::common::server::Instance::start(
        dir.path(),
        &[
            ("CERTCOPY_MAX_UPLOAD_MB", "1".into()),
            ("CERTCOPY_UPLOAD_BUDGET_MB", "1".into()),
            ("CERTCOPY_UPLOAD_READ_TIMEOUT_SECS", "2".into()),
            ("CERTCOPY_VERIFY_QUEUE_WAIT_MS", "300".into()),
            ("CERTCOPY_PUBLIC_VERIFY_PER_MINUTE", "100".into()),
        ],
    );
    let port = server.port;

    // Over the 1 MB limit by its Content-Length: 413 before the rest of it is sent.
    let started = Instant::now();
    let (status, _, body) = upload_answer(upload_head(port, 5_000_000, PREFIX));
    assert_eq!(status, 413, "{body} {}", server.log_text());
    assert_eq!(body["error"]["code"], "payload_too_large");
    assert!(started.elapsed() < Duration::from_secs(2));

    // A slow sender declares 900 KB, sends 1 KB and stalls: it holds most of the budget.
    let slow_started = Instant::now();
    let slow = upload_head(port, 900_000, &[b'%'; 1_000]);
    std::thread::sleep(Duration::from_millis(300));
    // Another upload of 300 KB finds no room: refused after the short wait, unread.
    let started = Instant::now();
    let (status, retry_after, body) = upload_answer(upload_head(port, 300_000, PREFIX));
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "service_busy");
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert!(started.elapsed() < Duration::from_secs(2));

    // The slow sender is stopped at the 2 s read deadline.
    let (status, _, body) = upload_answer(slow);
    assert_eq!(status, 408, "{body}");
    assert_eq!(body["error"]["code"], "upload_too_slow");
    assert!(
        body["error"]["message_vi"]
            .as_str()
            .unwrap_or("")
            .contains("2 giây")
    );
    let waited = slow_started.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(10),
        "{waited:?}"
    );

    // Its share is back: the same 300 KB upload is now read and verified (not a PDF).
    let mut not_a_pdf = vec![b'x'; 300_000];
    not_a_pdf[..5].copy_from_slice(b"hello");
    let (status, _, body) = upload_answer(upload_head(port, not_a_pdf.len(), &not_a_pdf));
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "not_a_pdf");
    let log = server.log_text();
    assert!(log.contains("upload budget is spent"), "{log}");
    assert!(log.contains("did not arrive in time"), "{log}");
}
