//! Development and test PKI, made without external tools.
//!
//! **Everything here is for development and tests only.** Real offices sign with keys
//! issued by the national CA for public services, held in an HSM or token.
//!
//! Layout of a development PKI directory (`certs/dev/` by default):
//!
//! ```text
//! root.crt, root.key            development root CA (self-signed)
//! justice-ca.crt, justice-ca.key  intermediate "justice" CA, issues signers
//! crl.pem                       empty CRL of the justice CA
//! offices/{office_id}/seal.crt, seal.key          agency-seal certificate of an office
//! officials/{user_id}/signing.crt, signing.key    an official's signing certificate
//! tsa/tsa.crt, tsa.key          the time-stamping authority (extended key usage
//!                               timeStamping only, critical: RFC 3161 §2.3)
//! DEVELOPMENT-ONLY.txt
//! ```
//!
//! Keys are RSA-2048 generated with the `rsa` crate (ring cannot generate RSA keys) or
//! ECDSA P-256, written as PKCS#8 PEM created with mode 0600 in directories created 0700
//! ([`crate::private_files`]); certificates are built with rcgen.
//! Signer certificates carry key usage digitalSignature + nonRepudiation (ETSI EN 319
//! 412-2 for signatures with legal effect).
//!
//! [`write_test_fixtures`] writes the committed test PKI under `fixtures/pki/` with the
//! variants the verifier must refuse (expired, not yet valid, revoked, wrong key usage,
//! untrusted root with the real root's name).

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
    PKCS_RSA_SHA256, RevocationReason, RevokedCertParams, SerialNumber,
};
use ring::rand::{SecureRandom, SystemRandom};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use time::{Duration, OffsetDateTime};

use crate::private_files::{
    PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, create_private_dir_all, write_atomic,
};

/// Errors while creating or reading the development PKI.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// A file could not be read or written.
    #[error("PKI file {path}: {source}")]
    Io {
        /// File or directory.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Key generation failed.
    #[error("key generation failed: {0}")]
    KeyGeneration(String),
    /// Building or parsing a certificate or CRL failed.
    #[error("certificate error: {0}")]
    Certificate(#[from] rcgen::Error),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> PkiError + '_ {
    move |source| PkiError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Key algorithm of a generated key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA-2048, signatures RSA PKCS#1 v1.5 with SHA-256.
    Rsa2048,
    /// ECDSA on P-256 with SHA-256.
    EcdsaP256,
}

/// A key with its PKCS#8 PEM form.
pub struct GeneratedKey {
    /// rcgen key pair (signs certificates and CRLs).
    pub pair: KeyPair,
    /// PKCS#8 PEM, what is written to disk.
    pub pkcs8_pem: String,
}

/// Generates a fresh key.
pub fn generate_key(algorithm: KeyAlgorithm) -> Result<GeneratedKey, PkiError> {
    match algorithm {
        KeyAlgorithm::Rsa2048 => {
            let mut rng = rsa::rand_core::OsRng;
            let key = rsa::RsaPrivateKey::new(&mut rng, 2048)
                .map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
            let pair = KeyPair::from_pem_and_sign_algo(&pem, &PKCS_RSA_SHA256)?;
            Ok(GeneratedKey {
                pair,
                pkcs8_pem: pem.to_string(),
            })
        }
        KeyAlgorithm::EcdsaP256 => {
            let pair = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
            let pkcs8_pem = pair.serialize_pem();
            Ok(GeneratedKey { pair, pkcs8_pem })
        }
    }
}

/// Loads a PKCS#8 PEM key written by this module.
pub fn load_key(path: &Path) -> Result<KeyPair, PkiError> {
    let pem = fs::read_to_string(path).map_err(io_error(path))?;
    match KeyPair::from_pem(&pem) {
        Ok(pair) => Ok(pair),
        // ring needs the algorithm spelled out for RSA keys.
        Err(_) => Ok(KeyPair::from_pem_and_sign_algo(&pem, &PKCS_RSA_SHA256)?),
    }
}

fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random generator is available");
    bytes[0] &= 0x7f; // positive INTEGER
    bytes[0] |= 0x01; // no leading zero byte to trim
    SerialNumber::from_slice(&bytes)
}

fn name(common_name: &str, organization: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "VN");
    dn.push(DnType::OrganizationName, organization);
    dn.push(DnType::CommonName, common_name);
    dn
}

/// What kind of certificate to issue.
#[derive(Debug, Clone)]
pub struct CertProfile {
    /// Subject common name.
    pub common_name: String,
    /// Subject organization.
    pub organization: String,
    /// Validity start.
    pub not_before: OffsetDateTime,
    /// Validity end.
    pub not_after: OffsetDateTime,
    /// CA certificate (with path length) or end entity.
    pub ca_path_len: Option<u8>,
    /// Key usages; empty means the default for the kind (CA: keyCertSign + cRLSign; end
    /// entity: digitalSignature + nonRepudiation).
    pub key_usages: Vec<KeyUsagePurpose>,
    /// A time-stamping authority: extended key usage `timeStamping` alone, critical.
    pub time_stamping: bool,
}

impl CertProfile {
    /// An end-entity signer valid from yesterday for `years`.
    pub fn signer(common_name: &str, organization: &str, years: i64) -> Self {
        let now = OffsetDateTime::now_utc();
        CertProfile {
            common_name: common_name.to_owned(),
            organization: organization.to_owned(),
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(365 * years),
            ca_path_len: None,
            key_usages: Vec::new(),
            time_stamping: false,
        }
    }

    /// A time-stamping authority valid from yesterday for `years`.
    pub fn time_stamping(common_name: &str, organization: &str, years: i64) -> Self {
        CertProfile {
            key_usages: vec![KeyUsagePurpose::DigitalSignature],
            time_stamping: true,
            ..Self::signer(common_name, organization, years)
        }
    }

    /// A CA valid from yesterday for `years`.
    pub fn ca(common_name: &str, organization: &str, years: i64, path_len: u8) -> Self {
        CertProfile {
            ca_path_len: Some(path_len),
            ..Self::signer(common_name, organization, years)
        }
    }

    fn params(&self) -> CertificateParams {
        let mut params = CertificateParams::default();
        params.distinguished_name = name(&self.common_name, &self.organization);
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        params.serial_number = Some(random_serial());
        params.key_identifier_method = KeyIdMethod::Sha256;
        params.use_authority_key_identifier_extension = true;
        match self.ca_path_len {
            Some(len) => {
                params.is_ca = IsCa::Ca(BasicConstraints::Constrained(len));
                params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            }
            None => {
                params.is_ca = IsCa::ExplicitNoCa;
                params.key_usages = vec![
                    KeyUsagePurpose::DigitalSignature,
                    KeyUsagePurpose::ContentCommitment,
                ];
            }
        }
        if !self.key_usages.is_empty() {
            params.key_usages = self.key_usages.clone();
        }
        if self.time_stamping {
            // rcgen marks its own extended key usage non-critical; RFC 3161 wants it
            // critical, so it goes in as an extension of ours, encoded by `x509-cert`.
            use der::Encode;
            let usage = x509_cert::ext::pkix::ExtendedKeyUsage(vec![
                const_oid::db::rfc5280::ID_KP_TIME_STAMPING,
            ]);
            if let Ok(der) = usage.to_der() {
                let mut extension = rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 37], der);
                extension.set_criticality(true);
                params.custom_extensions.push(extension);
            }
        }
        params
    }
}

/// A certificate with its key, as written to disk.
pub struct IssuedCert {
    /// Certificate PEM.
    pub cert_pem: String,
    /// Certificate DER.
    pub cert_der: Vec<u8>,
    /// The key.
    pub key: GeneratedKey,
    /// Serial number (for CRLs).
    pub serial: SerialNumber,
    params: CertificateParams,
}

impl IssuedCert {
    /// Self-signed (a root).
    pub fn self_signed(profile: &CertProfile, algorithm: KeyAlgorithm) -> Result<Self, PkiError> {
        let key = generate_key(algorithm)?;
        let params = profile.params();
        let cert = params.self_signed(&key.pair)?;
        Ok(Self::assemble(cert, key, params))
    }

    /// Signed by `issuer`.
    pub fn issued_by(
        profile: &CertProfile,
        algorithm: KeyAlgorithm,
        issuer: &IssuedCert,
    ) -> Result<Self, PkiError> {
        let key = generate_key(algorithm)?;
        let params = profile.params();
        let cert = params.signed_by(&key.pair, &issuer.as_issuer())?;
        Ok(Self::assemble(cert, key, params))
    }

    fn assemble(cert: rcgen::Certificate, key: GeneratedKey, params: CertificateParams) -> Self {
        let serial = params
            .serial_number
            .clone()
            .unwrap_or_else(|| SerialNumber::from_slice(&[1]));
        IssuedCert {
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            key,
            serial,
            params,
        }
    }

    fn as_issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key.pair)
    }

    /// Loads a CA written earlier by [`IssuedCert::write`].
    pub fn load_ca(cert_path: &Path, key_path: &Path) -> Result<LoadedCa, PkiError> {
        let pem = fs::read_to_string(cert_path).map_err(io_error(cert_path))?;
        let key = load_key(key_path)?;
        Ok(LoadedCa { cert_pem: pem, key })
    }

    /// Writes `{stem}.crt` and `{stem}.key` (mode 0600) into `dir` (created 0700).
    pub fn write(&self, dir: &Path, stem: &str) -> Result<(), PkiError> {
        create_private_dir_all(dir).map_err(io_error(dir))?;
        write_file(
            &dir.join(format!("{stem}.crt")),
            self.cert_pem.as_bytes(),
            false,
        )?;
        write_file(
            &dir.join(format!("{stem}.key")),
            self.key.pkcs8_pem.as_bytes(),
            true,
        )
    }
}

/// A CA loaded from disk, able to issue further certificates.
pub struct LoadedCa {
    cert_pem: String,
    key: KeyPair,
}

impl LoadedCa {
    /// Issues an end-entity certificate.
    pub fn issue(
        &self,
        profile: &CertProfile,
        algorithm: KeyAlgorithm,
    ) -> Result<IssuedCert, PkiError> {
        let issuer = Issuer::from_ca_cert_pem(&self.cert_pem, &self.key)?;
        let key = generate_key(algorithm)?;
        let params = profile.params();
        let cert = params.signed_by(&key.pair, &issuer)?;
        Ok(IssuedCert::assemble(cert, key, params))
    }

    /// Signs a CRL listing `revoked` serials, valid from `this_update` to `next_update`.
    pub fn crl(
        &self,
        revoked: &[(SerialNumber, OffsetDateTime)],
        this_update: OffsetDateTime,
        next_update: OffsetDateTime,
    ) -> Result<String, PkiError> {
        let issuer = Issuer::from_ca_cert_pem(&self.cert_pem, &self.key)?;
        let params = CertificateRevocationListParams {
            this_update,
            next_update,
            crl_number: SerialNumber::from_slice(&[1]),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|(serial, at)| RevokedCertParams {
                    serial_number: serial.clone(),
                    revocation_time: *at,
                    reason_code: Some(RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        Ok(params.signed_by(&issuer)?.pem()?)
    }

    /// Issues an end-entity certificate for a public key whose private key is held
    /// elsewhere (on a token): only the DER `SubjectPublicKeyInfo` is needed. Returns the
    /// certificate DER.
    pub fn issue_for_public_key(
        &self,
        profile: &CertProfile,
        spki_der: &[u8],
    ) -> Result<Vec<u8>, PkiError> {
        let issuer = Issuer::from_ca_cert_pem(&self.cert_pem, &self.key)?;
        let public_key = rcgen::SubjectPublicKeyInfo::from_der(spki_der)?;
        Ok(profile
            .params()
            .signed_by(&public_key, &issuer)?
            .der()
            .to_vec())
    }

    /// The CA certificate PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }
}

fn write_file(path: &Path, bytes: &[u8], secret: bool) -> Result<(), PkiError> {
    // Created with its final mode and renamed into place: a key is never readable by
    // others, not even for a moment, and a crash never leaves half a key or certificate.
    let mode = if secret {
        PRIVATE_FILE_MODE
    } else {
        PUBLIC_FILE_MODE
    };
    write_atomic(path, bytes, mode).map_err(io_error(path))
}

const DEV_ORG: &str = "certcopy DEVELOPMENT";
const ROOT_CN: &str = "certcopy Dev Root CA (DEVELOPMENT ONLY)";
const JUSTICE_CN: &str = "certcopy Dev Justice CA (DEVELOPMENT ONLY)";

const WARNING: &str = "DEVELOPMENT KEYS ONLY - KHÓA DÙNG CHO PHÁT TRIỂN.\n\
These keys and certificates were generated by `certcopy pki init` for development and \
tests. Copies signed with them have no legal value. Never use them in production.\n";

/// A development PKI directory.
#[derive(Debug, Clone)]
pub struct DevPki {
    dir: PathBuf,
}

impl DevPki {
    /// Opens `dir`, creating the root CA, justice CA and empty CRL if missing. Returns the
    /// PKI and whether it was created now.
    pub fn ensure(dir: &Path) -> Result<(DevPki, bool), PkiError> {
        let pki = DevPki {
            dir: dir.to_owned(),
        };
        if pki.root_cert_path().exists() && pki.ca_cert_path().exists() {
            pki.refresh_crls()?;
            return Ok((pki, false));
        }
        create_private_dir_all(dir).map_err(io_error(dir))?;
        let root = IssuedCert::self_signed(
            &CertProfile::ca(ROOT_CN, DEV_ORG, 20, 1),
            KeyAlgorithm::Rsa2048,
        )?;
        let justice = IssuedCert::issued_by(
            &CertProfile::ca(JUSTICE_CN, DEV_ORG, 10, 0),
            KeyAlgorithm::Rsa2048,
            &root,
        )?;
        root.write(dir, "root")?;
        justice.write(dir, "justice-ca")?;
        pki.refresh_crls()?;
        write_file(&dir.join("DEVELOPMENT-ONLY.txt"), WARNING.as_bytes(), false)?;
        Ok((pki, true))
    }

    /// Rewrites `crl.pem` with fresh, empty CRLs of the justice CA and of the root (valid
    /// for a year), so development copies never fail on a stale CRL: a verifier checks the
    /// revocation of every certificate of the chain.
    pub fn refresh_crls(&self) -> Result<(), PkiError> {
        let now = OffsetDateTime::now_utc();
        let mut crls = String::new();
        for (cert, key) in [
            ("justice-ca.crt", "justice-ca.key"),
            ("root.crt", "root.key"),
        ] {
            let ca = IssuedCert::load_ca(&self.dir.join(cert), &self.dir.join(key))?;
            crls.push_str(&ca.crl(&[], now - Duration::days(1), now + Duration::days(365))?);
        }
        write_file(&self.crl_path(), crls.as_bytes(), false)
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The root CA certificate (trust anchor for development).
    pub fn root_cert_path(&self) -> PathBuf {
        self.dir.join("root.crt")
    }

    /// The justice CA certificate (intermediate).
    pub fn ca_cert_path(&self) -> PathBuf {
        self.dir.join("justice-ca.crt")
    }

    /// The justice CA's CRL.
    pub fn crl_path(&self) -> PathBuf {
        self.dir.join("crl.pem")
    }

    /// Paths (certificate, key) of an office's agency-seal certificate.
    pub fn seal_paths(&self, office_id: &str) -> (PathBuf, PathBuf) {
        let dir = self.dir.join("offices").join(office_id);
        (dir.join("seal.crt"), dir.join("seal.key"))
    }

    /// Paths (certificate, key) of an official's signing certificate.
    pub fn official_paths(&self, user_id: &str) -> (PathBuf, PathBuf) {
        let dir = self.dir.join("officials").join(user_id);
        (dir.join("signing.crt"), dir.join("signing.key"))
    }

    fn ensure_signer(
        &self,
        paths: (PathBuf, PathBuf),
        profile: &CertProfile,
    ) -> Result<bool, PkiError> {
        let (cert_path, key_path) = paths;
        if cert_path.exists() && key_path.exists() {
            return Ok(false);
        }
        let ca = IssuedCert::load_ca(&self.ca_cert_path(), &self.dir.join("justice-ca.key"))?;
        let issued = ca.issue(profile, KeyAlgorithm::Rsa2048)?;
        let dir = cert_path.parent().unwrap_or(&self.dir).to_owned();
        let stem = cert_path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("signing");
        issued.write(&dir, stem)?;
        Ok(true)
    }

    /// Paths (certificate, key) of the time-stamping authority.
    pub fn tsa_paths(&self) -> (PathBuf, PathBuf) {
        let dir = self.dir.join("tsa");
        (dir.join("tsa.crt"), dir.join("tsa.key"))
    }

    /// Issues the time-stamping authority's certificate if there is none. Returns whether
    /// one was issued.
    pub fn ensure_tsa(&self) -> Result<bool, PkiError> {
        self.ensure_signer(
            self.tsa_paths(),
            &CertProfile::time_stamping(
                "certcopy Dev TSA (DEVELOPMENT ONLY)",
                "certcopy DEVELOPMENT",
                5,
            ),
        )
    }

    /// Issues the office's agency-seal certificate if it has none. Returns whether one
    /// was issued.
    pub fn ensure_office_seal(&self, office_id: &str, office_name: &str) -> Result<bool, PkiError> {
        self.ensure_signer(
            self.seal_paths(office_id),
            &CertProfile::signer(office_name, office_name, 3),
        )
    }

    /// Issues a development signer certificate (justice CA) for a public key held on a
    /// token: the private key never leaves the token. Returns the certificate DER.
    pub fn issue_for_token_key(
        &self,
        common_name: &str,
        organization: &str,
        spki_der: &[u8],
    ) -> Result<Vec<u8>, PkiError> {
        let ca = IssuedCert::load_ca(&self.ca_cert_path(), &self.dir.join("justice-ca.key"))?;
        ca.issue_for_public_key(&CertProfile::signer(common_name, organization, 3), spki_der)
    }

    /// Issues an official's signing certificate if they have none.
    pub fn ensure_official(
        &self,
        user_id: &str,
        full_name: &str,
        office_name: &str,
    ) -> Result<bool, PkiError> {
        self.ensure_signer(
            self.official_paths(user_id),
            &CertProfile::signer(full_name, office_name, 3),
        )
    }
}

/// Writes the committed test PKI (see `fixtures/pki/README.md`). Every certificate that
/// should be valid stays valid until 2046, so the committed files keep working.
pub fn write_test_fixtures(dir: &Path) -> Result<(), PkiError> {
    let start = time::macros::datetime!(2026-01-01 0:00 UTC);
    let end = time::macros::datetime!(2046-01-01 0:00 UTC);
    let org = "certcopy TEST";
    let root_cn = "certcopy Test Root CA";
    let ca_cn = "certcopy Test Justice CA";
    let with_dates = |mut profile: CertProfile, from, to| {
        profile.not_before = from;
        profile.not_after = to;
        profile
    };
    let root = IssuedCert::self_signed(
        &with_dates(CertProfile::ca(root_cn, org, 1, 1), start, end),
        KeyAlgorithm::Rsa2048,
    )?;
    let ca = IssuedCert::issued_by(
        &with_dates(CertProfile::ca(ca_cn, org, 1, 0), start, end),
        KeyAlgorithm::Rsa2048,
        &root,
    )?;
    root.write(dir, "root")?;
    ca.write(dir, "justice-ca")?;
    let signer = |cn: &str| with_dates(CertProfile::signer(cn, org, 1), start, end);

    IssuedCert::issued_by(&signer("Nguyễn Văn Ký (RSA)"), KeyAlgorithm::Rsa2048, &ca)?
        .write(dir, "signer-rsa")?;
    IssuedCert::issued_by(&signer("Trần Thị Ấn (ECDSA)"), KeyAlgorithm::EcdsaP256, &ca)?
        .write(dir, "signer-ecdsa")?;
    IssuedCert::issued_by(
        &signer("UBND Phường Kiểm Thử (con dấu)"),
        KeyAlgorithm::Rsa2048,
        &ca,
    )?
    .write(dir, "seal-rsa")?;
    let expired = with_dates(
        CertProfile::signer("Hết Hạn", org, 1),
        time::macros::datetime!(2020-01-01 0:00 UTC),
        time::macros::datetime!(2021-01-01 0:00 UTC),
    );
    IssuedCert::issued_by(&expired, KeyAlgorithm::Rsa2048, &ca)?.write(dir, "expired")?;
    let future = with_dates(
        CertProfile::signer("Chưa Hiệu Lực", org, 1),
        time::macros::datetime!(2090-01-01 0:00 UTC),
        time::macros::datetime!(2095-01-01 0:00 UTC),
    );
    IssuedCert::issued_by(&future, KeyAlgorithm::Rsa2048, &ca)?.write(dir, "not-yet-valid")?;
    let revoked = IssuedCert::issued_by(&signer("Bị Thu Hồi"), KeyAlgorithm::Rsa2048, &ca)?;
    revoked.write(dir, "revoked")?;
    let mut no_ku = signer("Sai Mục Đích Khóa");
    no_ku.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    IssuedCert::issued_by(&no_ku, KeyAlgorithm::Rsa2048, &ca)?.write(dir, "no-signing-ku")?;

    // An attacker's hierarchy reusing the real names: must never chain to the real root.
    let fake_root = IssuedCert::self_signed(
        &with_dates(CertProfile::ca(root_cn, org, 1, 1), start, end),
        KeyAlgorithm::Rsa2048,
    )?;
    let fake_ca = IssuedCert::issued_by(
        &with_dates(CertProfile::ca(ca_cn, org, 1, 0), start, end),
        KeyAlgorithm::Rsa2048,
        &fake_root,
    )?;
    fake_root.write(dir, "untrusted-root")?;
    fake_ca.write(dir, "untrusted-ca")?;
    IssuedCert::issued_by(
        &signer("Nguyễn Văn Ký (RSA)"),
        KeyAlgorithm::Rsa2048,
        &fake_ca,
    )?
    .write(dir, "untrusted-signer")?;

    let loaded = IssuedCert::load_ca(&dir.join("justice-ca.crt"), &dir.join("justice-ca.key"))?;
    let crl_start = time::macros::datetime!(2026-06-01 0:00 UTC);
    write_file(
        &dir.join("crl-empty.pem"),
        loaded.crl(&[], start, end)?.as_bytes(),
        false,
    )?;
    let revoked_crl = loaded.crl(&[(revoked.serial.clone(), crl_start)], crl_start, end)?;
    write_file(&dir.join("crl-revoked.pem"), revoked_crl.as_bytes(), false)?;
    let root_ca = IssuedCert::load_ca(&dir.join("root.crt"), &dir.join("root.key"))?;
    write_file(
        &dir.join("crl-root.pem"),
        root_ca.crl(&[], start, end)?.as_bytes(),
        false,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::*;

    #[test]
    fn dev_pki_chain_and_key_usage() {
        let dir = tempfile::tempdir().unwrap();
        let (pki, created) = DevPki::ensure(dir.path()).unwrap();
        assert!(created);
        assert!(
            !DevPki::ensure(dir.path()).unwrap().1,
            "second call reuses the PKI"
        );
        assert!(
            pki.ensure_official("u1", "Nguyễn Văn Minh", "UBND Phường Bến Nghé")
                .unwrap()
        );
        assert!(
            pki.ensure_office_seal("o1", "UBND Phường Bến Nghé")
                .unwrap()
        );

        let read = |p: PathBuf| {
            let pem = fs::read_to_string(p).unwrap();
            ::pem::parse(pem).unwrap().into_contents()
        };
        let root_der = read(pki.root_cert_path());
        let ca_der = read(pki.ca_cert_path());
        let signer_der = read(pki.official_paths("u1").0);
        let (_, root) = parse_x509_certificate(&root_der).unwrap();
        let (_, ca) = parse_x509_certificate(&ca_der).unwrap();
        let (_, signer) = parse_x509_certificate(&signer_der).unwrap();
        assert!(ca.verify_signature(Some(root.public_key())).is_ok());
        assert!(signer.verify_signature(Some(ca.public_key())).is_ok());
        let ku = signer.key_usage().unwrap().unwrap().value;
        assert!(ku.digital_signature() && ku.non_repudiation());
        assert!(!signer.is_ca());
        assert!(ca.is_ca());
        let cn = signer
            .subject()
            .iter_common_name()
            .next()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(cn, "Nguyễn Văn Minh");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            for key in [
                pki.official_paths("u1").1,
                pki.seal_paths("o1").1,
                dir.path().join("root.key"),
                dir.path().join("justice-ca.key"),
            ] {
                assert_eq!(mode(&key), 0o600, "{}", key.display());
            }
            assert_eq!(mode(&pki.official_paths("u1").0), 0o644);
            for folder in ["officials", "officials/u1", "offices", "offices/o1"] {
                assert_eq!(mode(&dir.path().join(folder)), 0o700, "{folder}");
            }
            let nested = dir.path().join("new/pki");
            DevPki::ensure(&nested).unwrap();
            assert_eq!(mode(&nested), 0o700);
            assert_eq!(mode(&dir.path().join("new")), 0o700);
        }
        let crl_pem = fs::read_to_string(pki.crl_path()).unwrap();
        let crl_der = ::pem::parse(crl_pem).unwrap().into_contents();
        let (_, crl) = parse_x509_crl(&crl_der).unwrap();
        assert_eq!(crl.iter_revoked_certificates().count(), 0);
        assert!(crl.verify_signature(ca.public_key()).is_ok());
        let pem_blocks = ::pem::parse_many(fs::read_to_string(pki.crl_path()).unwrap()).unwrap();
        assert_eq!(
            pem_blocks.len(),
            2,
            "CRLs of the justice CA and of the root"
        );
    }
}
