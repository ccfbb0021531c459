//! What protects the service's data at rest: audit rows the application's own database
//! connection cannot change, private file modes from creation, and a production
//! configuration that never needs the development root's private key.

use certcopy::App;
use certcopy::db::models::Role;
use certcopy::pki::DevPki;
use diesel::RunQueryDsl;

use crate::common::{Backend, TestApp};
use crate::db_test;

db_test!(audit_rows_cannot_be_changed_or_deleted, |app| {
    let (_, _token) = app.signed_in(Role::Admin, "quantri.nhatky").await;
    let before = app
        .db(|conn| certcopy::db::models::AuditEntry::latest(conn, 1000).unwrap())
        .await;
    assert!(!before.is_empty(), "the login was audited");
    let postgres = app.backend() == Backend::Postgres;
    let refused = app
        .db(move |conn| {
            let mut statements = vec![
                "UPDATE audit_log SET action = 'forged'",
                "UPDATE audit_log SET detail = '{}' WHERE id = (SELECT MIN(id) FROM audit_log)",
                "DELETE FROM audit_log",
                "DELETE FROM audit_log WHERE id = (SELECT MIN(id) FROM audit_log)",
            ];
            if postgres {
                statements.push("TRUNCATE audit_log");
            }
            statements
                .into_iter()
                .map(|sql| (sql, diesel::sql_query(sql).execute(conn)))
                .collect::<Vec<_>>()
        })
        .await;
    for (sql, outcome) in &refused {
        let error = outcome.as_ref().expect_err(sql).to_string();
        assert!(error.contains("append-only"), "{sql}: {error}");
    }
    let after = app
        .db(|conn| certcopy::db::models::AuditEntry::latest(conn, 1000).unwrap())
        .await;
    assert_eq!(after.len(), before.len());
    assert_eq!(after[0].action, before[0].action);
    assert_eq!(after[0].detail, before[0].detail);
    // Appending still works.
    app.login("quantri.nhatky").await;
});

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[cfg(unix)]
#[rocket::async_test]
async fn data_files_and_keys_are_private_from_creation() {
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    // A write, so SQLite has its -wal and -shm files.
    app.signed_in(Role::Official, "lanhdao.tep").await;
    let data = app.dir.join("data");
    assert_eq!(mode(&data), 0o700);
    for file in ["test.db", "test.db-wal", "test.db-shm"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    assert_eq!(mode(&data.join("blobs")), 0o700);
    let pki = app.dir.join("pki");
    assert_eq!(mode(&pki), 0o700);
    for key in ["root.key", "justice-ca.key"] {
        assert_eq!(mode(&pki.join(key)), 0o600, "{key}");
    }
    // The cookie secret generated on first start.
    let figment = rocket::Config::figment();
    certcopy::cli::with_secret_key(figment, &app.app.config).unwrap();
    assert_eq!(mode(&app.app.config.secret_key_path()), 0o600);
}

/// A production configuration: no development PKI, trust material configured, the keys
/// of the office's seal and official provisioned by the operator — and no root key (nor
/// the issuing CA's key) on the machine.
#[rocket::async_test]
async fn production_starts_without_the_root_key() {
    let dir = tempfile::tempdir().unwrap();
    let pki_dir = dir.path().join("pki");
    let (pki, _) = DevPki::ensure(&pki_dir).unwrap();
    pki.ensure_office_seal("office-1", "UBND Phường Sản Xuất")
        .unwrap();
    pki.ensure_official("official-1", "Nguyễn Văn Ký", "UBND Phường Sản Xuất")
        .unwrap();
    std::fs::remove_file(pki_dir.join("root.key")).unwrap();
    std::fs::remove_file(pki_dir.join("justice-ca.key")).unwrap();
    let config = certcopy::Config {
        data_dir: dir.path().join("data"),
        database_url: dir
            .path()
            .join("data/prod.db")
            .to_string_lossy()
            .into_owned(),
        blob_dir: dir.path().join("data/blobs"),
        pki_dir: pki_dir.clone(),
        dev_pki: false,
        seed_demo: false,
        trust_anchors: vec![pki_dir.join("root.crt")],
        trust_intermediates: vec![pki_dir.join("justice-ca.crt")],
        trust_crls: vec![pki_dir.join("crl.pem")],
        ..certcopy::Config::default()
    };
    let app = rocket::tokio::task::spawn_blocking(move || App::start(config))
        .await
        .unwrap()
        .expect("production configuration starts without the root key");
    assert!(!pki_dir.join("root.key").exists(), "never recreated");
    assert!(!pki_dir.join("justice-ca.key").exists());
    assert_eq!(app.trust.anchors.len(), 1);
    assert!(app.keys.official_signer("official-1").is_ok());
    assert!(app.keys.seal_signer("office-1").is_ok());
}
