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
    use certcopy::db::models::Role;

    use crate::common::browser::{run_script, runtime, screenshot_dir, serve_on_loopback};
    use crate::common::{Backend, PASSWORD, TestApp};

    let runtime = runtime();
    let test = runtime
        .block_on(TestApp::builder(Backend::Sqlite).build())
        .expect("SQLite app");
    runtime.block_on(test.office("UBND Phường Trúc Bạch"));
    let admin = runtime.block_on(test.user(Role::Admin, "quantri.trucbach", None));
    let second = runtime.block_on(test.user(Role::Admin, "quantri.thuhai", None));

    let port = serve_on_loopback(&runtime, &test.app);
    let shots = screenshot_dir("admin");
    run_script(
        "admin.py",
        &[
            format!("http://127.0.0.1:{port}"),
            admin.username.clone().expect("username"),
            second.username.clone().expect("username"),
            PASSWORD.to_owned(),
            shots.display().to_string(),
        ],
        "all admin checks passed",
        &shots,
    );
    // The official created in the browser was approved by the second admin only.
    let approvals = runtime.block_on(test.audit_rows("official_grant.approve"));
    assert_eq!(approvals.len(), 1);
    assert_eq!(approvals[0].actor_id.as_ref(), Some(&second.id));
    drop(runtime);
}
