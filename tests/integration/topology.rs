//! The production shape on loopback (docs/DEPLOY.md): two `certcopy serve` processes on
//! one PostgreSQL database, the blobs in an S3-compatible bucket (`moto_server`), the
//! cookie secret, the register log's key and the signing keys shared. A journey crosses
//! them — booked on the first, issued on the second, verified and downloaded on the first
//! — and the second is killed while it issues: the register and the bucket stay
//! consistent, and the first instance's job runner voids the line the dead one left
//! pending.

use std::process::Command;
use std::time::{Duration, Instant};

use certcopy::booking::OfficeCalendarConfig;
use certcopy::db::models::{OfficeCalendarRow, Role};
use certcopy::db::{Db, now_utc};
use certcopy::storage::{BlobStore, Sha256Hex};
use diesel::prelude::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::booking::support::{bookable_slots, insert_person};
use crate::common::http::{http, request};
use crate::common::s3::MotoServer;
use crate::common::server::Instance;
use crate::common::{PgDatabase, postgres_admin_url};
use crate::issuing::{FIELDS, multipart, small_jpeg};

const SECRET_KEY: &str = "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk=";
const BUCKET_URL: &str = "s3://chung-thuc-quoc-gia/ban-sao";

fn certcopy(args: &[&str], env: &[(&str, String)]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_certcopy"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("CERTCOPY_LOG", "warn")
        .output()
        .expect("the certcopy binary runs");
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| json!({ "raw": String::from_utf8_lossy(body) }))
}

/// Issues a copy with `pages` scans through `port`'s API.
fn issue(port: u16, token: &str, citizen_id: &str, pages: u32) -> std::io::Result<(u16, Value)> {
    let scans: Vec<(String, Vec<u8>)> = (1..=pages)
        .map(|page| (format!("trang{page}.jpg"), small_jpeg(page)))
        .collect();
    let files: Vec<(&str, &str, &[u8])> = scans
        .iter()
        .map(|(name, bytes)| ("scans", name.as_str(), bytes.as_slice()))
        .collect();
    let mut fields: Vec<(&str, &str)> = FIELDS
        .iter()
        .filter(|(name, _)| *name != "citizen_id")
        .copied()
        .collect();
    fields.push(("citizen_id", citizen_id));
    let (content_type, body) = multipart(&fields, &files);
    let authorization = format!("Bearer {token}");
    let content_type = content_type.to_string();
    request(
        port,
        "POST",
        "/api/v1/copies",
        &[
            ("Authorization", authorization.as_str()),
            ("Content-Type", content_type.as_str()),
        ],
        &body,
    )
    .map(|(status, body)| (status, json_of(&body)))
}

/// Register lines as stored: id, status, sequence, stored file digest.
fn register(db: &Db) -> Vec<(String, String, i64, Option<String>)> {
    use certcopy::db::schema::register_entries as r;
    let mut conn = db.get().unwrap();
    r::table
        .select((
            r::id,
            r::status,
            r::sequence,
            r::document_sha256,
            r::file_sha256,
        ))
        .order(r::sequence.asc())
        .load::<(String, String, i64, Option<String>, Option<String>)>(&mut *conn)
        .unwrap()
        .into_iter()
        .map(|(id, status, sequence, content, file)| (id, status, sequence, file.or(content)))
        .collect()
}

#[test]
fn postgres_two_instances_with_s3_blobs_share_a_journey_and_survive_a_kill() {
    let Some(admin_url) = postgres_admin_url() else {
        eprintln!("PostgreSQL skipped: CERTCOPY_TEST_DATABASE_URL is not set");
        return;
    };
    let database = PgDatabase::create(&admin_url);
    let moto = MotoServer::start();
    moto.create_bucket("chung-thuc-quoc-gia");
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    let mut env: Vec<(&str, String)> = moto.env(BUCKET_URL);
    env.extend([
        ("CERTCOPY_DATABASE_URL", database.url.clone()),
        ("CERTCOPY_SECRET_KEY", SECRET_KEY.to_owned()),
        (
            "CERTCOPY_LOG_KEY_FILE",
            shared.join("log.key").display().to_string(),
        ),
        ("CERTCOPY_PKI_DIR", shared.join("pki").display().to_string()),
        ("CERTCOPY_JOB_POLL_SECS", "1".to_owned()),
        ("CERTCOPY_VOID_INTERRUPTED_EVERY_SECS", "10".to_owned()),
        (
            "CERTCOPY_DATA_DIR",
            dir.path().join("cli").display().to_string(),
        ),
    ]);

    // The schema, the people (written directly), then the development PKI for them.
    let (ok, out) = certcopy(&["migrate"], &env);
    assert!(ok, "{out}");
    let db = Db::open(&database.url, 2).unwrap();
    let (office, citizen, official, admin) = {
        let mut conn = db.get().unwrap();
        let office = certcopy::db::models::Office {
            id: certcopy::db::ids::OfficeId::generate(),
            name: "UBND Phường Hai Máy".into(),
            kind: "commune_committee".into(),
            province: "Thành phố Hồ Chí Minh".into(),
            district: "Quận 1".into(),
            address: "86 Lê Thánh Tôn".into(),
            created_at: now_utc(),
        };
        office.insert(&mut conn).unwrap();
        let calendar = serde_json::to_string(&OfficeCalendarConfig::default()).unwrap();
        OfficeCalendarRow::save(&mut conn, &office.id, &calendar, None, now_utc()).unwrap();
        let citizen = insert_person(&mut conn, Role::Citizen, 501, None);
        let official = insert_person(&mut conn, Role::Official, 502, Some(&office.id));
        let admin = insert_person(&mut conn, Role::Admin, 503, None);
        (office, citizen, official, admin)
    };
    let (ok, out) = certcopy(&["pki", "init"], &env);
    assert!(ok, "{out}");

    // Each instance has a data directory of its own (Instance::start sets it); nothing
    // that matters is kept there.
    let mut instance_env = env.clone();
    instance_env.retain(|(key, _)| *key != "CERTCOPY_DATA_DIR");
    instance_env.push(("CERTCOPY_DEV_PKI", "true".to_owned()));
    let first = Instance::start(&dir.path().join("a"), &instance_env);
    let second = Instance::start(&dir.path().join("b"), &instance_env);
    let (a, b) = (first.port, second.port);

    // Booked on the first, seen on the second.
    let start = bookable_slots(a, &office.id, 1).remove(0);
    let (status, booked) = http(
        a,
        "POST",
        "/api/v1/appointments",
        Some(&citizen.token),
        &json!({
            "office_id": office.id,
            "slot_start": start,
            "documents": [{ "title": "Bằng tốt nghiệp", "pages": 1, "copies": 1 }],
        })
        .to_string(),
    )
    .unwrap();
    assert_eq!(status, 201, "{booked}");
    let booked: Value = serde_json::from_str(&booked).unwrap();
    let (status, mine) = http(
        b,
        "GET",
        "/api/v1/appointments/mine",
        Some(&citizen.token),
        "",
    )
    .unwrap();
    assert_eq!(status, 200, "{mine}");
    assert!(
        mine.contains(booked["appointment"]["id"].as_str().unwrap()),
        "{mine}"
    );

    // Issued on the second: the signed copy lands in the bucket under its digest.
    let (status, copy) = issue(b, &official.token, "079203000501", 2).unwrap();
    assert_eq!(status, 201, "{copy}");
    let copy_id = copy["id"].as_str().unwrap().to_owned();
    let file_digest = copy["sha256"].as_str().unwrap().to_owned();
    let key = format!("ban-sao/sha256/{}/{file_digest}", &file_digest[..2]);
    assert!(moto.keys("chung-thuc-quoc-gia", "ban-sao/").contains(&key));
    for instance in [dir.path().join("a"), dir.path().join("b")] {
        assert!(
            !instance.join("data/blobs/sha256").exists(),
            "no instance keeps blobs of its own"
        );
    }

    // Downloaded and verified on the first.
    let authorization = format!("Bearer {}", official.token);
    let (status, pdf) = request(
        a,
        "GET",
        &format!("/api/v1/copies/{copy_id}/pdf"),
        &[("Authorization", authorization.as_str())],
        b"",
    )
    .unwrap();
    assert_eq!(status, 200);
    assert_eq!(hex::encode(Sha256::digest(&pdf)), file_digest);
    let (status, agency) = http(
        a,
        "POST",
        "/api/v1/admin/agencies",
        Some(&admin.token),
        &json!({ "name": "Sở Giáo dục và Đào tạo", "username": "so.gddt" }).to_string(),
    )
    .unwrap();
    assert_eq!(status, 201, "{agency}");
    let api_key = serde_json::from_str::<Value>(&agency).unwrap()["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, report) = request(
        a,
        "POST",
        "/api/v1/verifications",
        &[
            ("X-Api-Key", api_key.as_str()),
            ("Content-Type", "application/pdf"),
        ],
        &pdf,
    )
    .unwrap();
    let report = json_of(&report);
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["verdict"], "TOTAL_PASSED", "{report}");
    assert_eq!(report["register"]["status"], "FOUND", "{report}");
    let code = copy["code"].as_str().unwrap();
    let (status, by_code) = http(
        a,
        "GET",
        &format!("/api/v1/copies/by-code/{code}"),
        None,
        "",
    )
    .unwrap();
    assert_eq!(status, 200, "{by_code}");
    assert!(by_code.contains("valid"), "{by_code}");

    // The second instance is killed while it issues (large scans keep it busy); the
    // client sees no answer or an error, never a half copy.
    let issuing = std::thread::spawn({
        let token = official.token.clone();
        move || {
            (0..4)
                .map(|n| issue(b, &token, &format!("07920300060{n}"), 12))
                .collect::<Vec<_>>()
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pending = register(&db).iter().filter(|l| l.1 == "pending").count();
        if pending > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no issuance started: {}",
            second.log_text()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    second.kill();
    let answers = issuing.join().unwrap();
    let completed = answers
        .iter()
        .filter(|answer| matches!(answer, Ok((201, _))))
        .count();
    eprintln!("issuances answered before the kill: {completed} of 4");

    // Consistent now: numbers without gaps, every valid line's file in the bucket and
    // sound, nothing valid without its file.
    let bucket = BlobStore::open_s3(&moto.settings(BUCKET_URL)).unwrap();
    let runtime = rocket::tokio::runtime::Runtime::new().unwrap();
    let check = |lines: &[(String, String, i64, Option<String>)]| {
        let sequences: Vec<i64> = lines.iter().map(|l| l.2).collect();
        assert_eq!(
            sequences,
            (1..=i64::try_from(lines.len()).unwrap()).collect::<Vec<_>>(),
            "numbers without gaps or repeats"
        );
        for (id, status, _, digest) in lines {
            if status == "valid" {
                let digest = Sha256Hex::parse(digest.as_deref().unwrap()).unwrap();
                runtime
                    .block_on(bucket.get(&digest))
                    .unwrap_or_else(|e| panic!("{id}: valid without its file: {e}"));
            }
        }
    };
    let lines = register(&db);
    check(&lines);
    let pending: Vec<String> = lines
        .iter()
        .filter(|l| l.1 == "pending")
        .map(|l| l.0.clone())
        .collect();
    assert!(!pending.is_empty(), "the kill interrupted an issuance");

    // The line the dead instance left pending: once it is old enough, the first
    // instance's job runner voids it.
    {
        use certcopy::db::schema::{jobs, register_entries as r};
        let mut conn = db.get().unwrap();
        diesel::update(r::table.filter(r::id.eq_any(&pending)))
            .set(r::created_at.eq(now_utc() - time::Duration::minutes(20)))
            .execute(&mut *conn)
            .unwrap();
        diesel::update(jobs::table.filter(jobs::kind.eq("register.void_interrupted")))
            .set(jobs::run_at.eq(now_utc()))
            .execute(&mut *conn)
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while register(&db).iter().any(|l| l.1 == "pending") {
        assert!(
            Instant::now() < deadline,
            "the pending line was not voided: {}",
            first.log_text()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let lines = register(&db);
    check(&lines);
    for id in &pending {
        let line = lines.iter().find(|l| &l.0 == id).unwrap();
        assert_eq!(line.1, "void", "{id}");
    }

    // Every copy issued before and during the kill downloads from the first instance;
    // the register log checks.
    for (id, status, _, digest) in &lines {
        if status != "valid" {
            continue;
        }
        let (code, body) = request(
            a,
            "GET",
            &format!("/api/v1/copies/{id}/pdf"),
            &[("Authorization", authorization.as_str())],
            b"",
        )
        .unwrap();
        assert_eq!(code, 200, "{id}");
        assert_eq!(Some(hex::encode(Sha256::digest(&body))), digest.clone());
    }
    let (ok, out) = certcopy(&["registry", "verify"], &env);
    assert!(ok, "{out}");
    drop(first);
}
