//! Writes the benchmark inputs to disk (used by `fixtures/scans/generate.sh` and
//! `benches/compare.sh`):
//!
//!     bench_inputs scans DIR            the 10-page A4 300-dpi scan: DIR/page-01.jpg …
//!     bench_inputs unsigned OUT SCAN…   the copy of SCAN… assembled as issuing does,
//!                                       not signed (what pyHanko signs in compare.sh)
//!     bench_inputs small DIR            a one-page copy of a small scan, DIR/unsigned.pdf
//!                                       and DIR/copy.pdf signed with the test PKI (fuzz seeds)
//!
//! Both are deterministic: the same command writes the same bytes.

use std::path::PathBuf;
use std::process::ExitCode;

use certcopy::assembly::assemble;
use certcopy::intake::synthetic::{a4_scan_set, synthetic_scan_jpeg};
use certcopy::registry::issuance::sign_copy;

#[path = "../benches/support/mod.rs"]
mod support;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.split_first() {
        Some((command, rest)) if command == "scans" && rest.len() == 1 => write_scans(&rest[0]),
        Some((command, rest)) if command == "unsigned" && rest.len() >= 2 => {
            write_unsigned(&rest[0], &rest[1..])
        }
        Some((command, rest)) if command == "small" && rest.len() == 1 => write_small(&rest[0]),
        _ => Err("usage: bench_inputs scans DIR | unsigned OUT SCAN… | small DIR".to_owned()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench_inputs: {message}");
            ExitCode::from(2)
        }
    }
}

fn write_scans(dir: &str) -> Result<(), String> {
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut total = 0;
    for (index, jpeg) in a4_scan_set(support::PAGES).into_iter().enumerate() {
        let path = dir.join(format!("page-{:02}.jpg", index + 1));
        total += jpeg.len();
        std::fs::write(&path, jpeg).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!("{}: {} pages, {total} bytes", dir.display(), support::PAGES);
    Ok(())
}

fn write_unsigned(out: &str, scans: &[String]) -> Result<(), String> {
    let mut jpegs = Vec::new();
    for path in scans {
        jpegs.push(std::fs::read(path).map_err(|e| format!("{path}: {e}"))?);
    }
    let copy =
        assemble(support::copy_document(&support::scan_files(jpegs))).map_err(|e| e.to_string())?;
    std::fs::write(out, &copy.pdf).map_err(|e| format!("{out}: {e}"))?;
    println!("{out}: {} pages, {} bytes", copy.page_count, copy.pdf.len());
    Ok(())
}

fn write_small(dir: &str) -> Result<(), String> {
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let scan = synthetic_scan_jpeg(1, 200, 283, 72);
    let copy = assemble(support::copy_document(&support::scan_files(vec![scan])))
        .map_err(|e| e.to_string())?;
    let unsigned = dir.join("unsigned.pdf");
    std::fs::write(&unsigned, &copy.pdf).map_err(|e| format!("{}: {e}", unsigned.display()))?;
    let keys = support::FixtureKeys::load();
    let signed = sign_copy(
        copy,
        &support::NUMBER,
        &keys.signatories(),
        support::SIGNING_TIME,
        |_| Ok(()),
    )
    .map_err(|e| e.to_string())?
    .pdf;
    let path = dir.join("copy.pdf");
    std::fs::write(&path, &signed).map_err(|e| format!("{}: {e}", path.display()))?;
    println!(
        "{}: unsigned.pdf, copy.pdf ({} bytes)",
        dir.display(),
        signed.len()
    );
    Ok(())
}
