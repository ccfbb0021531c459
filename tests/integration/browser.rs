//! The public pages in a real browser: Debian's Chromium driven by Playwright
//! (`tests/browser/public_pages.py`) against a real server with the demo office, at 360 px
//! and desktop widths, with axe-core checking accessibility. Needs `chromium` and the
//! Python packages `playwright` and `axe-playwright-python` (`.ci/run` installs them);
//! fails, saying so, without them. The administrator's pages are walked the same way
//! (`tests/browser/admin.py`).

use std::process::Command;

use crate::common::server::Instance;

#[test]
fn public_pages_work_in_chromium_at_phone_and_desktop_widths() {
    let dir = tempfile::tempdir().unwrap();
    let server = Instance::start(dir.path(), &[("CERTCOPY_SEED_DEMO", "true".to_owned())]);
    let office = {
        let db = certcopy::db::Db::open(dir.path().join("data/certcopy.db").to_str().unwrap(), 1)
            .unwrap();
        let mut conn = db.get().unwrap();
        certcopy::db::models::Office::list(&mut conn).unwrap()[0]
            .id
            .to_string()
    };
    let shots = dir.path().join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/public_pages.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(format!("http://127.0.0.1:{}", server.port))
        .arg(&office)
        .arg(&shots)
        .output()
        .unwrap_or_else(|e| panic!("python3 is required for the browser test: {e}"));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && report.contains("all browser checks passed"),
        "browser checks failed (Chromium, playwright and axe-playwright-python are needed; see .ci/run):\n{report}\nserver log:\n{}",
        server.log_text()
    );
    assert!(shots.join("home-360.png").exists());
}

/// The administrator's pages in Chromium (`tests/browser/admin.py`): the service runs in
/// this process on a loopback port, with an office and two admins; the screenshots of
/// every step are kept in `target/tmp/screenshots/admin/`.
#[test]
fn an_admin_works_the_admin_pages_in_chromium() {
    use std::time::{Duration, Instant};

    use certcopy::db::models::Role;

    use crate::common::http::{free_port, http};
    use crate::common::{Backend, PASSWORD, TestApp};

    let runtime = rocket::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let test = runtime
        .block_on(TestApp::builder(Backend::Sqlite).build())
        .expect("SQLite app");
    runtime.block_on(test.office("UBND Phường Trúc Bạch"));
    let admin = runtime.block_on(test.user(Role::Admin, "quantri.trucbach", None));
    let second = runtime.block_on(test.user(Role::Admin, "quantri.thuhai", None));

    let port = free_port();
    let figment = rocket::Config::figment()
        .merge(("address", "127.0.0.1"))
        .merge(("port", port))
        .merge(("secret_key", "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk="))
        .merge(("log_level", "off"));
    let rocket = certcopy::web::build_rocket(figment, test.app.clone());
    runtime.spawn(async move {
        let _ = rocket.launch().await;
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while !matches!(http(port, "GET", "/api/v1/health", None, ""), Ok((200, _))) {
        assert!(Instant::now() < deadline, "the server did not answer");
        std::thread::sleep(Duration::from_millis(50));
    }

    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots/admin");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/admin.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(admin.username.as_deref().expect("username"))
        .arg(second.username.as_deref().expect("username"))
        .arg(PASSWORD)
        .arg(&shots)
        .output()
        .unwrap_or_else(|e| panic!("python3 is required for the browser test: {e}"));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && report.contains("all admin checks passed"),
        "the admin pages failed in Chromium (Chromium, playwright and axe-playwright-python are needed; see .ci/run; screenshots in {}):\n{report}",
        shots.display()
    );
    // The official created in the browser was approved by the second admin only.
    let approvals = runtime.block_on(test.audit_rows("official_grant.approve"));
    assert_eq!(approvals.len(), 1);
    assert_eq!(approvals[0].actor_id.as_ref(), Some(&second.id));
    drop(runtime);
}
