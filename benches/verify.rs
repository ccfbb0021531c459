//! Verification in process: `verify_pdf` on the signed 10-page copy (two signatures, chain
//! to the test root, CRLs) against SHA-256 of the same bytes measured in the same run.
//! `benches/compare.sh` prints the ratio.
//!
//!     cargo bench --bench verify

use std::hint::black_box;

use certcopy::assembly::assemble;
use certcopy::intake::synthetic::a4_scan_set;
use certcopy::registry::issuance::sign_copy;
use certcopy::verification::{Indication, verify_pdf};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sha2::{Digest, Sha256};

mod support;
use support::{FixtureKeys, NUMBER, PAGES, SIGNING_TIME};

fn verify(c: &mut Criterion) {
    let scans = support::scan_files(a4_scan_set(PAGES));
    let keys = FixtureKeys::load();
    let copy = sign_copy(
        assemble(support::copy_document(&scans)).expect("assembles"),
        &NUMBER,
        &keys.signatories(),
        SIGNING_TIME,
        |_| Ok(()),
    )
    .expect("signs")
    .pdf;
    let policy = support::fixture_policy(time::OffsetDateTime::now_utc());
    let report = verify_pdf(&copy, &policy).expect("readable");
    assert_eq!(
        report.verdict,
        Indication::TotalPassed,
        "the benchmark copy must pass: {report:#?}"
    );
    assert_eq!(report.signatures.len(), 2);

    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Bytes(copy.len() as u64));
    group.sample_size(50);
    group.bench_function("sha256", |b| b.iter(|| Sha256::digest(black_box(&copy))));
    group.bench_function("verify_pdf", |b| {
        b.iter(|| verify_pdf(black_box(&copy), &policy).expect("readable"))
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);
