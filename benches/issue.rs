//! Issuing in process: the 10-page A4 300-dpi scan through intake, assembly and both
//! signatures (official, then office seal), against SHA-256 of the signed output measured
//! in the same run. `benches/compare.sh` prints the ratios.
//!
//!     cargo bench --bench issue

use std::hint::black_box;

use certcopy::assembly::assemble;
use certcopy::intake::synthetic::a4_scan_set;
use certcopy::intake::{Limits, read_scans};
use certcopy::registry::issuance::sign_copy;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sha2::{Digest, Sha256};

mod support;
use support::{FixtureKeys, NUMBER, PAGES, SIGNING_TIME};

fn issue(c: &mut Criterion) {
    let scans = support::scan_files(a4_scan_set(PAGES));
    let keys = FixtureKeys::load();
    let signatories = keys.signatories();
    let document = support::copy_document(&scans);
    let sign = |pdf| sign_copy(pdf, &NUMBER, &signatories, SIGNING_TIME, |_| Ok(()));
    let signed = sign(assemble(document.clone()).expect("assembles")).expect("signs");
    assert_eq!(signed.sha256, <[u8; 32]>::from(Sha256::digest(&signed.pdf)));
    let output = signed.pdf;

    let mut group = c.benchmark_group("issue");
    group.throughput(Throughput::Bytes(output.len() as u64));
    group.sample_size(30);
    group.bench_function("sha256_of_output", |b| {
        b.iter(|| Sha256::digest(black_box(&output)))
    });
    group.bench_function("intake", |b| {
        b.iter(|| read_scans(black_box(&scans), &Limits::default()).expect("intake"))
    });
    // Assembly consumes the scans; each iteration gets its own copy of them, made outside
    // the timing.
    group.bench_function("assemble", |b| {
        b.iter_batched(
            || document.clone(),
            |document| assemble(document).expect("assembles"),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("assemble_and_sign_twice", |b| {
        b.iter_batched(
            || document.clone(),
            |document| sign(assemble(document).expect("assembles")).expect("signs"),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, issue);
criterion_main!(benches);
