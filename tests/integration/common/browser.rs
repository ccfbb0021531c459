//! The harness of the browser tests: the application served in this process on a loopback
//! port (so a test may set its booking clock), a screenshot folder kept under
//! `target/tmp/screenshots/`, and a Playwright script run against it.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rocket::tokio::runtime::Runtime;

use super::http::{free_port, http};

/// A two-thread runtime for a synchronous browser test.
pub fn runtime() -> Runtime {
    rocket::tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Serves `app` on a free loopback port (until the runtime is dropped) and waits until it
/// answers; returns the port.
pub fn serve_on_loopback(runtime: &Runtime, app: &certcopy::App) -> u16 {
    let port = free_port();
    let figment = rocket::Config::figment()
        .merge(("address", "127.0.0.1"))
        .merge(("port", port))
        .merge(("secret_key", "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk="))
        .merge(("log_level", "off"));
    let rocket = certcopy::web::build_rocket(figment, app.clone());
    runtime.spawn(async move {
        let _ = rocket.launch().await;
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while !matches!(http(port, "GET", "/api/v1/health", None, ""), Ok((200, _))) {
        assert!(Instant::now() < deadline, "the server did not answer");
        std::thread::sleep(Duration::from_millis(50));
    }
    port
}

/// `target/tmp/screenshots/{name}`, emptied first.
pub fn screenshot_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("screenshots")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

/// Runs `tests/browser/{script}` with `args`; fails with its output unless it exits well
/// and prints `done`.
pub fn run_script<A: AsRef<OsStr>>(script: &str, args: &[A], done: &str, shots: &Path) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser")
        .join(script);
    let output = Command::new("python3")
        .arg(path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("python3 is required for the browser tests: {e}"));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success() && report.contains(done),
        "{script} failed in Chromium (chromium, playwright and axe-playwright-python are needed; see .ci/run; screenshots in {}):\n{report}",
        shots.display()
    );
}
