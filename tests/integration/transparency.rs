//! The register as a transparency log and the audit log as a hash chain: proofs a verifier
//! checks offline, and every kind of tampering with the rows — edited, deleted, reordered,
//! in the register, the audit log and the log itself, directly in the database — found by
//! `certcopy registry verify` (in process and as the command) and, for the register, by
//! the copy's own verification.

use std::process::Command;

use certcopy::audit::Actor;
use certcopy::db::DbConn;
use certcopy::db::models::RegisterEntry;
use certcopy::registry;
use certcopy::transparency::check::{self, CheckReport, FindingKind};
use certcopy::transparency::heads::{self, LogPublicKey, TreeHead};
use certcopy::transparency::merkle;
use certcopy::transparency::proofs::{ConsistencyBundle, InclusionBundle};
use diesel::connection::SimpleConnection;
use rocket::http::{ContentType, Status};
use serde_json::Value;

use crate::common::{Backend, TestApp, read};
use crate::db_test;
use crate::issuing::office_with_official;
use crate::verifying::issue;

async fn publish(app: &TestApp) -> TreeHead {
    let key = app.app.log_key.clone();
    app.db(move |conn| heads::publish(conn, &key).unwrap())
        .await
}

async fn run_check(app: &TestApp) -> CheckReport {
    let trusted = app.app.log_trust;
    app.db(move |conn| check::run(conn, &trusted).unwrap())
        .await
}

async fn sql(app: &TestApp, statements: String) {
    app.db(move |conn| conn.batch_execute(&statements).unwrap())
        .await;
}

/// Lets raw SQL change and delete audit rows, as someone with the database's keys can.
async fn lift_audit_guard(app: &TestApp) {
    let statements = match app.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER;",
    };
    sql(app, statements.to_owned()).await;
}

async fn verify_pdf(app: &TestApp, pdf: &[u8]) -> Value {
    let (status, body) = read(
        app.client
            .post("/api/v1/verifications")
            .header(ContentType::PDF)
            .body(pdf)
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    body
}

/// A finding of `kind` at `position` (or whose position ends with it: `#3` is entry 3).
async fn verify_page(app: &TestApp, pdf: &[u8]) -> String {
    let (content_type, body) = crate::issuing::multipart(&[], &[("file", "ban-sao.pdf", pdf)]);
    let response = app
        .client
        .post("/verify")
        .header(content_type)
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    response.into_string().await.unwrap()
}

fn has(report: &CheckReport, kind: FindingKind, position: &str) -> bool {
    report.findings.iter().any(|f| {
        f.kind == kind && (f.position == position || f.position.ends_with(&format!(" {position}")))
    })
}

/// A finding of `kind` anywhere.
fn has_kind(report: &CheckReport, kind: FindingKind) -> bool {
    report.findings.iter().any(|f| f.kind == kind)
}

fn error_codes(report: &Value) -> Vec<String> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn entry(app: &TestApp, id: certcopy::db::ids::CopyId) -> RegisterEntry {
    app.db(move |conn| RegisterEntry::find(conn, &id).unwrap().unwrap())
        .await
}

async fn last_chain_index(app: &TestApp) -> i64 {
    app.db(|conn| {
        certcopy::transparency::audit_chain::placed_rows(conn)
            .unwrap()
            .last()
            .and_then(|row| row.chain_index)
            .unwrap()
    })
    .await
}

db_test!(proofs_check_offline_and_a_clean_log_verifies, |app| {
    let (_, official, _) = office_with_official(&app, "UBND Phường Minh Bạch", "lanhdao.mb").await;
    let first = issue(&app, &official, "079301001234").await;
    let head_1 = publish(&app).await;
    let second = issue(&app, &official, "079301001234").await;
    let (id, actor) = (first.entry.id.clone(), Actor::from(&official));
    app.db(move |conn| {
        registry::annul_entry(conn, &id, "Cấp nhầm người yêu cầu", &actor, None).unwrap()
    })
    .await;

    // Every register event is a leaf: two lines reserved, two issued, one annulment.
    let size = app
        .db(|conn| certcopy::transparency::size(conn).unwrap())
        .await;
    assert_eq!(size, 5);
    assert_eq!(head_1.tree_size, 2, "reserved and issued");

    // The key and the inclusion bundle of the annulled copy, as a verifier gets them.
    let (status, key) = app.get("/api/v1/log/key", None).await;
    assert_eq!(status, Status::Ok);
    let key = LogPublicKey::from_base64(key["public_key"].as_str().unwrap()).unwrap();
    assert_eq!(key, app.app.log_trust);
    let (status, bundle) = app
        .get(
            &format!("/api/v1/log/proof/{}", first.entry.verification_code),
            None,
        )
        .await;
    assert_eq!(status, Status::Ok, "{bundle}");
    let bundle: InclusionBundle = serde_json::from_value(bundle).unwrap();
    assert_eq!(bundle.tree_head.tree_size, 5, "a head was signed on demand");
    assert_eq!(bundle.leaves.len(), 3, "reserved, issued, annulled");
    let last = bundle.check(&key).expect("the bundle checks offline");
    assert_eq!(last.status, "annulled");
    assert_eq!(last.reason.as_deref(), Some("Cấp nhầm người yêu cầu"));
    // A bundle with a leaf rewritten, or checked against another key, does not check.
    let mut forged = bundle.clone();
    forged.leaves[2].leaf = forged.leaves[2].leaf.replace("annulled", "valid");
    assert!(forged.check(&key).is_err());
    let other = LogPublicKey::from_base64("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=").unwrap();
    assert!(bundle.check(&other).is_err());
    let (status, _) = app
        .get("/api/v1/log/proof/AAAA-BBBB-CCCC-DDDD-EEEE", None)
        .await;
    assert_eq!(status, Status::NotFound);

    // The newer head extends the older one.
    let (status, proof) = app
        .get("/api/v1/log/consistency?first=2&second=5", None)
        .await;
    assert_eq!(status, Status::Ok, "{proof}");
    let proof: ConsistencyBundle = serde_json::from_value(proof).unwrap();
    assert!(proof.first.signed_by(&key) && proof.second.signed_by(&key));
    let hashes: Vec<merkle::Hash> = proof
        .proof
        .iter()
        .map(|h| hex::decode(h).unwrap().try_into().unwrap())
        .collect();
    assert!(merkle::verify_consistency(
        2,
        5,
        &proof.first.root().unwrap(),
        &proof.second.root().unwrap(),
        &hashes
    ));
    let (status, _) = app
        .get("/api/v1/log/consistency?first=3&second=5", None)
        .await;
    assert_eq!(status, Status::NotFound, "no head of size 3 was published");
    let (status, _) = app
        .get("/api/v1/log/consistency?first=5&second=2", None)
        .await;
    assert_eq!(status, Status::BadRequest);
    let (status, head) = app.get("/api/v1/log/tree-head", None).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(head["tree_size"], 5);

    // The copies' verifications say where they stand in the log.
    let valid = verify_pdf(&app, &second.pdf).await;
    assert_eq!(valid["verdict"], "TOTAL_PASSED", "{valid}");
    assert_eq!(valid["transparency"]["state"], "INCLUDED", "{valid}");
    assert_eq!(valid["transparency"]["tree_size"], 5);
    // The verification page says the same in words.
    let page = verify_page(&app, &second.pdf).await;
    assert!(
        page.contains("Nhật ký công khai của sổ chứng thực ghi nhận bản sao đúng như trong sổ"),
        "{page}"
    );
    let third = issue(&app, &official, "079301001234").await;
    let page = verify_page(&app, &third.pdf).await;
    assert!(
        page.contains("bản xác nhận có chữ ký tiếp theo (trong vài phút) sẽ bao gồm nó"),
        "a copy issued after the newest head: {page}"
    );
    let annulled = verify_pdf(&app, &first.pdf).await;
    assert_eq!(annulled["transparency"]["state"], "INCLUDED", "{annulled}");
    assert_eq!(annulled["register"]["status"], "ANNULLED");

    let report = run_check(&app).await;
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert_eq!((report.leaves, report.entries, report.heads), (7, 3, 2));
    assert!(
        report.audit_rows >= 5,
        "every action is a link of the chain"
    );
});

db_test!(tampering_with_rows_is_found_where_it_is, |app| {
    let (_, official, _) = office_with_official(&app, "UBND Phường Toàn Vẹn", "lanhdao.tv").await;
    let annulled = issue(&app, &official, "079301001234").await;
    let kept = issue(&app, &official, "079301001234").await;
    let (id, actor) = (annulled.entry.id.clone(), Actor::from(&official));
    app.db(move |conn| registry::annul_entry(conn, &id, "Hồ sơ giả", &actor, None).unwrap())
        .await;
    publish(&app).await;
    assert!(run_check(&app).await.findings.is_empty());
    let row = entry(&app, annulled.entry.id.clone()).await;
    let other = entry(&app, kept.entry.id.clone()).await;
    let number = format!("#{}", row.sequence);

    // 1. The annulled copy set back to valid in the register.
    sql(
        &app,
        format!(
            "UPDATE register_entries SET status = 'valid', annulled_reason = NULL, annulled_by = NULL, annulled_at = NULL WHERE id = '{}'",
            row.id
        ),
    )
    .await;
    let report = run_check(&app).await;
    assert!(
        has(&report, FindingKind::EntryAltered, &number),
        "{:?}",
        report.findings
    );
    let verified = verify_pdf(&app, &annulled.pdf).await;
    assert_eq!(verified["verdict"], "TOTAL_FAILED", "{verified}");
    assert!(error_codes(&verified).contains(&"REGISTER_ENTRY_ALTERED".to_owned()));
    assert_eq!(verified["transparency"]["state"], "REGISTER_ALTERED");
    assert_eq!(verified["transparency"]["logged_status"], "annulled");
    let restore = row.clone();
    app.db(move |conn| {
        conn.batch_execute(&format!(
            "DELETE FROM register_entries WHERE id = '{}'",
            restore.id
        ))
        .unwrap();
        restore.insert(conn).unwrap();
    })
    .await;
    assert!(run_check(&app).await.findings.is_empty(), "restored");

    // 2. Two lines' numbers swapped (the register reordered).
    sql(
        &app,
        format!(
            "UPDATE register_entries SET sequence = -1 WHERE id = '{a}';
             UPDATE register_entries SET sequence = {sa} WHERE id = '{b}';
             UPDATE register_entries SET sequence = {sb} WHERE id = '{a}';",
            a = row.id,
            b = other.id,
            sa = row.sequence,
            sb = other.sequence
        ),
    )
    .await;
    let report = run_check(&app).await;
    let altered = report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::EntryAltered)
        .count();
    assert_eq!(altered, 2, "{:?}", report.findings);
    let verified = verify_pdf(&app, &kept.pdf).await;
    assert!(
        error_codes(&verified).contains(&"REGISTER_ENTRY_ALTERED".to_owned()),
        "{verified}"
    );
    sql(
        &app,
        format!(
            "UPDATE register_entries SET sequence = -1 WHERE id = '{a}';
             UPDATE register_entries SET sequence = {sb} WHERE id = '{b}';
             UPDATE register_entries SET sequence = {sa} WHERE id = '{a}';",
            a = row.id,
            b = other.id,
            sa = row.sequence,
            sb = other.sequence
        ),
    )
    .await;
    assert!(run_check(&app).await.findings.is_empty(), "restored");

    // 3. A line deleted from the register.
    sql(
        &app,
        format!("DELETE FROM register_entries WHERE id = '{}'", other.id),
    )
    .await;
    let report = run_check(&app).await;
    assert!(has(
        &report,
        FindingKind::EntryDeleted,
        &format!("#{}", other.sequence)
    ));
    let verified = verify_pdf(&app, &kept.pdf).await;
    assert!(
        error_codes(&verified).contains(&"REGISTER_ENTRY_DELETED".to_owned()),
        "{verified}"
    );
    let restore = other.clone();
    app.db(move |conn| restore.insert(conn).unwrap()).await;
    assert!(run_check(&app).await.findings.is_empty(), "restored");

    // 4. A leaf of the log rewritten, then with its hash recomputed too.
    let annul_leaf: i64 = app
        .db(|conn: &mut DbConn| certcopy::transparency::size(conn).unwrap() as i64 - 1)
        .await;
    let original: String = app
        .db(move |conn| {
            use certcopy::db::schema::register_log::dsl::*;
            use diesel::prelude::*;
            register_log
                .find(annul_leaf)
                .select(leaf)
                .first::<String>(conn)
                .unwrap()
        })
        .await;
    let forged = original.replace("\"annulled\"", "\"valid\"");
    assert_ne!(forged, original);
    sql(
        &app,
        format!(
            "UPDATE register_log SET leaf = '{}' WHERE leaf_index = {annul_leaf}",
            forged.replace('\'', "''")
        ),
    )
    .await;
    let report = run_check(&app).await;
    assert!(
        has(
            &report,
            FindingKind::LeafAltered,
            &format!("leaf {annul_leaf}")
        ),
        "{:?}",
        report.findings
    );
    sql(
        &app,
        format!(
            "UPDATE register_log SET leaf_hash = '{}' WHERE leaf_index = {annul_leaf}",
            hex::encode(merkle::leaf_hash(forged.as_bytes()))
        ),
    )
    .await;
    let report = run_check(&app).await;
    assert!(
        !has_kind(&report, FindingKind::LeafAltered),
        "the leaf hashes to itself now"
    );
    assert!(
        has_kind(&report, FindingKind::HeadMismatch),
        "{:?}",
        report.findings
    );
    assert!(
        has(&report, FindingKind::EntryAltered, &number),
        "the row is not what the leaf says"
    );
    sql(
        &app,
        format!(
            "UPDATE register_log SET leaf = '{}', leaf_hash = '{}' WHERE leaf_index = {annul_leaf}",
            original.replace('\'', "''"),
            hex::encode(merkle::leaf_hash(original.as_bytes()))
        ),
    )
    .await;
    assert!(run_check(&app).await.findings.is_empty(), "restored");

    // 5. A stored subtree (what proofs are made of: here the sibling of the annulment's
    // leaf) rewritten.
    let zeros = "0".repeat(64);
    let node: String = app
        .db(|conn| {
            use certcopy::db::schema::register_log_nodes::dsl::*;
            use diesel::prelude::*;
            register_log_nodes
                .find((2, 0i64))
                .select(hash)
                .first::<String>(conn)
                .unwrap()
        })
        .await;
    sql(
        &app,
        format!(
            "UPDATE register_log_nodes SET hash = '{zeros}' WHERE level = 2 AND node_index = 0"
        ),
    )
    .await;
    let report = run_check(&app).await;
    assert!(
        has(&report, FindingKind::NodeAltered, "node 2/0"),
        "{:?}",
        report.findings
    );
    let verified = verify_pdf(&app, &annulled.pdf).await;
    assert!(
        error_codes(&verified).contains(&"REGISTER_LOG_ALTERED".to_owned()),
        "the copy's path no longer leads to the signed root: {verified}"
    );
    sql(
        &app,
        format!("UPDATE register_log_nodes SET hash = '{node}' WHERE level = 2 AND node_index = 0"),
    )
    .await;
    assert!(run_check(&app).await.findings.is_empty(), "restored");

    // 6. Audit rows: one edited, two swapped, one deleted.
    lift_audit_guard(&app).await;
    let last = last_chain_index(&app).await;
    let edited = last - 2;
    sql(
        &app,
        format!("UPDATE audit_log SET detail = '{{}}' WHERE chain_index = {edited}"),
    )
    .await;
    let report = run_check(&app).await;
    assert!(
        has(
            &report,
            FindingKind::AuditRowAltered,
            &format!("audit row {edited}")
        ),
        "{:?}",
        report.findings
    );
    assert!(
        has_kind(&report, FindingKind::AuditHeadMismatch),
        "the signed head no longer matches"
    );
    let altered = report
        .findings
        .iter()
        .filter(|f| f.kind == FindingKind::AuditRowAltered)
        .count();
    assert_eq!(
        altered, 1,
        "one row changed, one row reported: {:?}",
        report.findings
    );

    sql(
        &app,
        format!(
            "UPDATE audit_log SET chain_index = -1 WHERE chain_index = {a};
             UPDATE audit_log SET chain_index = {a} WHERE chain_index = {b};
             UPDATE audit_log SET chain_index = {b} WHERE chain_index = -1;",
            a = last - 1,
            b = last
        ),
    )
    .await;
    let report = run_check(&app).await;
    assert!(has(
        &report,
        FindingKind::AuditRowAltered,
        &format!("audit row {}", last - 1)
    ));
    assert!(has(
        &report,
        FindingKind::AuditRowAltered,
        &format!("audit row {last}")
    ));

    let deleted = 2;
    sql(
        &app,
        format!("DELETE FROM audit_log WHERE chain_index = {deleted}"),
    )
    .await;
    let report = run_check(&app).await;
    assert!(
        has(
            &report,
            FindingKind::AuditRowMissing,
            &format!("audit row {deleted}")
        ),
        "{:?}",
        report.findings
    );

    // The command says the same, with exit code 1 (0 on a clean register, see above).
    let (code, out) = cli_verify(&app);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("DIFFERS  audit row {deleted}")),
        "{out}"
    );
    assert!(out.contains("difference(s) found"), "{out}");
});

db_test!(
    the_command_passes_a_clean_register_and_publishes_heads,
    |app| {
        let (_, official, _) = office_with_official(&app, "UBND Phường Lệnh", "lanhdao.lenh").await;
        issue(&app, &official, "079301001234").await;
        let (code, out) = cli(&app, &["registry", "publish"]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("tree head: 2 leaves"), "{out}");
        let (code, out) = cli_verify(&app);
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("OK: the log, the tree heads, the audit chain and the register agree"),
            "{out}"
        );
        let (code, out) = cli(&app, &["registry", "key"]);
        assert_eq!(code, 0);
        assert_eq!(
            out.lines().next(),
            Some(app.app.log_trust.to_base64().as_str())
        );
        // Heads signed by a key the verifier does not trust are reported.
        let (code, out) = cli(
            &app,
            &[
                "registry",
                "verify",
                "--log-public-key",
                "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
            ],
        );
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("not signed by the trusted log key"), "{out}");
    }
);

fn cli_verify(app: &TestApp) -> (i32, String) {
    cli(app, &["registry", "verify"])
}

/// Runs the command on the test app's database and data directory.
pub(crate) fn cli(app: &TestApp, args: &[&str]) -> (i32, String) {
    let config = &app.app.config;
    let output = Command::new(env!("CARGO_BIN_EXE_certcopy"))
        .args(args)
        .current_dir(&app.dir)
        .env("CERTCOPY_LOG", "off")
        .env("CERTCOPY_DATABASE_URL", &config.database_url)
        .env("CERTCOPY_DATA_DIR", &config.data_dir)
        .env("CERTCOPY_BLOB_DIR", &config.blob_dir)
        .env("CERTCOPY_PKI_DIR", &config.pki_dir)
        .output()
        .expect("certcopy binary runs");
    (
        output.status.code().unwrap_or(-1),
        format!(
            "{}{}({})",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            output.status
        ),
    )
}
