//! The public pages in a real browser: Debian's Chromium driven by Playwright
//! (`tests/browser/public_pages.py`) against a real server with the demo office, at 360 px
//! and desktop widths, with axe-core checking accessibility. Needs `chromium` and the
//! Python packages `playwright` and `axe-playwright-python` (`.ci/run` installs them);
//! fails, saying so, without them.

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
