//! Keys on a PKCS#11 token (SoftHSM2): `certcopy pki token-key` generates the key pair on
//! the token and stores a development certificate for it there; `certcopy issue` then
//! signs with `official_keys` / `seal_keys` pointing at the token, and no key file exists.
//! The copy passes `pdfsig`, pyHanko and our verifier. A wrong PIN, a missing key or a
//! missing token is a typed signing error, never a panic. SoftHSM2 missing fails the test.
//!
//! The service runs as a child process: SoftHSM2 reads its configuration file from the
//! `SOFTHSM2_CONF` environment variable when the module is initialised, and each test
//! gives its child its own temporary token directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use certcopy::db::models::RegisterEntry;
use certcopy::registry::issuance::IssuedCopy;

use crate::common::TestApp;
use crate::db_test;
use crate::issuing::{office_with_official, small_jpeg};
use crate::validators::check_with_independent_tools;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN: &str = "certcopy-test";
const PIN: &str = "certcopy-PIN-0426";

/// A SoftHSM2 configuration with its own token directory and one initialised token.
struct SoftHsm {
    dir: tempfile::TempDir,
}

impl SoftHsm {
    fn new() -> SoftHsm {
        assert!(
            Path::new(MODULE).exists(),
            "SoftHSM2 is required for this test (apt-get install softhsm2, see .ci/run)"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tokens")).unwrap();
        std::fs::write(
            dir.path().join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.path().join("tokens").display()
            ),
        )
        .unwrap();
        let hsm = SoftHsm { dir };
        let output = Command::new("softhsm2-util")
            .args(["--init-token", "--free", "--label", TOKEN])
            .args(["--pin", PIN, "--so-pin", "87654321"])
            .env("SOFTHSM2_CONF", hsm.conf())
            .output()
            .unwrap_or_else(|e| panic!("softhsm2-util is required for this test: {e}"));
        assert!(output.status.success(), "{output:?}");
        hsm
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// What a `certcopy` run answered.
struct Run {
    success: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the `certcopy` binary on the test app's database and PKI, with the token module,
/// `pin` in `CERTCOPY_PKCS11_PIN`, and `settings` as its configuration file.
fn certcopy(app: &TestApp, hsm: &SoftHsm, settings: &str, pin: &str, args: &[&str]) -> Run {
    let config = &app.app.config;
    let file = hsm.path("certcopy.toml");
    std::fs::write(&file, format!("[default]\n{settings}")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_certcopy"))
        .args(args)
        .current_dir(hsm.dir.path())
        .env("SOFTHSM2_CONF", hsm.conf())
        .env("CERTCOPY_CONFIG", &file)
        .env("CERTCOPY_DATABASE_URL", &config.database_url)
        .env("CERTCOPY_DATA_DIR", &config.data_dir)
        .env("CERTCOPY_BLOB_DIR", &config.blob_dir)
        .env("CERTCOPY_PKI_DIR", &config.pki_dir)
        .env("CERTCOPY_BASE_URL", &config.base_url)
        .env("CERTCOPY_SEED_DEMO", "false")
        .env("CERTCOPY_DEV_PKI", "true")
        .env("CERTCOPY_PKCS11_MODULE", MODULE)
        .env("CERTCOPY_PKCS11_PIN", pin)
        .env("CERTCOPY_LOG", "warn")
        .output()
        .unwrap();
    let run = Run {
        success: output.status.success(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stderr),
            std::os::unix::process::ExitStatusExt::signal(&output.status)
                .map(|signal| format!("\n(ended by signal {signal})"))
                .unwrap_or_default()
        ),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "certcopy panicked: {}",
        run.stderr
    );
    run
}

/// `certcopy issue` of one JPEG page by `username` of `office_id`, written to `out`.
fn issue(
    app: &TestApp,
    hsm: &SoftHsm,
    settings: &str,
    pin: &str,
    office_id: &str,
    username: &str,
) -> Run {
    let scan = hsm.path("scan.jpg");
    std::fs::write(&scan, small_jpeg(1)).unwrap();
    certcopy(
        app,
        hsm,
        settings,
        pin,
        &[
            "issue",
            "--office",
            office_id,
            "--official",
            username,
            "--requester-name",
            "Lê Thị Hoa",
            "--citizen-id",
            "001099000333",
            "--title",
            "Học bạ trung học phổ thông",
            "--scan",
            scan.to_str().unwrap(),
            "--out",
            hsm.path("copy.pdf").to_str().unwrap(),
        ],
    )
}

/// Generates `key` on the token for `--official <who>` or `--seal <who>`.
fn token_key(app: &TestApp, hsm: &SoftHsm, subject: &str, who: &str, key: &str, rsa: bool) {
    let mut args = vec!["pki", "token-key", subject, who, "--key", key];
    if rsa {
        args.push("--rsa");
    }
    let run = certcopy(app, hsm, "", PIN, &args);
    assert!(run.success, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(key), "{}", run.stdout);
}

fn remove_key_files(paths: &[PathBuf]) {
    for path in paths {
        std::fs::remove_file(path).unwrap();
    }
}

db_test!(
    a_copy_signed_on_a_token_passes_independent_validators,
    |app| {
        let hsm = SoftHsm::new();
        let (office, official, _) =
            office_with_official(&app, "UBND Phường Token", "lanhdao.token").await;
        let official_key = format!("pkcs11:{TOKEN}/ky-so-lanhdao");
        let seal_key = format!("pkcs11:{TOKEN}/con-dau");
        // The official's key is ECDSA P-256 (CKM_ECDSA), the seal's RSA-2048
        // (CKM_SHA256_RSA_PKCS): both mechanisms sign one copy.
        token_key(
            &app,
            &hsm,
            "--official",
            "lanhdao.token",
            &official_key,
            false,
        );
        token_key(&app, &hsm, "--seal", office.id.as_str(), &seal_key, true);

        // No key file: the keys exist only on the token (the development certificates made
        // when the official was created are removed too, and are not made again).
        let official_dir = app.dir.join("pki/officials").join(official.id.as_str());
        let seal_dir = app.dir.join("pki/offices").join(office.id.as_str());
        let key_files = [
            official_dir.join("signing.key"),
            official_dir.join("signing.crt"),
            seal_dir.join("seal.key"),
            seal_dir.join("seal.crt"),
        ];
        remove_key_files(&key_files);

        let settings = format!(
            "official_keys = {{ \"{}\" = \"{official_key}\" }}\nseal_keys = {{ \"{}\" = \"{seal_key}\" }}\n",
            official.id, office.id
        );
        let run = issue(
            &app,
            &hsm,
            &settings,
            PIN,
            office.id.as_str(),
            "lanhdao.token",
        );
        assert!(run.success, "{}{}", run.stdout, run.stderr);
        for path in &key_files {
            assert!(!path.exists(), "{} was written", path.display());
        }

        let pdf = std::fs::read(hsm.path("copy.pdf")).unwrap();
        // The register holds the SHA-256 of the signed content (the command prints it); the
        // file goes on with the DSS and the document time-stamp.
        let digest = run.stdout.trim().split('\t').nth(2).unwrap().to_owned();
        assert!(!pdf.is_empty() && digest.len() == 64, "{}", run.stdout);
        let entry = app
            .db(move |conn| RegisterEntry::find_by_digest(conn, &digest))
            .await
            .unwrap()
            .expect("the copy is in the register");
        let verify_url = run.stdout.trim().rsplit('\t').next().unwrap().to_owned();
        assert!(verify_url.contains("/v/"), "{}", run.stdout);
        let issued = IssuedCopy {
            entry,
            pdf,
            verify_url,
        };
        let checks = tempfile::tempdir().unwrap();
        check_with_independent_tools(
            checks.path(),
            &app.dir.join("pki/root.crt"),
            "token.pdf",
            &issued,
        );

        // Our verifier agrees and finds the copy in the register.
        crate::validators::our_verifier_passes(&app, "token.pdf", &issued).await;
    }
);

db_test!(token_failures_are_typed_signing_errors, |app| {
    let hsm = SoftHsm::new();
    let (office, official, _) =
        office_with_official(&app, "UBND Phường Khóa", "lanhdao.khoa").await;
    let key = format!("pkcs11:{TOKEN}/ky-so");
    token_key(&app, &hsm, "--official", "lanhdao.khoa", &key, false);
    let settings = |reference: &str| {
        format!(
            "official_keys = {{ \"{}\" = \"{reference}\" }}\n",
            official.id
        )
    };
    let cases = [
        (
            key.clone(),
            "sai-PIN-7391",
            format!("the token `{TOKEN}` refused the PIN"),
        ),
        (
            format!("pkcs11:{TOKEN}/khong-co"),
            PIN,
            format!("no private key `khong-co` on token `{TOKEN}`"),
        ),
        (
            "pkcs11:the-absent-token/ky-so".to_owned(),
            PIN,
            "no token labelled `the-absent-token` is present".to_owned(),
        ),
    ];
    for (reference, pin, reason) in cases {
        let run = issue(
            &app,
            &hsm,
            &settings(&reference),
            pin,
            office.id.as_str(),
            "lanhdao.khoa",
        );
        assert_eq!(
            run.code,
            Some(1),
            "{reference}: {}{}",
            run.stdout,
            run.stderr
        );
        assert!(run.stderr.contains("[signing_failed]"), "{}", run.stderr);
        assert!(
            run.stderr.contains("Không ký được bản sao"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("is not available"), "{}", run.stderr);
        assert!(run.stderr.contains(&reason), "{reference}: {}", run.stderr);
        // The PIN is never printed.
        assert!(!run.stderr.contains(pin), "{}", run.stderr);
    }
    // The keys are checked before a number is allocated: nothing in the register.
    let entries = app.db(RegisterEntry::count).await.unwrap();
    assert_eq!(entries, 0);
    // The right key and PIN still sign (the failures above did not lock the token).
    let run = issue(
        &app,
        &hsm,
        &settings(&key),
        PIN,
        office.id.as_str(),
        "lanhdao.khoa",
    );
    assert!(run.success, "{}{}", run.stdout, run.stderr);
});
