//! Any bytes as one uploaded scan, through intake and, when intake accepts them, assembly
//! (which decodes the last page's bottom band for the blank-margin check, see
//! `crates/certcopy-document/src/assembly/jpeg_band.rs`). Neither may panic, overflow or run away; a refusal with
//! its error code is a fine answer.
//!
//! Pages are capped at 2,000 px a side here (the service allows 10,000) so one input stays
//! within libFuzzer's time and memory limits under AddressSanitizer.

#![no_main]

use certcopy_document::assembly::{CopyDocument, PlacementPolicy, Statement, assemble};
use certcopy_document::intake::{Limits, ScanFile, read_scans_owned};
use libfuzzer_sys::fuzz_target;
use time::macros::date;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_side_px: 2_000,
        ..Limits::default()
    };
    let file = ScanFile {
        name: "scan".to_owned(),
        bytes: data.to_vec(),
    };
    let Ok(pages) = read_scans_owned(vec![file], &limits) else {
        return;
    };
    let copy = CopyDocument {
        pages,
        title: "Giấy khai sinh".to_owned(),
        statement: Statement {
            sequence: 1,
            book: "01/2026".to_owned(),
            date: date!(2026 - 11 - 23),
            official_name: "Nguyễn Văn Minh".to_owned(),
            official_position: "Phó Chủ tịch".to_owned(),
            office_name: "Ủy ban nhân dân phường Bến Nghé".to_owned(),
        },
        verify_url: "https://dichvucong.example.vn/v/K7QX-M2PA-9TRD-4WZB".to_owned(),
        code: "K7QX-M2PA-9TRD-4WZB".to_owned(),
        placement: PlacementPolicy::Auto,
    };
    let _ = assemble(copy);
});
