//! A real S3-compatible server for the storage tests: `moto_server` (PyPI `moto[server]`,
//! which speaks the S3 HTTP API) on a free loopback port, stopped on drop. Fails (never
//! skips) when it is not installed.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use certcopy::config::{Config, SecretSetting};
use certcopy::storage::S3Settings;

use super::http::{free_port, http};

/// Credentials the tests give the service (moto accepts any).
pub const ACCESS_KEY_ID: &str = "certcopy-test";
pub const SECRET_ACCESS_KEY: &str = "certcopy-test-secret";

/// The server process.
pub struct MotoServer {
    child: Child,
    pub port: u16,
}

impl MotoServer {
    /// Starts the server and waits until it answers.
    pub fn start() -> MotoServer {
        let port = free_port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run `moto_server` ({e}): python3 -m pip install 'moto[server]'")
            });
        let server = MotoServer { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if matches!(http(port, "GET", "/", None, ""), Ok((200, _))) {
                return server;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server did not answer on port {port}");
    }

    /// `http://127.0.0.1:{port}`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Creates a bucket (moto does not check request signatures).
    pub fn create_bucket(&self, bucket: &str) {
        let (status, body) =
            http(self.port, "PUT", &format!("/{bucket}"), None, "").expect("moto answers");
        assert_eq!(status, 200, "creating bucket {bucket}: {body}");
    }

    /// The keys in a bucket under a prefix, straight from the server's listing.
    pub fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let (status, body) = http(
            self.port,
            "GET",
            &format!("/{bucket}?list-type=2&prefix={prefix}&max-keys=1000"),
            None,
            "",
        )
        .expect("moto answers");
        assert_eq!(status, 200, "listing {bucket}: {body}");
        body.split("<Key>")
            .skip(1)
            .filter_map(|part| part.split_once("</Key>").map(|(key, _)| key.to_owned()))
            .collect()
    }

    /// Replaces an object's bytes behind the service's back (a damaged object).
    pub fn overwrite(&self, bucket: &str, key: &str, bytes: &str) {
        let (status, body) =
            http(self.port, "PUT", &format!("/{bucket}/{key}"), None, bytes).expect("moto");
        assert_eq!(status, 200, "overwriting {key}: {body}");
    }

    /// Settings for `s3://{bucket}/{prefix}` on this server.
    pub fn settings(&self, url: &str) -> S3Settings {
        S3Settings {
            url: url.to_owned(),
            endpoint: self.endpoint(),
            region: "us-east-1".to_owned(),
            allow_http: true,
            access_key_id: ACCESS_KEY_ID.to_owned(),
            secret_access_key: SecretSetting::new(SECRET_ACCESS_KEY),
        }
    }

    /// Points a configuration's blobs at `s3://{bucket}/{prefix}` on this server.
    pub fn configure(&self, config: &mut Config, url: &str) {
        config.blob_url = url.to_owned();
        config.s3_endpoint = self.endpoint();
        config.s3_allow_http = true;
        config.s3_access_key_id = ACCESS_KEY_ID.to_owned();
        config.s3_secret_access_key = SecretSetting::new(SECRET_ACCESS_KEY);
    }

    /// The same as environment settings for a `certcopy` child process.
    pub fn env(&self, url: &str) -> Vec<(&'static str, String)> {
        vec![
            ("CERTCOPY_BLOB_URL", url.to_owned()),
            ("CERTCOPY_S3_ENDPOINT", self.endpoint()),
            ("CERTCOPY_S3_ALLOW_HTTP", "true".to_owned()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID.to_owned()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY.to_owned()),
        ]
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
