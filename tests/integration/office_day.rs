//! The office's working day through the API: a booking checked in opens one certification
//! request per document; the clerk scans, reorders and hands one over, refuses another on
//! a legal ground (a notice signed by the office seal, downloadable by the citizen); a
//! second person certifies (pdfsig, pyHanko and our verifier accept the copy); illegal
//! moves answer 409; the two-person rule gives way only to one-person offices, and the
//! register line says so; batches get consecutive numbers; fees are paid once and changed
//! only by an official, audited.

use std::path::Path;

use certcopy::db::ids::CopyId;
use certcopy::db::models::{RegisterEntry, Role};
use certcopy::registry::issuance::IssuedCopy;
use rocket::http::{ContentType, Status};
use serde_json::{Value, json};

use crate::booking::support::{MONDAY_6AM, book, person};
use crate::common::{TestApp, assert_error, bearer, read};
use crate::db_test;
use crate::issuing::{multipart, office_with_official, small_jpeg};
use crate::validators::{check_with_independent_tools, our_verifier_passes, run};

/// Two documents: one to certify, one to refuse.
fn two_documents() -> Value {
    json!([
        { "title": "Bằng tốt nghiệp trung học phổ thông", "pages": 1, "copies": 2 },
        { "title": "Giấy xác nhận tự viết", "pages": 3, "copies": 1 },
    ])
}

async fn upload(
    app: &TestApp,
    token: &str,
    request: &str,
    files: &[(&str, &str, &[u8])],
    replace: bool,
) -> (Status, Value) {
    let fields: Vec<(&str, &str)> = if replace {
        vec![("replace", "true")]
    } else {
        Vec::new()
    };
    let (content_type, body) = multipart(&fields, files);
    read(
        app.client
            .post(format!("/api/v1/desk/requests/{request}/scans"))
            .header(content_type)
            .header(bearer(token))
            .body(body)
            .dispatch()
            .await,
    )
    .await
}

async fn get_bytes(app: &TestApp, path: &str, token: &str) -> (Status, Vec<u8>) {
    let response = app
        .client
        .get(path.to_owned())
        .header(bearer(token))
        .dispatch()
        .await;
    let status = response.status();
    (status, response.into_bytes().await.unwrap_or_default())
}

const CHECKLIST: &str = r#"{"pages_counted":true,"no_erasure_seen":true,"original_shown":true}"#;

async fn post(app: &TestApp, path: &str, body: &str, token: &str) -> (Status, Value) {
    read(
        app.client
            .post(path.to_owned())
            .header(ContentType::JSON)
            .header(bearer(token))
            .body(body)
            .dispatch()
            .await,
    )
    .await
}

/// Scans and hands over one request as `token`.
async fn prepare(app: &TestApp, token: &str, request: &str) {
    let (status, body) = upload(
        app,
        token,
        request,
        &[("scans", "1.jpg", &small_jpeg(1))],
        false,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let (status, body) = post(
        app,
        &format!("/api/v1/desk/requests/{request}/hand-over"),
        CHECKLIST,
        token,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["state"], "awaiting_certification");
}

/// A walk-in of one document at the clerk's office; its request id.
async fn walk_in_request(app: &TestApp, clerk: &str, citizen_id: &str) -> String {
    let (status, body) = post(
        app,
        "/api/v1/desk/walk-ins",
        &json!({
            "full_name": "Trần Thị Bình",
            "citizen_id": citizen_id,
            "documents": [{ "title": "Giấy khai sinh", "pages": 1, "copies": 1 }],
        })
        .to_string(),
        clerk,
    )
    .await;
    assert_eq!(status, Status::Created, "{body}");
    let appointment = body["appointment"]["id"].as_str().unwrap().to_owned();
    let (status, list) = app
        .get(
            &format!("/api/v1/desk/requests?appointment={appointment}"),
            Some(clerk),
        )
        .await;
    assert_eq!(status, Status::Ok, "{list}");
    list[0]["id"].as_str().unwrap().to_owned()
}

async fn entry(app: &TestApp, id: &str) -> RegisterEntry {
    let id = CopyId::parse(id).unwrap();
    app.db(move |conn| RegisterEntry::find(conn, &id).unwrap().unwrap())
        .await
}

db_test!(
    the_office_day_from_booking_to_certified_copy_and_refusal,
    |app| {
        app.app.booking.clock.freeze(MONDAY_6AM);
        let (office, official, official_token) =
            office_with_official(&app, "UBND Phường Tân Định", "lanhdao.tandinh").await;
        let clerk = app
            .user(Role::Clerk, "canbo.tandinh", Some(&office.id))
            .await;
        let clerk_token = app.login("canbo.tandinh").await;
        let other_office = app.office("UBND Phường Đa Kao").await;
        app.user(Role::Clerk, "canbo.dakao", Some(&other_office.id))
            .await;
        let other_clerk = app.login("canbo.dakao").await;
        let citizen = person(&app, Role::Citizen, 5_100, None).await;
        app.db(|conn| {
            use certcopy::db::schema::users;
            use diesel::prelude::*;
            diesel::update(users::table.filter(users::citizen_id.eq("079200005100")))
                .set(users::full_name.eq("Lê Thị Thu"))
                .execute(conn)
                .unwrap();
        })
        .await;

        // Booked for 09:00; checked in at 09:05: one request per document.
        let (status, booked) = book(
            &app,
            &citizen.token,
            &office.id,
            "2026-03-02 09:00",
            two_documents(),
        )
        .await;
        assert_eq!(status, Status::Created, "{booked}");
        app.app
            .booking
            .clock
            .freeze(time::macros::datetime!(2026-03-02 09:05 +7));
        let code = booked["booking_code"].as_str().unwrap();
        let (status, body) = post(
            &app,
            "/api/v1/desk/check-in",
            &json!({"booking_code": code}).to_string(),
            &clerk_token,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        let appointment = booked["appointment"]["id"].as_str().unwrap();
        let (status, requests) = app
            .get(
                &format!("/api/v1/desk/requests?appointment={appointment}"),
                Some(&clerk_token),
            )
            .await;
        assert_eq!(status, Status::Ok, "{requests}");
        assert_eq!(requests.as_array().unwrap().len(), 2, "{requests}");
        let (diploma, letter) = (
            requests[0]["id"].as_str().unwrap().to_owned(),
            requests[1]["id"].as_str().unwrap().to_owned(),
        );
        assert_eq!(requests[0]["state"], "received");
        assert_eq!(
            requests[0]["result_date"], "2026-03-02",
            "received before 15:00: same day"
        );
        assert_eq!(requests[0]["fee_vnd"], 4_000, "1 page × 2 copies");
        assert_eq!(
            requests[1]["fee_vnd"], 5_000,
            "3 pages: 2,000 + 2,000 + 1,000"
        );
        assert_eq!(requests[0]["received_by"], clerk.id.to_string());
        // Another office's clerk does not see them.
        let (status, _) = app
            .get(
                &format!("/api/v1/desk/requests/{diploma}"),
                Some(&other_clerk),
            )
            .await;
        assert_eq!(status, Status::NotFound);

        // Scans: two files, reordered, a bad file refused by the intake.
        let (status, body) = upload(
            &app,
            &clerk_token,
            &diploma,
            &[
                ("scans", "trang-2.jpg", &small_jpeg(2)),
                ("scans", "trang-1.jpg", &small_jpeg(1)),
            ],
            false,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(
            (body["state"].as_str(), body["scanned_pages"].as_i64()),
            (Some("scanned"), Some(2))
        );
        let (status, body) = post(
            &app,
            &format!("/api/v1/desk/requests/{diploma}/scans/order"),
            r#"{"order":[2,1]}"#,
            &clerk_token,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["scans"][0]["file_name"], "trang-1.jpg");
        let (status, body) = post(
            &app,
            &format!("/api/v1/desk/requests/{diploma}/scans/order"),
            r#"{"order":[1,1]}"#,
            &clerk_token,
        )
        .await;
        assert_error(
            &(status, body),
            Status::UnprocessableEntity,
            "invalid_field",
        );
        let refused = upload(
            &app,
            &clerk_token,
            &diploma,
            &[("scans", "x.jpg", b"not an image")],
            false,
        )
        .await;
        assert_eq!(refused.0, Status::UnprocessableEntity, "{}", refused.1);
        // Replace keeps only the new file; then the original order again with two pages.
        let (status, body) = upload(
            &app,
            &clerk_token,
            &diploma,
            &[("scans", "1.jpg", &small_jpeg(1))],
            true,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["scans"].as_array().unwrap().len(), 1);

        // Hand-over needs the whole checklist.
        let incomplete = post(
            &app,
            &format!("/api/v1/desk/requests/{diploma}/hand-over"),
            r#"{"pages_counted":true,"no_erasure_seen":false,"original_shown":true}"#,
            &clerk_token,
        )
        .await;
        assert_error(
            &incomplete,
            Status::UnprocessableEntity,
            "checklist_incomplete",
        );
        let (status, body) = post(
            &app,
            &format!("/api/v1/desk/requests/{diploma}/hand-over"),
            CHECKLIST,
            &clerk_token,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        // Scans can no longer change once handed over.
        let late = upload(
            &app,
            &clerk_token,
            &diploma,
            &[("scans", "2.jpg", &small_jpeg(2))],
            false,
        )
        .await;
        assert_error(&late, Status::Conflict, "illegal_transition");

        // The letter is refused: a self-made paper without confirmation (Art. 22, clause 6).
        let (status, body) = post(
        &app,
        &format!("/api/v1/desk/requests/{letter}/refuse"),
        r#"{"ground":"unconfirmed_private_paper","detail":"Giấy tự viết, không có xác nhận của UBND."}"#,
        &clerk_token,
    )
    .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["state"], "refused");
        assert_eq!(
            body["refusal"]["legal_basis"],
            "Khoản 6 Điều 22 Nghị định số 23/2015/NĐ-CP ngày 16/02/2015 của Chính phủ"
        );
        let again = post(
            &app,
            &format!("/api/v1/desk/requests/{letter}/refuse"),
            r#"{"ground":"erased_or_altered"}"#,
            &clerk_token,
        )
        .await;
        assert_error(&again, Status::Conflict, "illegal_transition");
        let bad_ground = post(
            &app,
            &format!("/api/v1/desk/requests/{letter}/refuse"),
            r#"{"ground":"tired"}"#,
            &clerk_token,
        )
        .await;
        assert_eq!(
            bad_ground.0,
            Status::UnprocessableEntity,
            "{}",
            bad_ground.1
        );

        // The citizen downloads the notice; another citizen cannot.
        let notice_path = format!("/api/v1/certification-requests/{letter}/refusal-notice");
        let (status, notice) = get_bytes(&app, &notice_path, &citizen.token).await;
        assert_eq!(status, Status::Ok);
        let stranger = person(&app, Role::Citizen, 5_199, None).await;
        assert_eq!(
            get_bytes(&app, &notice_path, &stranger.token).await.0,
            Status::NotFound
        );
        let dir = tempfile::tempdir().unwrap();
        check_notice(dir.path(), &app.dir.join("pki/root.crt"), &notice);

        // The clerk cannot certify; the official (a second person) does.
        let certify_path = format!("/api/v1/review/{diploma}/certify");
        assert_eq!(
            post(&app, &certify_path, "", &clerk_token).await.0,
            Status::Forbidden
        );
        let (status, queue) = app.get("/api/v1/review/queue", Some(&official_token)).await;
        assert_eq!(status, Status::Ok, "{queue}");
        assert_eq!(queue.as_array().unwrap().len(), 1);
        let (status, certified) = post(&app, &certify_path, "", &official_token).await;
        assert_eq!(status, Status::Created, "{certified}");
        assert_eq!(certified["request"]["state"], "certified");
        let copy_id = certified["copy"]["id"].as_str().unwrap().to_owned();
        assert_eq!(certified["request"]["copy_id"], copy_id);
        let line = entry(&app, &copy_id).await;
        assert!(!line.single_person);
        assert_eq!(
            (line.copies, line.fee_vnd, line.signer_id.clone()),
            (2, 4_000, official.id.clone())
        );
        let again = post(&app, &certify_path, "", &official_token).await;
        assert_error(&again, Status::Conflict, "illegal_transition");

        // The copy passes pdfsig, pyHanko and our verifier.
        let (status, pdf) = get_bytes(
            &app,
            &format!("/api/v1/copies/{copy_id}/pdf"),
            &official_token,
        )
        .await;
        assert_eq!(status, Status::Ok);
        let issued = IssuedCopy {
            entry: line,
            pdf,
            verify_url: certified["copy"]["verify_url"].as_str().unwrap().to_owned(),
        };
        our_verifier_passes(&app, "certified at the desk", &issued).await;
        check_with_independent_tools(
            dir.path(),
            &app.dir.join("pki/root.crt"),
            "desk-copy.pdf",
            &issued,
        );
        // The signatures' visible text, with its diacritics.
        let (ok, text) = run(
            dir.path(),
            "pdftotext",
            &[dir.path().join("desk-copy.pdf").to_str().unwrap(), "-"],
        );
        assert!(ok);
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            format!("Ký bởi: {}", official.full_name),
            "Cơ quan: UBND Phường Tân Định".to_owned(),
            "Thời gian ký:".to_owned(),
            "+07:00".to_owned(),
        ] {
            assert!(text.contains(&expected), "`{expected}` not in:\n{text}");
        }

        // Fees: paid once at the desk; only an official changes a fee, with a reason.
        let pay = |request: String| format!("/api/v1/desk/requests/{request}/payment");
        let (status, body) = post(
            &app,
            &pay(diploma.clone()),
            r#"{"method":"cash","receipt_no":"BL-0001"}"#,
            &clerk_token,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["payment"]["receipt_no"], "BL-0001");
        let twice = post(
            &app,
            &pay(diploma.clone()),
            r#"{"method":"transfer"}"#,
            &clerk_token,
        )
        .await;
        assert_error(&twice, Status::Conflict, "fee_already_paid");
        let fee_path = format!("/api/v1/desk/requests/{letter}/fee");
        let by_clerk = app
            .put_json(
                &fee_path,
                &json!({"fee_vnd": 0, "reason": "Miễn phí"}),
                Some(&clerk_token),
            )
            .await;
        assert_eq!(by_clerk.0, Status::Forbidden, "{}", by_clerk.1);
        let (status, body) = app
            .put_json(
                &fee_path,
                &json!({"fee_vnd": 0, "reason": "Từ chối: không thu lệ phí"}),
                Some(&official_token),
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["fee_vnd"], 0);
        let on_certified = app
            .put_json(
                &format!("/api/v1/desk/requests/{diploma}/fee"),
                &json!({"fee_vnd": 1, "reason": "x"}),
                Some(&official_token),
            )
            .await;
        assert_error(&on_certified, Status::Conflict, "illegal_transition");

        // The statistics count the refusal by its ground (clause 6), the certification's
        // wait from check-in, and the fee paid at the desk.
        let today = time::OffsetDateTime::now_utc()
            .to_offset(time::macros::offset!(+7))
            .date();
        let (status, stats) = app
            .get(
                &format!(
                    "/api/v1/offices/{}/statistics?from=2026-03-01&to={today}",
                    office.id
                ),
                Some(&official_token),
            )
            .await;
        assert_eq!(status, Status::Ok, "{stats}");
        assert_eq!(stats["refusals_by_ground"], json!({"6": 1}), "{stats}");
        assert_eq!(stats["certifications"], 1, "{stats}");
        assert_eq!(stats["fees_collected_vnd"], 4_000, "{stats}");
        assert!(
            stats["average_check_in_to_certification_minutes"]
                .as_f64()
                .unwrap()
                > 0.0,
            "{stats}"
        );
        assert!(stats["deadline_misses"].is_u64(), "{stats}");

        // The month's register book: the certified line with its fee, as CSV and as a PDF
        // sealed by the office.
        let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
        let export = |format: &str| {
            format!(
                "/api/v1/offices/{}/register/export?year={}&month={}&format={format}",
                office.id,
                now.year(),
                u8::from(now.month())
            )
        };
        let (status, csv) = get_bytes(&app, &export("csv"), &official_token).await;
        assert_eq!(status, Status::Ok);
        let csv = String::from_utf8(csv).unwrap();
        let row = csv
            .lines()
            .find(|line| line.contains("Bằng tốt nghiệp trung học phổ thông"))
            .unwrap_or_else(|| panic!("the certified line in the CSV:\n{csv}"));
        assert!(row.contains("Lê Thị Thu") && row.contains("4000"), "{row}");
        assert!(
            row.contains("Đã thu lệ phí: tiền mặt, biên lai số BL-0001"),
            "the fee paid at the desk is on the line: {row}"
        );
        let (status, book) = get_bytes(&app, &export("pdf"), &official_token).await;
        assert_eq!(status, Status::Ok);
        check_sealed(
            dir.path(),
            &app.dir.join("pki/root.crt"),
            "book.pdf",
            &book,
            &[
                "SỔ CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH",
                "Lê Thị Thu",
                "Bằng tốt nghiệp",
            ],
        );

        // The citizen follows both requests.
        let (status, mine) = app.get("/api/v1/me/requests", Some(&citizen.token)).await;
        assert_eq!(status, Status::Ok, "{mine}");
        let states: Vec<&str> = mine
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["state"].as_str().unwrap())
            .collect();
        assert_eq!(states.len(), 2);
        assert!(
            states.contains(&"certified") && states.contains(&"refused"),
            "{states:?}"
        );

        // Every move is audited with its actor and office.
        for action in [
            "certification.receive",
            "certification.scan",
            "certification.reorder",
            "certification.hand_over",
            "certification.refuse",
            "certification.certify",
            "certification.fee_paid",
            "certification.fee_change",
        ] {
            let rows = app.audit_rows(action).await;
            assert!(!rows.is_empty(), "no {action} audit row");
            assert!(
                rows.iter()
                    .all(|row| row.office_id.as_ref() == Some(&office.id)),
                "{action}: {rows:?}"
            );
        }
        // The day's register events are in the log, which agrees with the register.
        app.assert_log_clean(&["register.allocate", "copy.issue", "certification.refuse"])
            .await;
    }
);

/// A PDF sealed by the office: one signature pdfsig trusts over the whole file, and
/// `expected` in its text.
fn check_sealed(dir: &Path, root: &Path, name: &str, pdf: &[u8], expected: &[&str]) {
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    let nss = dir.join(format!("nss-{name}"));
    std::fs::create_dir_all(&nss).unwrap();
    let db = format!("sql:{}", nss.display());
    assert!(run(dir, "certutil", &["-N", "-d", &db, "--empty-password"]).0);
    let root = root.to_str().unwrap();
    let trust = [
        "-A", "-d", &db, "-n", "dev-root", "-t", "CT,C,C", "-i", root,
    ];
    assert!(run(dir, "certutil", &trust).0);
    let (_, pdfsig) = run(dir, "pdfsig", &["-nssdir", &db, path.to_str().unwrap()]);
    assert_eq!(
        pdfsig.matches("Signature is Valid").count(),
        1,
        "{name}: {pdfsig}"
    );
    assert!(
        pdfsig.contains("Certificate is Trusted"),
        "{name}: {pdfsig}"
    );
    assert!(pdfsig.contains("Total document signed"), "{name}: {pdfsig}");
    let (ok, pyhanko) = run(
        dir,
        "pyhanko",
        &[
            "sign",
            "validate",
            "--trust",
            root,
            "--trust-replace",
            "--no-revocation-check",
            path.to_str().unwrap(),
        ],
    );
    assert!(ok, "{name}: pyHanko rejected it: {pyhanko}");
    assert!(pyhanko.contains("INTACT:TRUSTED"), "{name}: {pyhanko}");
    let (ok, text) = run(dir, "pdftotext", &[path.to_str().unwrap(), "-"]);
    assert!(ok);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in expected {
        assert!(
            text.contains(expected),
            "`{expected}` not in {name}:\n{text}"
        );
    }
}

/// The refusal notice: sealed, with the ground and its legal basis.
fn check_notice(dir: &Path, root: &Path, notice: &[u8]) {
    check_sealed(
        dir,
        root,
        "notice.pdf",
        notice,
        &[
            "THÔNG BÁO",
            "Về việc từ chối chứng thực bản sao từ bản chính",
            "Giấy xác nhận tự viết",
            "không có xác nhận và đóng dấu của cơ quan, tổ chức có thẩm quyền",
            "Khoản 6 Điều 22 Nghị định số 23/2015/NĐ-CP",
            "Giấy tự viết, không có xác nhận của UBND.",
        ],
    );
}

db_test!(
    two_persons_unless_the_office_works_with_one_and_batches_number_in_order,
    |app| {
        app.app
            .booking
            .clock
            .freeze(time::macros::datetime!(2026-03-02 09:05 +7));
        let (office, _official, official_token) =
            office_with_official(&app, "UBND Xã Một Người", "lanhdao.motnguoi").await;
        app.user(Role::Clerk, "canbo.motnguoi", Some(&office.id))
            .await;
        let clerk_token = app.login("canbo.motnguoi").await;
        let (_, admin_token) = app.signed_in(Role::Admin, "quantri.motnguoi").await;

        // The official receives and scans a walk-in alone: certifying it is refused...
        let alone = walk_in_request(&app, &official_token, "079200005201").await;
        prepare(&app, &official_token, &alone).await;
        let certify = |id: &str| format!("/api/v1/review/{id}/certify");
        let refused = post(&app, &certify(&alone), "", &official_token).await;
        assert_error(&refused, Status::Conflict, "same_person");
        // ... and sent back, it returns to the desk with the reason.
        let (status, body) = post(
            &app,
            &format!("/api/v1/review/{alone}/send-back"),
            r#"{"reason":"Thiếu trang 2"}"#,
            &official_token,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(
            (body["state"].as_str(), body["returned_reason"].as_str()),
            (Some("scanned"), Some("Thiếu trang 2"))
        );
        let (status, body) = post(
            &app,
            &format!("/api/v1/desk/requests/{alone}/hand-over"),
            CHECKLIST,
            &official_token,
        )
        .await;
        assert_eq!(status, Status::Ok, "{body}");

        // Once the office works with one person, the same official certifies, and the line
        // says so.
        let practice = format!("/api/v1/admin/offices/{}/practice", office.id);
        let (status, body) = app
            .put_json(
                &practice,
                &json!({"single_person_operation": true}),
                Some(&admin_token),
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        let (status, body) = post(&app, &certify(&alone), "", &official_token).await;
        assert_eq!(status, Status::Created, "{body}");
        let line = entry(&app, body["copy"]["id"].as_str().unwrap()).await;
        assert!(line.single_person);
        let first = line.sequence;

        // A batch of three scanned by the clerk: three consecutive numbers; an unknown id and
        // a request not handed over answer their own errors without stopping the others.
        let mut ids = Vec::new();
        for n in 0..3 {
            let id = walk_in_request(&app, &clerk_token, &format!("07920000530{n}")).await;
            prepare(&app, &clerk_token, &id).await;
            ids.push(id);
        }
        // An official waives the fee of the first: its register line carries the new fee.
        let (status, body) = app
            .put_json(
                &format!("/api/v1/desk/requests/{}/fee", ids[0]),
                &json!({"fee_vnd": 0, "reason": "Miễn lệ phí theo quy định"}),
                Some(&official_token),
            )
            .await;
        assert_eq!(
            (status, body["fee_vnd"].as_i64()),
            (Status::Ok, Some(0)),
            "{body}"
        );
        let not_ready = walk_in_request(&app, &clerk_token, "079200005309").await;
        let unknown = certcopy::db::ids::RequestId::generate().to_string();
        let batch = json!({"ids": [ids[0], ids[1], not_ready, unknown, ids[2]]}).to_string();
        let (status, lines) = post(
            &app,
            "/api/v1/review/certify-batch",
            &batch,
            &official_token,
        )
        .await;
        assert_eq!(status, Status::Ok, "{lines}");
        let lines = lines.as_array().unwrap();
        assert_eq!(lines.len(), 5);
        let mut numbers = Vec::new();
        for line in lines {
            if let Some(copy) = line["certified"]["copy"]["id"].as_str() {
                numbers.push(entry(&app, copy).await.sequence);
            }
        }
        assert_eq!(numbers, vec![first + 1, first + 2, first + 3], "{lines:?}");
        let waived = entry(&app, lines[0]["certified"]["copy"]["id"].as_str().unwrap()).await;
        assert_eq!(waived.fee_vnd, 0);
        assert_eq!(lines[0]["certified"]["request"]["fee_vnd"], 0);
        assert_eq!(lines[2]["error"]["code"], "illegal_transition");
        assert_eq!(lines[3]["error"]["code"], "request_not_found");
        let empty = post(
            &app,
            "/api/v1/review/certify-batch",
            r#"{"ids":[]}"#,
            &official_token,
        )
        .await;
        assert_error(&empty, Status::UnprocessableEntity, "invalid_field");

        // Withdrawn requests stay withdrawn.
        let withdrawn = walk_in_request(&app, &clerk_token, "079200005310").await;
        let (status, body) = post(
            &app,
            &format!("/api/v1/desk/requests/{withdrawn}/withdraw"),
            "",
            &clerk_token,
        )
        .await;
        assert_eq!(
            (status, body["state"].as_str()),
            (Status::Ok, Some("withdrawn")),
            "{body}"
        );
        let late = upload(
            &app,
            &clerk_token,
            &withdrawn,
            &[("scans", "1.jpg", &small_jpeg(1))],
            false,
        )
        .await;
        assert_error(&late, Status::Conflict, "illegal_transition");
    }
);
