//! The committed test PKI is what its README says it is.

use x509_parser::prelude::*;

fn der(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(format!("fixtures/pki/{name}")).unwrap();
    ::pem::parse(text).unwrap().into_contents()
}

#[test]
fn fixture_variants_have_the_promised_properties() {
    let (root_der, ca_der, fake_root_der, fake_ca_der) = (
        der("root.crt"),
        der("justice-ca.crt"),
        der("untrusted-root.crt"),
        der("untrusted-ca.crt"),
    );
    let (_, root) = parse_x509_certificate(&root_der).unwrap();
    let (_, ca) = parse_x509_certificate(&ca_der).unwrap();
    let (_, fake_root) = parse_x509_certificate(&fake_root_der).unwrap();
    let (_, fake_ca) = parse_x509_certificate(&fake_ca_der).unwrap();
    assert!(ca.verify_signature(Some(root.public_key())).is_ok());
    assert_eq!(
        fake_root.subject(),
        root.subject(),
        "same name as the real root"
    );
    assert_eq!(fake_ca.subject(), ca.subject(), "same name as the real CA");
    assert!(
        fake_ca.verify_signature(Some(root.public_key())).is_err(),
        "but not signed by it"
    );

    let signed_by_ca = |name: &str| {
        let bytes = der(name);
        let (_, cert) = parse_x509_certificate(&bytes).unwrap();
        assert!(
            cert.verify_signature(Some(ca.public_key())).is_ok(),
            "{name} issued by the CA"
        );
        (
            cert.validity().not_before.timestamp(),
            cert.validity().not_after.timestamp(),
            cert.raw_serial().to_vec(),
            {
                let ku = cert
                    .key_usage()
                    .unwrap()
                    .map(|k| (k.value.digital_signature(), k.value.non_repudiation()));
                ku.unwrap_or((false, false))
            },
        )
    };
    let now = ::time::OffsetDateTime::now_utc().unix_timestamp();
    for name in [
        "signer-rsa.crt",
        "signer-ecdsa.crt",
        "seal-rsa.crt",
        "revoked.crt",
    ] {
        let (from, to, _, ku) = signed_by_ca(name);
        assert!(from <= now && now < to, "{name} valid now");
        assert_eq!(ku, (true, true), "{name} may sign");
    }
    assert!(signed_by_ca("expired.crt").1 < now);
    assert!(signed_by_ca("not-yet-valid.crt").0 > now);
    assert_eq!(signed_by_ca("no-signing-ku.crt").3, (false, false));

    let revoked_serial = signed_by_ca("revoked.crt").2;
    let crl_der = der("crl-revoked.pem");
    let (_, crl) = parse_x509_crl(&crl_der).unwrap();
    assert!(crl.verify_signature(ca.public_key()).is_ok());
    let listed: Vec<Vec<u8>> = crl
        .iter_revoked_certificates()
        .map(|r| r.raw_serial().to_vec())
        .collect();
    assert_eq!(listed, vec![revoked_serial]);
    let empty_der = der("crl-empty.pem");
    assert_eq!(
        parse_x509_crl(&empty_der)
            .unwrap()
            .1
            .iter_revoked_certificates()
            .count(),
        0
    );
}
