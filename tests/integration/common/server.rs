//! A real `certcopy serve` child process on a loopback port, for tests that need real
//! sockets (several instances, slow clients); killed on drop.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http::{free_port, http};

/// A running server; its log is `{dir}/server.log`.
pub struct Instance {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
    log: PathBuf,
}

impl Instance {
    /// Starts a server in `dir` (data under `dir/data`, no demo seed, no development PKI)
    /// with extra `CERTCOPY_*` settings, and waits until `/api/v1/health` answers.
    pub fn start(dir: &Path, settings: &[(&str, String)]) -> Instance {
        std::fs::create_dir_all(dir).expect("instance dir");
        let port = free_port();
        let log = dir.join("server.log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_certcopy"));
        command
            .arg("serve")
            .current_dir(dir)
            .env_remove("CERTCOPY_DATABASE_URL")
            .env("CERTCOPY_DATA_DIR", dir.join("data"))
            .env("CERTCOPY_ADDRESS", "127.0.0.1")
            .env("CERTCOPY_PORT", port.to_string())
            .env("CERTCOPY_SEED_DEMO", "false")
            .env("CERTCOPY_DEV_PKI", "false")
            .env("CERTCOPY_LOG", "warn");
        for (name, value) in settings {
            command.env(name, value);
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(File::create(&log).expect("log file"))
            .spawn()
            .expect("the certcopy binary starts");
        let instance = Instance { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if matches!(http(port, "GET", "/api/v1/health", None, ""), Ok((200, _))) {
                return instance;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "instance on port {port} did not answer: {}",
            instance.log_text()
        );
    }

    /// SIGKILL: no graceful shutdown, whatever it was doing.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What the server logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
