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
