//! The service's time-stamping authority (RFC 3161; docs/ARCHITECTURE.md §16): answers
//! time-stamp requests over HTTP (`POST /api/v1/timestamp`) for any signer, with its own
//! key and certificate (`tsa/` in the PKI directory: extended key usage `timeStamping`
//! only, critical). Each token gets the next serial of a counter in the database (unique
//! and increasing across instances, taken before signing: a failed signature leaves a
//! gap, never a repeat) and a row in `tsa_tokens` (what was stamped, when, for whom, and
//! the token's SHA-256). The DER work is in `certcopy_document::timestamp`.

use diesel::prelude::*;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::app::App;
use crate::db::schema::{tsa_serial, tsa_tokens};
use crate::db::{DbConn, DbError, now_utc};
use crate::error::{PublicError, UserFacing};
use crate::timestamp::{Answer, Tsa};

/// The development policy of the tokens (`tsa_policy`): under 1.3.6.1.4.1.32473, the
/// enterprise number RFC 5612 sets aside for documentation and examples. A TSA in service
/// is configured with its registered policy.
pub const DEVELOPMENT_POLICY: &str = "1.3.6.1.4.1.32473.3161.1";

/// Largest request accepted (a request is about a hundred bytes).
pub const MAX_REQUEST_BYTES: u64 = 4096;

/// Why no answer could be given.
#[derive(Debug, thiserror::Error)]
pub enum TsaError {
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The TSA key could not sign.
    #[error("time-stamping authority: {0}")]
    Signing(String),
    /// The configured policy is not an OID.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The blocking task failed.
    #[error("time-stamping task: {0}")]
    Task(String),
}

impl UserFacing for TsaError {
    fn public(&self) -> PublicError {
        match self {
            TsaError::Db(error) => error.public(),
            _ => PublicError::internal_error(),
        }
    }
}

/// Takes the next serial number (its own short transaction).
fn next_serial(conn: &mut DbConn) -> Result<u64, DbError> {
    let serial: i64 = diesel::update(tsa_serial::table.find(1))
        .set(tsa_serial::last_serial.eq(tsa_serial::last_serial + 1))
        .returning(tsa_serial::last_serial)
        .get_result(conn)?;
    Ok(u64::try_from(serial).unwrap_or(0))
}

/// Answers a DER `TimeStampReq` with a DER `TimeStampResp`: a token, or a rejection with
/// its RFC 3161 failure reason. `requester` is the client address, for the record.
pub async fn answer(app: &App, request: Vec<u8>, requester: String) -> Result<Vec<u8>, TsaError> {
    let policy = app.config.tsa_policy()?;
    let serial = app.db.run(next_serial).await?;
    let keys = app.keys.clone();
    let answered = rocket::tokio::task::spawn_blocking(move || {
        let signer = keys
            .tsa_signer()
            .map_err(|error| TsaError::Signing(error.to_string()))?;
        let tsa = Tsa {
            signer: signer.as_ref(),
            policy,
        };
        crate::timestamp::respond(&request, &tsa, serial, OffsetDateTime::now_utc())
            .map_err(|error| TsaError::Signing(error.to_string()))
    })
    .await
    .map_err(|error| TsaError::Task(error.to_string()))??;
    match answered {
        Answer::Rejected { der, reason } => {
            tracing::info!(serial, reason, "time-stamp request refused");
            Ok(der)
        }
        Answer::Granted {
            der,
            algorithm,
            imprint,
        } => {
            let answer = der.clone();
            app.db
                .run(move |conn| record(conn, serial, algorithm, &imprint, &requester, &answer))
                .await?;
            Ok(der)
        }
    }
}

/// Records a token granted: serial, what it stamped, when, for whom (empty: the service's
/// own signatures), and the SHA-256 of the answer.
fn record(
    conn: &mut DbConn,
    serial: u64,
    algorithm: crate::verification::DigestAlgorithm,
    imprint: &[u8],
    requester: &str,
    answer: &[u8],
) -> Result<(), DbError> {
    diesel::insert_into(tsa_tokens::table)
        .values((
            tsa_tokens::serial.eq(i64::try_from(serial).unwrap_or(i64::MAX)),
            tsa_tokens::algorithm.eq(format!("{algorithm:?}").to_lowercase()),
            tsa_tokens::imprint.eq(hex::encode(imprint)),
            tsa_tokens::gen_time.eq(now_utc()),
            tsa_tokens::requester.eq(requester),
            tsa_tokens::token_sha256.eq(hex::encode(Sha256::digest(answer))),
        ))
        .execute(conn)?;
    Ok(())
}

/// Tokens issued so far.
pub fn issued(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(tsa_tokens::table.count().get_result(conn)?)
}

/// The service's own TSA as a source of signature time-stamps for the copies it issues
/// (PAdES B-T): the same serial counter and record as the HTTP answers, in the caller's
/// blocking thread.
pub struct OwnTsa {
    db: crate::db::Db,
    signer: Box<dyn crate::signing::Signer>,
    policy: const_oid::ObjectIdentifier,
    max_len: usize,
}

/// Room for a token besides the TSA's certificates: TSTInfo, signed attributes, signature.
const TOKEN_OVERHEAD: usize = 2048;

impl OwnTsa {
    /// The TSA of `app`'s key store and settings.
    pub fn new(
        db: crate::db::Db,
        keys: &dyn crate::pki::KeyStore,
        policy: const_oid::ObjectIdentifier,
    ) -> Result<OwnTsa, crate::signing::SigningError> {
        use der::Encode;
        let signer = keys.tsa_signer()?;
        let certificates: usize = signer
            .certificate_chain()
            .iter()
            .map(|certificate| {
                certificate
                    .encoded_len()
                    .map_or(4096, |len| len.try_into().unwrap_or(4096))
            })
            .sum();
        Ok(OwnTsa {
            db,
            signer,
            policy,
            max_len: certificates + TOKEN_OVERHEAD,
        })
    }

    /// The TSA certificate first, then its CAs (for the DSS of B-LTA copies).
    pub fn certificate_chain(&self) -> &[x509_cert::Certificate] {
        self.signer.certificate_chain()
    }
}

impl crate::signing::Timestamper for OwnTsa {
    fn token(&self, imprint: &[u8; 32]) -> Result<Vec<u8>, crate::signing::SigningError> {
        let failed = |reason: String| crate::signing::SigningError::KeyUnavailable {
            key: "time-stamping authority".to_owned(),
            reason,
        };
        let mut conn = self.db.get().map_err(|e| failed(e.to_string()))?;
        let serial = next_serial(&mut conn).map_err(|e| failed(e.to_string()))?;
        let request = crate::timestamp::request(
            crate::verification::DigestAlgorithm::Sha256,
            imprint,
            serial,
        )
        .map_err(|e| failed(e.to_string()))?;
        let tsa = Tsa {
            signer: self.signer.as_ref(),
            policy: self.policy,
        };
        let Answer::Granted { der, .. } =
            crate::timestamp::respond(&request, &tsa, serial, OffsetDateTime::now_utc())
                .map_err(|e| failed(e.to_string()))?
        else {
            return Err(failed("the TSA refused its own request".to_owned()));
        };
        let token =
            crate::timestamp::token_from_response(&der).map_err(|e| failed(e.to_string()))?;
        record(
            &mut conn,
            serial,
            crate::verification::DigestAlgorithm::Sha256,
            imprint,
            "",
            &der,
        )
        .map_err(|e| failed(e.to_string()))?;
        Ok(token)
    }

    fn max_token_len(&self) -> usize {
        self.max_len
    }

    fn valid_until(&self) -> Option<OffsetDateTime> {
        crate::signing::certificate_not_after(self.signer.certificate_chain().first()?)
    }
}
