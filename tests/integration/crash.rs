//! Kill the real server (SIGKILL) in the middle of a burst of admin requests, restart it,
//! and check nothing is half-written: every staff account has its audit row and every
//! audit row its account, the database passes its integrity check, and a partial blob
//! left by an interrupted write is swept before serving.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use certcopy::db::Db;
use diesel::prelude::*;

use crate::common::http::{free_port, http};
use crate::common::server::Instance;

struct Server {
    child: Child,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    fn start(dir: &Path, port: u16) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_certcopy"))
            .arg("serve")
            .current_dir(dir)
            .env("CERTCOPY_PORT", port.to_string())
            .env("CERTCOPY_DEV_PKI", "false")
            .env("CERTCOPY_LOG", "info")
            .env_remove("CERTCOPY_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("server binary starts");
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push_str(&line);
                sink.lock().unwrap().push('\n');
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok((200, _)) = http(port, "GET", "/api/v1/health", None, "") {
                return Server { child, log };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("server did not answer: {}", log.lock().unwrap());
    }

    fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL: no graceful shutdown
        self.child.wait().unwrap();
    }
}

/// The demo admin's password from `{data_dir}/demo-accounts.txt`, which must be private to
/// its owner; the log must not hold it.
fn demo_admin_password(data_dir: &std::path::Path, log: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = data_dir.join("demo-accounts.txt");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{} is private", path.display());
    let text = std::fs::read_to_string(&path).unwrap();
    let password = text
        .lines()
        .find(|l| l.contains("login: admin"))
        .and_then(|l| l.split("password: ").nth(1))
        .map(|p| p.trim().to_owned())
        .expect("demo admin password in the demo accounts file");
    assert!(
        log.contains("demo-accounts.txt"),
        "the log says where: {log}"
    );
    assert!(!log.contains(&password), "no password in the log");
    password
}

#[test]
fn sigkill_mid_burst_leaves_no_half_written_state() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = Server::start(dir.path(), port);
    let password = demo_admin_password(&dir.path().join("data"), &server.log.lock().unwrap());
    let (status, body) = http(
        port,
        "POST",
        "/api/v1/auth/login",
        None,
        &format!(r#"{{"login":"admin","password":"{password}"}}"#),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let token: String = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, office) = http(port, "GET", "/api/v1/me", Some(&token), "").unwrap();
    assert!(office.contains("admin"));
    let office_id = {
        let db = Db::open(dir.path().join("data/certcopy.db").to_str().unwrap(), 1).unwrap();
        let mut conn = db.get().unwrap();
        certcopy::db::models::Office::list(&mut conn).unwrap()[0]
            .id
            .to_string()
    };

    // A burst of staff creations from several threads; the server is killed mid-way.
    let mut workers = Vec::new();
    for worker in 0..4 {
        let token = token.clone();
        let office_id = office_id.clone();
        workers.push(std::thread::spawn(move || {
            for n in 0..40 {
                let body = format!(
                    r#"{{"role":"clerk","username":"canbo.w{worker}n{n}","full_name":"Cán Bộ Thử","office_id":"{office_id}","password":"Can-bo-2026x"}}"#
                );
                if http(port, "POST", "/api/v1/admin/staff", Some(&token), &body).is_err() {
                    break;
                }
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(700));
    server.kill();
    for worker in workers {
        worker.join().unwrap();
    }

    // A write interrupted before its rename leaves a staging file; plant one.
    let staging_dir = dir.path().join("data/blobs/sha256/ab");
    std::fs::create_dir_all(&staging_dir).unwrap();
    let partial = staging_dir.join(format!("{}#1", "ab".repeat(32)));
    std::fs::write(&partial, b"%PDF-1.7 half").unwrap();

    let server = Server::start(dir.path(), port);
    assert!(!partial.exists(), "partial blob swept on start");
    assert!(server.log.lock().unwrap().contains("removed partial blobs"));
    assert!(
        !server.log.lock().unwrap().contains("DEMO ACCOUNTS"),
        "demo accounts are seeded only once"
    );
    server.kill();

    let db = Db::open(dir.path().join("data/certcopy.db").to_str().unwrap(), 1).unwrap();
    let mut conn = db.get().unwrap();
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut *conn)
        .unwrap();
    assert_eq!(check[0].integrity_check, "ok");

    use certcopy::db::schema::{audit_log, users};
    let clerks: Vec<String> = users::table
        .filter(users::role.eq("clerk"))
        .filter(users::username.like("canbo.w%"))
        .select(users::id)
        .load(&mut *conn)
        .unwrap();
    let audited: Vec<Option<String>> = audit_log::table
        .filter(audit_log::action.eq("staff.create"))
        .select(audit_log::target)
        .load(&mut *conn)
        .unwrap();
    let mut clerks_sorted = clerks.clone();
    clerks_sorted.sort();
    let mut audited: Vec<String> = audited.into_iter().flatten().collect();
    audited.sort();
    assert!(
        !clerks.is_empty(),
        "some requests completed before the kill"
    );
    assert!(clerks.len() < 160, "the kill interrupted the burst");
    assert_eq!(
        clerks_sorted, audited,
        "every account has its audit row and no audit row lacks its account"
    );
}

/// The password of a demo account, from `{data_dir}/demo-accounts.txt`.
fn demo_password(data_dir: &Path, login: &str) -> String {
    std::fs::read_to_string(data_dir.join("demo-accounts.txt"))
        .unwrap()
        .lines()
        .find(|l| {
            l.contains(&format!("login: {login} ")) || l.ends_with(&format!("login: {login}"))
        })
        .and_then(|l| l.split("password: ").nth(1))
        .map(|p| p.trim().to_owned())
        .unwrap_or_else(|| panic!("demo password of {login}"))
}

fn login(port: u16, data_dir: &Path, login: &str) -> String {
    let password = demo_password(data_dir, login);
    let (status, body) = http(
        port,
        "POST",
        "/api/v1/auth/login",
        None,
        &format!(r#"{{"login":"{login}","password":"{password}"}}"#),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Walk-ins at the demo office, made through the library on the stopped server's
/// database with the booking clock on a Monday morning (a walk-in takes a seat of today):
/// each opens two certification requests. Answers the new requests' ids.
fn walk_ins(db_path: &Path, round: u32, count: u32) -> Vec<String> {
    use certcopy::booking::BookingContext;
    use certcopy::booking::store::{WalkIn, walk_in};
    use certcopy::db::models::{CertificationRequest, User};
    use certcopy::fees::DocumentRequest;
    let db = Db::open(db_path.to_str().unwrap(), 1).unwrap();
    let mut conn = db.get().unwrap();
    let clerk = User::find_all_by_login(&mut conn, "canbo.bennghe", 1).unwrap()[0].clone();
    let ctx = BookingContext::new();
    ctx.clock.freeze(
        time::macros::datetime!(2026-03-02 09:05 +7) + time::Duration::days(7 * i64::from(round)),
    );
    let mut ids = Vec::new();
    for n in 0..count {
        let request = WalkIn {
            full_name: "Phạm Văn Đức".into(),
            citizen_id: format!("0792000{:02}{:03}", round, n),
            documents: vec![
                DocumentRequest {
                    title: "Giấy khai sinh".into(),
                    pages: 1,
                    copies: 1,
                },
                DocumentRequest {
                    title: "Đơn tự viết".into(),
                    pages: 1,
                    copies: 1,
                },
            ],
            slot_start: None,
        };
        let created = walk_in(
            &mut conn,
            &ctx,
            &certcopy::audit::Actor::from(&clerk),
            &request,
            None,
        )
        .expect("walk-in");
        for row in CertificationRequest::of_appointment(&mut conn, &created.appointment.id).unwrap()
        {
            ids.push(row.id.to_string());
        }
    }
    ids
}

/// The demo office's id.
fn demo_office(db_path: &Path) -> String {
    let db = Db::open(db_path.to_str().unwrap(), 1).unwrap();
    let mut conn = db.get().unwrap();
    certcopy::db::models::Office::list(&mut conn).unwrap()[0]
        .id
        .to_string()
}

/// Scans and hands over a request through the API; whether both steps were answered 200
/// (a killed server answers nothing).
fn scan_and_hand_over(port: u16, clerk: &str, request: &str, jpeg: &[u8]) -> bool {
    let boundary = "----certcopy-crash-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"scans\"; filename=\"1.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(jpeg);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let scanned = crate::common::http::http_bytes(
        port,
        "POST",
        &format!("/api/v1/desk/requests/{request}/scans"),
        clerk,
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
    );
    if !matches!(scanned, Ok((200, _))) {
        return false;
    }
    let handed = http(
        port,
        "POST",
        &format!("/api/v1/desk/requests/{request}/hand-over"),
        Some(clerk),
        r#"{"pages_counted":true,"no_erasure_seen":true,"original_shown":true}"#,
    );
    matches!(handed, Ok((200, _)))
}

/// Id, state, claiming line, certified line and notice digest of one request.
type RequestRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Checks that requests, register lines and blobs agree: a request is certified exactly
/// when it points to a valid line whose PDF is stored; a claim points only to a pending
/// line; numbers have no gaps; every notice and scan is stored.
fn assert_no_half_state(db_path: &Path, blobs: &Path) -> (usize, usize, usize) {
    use certcopy::db::schema::{
        certification_requests as requests, certification_scans, register_entries,
    };
    let db = Db::open(db_path.to_str().unwrap(), 1).unwrap();
    let mut conn = db.get().unwrap();
    let blob = |sha: &str| blobs.join("sha256").join(&sha[..2]).join(sha);
    // A valid line's stored file: its own digest (B-LTA copies), else the signed content's.
    let entries: Vec<(String, String, i64, Option<String>)> = register_entries::table
        .select((
            register_entries::id,
            register_entries::status,
            register_entries::sequence,
            register_entries::document_sha256,
            register_entries::file_sha256,
        ))
        .order(register_entries::sequence.asc())
        .load::<(String, String, i64, Option<String>, Option<String>)>(&mut *conn)
        .unwrap()
        .into_iter()
        .map(|(id, status, sequence, content, file)| (id, status, sequence, file.or(content)))
        .collect();
    let sequences: Vec<i64> = entries.iter().map(|e| e.2).collect();
    assert_eq!(
        sequences,
        (1..=i64::try_from(entries.len()).unwrap()).collect::<Vec<_>>(),
        "numbers without gaps or repeats"
    );
    let rows: Vec<RequestRow> = requests::table
        .select((
            requests::id,
            requests::state,
            requests::certifying_entry_id,
            requests::register_entry_id,
            requests::refusal_notice_sha256,
        ))
        .load(&mut *conn)
        .unwrap();
    let status_of = |id: &str| entries.iter().find(|e| e.0 == id).map(|e| e.1.clone());
    let (mut certified, mut refused, mut claimed) = (0, 0, 0);
    for (id, state, claim, line, notice) in &rows {
        match state.as_str() {
            "certified" => {
                certified += 1;
                let line = line.as_deref().expect("a certified request has its line");
                assert_eq!(status_of(line).as_deref(), Some("valid"), "{id}");
                assert!(claim.is_none(), "{id}: certified and still claimed");
            }
            "refused" => {
                refused += 1;
                let notice = notice.as_deref().expect("a refusal has its notice");
                assert!(blob(notice).exists(), "{id}: notice stored");
                assert!(claim.is_none() && line.is_none(), "{id}");
            }
            other => {
                assert!(line.is_none(), "{id}: {other} with a register line");
                if let Some(claim) = claim {
                    claimed += 1;
                    assert_eq!(other, "awaiting_certification", "{id}");
                    assert_eq!(
                        status_of(claim).as_deref(),
                        Some("pending"),
                        "{id}: claim on a pending line only"
                    );
                }
            }
        }
    }
    for (id, status, _, sha) in &entries {
        if status == "valid" {
            let sha = sha.as_deref().unwrap();
            assert!(blob(sha).exists(), "{id}: valid line without its PDF");
            assert_eq!(
                rows.iter()
                    .filter(|r| r.3.as_deref() == Some(id.as_str()))
                    .count(),
                1,
                "{id}: a valid line belongs to exactly one certified request"
            );
        }
    }
    let scans: Vec<String> = certification_scans::table
        .select(certification_scans::sha256)
        .load(&mut *conn)
        .unwrap();
    assert!(
        scans.iter().all(|sha| blob(sha).exists()),
        "every scan stored"
    );
    (certified, refused, claimed)
}

#[test]
fn sigkill_during_certification_leaves_no_half_state() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db_path = data.join("certcopy.db");
    let settings = [
        ("CERTCOPY_SEED_DEMO", "true".to_owned()),
        ("CERTCOPY_DEV_PKI", "true".to_owned()),
    ];
    // First start: the demo office and staff, the development PKI.
    drop(Instance::start(dir.path(), &settings));
    let jpeg = crate::issuing::small_jpeg(1);
    let mut all = Vec::new();
    for (round, kill_after_ms) in [(0u32, 50u64), (1, 100), (2, 150), (3, 250)] {
        let ids = walk_ins(&db_path, round, 9);
        let server = Instance::start(dir.path(), &settings);
        let port = server.port;
        let clerk = login(port, &data, "canbo.bennghe");
        let official = login(port, &data, "lanhdao.bennghe");
        let office = demo_office(&db_path);
        // A third are scanned and handed over before the kill, then certified during it;
        // a third are refused during it; a third are scanned and handed over during it.
        let group = |k: usize| -> Vec<String> {
            ids.iter()
                .enumerate()
                .filter(|(n, _)| n % 3 == k)
                .map(|(_, id)| id.clone())
                .collect()
        };
        let (to_certify, to_refuse, to_scan) = (group(0), group(1), group(2));
        for id in &to_certify {
            assert!(
                scan_and_hand_over(port, &clerk, id, &jpeg),
                "{}",
                server.log_text()
            );
        }
        let certifier = {
            let official = official.clone();
            std::thread::spawn(move || {
                for id in to_certify {
                    let path = format!("/api/v1/review/{id}/certify");
                    if http(port, "POST", &path, Some(&official), "").is_err() {
                        break;
                    }
                }
            })
        };
        let refuser = {
            let clerk = clerk.clone();
            std::thread::spawn(move || {
                for id in to_refuse {
                    let path = format!("/api/v1/desk/requests/{id}/refuse");
                    let body = r#"{"ground":"unconfirmed_private_paper"}"#;
                    if http(port, "POST", &path, Some(&clerk), body).is_err() {
                        break;
                    }
                }
            })
        };
        // The register book is exported meanwhile (an export writes only its audit row).
        let exporter = {
            let official = official.clone();
            std::thread::spawn(move || {
                let path = "/api/v1/offices/{office}/register/export?year=2026&format=pdf";
                let path = path.replace("{office}", &office);
                for _ in 0..20 {
                    if http(port, "GET", &path, Some(&official), "").is_err() {
                        break;
                    }
                }
            })
        };
        let scanner = {
            let jpeg = jpeg.clone();
            std::thread::spawn(move || {
                for id in to_scan {
                    if !scan_and_hand_over(port, &clerk, &id, &jpeg) {
                        break;
                    }
                }
            })
        };
        std::thread::sleep(Duration::from_millis(kill_after_ms));
        drop(server); // SIGKILL
        certifier.join().unwrap();
        refuser.join().unwrap();
        scanner.join().unwrap();
        exporter.join().unwrap();
        all.extend(ids);
        let (certified, refused, claimed) = assert_no_half_state(&db_path, &data.join("blobs"));
        eprintln!(
            "round {round}, killed after {kill_after_ms} ms: {certified} certified, {refused} refused, \
             {claimed} claimed by a pending line, of {} requests so far",
            all.len()
        );
    }
    let (certified, refused, _) = assert_no_half_state(&db_path, &data.join("blobs"));
    assert!(
        certified > 0 && refused > 0,
        "some work finished before the kills"
    );
    assert!(
        certified + refused < all.len(),
        "the kills interrupted some work"
    );

    // Lines left pending by a kill are voided (at a start, after the grace period; here at
    // once): their requests are released and may be certified again.
    let db = Db::open(db_path.to_str().unwrap(), 1).unwrap();
    let mut conn = db.get().unwrap();
    certcopy::registry::void_interrupted(&mut conn, time::Duration::ZERO).unwrap();
    drop(conn);
    let (_, _, claimed) = assert_no_half_state(&db_path, &data.join("blobs"));
    assert_eq!(claimed, 0, "no request stays claimed by a voided line");
}
