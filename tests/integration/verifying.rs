//! Verification through the API, the QR landing page and the CLI, with the register
//! cross-check; report snapshots.

use std::process::Command;

use certcopy::db::models::{Role, User};
use certcopy::intake::ScanFile;
use certcopy::registry::issuance::{IssueOptions, IssueRequest, IssuedCopy};
use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, assert_error, read};
use crate::issuing::{multipart, office_with_official, small_jpeg};

pub(crate) async fn issue(app: &TestApp, official: &User, citizen_id: &str) -> IssuedCopy {
    let request = IssueRequest {
        requester_name: "Phạm Văn Cường".into(),
        requester_citizen_id: citizen_id.into(),
        document_title: "Giấy chứng nhận quyền sử dụng đất".into(),
        copies: 1,
        scans: vec![ScanFile {
            name: "1.jpg".into(),
            bytes: small_jpeg(1),
        }],
        placement: Default::default(),
    };
    app.app
        .issuer()
        .issue(official, request, IssueOptions::default(), None)
        .await
        .expect("issued")
}

async fn post_pdf(app: &TestApp, bytes: Vec<u8>, headers: Vec<Header<'static>>) -> (Status, Value) {
    post_pdf_via(app, None, bytes, headers).await
}

/// Posts a PDF, from the socket address `peer` when given.
async fn post_pdf_via(
    app: &TestApp,
    peer: Option<&str>,
    bytes: Vec<u8>,
    headers: Vec<Header<'static>>,
) -> (Status, Value) {
    let mut request = app
        .client
        .post("/api/v1/verifications")
        .header(ContentType::PDF)
        .body(bytes);
    if let Some(peer) = peer {
        request = request.remote(peer.parse().unwrap());
    }
    for header in headers {
        request = request.header(header);
    }
    read(request.dispatch().await).await
}

/// Audit rows of agency verifications.
async fn verify_audits(app: &TestApp) -> usize {
    app.db(|conn| {
        certcopy::db::models::AuditEntry::latest(conn, 50)
            .unwrap()
            .into_iter()
            .filter(|a| a.action == "copy.verify")
            .count()
    })
    .await
}

/// An admin (signed in as `admin`) creates an agency account; its first API key.
async fn agency_key(app: &TestApp, admin: &str, name: &str, username: &str) -> String {
    let (_, admin_token) = app.signed_in(Role::Admin, admin).await;
    let (status, agency) = app
        .post_json(
            "/api/v1/admin/agencies",
            &json!({"name": name, "username": username}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(status, Status::Created, "{agency}");
    agency["api_key"].as_str().unwrap().to_owned()
}

/// Flips one byte inside the first image stream of the copy (inside the signed ranges).
fn tamper_image(pdf: &[u8]) -> Vec<u8> {
    let mut bytes = pdf.to_vec();
    let at = bytes
        .windows(11)
        .position(|w| w == b"/DCTDecode\n" || w == b"/DCTDecode/")
        .unwrap_or(2000);
    let stream = bytes[at..]
        .windows(6)
        .position(|w| w == b"stream")
        .map(|p| at + p + 200)
        .unwrap_or(3000);
    bytes[stream] ^= 0x55;
    bytes
}

async fn api_verifies_and_cross_checks(app: TestApp) {
    let (_, official, official_token) =
        office_with_official(&app, "UBND Phường Tân Định", "lanhdao.td").await;
    let copy = issue(&app, &official, "079203005555").await;

    let (status, report) = post_pdf(&app, copy.pdf.clone(), vec![]).await;
    assert_eq!(status, Status::Ok, "{report}");
    assert_eq!(report["verdict"], "TOTAL_PASSED", "{report:#}");
    assert_eq!(report["signatures_count"], 2);
    assert_eq!(report["valid_signatures_count"], 2);
    assert_eq!(report["register"]["status"], "FOUND");
    assert_eq!(
        report["register"]["certification_number"],
        copy.entry.sequence
    );
    assert_eq!(report["register"]["office"], "UBND Phường Tân Định");

    // Multipart upload gives the same answer.
    let (content_type, body) = multipart(&[], &[("file", "ban-sao.pdf", &copy.pdf)]);
    let (status, multipart_report) = read(
        app.client
            .post("/api/v1/verifications")
            .header(content_type)
            .body(body)
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(multipart_report["verdict"], "TOTAL_PASSED");

    // One byte changed inside the scan: the hash no longer matches and the register has
    // no such file.
    let (status, tampered) = post_pdf(&app, tamper_image(&copy.pdf), vec![]).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(tampered["verdict"], "TOTAL_FAILED", "{tampered:#}");
    assert_eq!(tampered["signatures"][0]["sub_indication"], "HASH_FAILURE");
    assert_eq!(tampered["register"]["status"], "MISMATCH");

    // Not a PDF, empty, truncated: 422 with a code, never a 500.
    for (bytes, code) in [
        (b"GIF89a not a pdf".to_vec(), "not_a_pdf"),
        (Vec::new(), "empty_file"),
        (copy.pdf[..copy.pdf.len() / 3].to_vec(), "truncated_pdf"),
    ] {
        let answer = post_pdf(&app, bytes, vec![]).await;
        assert_error(&answer, Status::UnprocessableEntity, code);
    }

    // Public status by code: no personal data.
    let (status, public) = app
        .get(
            &format!(
                "/api/v1/copies/by-code/{}",
                copy.entry.verification_code.to_lowercase()
            ),
            None,
        )
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(public["status"], "valid");
    assert_eq!(
        public["sha256"],
        copy.entry.document_sha256.clone().unwrap()
    );
    let text = public.to_string();
    assert!(
        !text.contains("079203005555") && !text.contains("Phạm Văn Cường"),
        "no personal data: {text}"
    );
    let unknown = app
        .get("/api/v1/copies/by-code/AAAA-AAAA-AAAA-AAAA-AAAA", None)
        .await;
    assert_error(&unknown, Status::NotFound, "copy_not_found");

    // Annulled in the register → the copy fails verification with the reason.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/copies/{}/annul", copy.entry.id),
            &json!({"reason": "Bản chính giả mạo"}),
            Some(&official_token),
        )
        .await;
    assert_eq!(status, Status::Ok);
    let (_, annulled) = post_pdf(&app, copy.pdf.clone(), vec![]).await;
    assert_eq!(annulled["verdict"], "TOTAL_FAILED");
    assert_eq!(annulled["register"]["status"], "ANNULLED");
    assert!(
        annulled["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "ANNULLED")
    );
    let (_, public) = app
        .get(
            &format!("/api/v1/copies/by-code/{}", copy.entry.verification_code),
            None,
        )
        .await;
    assert_eq!(public["status"], "annulled");
}

#[rocket::async_test]
async fn api_verifies_and_cross_checks_sqlite() {
    api_verifies_and_cross_checks(TestApp::builder(Backend::Sqlite).build().await.unwrap()).await;
}

#[rocket::async_test]
async fn api_verifies_and_cross_checks_postgres() {
    if let Some(app) = TestApp::builder(Backend::Postgres).build().await {
        api_verifies_and_cross_checks(app).await;
    }
}

async fn limits_and_agency_access(app: TestApp) {
    let (_, official, _) =
        office_with_official(&app, "UBND Phường Thảo Điền", "lanhdao.tdien").await;
    let copy = issue(&app, &official, "079203006666").await;
    // Public callers: 2 a minute in this configuration.
    for _ in 0..2 {
        assert_eq!(post_pdf(&app, copy.pdf.clone(), vec![]).await.0, Status::Ok);
    }
    let limited = post_pdf(&app, copy.pdf.clone(), vec![]).await;
    assert_error(&limited, Status::TooManyRequests, "rate_limited");

    // Agencies with an API key are not limited, and their access is logged.
    let key = agency_key(&app, "quantri.vf", "Sở Tài nguyên và Môi trường", "so.tnmt").await;
    for _ in 0..3 {
        let (status, report) = post_pdf(
            &app,
            copy.pdf.clone(),
            vec![Header::new("X-Api-Key", key.clone())],
        )
        .await;
        assert_eq!(status, Status::Ok, "{report}");
        assert_eq!(report["verdict"], "TOTAL_PASSED");
    }
    let logged = verify_audits(&app).await;
    assert_eq!(logged, 3);
    // A wrong key is refused, not treated as public.
    let wrong = post_pdf(
        &app,
        copy.pdf.clone(),
        vec![Header::new("X-Api-Key", "cc_live_wrong")],
    )
    .await;
    assert_error(&wrong, Status::Unauthorized, "not_authenticated");

    // Oversized body (limit 1 MB here): 413.
    let big = vec![b'%'; 1_500_000];
    let answer = post_pdf(&app, big, vec![Header::new("X-Api-Key", key)]).await;
    assert_error(&answer, Status::PayloadTooLarge, "payload_too_large");
}

#[rocket::async_test]
async fn limits_and_agency_access_sqlite() {
    let app = TestApp::builder(Backend::Sqlite)
        .with_config(|c| {
            c.public_verify_per_minute = 2;
            c.max_upload_mb = 1;
        })
        .build()
        .await
        .unwrap();
    limits_and_agency_access(app).await;
}

#[rocket::async_test]
async fn limits_and_agency_access_postgres() {
    let builder = TestApp::builder(Backend::Postgres).with_config(|c| {
        c.public_verify_per_minute = 2;
        c.max_upload_mb = 1;
    });
    if let Some(app) = builder.build().await {
        limits_and_agency_access(app).await;
    }
}

#[rocket::async_test]
async fn qr_landing_page_checks_a_file() {
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    let (_, official, _) = office_with_official(&app, "UBND Phường Cầu Kho", "lanhdao.ck").await;
    let copy = issue(&app, &official, "079203007777").await;
    let other = issue(&app, &official, "079203008888").await;
    let url = format!(
        "/v/{}",
        certcopy::registry::code::display_code(&copy.entry.verification_code)
    );

    let page = app.client.get(url.clone()).dispatch().await;
    assert_eq!(page.status(), Status::Ok);
    let html = page.into_string().await.unwrap();
    assert!(
        html.contains("Bản sao có hiệu lực") && html.contains("UBND Phường Cầu Kho"),
        "{html}"
    );
    assert!(
        !html.contains("079203007777"),
        "no personal data on the public page"
    );
    // The issue time in Viet Nam time, the way dates are written here.
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .date();
    assert!(
        html.contains("Thời điểm cấp (giờ Việt Nam)")
            && html.contains(&certcopy::local_time::date_dmy(today)),
        "{html}"
    );
    let english = app
        .client
        .get(format!("{url}?lang=en"))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(english.contains("The copy is valid"));

    let check = |bytes: Vec<u8>| {
        let (content_type, body) = multipart(&[], &[("file", "x.pdf", &bytes)]);
        app.client
            .post(url.clone())
            .header(content_type)
            .body(body)
            .dispatch()
    };
    let same = check(copy.pdf.clone()).await.into_string().await.unwrap();
    assert!(same.contains("Tệp đúng là bản sao đã cấp"), "{same}");
    let different = check(other.pdf.clone()).await.into_string().await.unwrap();
    assert!(
        different.contains("KHÔNG được xác nhận") && different.contains("khác với bản sao đã cấp"),
        "{different}"
    );
    let junk = check(b"not a pdf".to_vec()).await;
    assert_eq!(junk.status(), Status::UnprocessableEntity);

    let missing = app
        .client
        .get("/v/ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
        .dispatch()
        .await;
    assert_eq!(missing.status(), Status::NotFound);
}

/// The page's upload and the API are one path: an agency checking a file on `/v/{code}`
/// is audited like an API verification, and anonymous uploads there spend the same
/// per-address limit as the API.
#[rocket::async_test]
async fn page_check_is_the_api_path() {
    let app = TestApp::builder(Backend::Sqlite)
        .with_config(|c| c.public_verify_per_minute = 2)
        .build()
        .await
        .unwrap();
    let (_, official, _) = office_with_official(&app, "UBND Phường Tân Định", "lanhdao.td").await;
    let copy = issue(&app, &official, "079203009999").await;
    let url = format!(
        "/v/{}",
        certcopy::registry::code::display_code(&copy.entry.verification_code)
    );
    let key = agency_key(&app, "quantri.page", "Sở Giáo dục và Đào tạo", "so.gddt").await;
    let check = |headers: Vec<Header<'static>>| {
        let (content_type, body) = multipart(&[], &[("file", "x.pdf", &copy.pdf)]);
        let mut request = app.client.post(url.clone()).header(content_type).body(body);
        for header in headers {
            request = request.header(header);
        }
        request.dispatch()
    };
    let by_agency = check(vec![Header::new("X-Api-Key", key)]).await;
    assert_eq!(by_agency.status(), Status::Ok);
    let audited = verify_audits(&app).await;
    assert_eq!(audited, 1, "the agency's check on the page is audited");

    // One anonymous verification through the API, one through the page: the third,
    // on either, is over the limit of 2.
    assert_eq!(post_pdf(&app, copy.pdf.clone(), vec![]).await.0, Status::Ok);
    assert_eq!(check(vec![]).await.status(), Status::Ok);
    let refused = check(vec![]).await;
    assert_eq!(refused.status(), Status::TooManyRequests);
    let html = refused.into_string().await.unwrap();
    assert!(
        html.to_ascii_lowercase().starts_with("<!doctype html>") && html.contains("quá nhiều tệp"),
        "the page answers its refusals as a page: {html}"
    );
    let limited = post_pdf(&app, copy.pdf.clone(), vec![]).await;
    assert_error(&limited, Status::TooManyRequests, "rate_limited");
}

fn cli(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_certcopy"))
        .args(args)
        .current_dir(dir)
        .env("CERTCOPY_LOG", "off")
        .env_remove("CERTCOPY_DATABASE_URL")
        .output()
        .expect("certcopy binary runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[rocket::async_test]
async fn cli_verify_exit_codes_and_trust() {
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    let (_, official, _) = office_with_official(&app, "UBND Phường Bình Thạnh", "lanhdao.bt").await;
    let copy = issue(&app, &official, "079203009999").await;
    let dir = tempfile::tempdir().unwrap();
    let (good, bad, junk) = (
        dir.path().join("good.pdf"),
        dir.path().join("bad.pdf"),
        dir.path().join("junk.pdf"),
    );
    std::fs::write(&good, &copy.pdf).unwrap();
    std::fs::write(&bad, tamper_image(&copy.pdf)).unwrap();
    std::fs::write(&junk, b"\x00\x01 garbage").unwrap();
    let root = app.dir.join("pki/root.crt");
    let crl = app.dir.join("pki/crl.pem");
    let intermediate = app.dir.join("pki/justice-ca.crt");
    let trust = [
        "--trust",
        root.to_str().unwrap(),
        "--crl",
        crl.to_str().unwrap(),
        "--intermediate",
        intermediate.to_str().unwrap(),
    ];

    let mut args = vec!["verify", good.to_str().unwrap(), "--json"];
    args.extend(trust);
    let (code, out) = cli(dir.path(), &args);
    assert_eq!(code, 0, "{out}");
    let json: Value = serde_json::from_str(&out).expect("JSON output");
    assert_eq!(json[0]["report"]["verdict"], "TOTAL_PASSED");
    let warnings = json[0]["report"]["warnings"].to_string();
    assert!(
        warnings.contains("REGISTER_NOT_CONSULTED"),
        "offline use says the register was not consulted: {warnings}"
    );

    let mut args = vec!["verify", good.to_str().unwrap(), bad.to_str().unwrap()];
    args.extend(trust);
    let (code, out) = cli(dir.path(), &args);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("HASH_FAILURE"), "{out}");

    let mut args = vec!["verify", good.to_str().unwrap(), junk.to_str().unwrap()];
    args.extend(trust);
    assert_eq!(cli(dir.path(), &args).0, 2);

    // Only the given anchors are trusted: the look-alike test root does not vouch for it.
    let fake =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pki/untrusted-root.crt");
    let (code, out) = cli(
        dir.path(),
        &[
            "verify",
            good.to_str().unwrap(),
            "--trust",
            fake.to_str().unwrap(),
            "--crl",
            crl.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("INDETERMINATE"), "{out}");
}

#[rocket::async_test]
async fn report_snapshots() {
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    let (_, official, _) = office_with_official(&app, "UBND Phường Snapshot", "lanhdao.snap").await;
    let copy = issue(&app, &official, "079203001111").await;
    let (_, passing) = post_pdf(&app, copy.pdf.clone(), vec![]).await;
    let (_, failing) = post_pdf(&app, tamper_image(&copy.pdf), vec![]).await;
    let volatile = |value: &Value| {
        insta::assert_json_snapshot!(value, {
            ".validation_time" => "[time]",
            ".revisions_count" => "[count]",
            ".signatures[].id" => "[id]",
            ".signatures[].signing_time" => "[time]",
            ".signatures[].signature_timestamp.time" => "[time]",
            ".document_timestamps[].time" => "[time]",
            ".signatures[].certificate_chain" => "[chain]",
            ".signatures[].coverage.byte_range" => "[byte range]",
            ".signatures[].signer_certificate_sha256" => "[sha256]",
            ".signatures[].modifications" => "[modifications]",
            ".register.certification_number" => "[number]",
            ".register.book" => "[book]",
            ".register.issued_at" => "[time]",
        });
    };
    insta::with_settings!({ snapshot_suffix => "passing" }, { volatile(&passing) });
    insta::with_settings!({ snapshot_suffix => "failing" }, { volatile(&failing) });
}

/// Posts a PDF from the socket address `peer` with the given headers.
async fn post_pdf_from(
    app: &TestApp,
    peer: &str,
    bytes: Vec<u8>,
    headers: Vec<Header<'static>>,
) -> (Status, Value) {
    post_pdf_via(app, Some(peer), bytes, headers).await
}

/// The public limit counts the socket's peer: forwarding headers from anyone else do not
/// move a caller to a fresh bucket (nor spend a victim's), and the limit is taken before
/// the upload is read.
#[rocket::async_test]
async fn client_address_is_the_peer_unless_a_trusted_proxy_forwards() {
    let app = TestApp::builder(Backend::Sqlite)
        .with_config(|c| {
            c.public_verify_per_minute = 2;
            c.max_upload_mb = 1;
            c.trusted_proxies = vec!["10.0.0.0/8".to_owned()];
        })
        .build()
        .await
        .unwrap();
    let (_, official, _) = office_with_official(&app, "UBND Phường Đa Kao", "lanhdao.dk").await;
    let copy = issue(&app, &official, "079203004444").await;
    let spoofed = |n: u8| {
        vec![
            Header::new("X-Real-IP", format!("198.51.100.{n}")),
            Header::new("X-Forwarded-For", format!("198.51.100.{n}")),
        ]
    };
    // A direct caller claiming a new address each time is still one address.
    for n in 1..=2 {
        let (status, _) =
            post_pdf_from(&app, "203.0.113.7:4000", copy.pdf.clone(), spoofed(n)).await;
        assert_eq!(status, Status::Ok);
    }
    let limited = post_pdf_from(&app, "203.0.113.7:4000", copy.pdf.clone(), spoofed(3)).await;
    assert_error(&limited, Status::TooManyRequests, "rate_limited");
    // Over the limit, an oversized upload is refused for the limit, before it is read.
    let big = post_pdf_from(&app, "203.0.113.7:4000", vec![b'%'; 1_500_000], vec![]).await;
    assert_error(&big, Status::TooManyRequests, "rate_limited");
    // The claimed address got no verification counted against it.
    let (status, _) = post_pdf_from(&app, "198.51.100.1:4000", copy.pdf.clone(), vec![]).await;
    assert_eq!(status, Status::Ok);

    // Through a trusted proxy, the client is the rightmost untrusted forwarded address.
    let via_proxy = |client: &'static str| {
        vec![Header::new(
            "X-Forwarded-For",
            format!("192.0.2.99, {client}, 10.1.1.1"),
        )]
    };
    for _ in 0..2 {
        let (status, _) = post_pdf_from(
            &app,
            "10.0.0.2:4000",
            copy.pdf.clone(),
            via_proxy("192.0.2.10"),
        )
        .await;
        assert_eq!(status, Status::Ok);
    }
    let limited = post_pdf_from(
        &app,
        "10.0.0.2:4000",
        copy.pdf.clone(),
        via_proxy("192.0.2.10"),
    )
    .await;
    assert_error(&limited, Status::TooManyRequests, "rate_limited");
    // Another client behind the same proxy has its own count.
    let (status, _) = post_pdf_from(
        &app,
        "10.0.0.2:4000",
        copy.pdf.clone(),
        via_proxy("192.0.2.11"),
    )
    .await;
    assert_eq!(status, Status::Ok);
}
