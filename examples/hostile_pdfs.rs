//! Writes the hostile PDFs of the attack benchmark (`benches/attack.sh`) into DIR:
//!
//!     hostile_pdfs DIR
//!
//! - `chain_bomb.pdf`: a signed one-page copy whose CMS carries 200 self-issued CA
//!   certificates with one name and one key (each verifies every other), the signer issued
//!   under that name: a naive path search tries every ordering;
//! - `decompression_bomb.pdf`: an object stream that inflates to 1 GiB from about 1 MB;
//! - `many_revisions.pdf`: an 8 MB file (a large uncompressed stream) with 64 revisions,
//!   each of which the verifier loads on its own;
//! - `object_streams.pdf`: object streams of 8 MiB each under 12 incremental updates, so
//!   every revision's load decodes all of them again;
//! - `scan.jpg`: an ordinary one-page scan (not hostile), to issue a copy to look up.
//!
//! Deterministic in shape (the keys are fresh each run).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use certcopy::assembly::assemble;
use certcopy::intake::synthetic::synthetic_scan_jpeg;
use certcopy::signing::{Pkcs8Signer, SignatureKind, SignatureRequest, sign_pdf};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use time::{Duration, OffsetDateTime};

#[path = "../benches/support/mod.rs"]
mod support;

const MIB: usize = 1024 * 1024;

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: hostile_pdfs DIR");
        return ExitCode::from(2);
    };
    match write_all(Path::new(&dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hostile_pdfs: {error}");
            ExitCode::FAILURE
        }
    }
}

fn write_all(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let write = |name: &str, bytes: Vec<u8>| {
        println!("{name}\t{} bytes", bytes.len());
        std::fs::write(dir.join(name), bytes).map_err(|e| format!("{name}: {e}"))
    };
    write("chain_bomb.pdf", chain_bomb(200)?)?;
    write(
        "decompression_bomb.pdf",
        object_stream_file(1024 * MIB, 1, 0, 0),
    )?;
    write("many_revisions.pdf", many_revisions(8 * MIB, 63))?;
    write("object_streams.pdf", object_stream_file(8 * MIB, 4, 12, 0))?;
    // An honest scan, to issue the copy whose code the benchmark looks up.
    write("scan.jpg", synthetic_scan_jpeg(1, 827, 1169, 100))?;
    Ok(())
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::CommonName, common_name);
    dn
}

fn params(common_name: &str, serial: u64, ca: bool) -> Result<CertificateParams, String> {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params.distinguished_name = name(common_name);
    params.serial_number = Some(SerialNumber::from(serial));
    params.not_before = now - Duration::days(30);
    params.not_after = now + Duration::days(365);
    if ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
    }
    Ok(params)
}

/// A one-page copy signed by a signer under `copies` self-issued certificates of one CA
/// name and key, all of them in the CMS.
fn chain_bomb(copies: u64) -> Result<Vec<u8>, String> {
    let p256 = &rcgen::PKCS_ECDSA_P256_SHA256;
    let loop_key = KeyPair::generate_for(p256).map_err(|e| e.to_string())?;
    let mut chain = Vec::new();
    for serial in 0..copies {
        let cert = params("Loop CA", 1000 + serial, true)?
            .self_signed(&loop_key)
            .map_err(|e| e.to_string())?;
        chain.push(cert.der().to_vec());
    }
    let loop_params = params("Loop CA", 1000, true)?;
    let issuer = Issuer::from_params(&loop_params, &loop_key);
    let signer_key = KeyPair::generate_for(p256).map_err(|e| e.to_string())?;
    let signer_cert = params("Vong Lap", 7, false)?
        .signed_by(&signer_key, &issuer)
        .map_err(|e| e.to_string())?;
    let mut certificates: Vec<&[u8]> = vec![signer_cert.der()];
    certificates.extend(chain.iter().map(Vec::as_slice));
    let signer = Pkcs8Signer::from_pem_or_der(&signer_key.serialize_der(), &certificates)
        .map_err(|e| e.to_string())?;
    let scans = support::scan_files(vec![synthetic_scan_jpeg(1, 827, 1169, 100)]);
    let copy = assemble(support::copy_document(&scans)).map_err(|e| e.to_string())?;
    sign_pdf(
        &copy.pdf,
        &signer,
        &SignatureRequest {
            signer_name: "Vong Lap".to_owned(),
            reason: "attack benchmark".to_owned(),
            location: "loopback".to_owned(),
            signing_time: OffsetDateTime::now_utc(),
            kind: SignatureKind::Approval,
            field_name: Some("Sig1".to_owned()),
            appearance: None,
            empty_fields: Vec::new(),
        },
    )
    .map_err(|e| e.to_string())
}

/// Deflated `inflated` bytes: a small object, then zeros.
fn deflated_object_stream(inflated: usize) -> (Vec<u8>, usize) {
    let header = b"9 0 ";
    let object = b"<< /Padding true >>";
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = encoder.write_all(header);
    let _ = encoder.write_all(object);
    let zeros = vec![0u8; MIB];
    let mut left = inflated.saturating_sub(header.len() + object.len());
    while left > 0 {
        let chunk = left.min(zeros.len());
        let _ = encoder.write_all(&zeros[..chunk]);
        left -= chunk;
    }
    (encoder.finish().unwrap_or_default(), header.len())
}

/// An unsigned PDF (catalog, empty page tree) with `streams` object streams of `inflated`
/// bytes each, `padding` bytes of an uncompressed stream, and `updates` incremental updates
/// each rewriting the catalog.
fn object_stream_file(inflated: usize, streams: usize, updates: usize, padding: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    offsets.push(out.len());
    out.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    offsets.push(out.len());
    out.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n");
    let (compressed, first) = deflated_object_stream(inflated);
    for _ in 0..streams {
        offsets.push(out.len());
        out.extend_from_slice(
            format!(
                "{} 0 obj\n<< /Type /ObjStm /N 1 /First {first} /Filter /FlateDecode /Length {} >>\nstream\n",
                offsets.len(),
                compressed.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&compressed);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    }
    if padding > 0 {
        offsets.push(out.len());
        out.extend_from_slice(
            format!("{} 0 obj\n<< /Length {padding} >>\nstream\n", offsets.len()).as_bytes(),
        );
        out.extend(std::iter::repeat_n(b'%', padding));
        out.extend_from_slice(b"\nendstream\nendobj\n");
    }
    let size = offsets.len() + 1;
    let mut xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for offset in &offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    for _ in 0..updates {
        let catalog = out.len();
        out.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
        let previous = xref;
        xref = out.len();
        out.extend_from_slice(
            format!(
                "xref\n0 2\n0000000000 65535 f \n{catalog:010} 00000 n \ntrailer\n<< /Size {size} /Root 1 0 R /Prev {previous} >>\nstartxref\n{xref}\n%%EOF\n"
            )
            .as_bytes(),
        );
    }
    out
}

/// `bytes` of an uncompressed stream under `updates` incremental updates.
fn many_revisions(bytes: usize, updates: usize) -> Vec<u8> {
    object_stream_file(64, 0, updates, bytes)
}
