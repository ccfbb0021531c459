//! Annulment notices to agencies, on SQLite and PostgreSQL, against a real HTTP receiver on
//! loopback started by the test: the notice is written to the outbox in the annulment's
//! transaction; while the receiver is down it is retried with back-off; a receiver error
//! is retried with the same idempotency key (the receiver keeps one); the signature is
//! HMAC-SHA256 of the timestamp and the body with the agency's secret; two senders at once
//! (two instances) send a due notice once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use certcopy::db::models::Role;
use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};

use crate::booking::support::person;
use crate::common::http::free_port;
use crate::common::{TestApp, read};
use crate::db_test;
use crate::issuing::{FIELDS, office_with_official, post_issue, small_jpeg};

/// One request the receiver got: its headers (lower-case names) and body.
#[derive(Clone, Debug)]
struct Received {
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// A loopback HTTP receiver: records every request; answers 500 to the first `fail_first`.
fn receiver(port: u16, fail_first: usize) -> Arc<Mutex<Vec<Received>>> {
    let got = Arc::new(Mutex::new(Vec::new()));
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("receiver port");
    let record = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            reader.read_line(&mut line).unwrap_or(0);
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.trim_end().split_once(':') {
                    headers.push((name.trim().to_lowercase(), value.trim().to_owned()));
                }
            }
            let length: usize = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap_or(());
            let count = {
                let mut list = record.lock().unwrap();
                list.push(Received {
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                list.len()
            };
            let status = if count <= fail_first {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    got
}

async fn as_agency(
    app: &TestApp,
    key: &str,
    method: &str,
    path: &str,
    body: &Value,
) -> (Status, Value) {
    let request = match method {
        "PUT" => app.client.put(path.to_owned()),
        _ => app.client.post(path.to_owned()),
    };
    read(
        request
            .header(ContentType::JSON)
            .header(Header::new("X-Api-Key", key.to_owned()))
            .body(body.to_string())
            .dispatch()
            .await,
    )
    .await
}

/// Makes every waiting delivery due now (as if its back-off had passed).
async fn make_due(app: &TestApp) {
    app.db(|conn| {
        use certcopy::db::schema::webhook_deliveries::dsl::*;
        use diesel::prelude::*;
        diesel::update(webhook_deliveries.filter(delivered_at.is_null()))
            .set(next_attempt_at.eq(certcopy::db::now_utc() - time::Duration::seconds(1)))
            .execute(conn)
            .unwrap();
        // The job runner sends them: its jobs are what becomes due.
        use certcopy::db::schema::jobs::dsl as j;
        diesel::update(j::jobs.filter(j::kind.eq("webhook.deliver")))
            .set(j::run_at.eq(certcopy::db::now_utc() - time::Duration::seconds(1)))
            .execute(conn)
            .unwrap();
    })
    .await;
}

async fn deliveries(app: &TestApp) -> Vec<(i32, bool, Option<String>)> {
    app.db(|conn| {
        use certcopy::db::schema::webhook_deliveries::dsl::*;
        use diesel::prelude::*;
        webhook_deliveries
            .order(created_at.asc())
            .select((attempts, delivered_at.is_not_null(), last_error))
            .load(conn)
            .unwrap()
    })
    .await
}

db_test!(annulment_notices_reach_agencies_at_least_once, |app| {
    let (_office, _, official) = office_with_official(&app, "UBND Phường Báo", "lanhdao.bao").await;
    let admin = person(&app, Role::Admin, 93, None).await;
    let (_, agency) = app
        .post_json(
            "/api/v1/admin/agencies",
            &json!({"name": "Sở Nội vụ", "username": "so.noivu"}),
            Some(&admin.token),
        )
        .await;
    let key = agency["api_key"].as_str().unwrap().to_owned();
    let (_, first) = post_issue(
        &app,
        &official,
        FIELDS,
        &[("scans", "a.jpg", &small_jpeg(1))],
    )
    .await;
    let (_, second) = post_issue(
        &app,
        &official,
        FIELDS,
        &[("scans", "b.jpg", &small_jpeg(2))],
    )
    .await;
    let (_, dossier) = as_agency(
        &app,
        &key,
        "POST",
        "/api/v1/dossiers",
        &json!({"reference": "TD-0042", "procedure": "Tuyển dụng công chức", "applicant_name": "Trần Văn Bình"}),
    )
    .await;
    let documents = format!(
        "/api/v1/dossiers/{}/documents",
        dossier["id"].as_str().unwrap()
    );
    for copy in [&first, &second] {
        let (status, _) = as_agency(
            &app,
            &key,
            "POST",
            &documents,
            &json!({"verification_code": copy["code"]}),
        )
        .await;
        assert_eq!(status, Status::Created);
    }

    // The webhook, at a port nobody listens on yet.
    let port = free_port();
    let (status, hook) = as_agency(
        &app,
        &key,
        "PUT",
        "/api/v1/agency/webhook",
        &json!({"url": format!("http://127.0.0.1:{port}/certcopy")}),
    )
    .await;
    assert_eq!(status, Status::Ok, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let (status, _) = as_agency(
        &app,
        &key,
        "PUT",
        "/api/v1/agency/webhook",
        &json!({"url": "ftp://x"}),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity);
    // The refused change kept the first setting.
    let http = openidconnect::reqwest::Client::new();

    // Annulled: the notice is in the outbox with the annulment.
    let annul = |copy: &Value| format!("/api/v1/copies/{}/annul", copy["id"].as_str().unwrap());
    let (status, _) = app
        .post_json(
            &annul(&first),
            &json!({"reason": "Giấy tờ giả"}),
            Some(&official),
        )
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(deliveries(&app).await.len(), 1);

    // Receiver down: not delivered, tried again later.
    let sent = certcopy::webhooks::deliver_due(&app.app, &http)
        .await
        .unwrap();
    assert_eq!(sent, 0);
    let state = deliveries(&app).await;
    assert_eq!(state[0].0, 1);
    assert!(!state[0].1);
    assert!(
        state[0].2.as_deref().unwrap_or("").contains("not reached"),
        "{state:?}"
    );
    // Not due before its back-off.
    assert_eq!(
        certcopy::webhooks::deliver_due(&app.app, &http)
            .await
            .unwrap(),
        0
    );
    assert_eq!(deliveries(&app).await[0].0, 1);

    // The receiver comes up, fails once, then takes it: the same key twice, kept once.
    let got = receiver(port, 1);
    make_due(&app).await;
    assert_eq!(
        certcopy::webhooks::deliver_due(&app.app, &http)
            .await
            .unwrap(),
        0
    );
    make_due(&app).await;
    assert_eq!(
        certcopy::webhooks::deliver_due(&app.app, &http)
            .await
            .unwrap(),
        1
    );
    let received = got.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    let keys: std::collections::BTreeSet<String> = received
        .iter()
        .map(|r| r.header("idempotency-key"))
        .collect();
    assert_eq!(keys.len(), 1, "one notice, sent twice with one key");
    let notice: Value = serde_json::from_str(&received[1].body).unwrap();
    assert_eq!(notice["event"], "copy.annulled");
    assert_eq!(notice["copy_id"], first["id"]);
    assert_eq!(notice["annulled_reason"], "Giấy tờ giả");
    assert_eq!(notice["dossiers"][0]["reference"], "TD-0042");
    // The signature checks with the secret, and not with another.
    let timestamp: i64 = received[1].header("x-certcopy-timestamp").parse().unwrap();
    assert!((time::OffsetDateTime::now_utc().unix_timestamp() - timestamp).abs() < 60);
    assert_eq!(
        received[1].header("x-certcopy-signature"),
        certcopy::webhooks::signature(&secret, timestamp, &received[1].body)
    );
    assert_ne!(
        received[1].header("x-certcopy-signature"),
        certcopy::webhooks::signature("whsec_other", timestamp, &received[1].body)
    );
    assert_eq!(deliveries(&app).await[0], (3, true, None));
    // Delivered: never sent again.
    make_due(&app).await;
    assert_eq!(
        certcopy::webhooks::deliver_due(&app.app, &http)
            .await
            .unwrap(),
        0
    );
    assert_eq!(got.lock().unwrap().len(), 2);

    // Two senders at once (two instances on one database): the notice goes out once.
    let (status, _) = app
        .post_json(
            &annul(&second),
            &json!({"reason": "Cấp nhầm"}),
            Some(&official),
        )
        .await;
    assert_eq!(status, Status::Ok);
    let (a, b) = rocket::tokio::join!(
        certcopy::webhooks::deliver_due(&app.app, &http),
        certcopy::webhooks::deliver_due(&app.app, &http)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(got.lock().unwrap().len(), 3);
});

#[test]
fn back_off_doubles_up_to_an_hour() {
    use certcopy::webhooks::backoff;
    assert_eq!(backoff(1).whole_seconds(), 2);
    assert_eq!(backoff(2).whole_seconds(), 4);
    assert_eq!(backoff(5).whole_seconds(), 32);
    assert_eq!(backoff(40).whole_seconds(), 3_600);
}

/// A serving instance killed while its notice is on the wire: the notice stays in the
/// outbox under its lease, and the next instance sends it (same idempotency key) once the
/// lease has passed.
#[test]
fn a_notice_survives_the_death_of_its_sender() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    let runtime = rocket::tokio::runtime::Runtime::new().unwrap();
    let app = runtime
        .block_on(TestApp::builder(crate::common::Backend::Sqlite).build())
        .unwrap();
    let port = free_port();
    let (key, official) = runtime.block_on(async {
        let (_office, _, official) = office_with_official(&app, "UBND Phường Chết", "lanhdao.chet").await;
        let admin = person(&app, Role::Admin, 94, None).await;
        let (_, agency) = app
            .post_json(
                "/api/v1/admin/agencies",
                &json!({"name": "Sở Y tế", "username": "so.yte"}),
                Some(&admin.token),
            )
            .await;
        let key = agency["api_key"].as_str().unwrap().to_owned();
        let (_, copy) = post_issue(&app, &official, FIELDS, &[("scans", "a.jpg", &small_jpeg(1))]).await;
        let (_, dossier) = as_agency(
            &app,
            &key,
            "POST",
            "/api/v1/dossiers",
            &json!({"reference": "YT-1", "procedure": "Cấp chứng chỉ hành nghề", "applicant_name": "Lê Thị C"}),
        )
        .await;
        let documents = format!("/api/v1/dossiers/{}/documents", dossier["id"].as_str().unwrap());
        as_agency(&app, &key, "POST", &documents, &json!({"verification_code": copy["code"]})).await;
        as_agency(
            &app,
            &key,
            "PUT",
            "/api/v1/agency/webhook",
            &json!({"url": format!("http://127.0.0.1:{port}/")}),
        )
        .await;
        let (status, _) = app
            .post_json(
                &format!("/api/v1/copies/{}/annul", copy["id"].as_str().unwrap()),
                &json!({"reason": "Thu hồi"}),
                Some(&official),
            )
            .await;
        assert_eq!(status, Status::Ok);
        (key, official)
    });
    drop((key, official));

    // A receiver that keeps the first request without answering, then answers.
    let answer = Arc::new(AtomicBool::new(false));
    let got: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let (answer, got) = (answer.clone(), got.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut key = String::new();
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                    if let Some(value) = line.to_lowercase().strip_prefix("idempotency-key:") {
                        key = value.trim().to_owned();
                    }
                    line.clear();
                }
                got.lock().unwrap().push(key);
                if answer.load(Ordering::SeqCst) {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                } else {
                    std::thread::spawn(move || {
                        std::thread::sleep(Duration::from_secs(30));
                        drop(stream);
                    });
                }
            }
        });
    }
    let database = app.app.config.database_url.clone();
    let settings = |dir: &str| {
        (
            app.dir.join(dir),
            vec![
                ("CERTCOPY_DATABASE_URL", database.clone()),
                ("CERTCOPY_WEBHOOK_TIMEOUT_SECS", "3".to_owned()),
            ],
        )
    };
    let delivered = || {
        runtime.block_on(app.db(|conn| {
            use certcopy::db::schema::webhook_deliveries::dsl::*;
            use diesel::prelude::*;
            webhook_deliveries
                .filter(delivered_at.is_not_null())
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        }))
    };

    let (dir, env) = settings("first");
    let first = crate::common::server::Instance::start(&dir, &env);
    let deadline = Instant::now() + Duration::from_secs(20);
    while got.lock().unwrap().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the first instance sent nothing: {}",
            first.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(first); // killed while waiting for the answer
    assert_eq!(delivered(), 0);

    answer.store(true, Ordering::SeqCst);
    let (dir, env) = settings("second");
    let second = crate::common::server::Instance::start(&dir, &env);
    let deadline = Instant::now() + Duration::from_secs(40);
    while delivered() == 0 {
        assert!(
            Instant::now() < deadline,
            "the second instance did not deliver: {}",
            second.log_text()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let keys = got.lock().unwrap().clone();
    assert!(keys.len() >= 2, "{keys:?}");
    assert!(
        keys.iter().all(|k| k == &keys[0] && !k.is_empty()),
        "one key: {keys:?}"
    );
    drop(second);
}
