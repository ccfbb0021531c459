//! Shared helpers: independent PDF tools (qpdf, poppler-utils, zbar) and sample data.
//! A missing tool fails the test; nothing is skipped silently.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use certcopy::assembly::{CopyDocument, PlacementPolicy, Statement};
use certcopy::intake::ScanPage;

/// Run an external tool; panic with an install hint if it is missing.
pub fn run(tool: &str, args: &[&str]) -> Output {
    match Command::new(tool).args(args).output() {
        Ok(output) => output,
        Err(e) => panic!(
            "required tool `{tool}` could not be run ({e}); install qpdf, poppler-utils and zbar-tools"
        ),
    }
}

/// A fresh directory for one test's files.
pub fn scratch_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create test scratch dir");
    dir
}

/// Write `pdf` to `dir/name` and return the path as a string.
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path.to_str().expect("utf-8 temp path").to_owned()
}

/// `qpdf --check` must exit 0 and report no errors or warnings.
pub fn assert_qpdf_clean(path: &str) {
    let out = run("qpdf", &["--check", path]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "qpdf --check failed: {stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("No syntax or stream encoding errors found"),
        "qpdf: {stdout}"
    );
    assert!(
        stderr.trim().is_empty() && !stdout.contains("WARNING"),
        "qpdf warnings: {stdout}\n{stderr}"
    );
}

/// Text of one page (1-based) as `pdftotext` extracts it.
pub fn pdftotext_page(path: &str, page: u32) -> String {
    let page = page.to_string();
    let out = run(
        "pdftotext",
        &["-f", &page, "-l", &page, "-enc", "UTF-8", path, "-"],
    );
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("pdftotext output is UTF-8")
}

/// Render one page (1-based) at 150 dpi and decode QR codes on it with zbarimg.
pub fn qr_payload_on_page(path: &str, page: u32, dir: &Path) -> String {
    let prefix = dir.join(format!("render-{page}"));
    let prefix = prefix.to_str().expect("utf-8 path");
    let p = page.to_string();
    let out = run(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
            "-f",
            &p,
            "-l",
            &p,
            "-singlefile",
            path,
            prefix,
        ],
    );
    assert!(
        out.status.success(),
        "pdftoppm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = format!("{prefix}.png");
    let out = run("zbarimg", &["-q", "--raw", &png]);
    assert!(
        out.status.success(),
        "zbarimg found no code on page {page}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("zbar output is UTF-8")
        .trim_end_matches('\n')
        .to_owned()
}

/// One row of `pdfimages -list`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedImage {
    pub page: u32,
    pub kind: String,
    pub width: u32,
    pub height: u32,
    pub color: String,
    pub encoding: String,
    pub x_ppi: u32,
}

pub fn pdfimages_list(path: &str) -> Vec<ListedImage> {
    let out = run("pdfimages", &["-list", path]);
    assert!(
        out.status.success(),
        "pdfimages failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            ListedImage {
                page: f[0].parse().expect("page"),
                kind: f[2].to_owned(),
                width: f[3].parse().expect("width"),
                height: f[4].parse().expect("height"),
                color: f[5].to_owned(),
                encoding: f[8].to_owned(),
                x_ppi: f[12].parse().expect("x-ppi"),
            }
        })
        .collect()
}

pub const CODE: &str = "7KQ2-M9XD-4TZP";
pub const VERIFY_URL: &str = "https://certcopy.example.vn/v/7KQ2-M9XD-4TZP";

pub fn sample_statement() -> Statement {
    Statement {
        sequence: 1234,
        book: "01/2026".to_owned(),
        date: time::Date::from_calendar_date(2026, time::Month::March, 5).expect("valid date"),
        official_name: "Nguyễn Thị Hồng Nhung".to_owned(),
        official_position: "Phó Chủ tịch".to_owned(),
        office_name: "Ủy ban nhân dân phường Bến Nghé, Thành phố Hồ Chí Minh".to_owned(),
    }
}

pub fn sample_copy(pages: Vec<ScanPage>, placement: PlacementPolicy) -> CopyDocument {
    CopyDocument {
        pages,
        title: "Bằng tốt nghiệp trung học phổ thông".to_owned(),
        statement: sample_statement(),
        verify_url: VERIFY_URL.to_owned(),
        code: CODE.to_owned(),
        placement,
    }
}

/// The statement lines exactly as the law words them, written out here independently of
/// the library's own formatting.
pub fn expected_statement_lines() -> [&'static str; 5] {
    [
        "Chứng thực bản sao đúng với bản chính.",
        "Số chứng thực: 1234   Quyển số: 01/2026-SCT/BS",
        "Ngày 05 tháng 03 năm 2026",
        "Người thực hiện chứng thực: Nguyễn Thị Hồng Nhung, Phó Chủ tịch",
        "Ủy ban nhân dân phường Bến Nghé, Thành phố Hồ Chí Minh",
    ]
}

/// Text, QR and structure checks of the statement page, with independent tools.
pub fn assert_statement_page(path: &str, statement_page_index: u32, dir: &Path) {
    let page = statement_page_index + 1;
    let text = pdftotext_page(path, page);
    let extracted: Vec<&str> = text.lines().map(str::trim_end).collect();
    for line in expected_statement_lines() {
        assert!(
            extracted.contains(&line),
            "statement line {line:?} not extracted exactly; got:\n{text}"
        );
    }
    assert!(
        extracted.contains(&CODE),
        "verification code not printed under the QR; got:\n{text}"
    );
    assert_eq!(qr_payload_on_page(path, page, dir), VERIFY_URL);
}
