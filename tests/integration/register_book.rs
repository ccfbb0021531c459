//! The register book through the API: search by each filter and by pages, statistics to
//! the unit, the CSV export (parsed back, formula cells defused) and the PDF export
//! (`pdftotext` reads the lines with their diacritics, `pdfsig` finds the office seal's
//! signature valid and trusted, our own verifier passes it), each export audited; other
//! offices' officials, clerks and admins are refused the lines.

use std::path::Path;

use certcopy::db::models::Role;
use certcopy::intake::ScanFile;
use certcopy::registry::issuance::{FailMode, FailPoint, IssueOptions, IssueRequest};
use rocket::http::{ContentType, Status};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_error, bearer};
use crate::issuing::{office_with_official, post_issue, small_jpeg};
use crate::validators::{run, trusting_nss_db};

/// Today's local date, `YYYY-MM-DD`, and the local year and month.
fn today() -> (String, i32, u8) {
    let local = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7));
    (
        local.date().to_string(),
        local.year(),
        u8::from(local.month()),
    )
}

/// The lines of a register page: `(number, status)` in the order given.
fn numbers(page: &Value) -> Vec<(i64, String)> {
    page["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["number"].as_i64().unwrap(),
                l["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF rows).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

async fn download(
    app: &TestApp,
    path: &str,
    token: &str,
) -> (Status, Option<ContentType>, Vec<u8>) {
    let response = app
        .client
        .get(path.to_owned())
        .header(bearer(token))
        .dispatch()
        .await;
    let status = response.status();
    let content_type = response.content_type();
    (
        status,
        content_type,
        response.into_bytes().await.unwrap_or_default(),
    )
}

crate::db_test!(register_book_search_statistics_and_exports, |app| {
    let (office, official, token) =
        office_with_official(&app, "UBND Phường Bến Thành", "lanhdao.benthanh").await;
    let (_, _, other_token) =
        office_with_official(&app, "UBND Phường Đa Kao", "lanhdao.dakao").await;
    let clerk = app
        .user(Role::Clerk, "vanthu.benthanh", Some(&office.id))
        .await;
    let clerk_token = app.login(clerk.username.as_deref().unwrap()).await;
    let (_, admin_token) = app.signed_in(Role::Admin, "quantri.sotuphap").await;

    // No. 1: two pages, two copies (8,000 VND).
    let (status, first) = post_issue(
        &app,
        &token,
        &[
            ("requester_name", "Nguyễn Văn An"),
            ("citizen_id", "079203001234"),
            ("document_title", "Bằng tốt nghiệp trung học phổ thông"),
            ("copies", "2"),
        ],
        &[
            ("scans", "1.jpg", &small_jpeg(1)),
            ("scans", "2.jpg", &small_jpeg(2)),
        ],
    )
    .await;
    assert_eq!(status, Status::Created, "{first}");
    // No. 2: one page, one copy (2,000 VND); annulled below.
    let (status, second) = post_issue(
        &app,
        &token,
        &[
            ("requester_name", "Trần Thị Bích Ngọc"),
            ("citizen_id", "079204005678"),
            ("document_title", "Giấy khai sinh"),
            ("copies", "1"),
        ],
        &[("scans", "1.jpg", &small_jpeg(1))],
    )
    .await;
    assert_eq!(status, Status::Created, "{second}");
    // No. 3: three pages, three copies (5,000 VND each); a title a spreadsheet would run.
    let (status, third) = post_issue(
        &app,
        &token,
        &[
            ("requester_name", "Lê Văn Cường"),
            ("citizen_id", "079205009999"),
            ("document_title", "=SUM(1+1) Sổ hộ khẩu"),
            ("copies", "3"),
        ],
        &[
            ("scans", "1.jpg", &small_jpeg(1)),
            ("scans", "2.jpg", &small_jpeg(2)),
            ("scans", "3.jpg", &small_jpeg(3)),
        ],
    )
    .await;
    assert_eq!(status, Status::Created, "{third}");
    // No. 4: the issuance fails after the number was taken: a void line.
    let failed = app
        .app
        .issuer()
        .issue(
            &official,
            IssueRequest {
                requester_name: "Phạm Thị Dung".into(),
                requester_citizen_id: "079206001111".into(),
                document_title: "Chứng minh nhân dân".into(),
                copies: 1,
                scans: vec![ScanFile {
                    name: "1.jpg".into(),
                    bytes: small_jpeg(1),
                }],
                placement: Default::default(),
            },
            IssueOptions {
                fail_at: Some((FailPoint::AfterAssembly, FailMode::Error)),
                ..IssueOptions::default()
            },
            None,
        )
        .await;
    assert!(failed.is_err());
    let second_id = second["id"].as_str().unwrap();
    let (status, annulled) = app
        .post_json(
            &format!("/api/v1/copies/{second_id}/annul"),
            &json!({"reason": "Cấp nhầm người yêu cầu"}),
            Some(&token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{annulled}");

    let base = format!("/api/v1/offices/{}/register", office.id);
    let search = |query: &str| format!("{base}?{query}");

    // Everything, newest first.
    let (status, page) = app.get(&base, Some(&token)).await;
    assert_eq!(status, Status::Ok, "{page}");
    assert_eq!(page["total"], 4);
    assert_eq!(
        numbers(&page),
        [
            (4, "void".to_owned()),
            (3, "valid".to_owned()),
            (2, "annulled".to_owned()),
            (1, "valid".to_owned())
        ]
    );
    let line = &page["lines"][2];
    assert_eq!(line["requester_name"], "Trần Thị Bích Ngọc");
    assert_eq!(line["annulled_reason"], "Cấp nhầm người yêu cầu");
    assert_eq!(line["book"], format!("01/{}-SCT/BS", today().1));

    // Each filter.
    let (today_text, year, month) = today();
    for (query, expected) in [
        ("number=1", vec![1]),
        ("status=annulled", vec![2]),
        ("status=void", vec![4]),
        ("status=valid", vec![3, 1]),
        ("requester=nguyen%20van", vec![1]),
        ("requester=B%C3%8DCH%20NG%E1%BB%8CC", vec![2]),
        ("requester=079205009999", vec![3]),
        ("requester=07920", vec![]),
        ("title=giay%20khai", vec![2]),
        ("title=s%E1%BB%95%20h%E1%BB%99", vec![3]),
        ("title=khai&requester=nguyen", vec![]),
        ("status=valid&title=bang", vec![1]),
    ] {
        let (status, page) = app.get(&search(query), Some(&token)).await;
        assert_eq!(status, Status::Ok, "{query}: {page}");
        let found: Vec<i64> = numbers(&page).into_iter().map(|(n, _)| n).collect();
        assert_eq!(found, expected, "{query}");
        assert_eq!(page["total"], expected.len(), "{query}");
    }
    let (_, page) = app
        .get(
            &search(&format!("from={today_text}&to={today_text}")),
            Some(&token),
        )
        .await;
    assert_eq!(page["total"], 4, "{page}");
    let next_year = format!("{}-01-01", year + 1);
    let (_, page) = app
        .get(&search(&format!("from={next_year}")), Some(&token))
        .await;
    assert_eq!(page["total"], 0, "{page}");
    let (_, page) = app
        .get(&search(&format!("to={}-01-01", year - 1)), Some(&token))
        .await;
    assert_eq!(page["total"], 0, "{page}");

    // Pages of two, with and without text filters.
    let (_, page) = app.get(&search("per_page=3&page=1"), Some(&token)).await;
    assert_eq!(
        (page["total"].as_u64(), page["pages"].as_u64()),
        (Some(4), Some(2))
    );
    assert_eq!(numbers(&page).len(), 3);
    let (_, page) = app.get(&search("per_page=3&page=2"), Some(&token)).await;
    assert_eq!(numbers(&page), [(1, "valid".to_owned())]);
    let (_, page) = app.get(&search("per_page=3&page=3"), Some(&token)).await;
    assert!(numbers(&page).is_empty());
    let (_, page) = app
        .get(
            &search("title=%20&requester=van&per_page=1&page=2"),
            Some(&token),
        )
        .await;
    assert_eq!(page["total"], 2, "Nguyễn Văn An and Lê Văn Cường: {page}");
    assert_eq!(numbers(&page), [(1, "valid".to_owned())]);

    // Bad parameters: 422 naming them.
    for (query, code) in [
        ("per_page=101", "invalid_field"),
        ("page=0", "invalid_field"),
        ("number=abc", "invalid_field"),
        ("from=2026-02-30", "invalid_field"),
        ("from=26-1-1", "invalid_field"),
        ("from=2026-03-02&to=2026-03-01", "invalid_period"),
        ("status=pending", "invalid_field"),
    ] {
        let answer = app.get(&search(query), Some(&token)).await;
        assert_error(&answer, Status::UnprocessableEntity, code);
    }

    // Only the office's officials read the lines.
    for who in [&other_token, &clerk_token, &admin_token] {
        let answer = app.get(&base, Some(who)).await;
        assert_error(&answer, Status::Forbidden, "forbidden");
        let answer = app
            .get(&format!("{base}/export?year={year}&format=csv"), Some(who))
            .await;
        assert_error(&answer, Status::Forbidden, "forbidden");
    }
    assert_eq!(app.get(&base, None).await.0, Status::Unauthorized);

    // Statistics of today: three certifications (one annulled since), one void line.
    let stats_path = format!(
        "/api/v1/offices/{}/statistics?from={today_text}&to={today_text}",
        office.id
    );
    for who in [&token, &admin_token] {
        let (status, stats) = app.get(&stats_path, Some(who)).await;
        assert_eq!(status, Status::Ok, "{stats}");
        assert_eq!(stats["certifications"], 3);
        assert_eq!(stats["valid"], 2);
        assert_eq!(stats["annulled"], 1);
        assert_eq!(stats["void_lines"], 1);
        assert_eq!(stats["pages"], 2 + 1 + 3);
        assert_eq!(stats["copies"], 2 + 1 + 3);
        assert_eq!(stats["fees_vnd"], 8_000 + 2_000 + 15_000);
        assert_eq!(stats["annulments_recorded"], 1);
        // These copies were issued without a desk request: no refusal, no deadline missed,
        // no fee paid at the desk, and no average time (absent, with the reason, never 0).
        assert_eq!(stats["refusals_by_ground"], serde_json::json!({}));
        assert_eq!(stats["deadline_misses"], 0);
        assert_eq!(stats["fees_collected_vnd"], 0);
        assert!(
            stats
                .get("average_check_in_to_certification_minutes")
                .is_none(),
            "{stats}"
        );
        assert_eq!(stats["not_computed"].as_array().unwrap().len(), 1);
    }
    let (_, stats) = app
        .get(
            &format!(
                "/api/v1/offices/{}/statistics?from={next_year}&to={next_year}",
                office.id
            ),
            Some(&token),
        )
        .await;
    assert_eq!(
        (stats["certifications"].as_u64(), stats["fees_vnd"].as_i64()),
        (Some(0), Some(0))
    );
    let answer = app
        .get(
            &format!("/api/v1/offices/{}/statistics", office.id),
            Some(&other_token),
        )
        .await;
    assert_error(&answer, Status::Forbidden, "forbidden");
    for query in [
        "from=2025-01-01&to=2026-06-01",
        "from=2026-05-02&to=2026-05-01",
    ] {
        let answer = app
            .get(
                &format!("/api/v1/offices/{}/statistics?{query}", office.id),
                Some(&token),
            )
            .await;
        assert_error(&answer, Status::UnprocessableEntity, "invalid_period");
    }
    let answer = app
        .get(
            &format!("/api/v1/offices/{}/statistics?to=yesterday", office.id),
            Some(&token),
        )
        .await;
    assert_error(&answer, Status::UnprocessableEntity, "invalid_field");

    // CSV export of this month.
    let (status, content_type, csv) = download(
        &app,
        &format!("{base}/export?year={year}&month={month}&format=csv"),
        &token,
    )
    .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(
        content_type.map(|c| c.to_string()),
        Some("text/csv; charset=utf-8".to_owned())
    );
    assert!(
        csv.starts_with("\u{feff}".as_bytes()),
        "UTF-8 byte-order mark"
    );
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(text.contains("\r\n"), "CRLF rows");
    let rows = parse_csv(&text);
    assert_eq!(rows.len(), 5, "header and four lines: {rows:?}");
    assert_eq!(rows[0][0], "Số chứng thực");
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    let by_number = |n: &str| rows.iter().find(|r| r[0] == n).unwrap().clone();
    let one = by_number("1");
    assert_eq!(one[3], "Nguyễn Văn An");
    assert_eq!(one[4], "079203001234");
    assert_eq!(
        (one[6].as_str(), one[7].as_str(), one[8].as_str()),
        ("2", "2", "8000")
    );
    assert_eq!(one[11], "Có hiệu lực");
    let two = by_number("2");
    assert_eq!(two[11], "Đã hủy");
    assert!(two[12].contains("Cấp nhầm người yêu cầu"), "{two:?}");
    assert_eq!(
        by_number("3")[5],
        "'=SUM(1+1) Sổ hộ khẩu",
        "formula defused"
    );
    assert_eq!(by_number("4")[11], "Số hỏng");
    assert_eq!(app.audit_rows("register.export").await.len(), 1);

    // A bad period or format.
    for (query, code) in [
        ("month=1", "invalid_field"),
        ("year=2026&month=13", "invalid_field"),
        ("year=20260", "invalid_field"),
        ("year=2026&format=xlsx", "invalid_field"),
    ] {
        let answer = app
            .get(&format!("{base}/export?{query}"), Some(&token))
            .await;
        assert_error(&answer, Status::UnprocessableEntity, code);
    }

    // PDF export of the year, sealed.
    let (status, content_type, pdf) = download(
        &app,
        &format!("{base}/export?year={year}&format=pdf"),
        &token,
    )
    .await;
    assert_eq!(status, Status::Ok, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(content_type, Some(ContentType::PDF));
    assert_eq!(app.audit_rows("register.export").await.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("so.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let file_arg = file.to_str().unwrap();
    let (ok, text) = run(dir.path(), "pdftotext", &["-layout", file_arg, "-"]);
    assert!(ok, "{text}");
    for expected in [
        "SỔ CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH",
        "UBND PHƯỜNG BẾN THÀNH",
        &format!("Quyển số: 01/{year}-SCT/BS"),
        &format!("Năm {year}"),
        "Nguyễn Văn An",
        "079203001234",
        "Bằng tốt nghiệp trung học phổ thông",
        "Trần Thị Bích Ngọc",
        "Đã hủy ngày",
        "Cấp nhầm người yêu cầu",
        "Số hỏng,",
        "=SUM(1+1) Sổ hộ khẩu",
        "15.000",
        "Trang 1/1",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    let row = text.lines().find(|l| l.contains("Nguyễn Văn An")).unwrap();
    for cell in ["1", "8.000"] {
        assert!(row.split_whitespace().any(|w| w == cell), "{cell} in {row}");
    }

    let nss = trusting_nss_db(dir.path(), &app.dir.join("pki/root.crt"));
    let db = format!("sql:{}", nss.display());
    let (_, pdfsig) = run(dir.path(), "pdfsig", &["-nssdir", &db, file_arg]);
    assert_eq!(pdfsig.matches("Signature is Valid").count(), 1, "{pdfsig}");
    assert_eq!(
        pdfsig.matches("Certificate is Trusted").count(),
        1,
        "{pdfsig}"
    );
    assert!(pdfsig.contains("Total document signed"), "{pdfsig}");
    assert!(
        pdfsig.contains("UBND Phường Bến Thành"),
        "signed by the office seal: {pdfsig}"
    );

    let verifier = app.app.verifier();
    let operator = verifier
        .admit(certcopy::registry::verifying::Requester::Operator)
        .await
        .unwrap();
    let report = verifier.verify(&operator, pdf.clone(), None).await.unwrap();
    assert_eq!(
        report.verdict,
        certcopy::verification::Indication::TotalPassed,
        "{}",
        serde_json::to_string_pretty(&report).unwrap()
    );
    assert_eq!(report.signatures_count, 1);

    let (ok, out) = run(
        dir.path(),
        "pdftoppm",
        &["-r", "80", "-png", "-f", "1", "-l", "1", file_arg, "page"],
    );
    assert!(ok && dir.path().join("page-1.png").exists(), "{out}");
    // Set CERTCOPY_KEEP_RENDER to a directory to look at the page.
    if let Some(keep) = std::env::var_os("CERTCOPY_KEEP_RENDER") {
        let keep = Path::new(&keep);
        std::fs::copy(
            dir.path().join("page-1.png"),
            keep.join("register-book-page-1.png"),
        )
        .unwrap();
        std::fs::copy(&file, keep.join("register-book.pdf")).unwrap();
    }
    // Exports, voided and annulled lines are register events in the log, which agrees
    // with the register.
    app.assert_log_clean(&[
        "register.export",
        "register.void",
        "copy.annul",
        "copy.issue",
    ])
    .await;
});
