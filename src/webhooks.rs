//! Annulment notices to agencies (docs/ARCHITECTURE.md §13).
//!
//! An agency sets its webhook (`PUT /api/v1/agency/webhook {url}`; the signing secret is
//! answered once). When a copy is annulled, the annulment's transaction writes one
//! delivery per agency whose dossiers hold the copy into `webhook_deliveries` (a
//! transactional outbox: no notice is lost if the process dies) and, with the same id, a
//! `webhook.deliver` job. The job runner of any instance ([`crate::jobs`]) claims it under
//! a lease (two instances never send the same attempt), POSTs it ([`deliver`]), and on
//! failure retries with exponential back-off (2 s, 4 s, … up to an hour), giving up after
//! [`MAX_ATTEMPTS`] with an audit row. Delivery is at least once: the `Idempotency-Key`
//! header (the delivery's id) lets the receiver drop a repeat.
//!
//! Each notice carries `X-Certcopy-Timestamp: <unix seconds>` and
//! `X-Certcopy-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`; the
//! receiver recomputes it and refuses old timestamps.

use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use time::Duration;

use crate::app::App;
use crate::db::ids::{CopyId, UserId};
use crate::db::models::{RegisterEntry, Role, User};
use crate::db::schema::{agency_webhooks, dossier_documents, dossiers, webhook_deliveries};
use crate::db::{DbConn, DbError, now_utc};
use crate::error::{PublicError, UserFacing};

/// How long a claimed delivery is left to its sender before another instance may take
/// it: twice the HTTP timeout plus 5 s, so a sender still waiting is never overtaken.
pub fn lease(timeout: std::time::Duration) -> Duration {
    Duration::seconds(i64::try_from(timeout.as_secs()).unwrap_or(60) * 2 + 5)
}
/// Attempts before a notice is given up (about 19 hours of retries, the last ones hourly).
pub const MAX_ATTEMPTS: i32 = 30;

/// Errors of webhook settings.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Not an agency.
    #[error("forbidden")]
    Forbidden,
    /// The URL is not an `http(s)://` URL.
    #[error("invalid url")]
    InvalidUrl,
    /// Database failure.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for WebhookError {
    fn from(error: diesel::result::Error) -> Self {
        WebhookError::Db(DbError::from(error))
    }
}

impl UserFacing for WebhookError {
    fn public(&self) -> PublicError {
        match self {
            WebhookError::Forbidden => crate::auth::AuthError::Forbidden.public(),
            WebhookError::InvalidUrl => PublicError::new(
                422,
                "invalid_field",
                "Trường `url` phải là địa chỉ http:// hoặc https:// (tối đa 500 ký tự).".into(),
                "Field `url` must be an http:// or https:// address (at most 500 characters)."
                    .into(),
            ),
            WebhookError::Db(e) => e.public(),
        }
    }
}

/// An agency's webhook as answered when it is set: the secret only then.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookSet {
    /// Where notices go.
    pub url: String,
    /// The HMAC-SHA256 key of the signatures.
    pub secret: String,
}

/// Sets (or replaces) the agency's webhook with a fresh secret.
pub fn set_webhook(
    conn: &mut DbConn,
    agency: &User,
    url: &str,
) -> Result<WebhookSet, WebhookError> {
    if agency.role() != Role::Agency {
        return Err(WebhookError::Forbidden);
    }
    let url = url.trim();
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    if !scheme_ok || url.len() > 500 || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(WebhookError::InvalidUrl);
    }
    let secret = crate::secrets::new_secret_token("whsec_");
    diesel::delete(agency_webhooks::table.find(&agency.id)).execute(conn)?;
    diesel::insert_into(agency_webhooks::table)
        .values((
            agency_webhooks::agency_user_id.eq(&agency.id),
            agency_webhooks::url.eq(url),
            agency_webhooks::secret.eq(&secret),
            agency_webhooks::created_at.eq(now_utc()),
        ))
        .execute(conn)?;
    Ok(WebhookSet {
        url: url.to_owned(),
        secret,
    })
}

/// The notice of an annulment, as sent.
#[derive(Debug, Serialize)]
struct AnnulmentNotice<'a> {
    event: &'static str,
    delivery_id: &'a str,
    copy_id: &'a CopyId,
    certification_number: i64,
    book: String,
    annulled_reason: Option<&'a str>,
    annulled_at: Option<String>,
    dossiers: Vec<DossierRef>,
}

#[derive(Debug, Serialize)]
struct DossierRef {
    id: String,
    reference: String,
}

/// Writes one annulment notice per agency whose dossiers hold `entry` and that has a
/// webhook, inside the annulment's transaction. Answers how many.
pub fn enqueue_annulment(conn: &mut DbConn, entry: &RegisterEntry) -> Result<usize, DbError> {
    let held: Vec<(String, String, UserId)> = dossier_documents::table
        .inner_join(dossiers::table.on(dossiers::id.eq(dossier_documents::dossier_id)))
        .inner_join(
            agency_webhooks::table.on(agency_webhooks::agency_user_id.eq(dossiers::agency_user_id)),
        )
        .filter(dossier_documents::register_entry_id.eq(&entry.id))
        .select((dossiers::id, dossiers::reference, dossiers::agency_user_id))
        .distinct()
        .load(conn)?;
    let mut agencies: Vec<UserId> = held.iter().map(|(_, _, agency)| agency.clone()).collect();
    agencies.sort();
    agencies.dedup();
    let now = now_utc();
    for agency in &agencies {
        let id = uuid::Uuid::new_v4().to_string();
        let notice = AnnulmentNotice {
            event: "copy.annulled",
            delivery_id: &id,
            copy_id: &entry.id,
            certification_number: entry.sequence,
            book: format!("{}-{}", entry.book, entry.type_code),
            annulled_reason: entry.annulled_reason.as_deref(),
            annulled_at: entry.annulled_at.map(crate::local_time::utc_text),
            dossiers: held
                .iter()
                .filter(|(_, _, owner)| owner == agency)
                .map(|(id, reference, _)| DossierRef {
                    id: id.clone(),
                    reference: reference.clone(),
                })
                .collect(),
        };
        let body = serde_json::to_string(&notice).unwrap_or_default();
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::id.eq(&id),
                webhook_deliveries::agency_user_id.eq(agency),
                webhook_deliveries::event.eq("copy.annulled"),
                webhook_deliveries::body.eq(body),
                webhook_deliveries::attempts.eq(0),
                webhook_deliveries::next_attempt_at.eq(now),
                webhook_deliveries::created_at.eq(now),
            ))
            .execute(conn)?;
        crate::jobs::enqueue(
            conn,
            Some(&id),
            crate::jobs::tasks::WEBHOOK_DELIVER,
            &serde_json::json!({ "delivery": id }),
            now,
            MAX_ATTEMPTS,
        )?;
    }
    Ok(agencies.len())
}

/// `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Wait before attempt `attempts + 1` after `attempts` failures: 2^n seconds, capped at
/// an hour (the job runner's back-off).
pub fn backoff(attempts: i32) -> Duration {
    crate::jobs::backoff(attempts)
}

/// The HTTP client of the notices: the configured timeout, no redirects followed.
pub fn client(app: &App) -> Result<openidconnect::reqwest::Client, String> {
    openidconnect::reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(
            app.config.webhook_timeout_secs,
        ))
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())
}

/// Sends delivery `id` (attempt number `attempt`) and records the outcome on it. `Ok`
/// when the agency took it (or it was delivered before: a repeated job does nothing).
pub async fn deliver(
    app: &App,
    http: &openidconnect::reqwest::Client,
    id: &str,
    attempt: i32,
) -> Result<(), String> {
    let key = id.to_owned();
    let pending = app
        .db
        .run(move |conn| {
            webhook_deliveries::table
                .inner_join(
                    agency_webhooks::table
                        .on(agency_webhooks::agency_user_id.eq(webhook_deliveries::agency_user_id)),
                )
                .filter(webhook_deliveries::id.eq(&key))
                .select((
                    webhook_deliveries::body,
                    agency_webhooks::url,
                    agency_webhooks::secret,
                    webhook_deliveries::delivered_at.is_not_null(),
                ))
                .first::<(String, String, String, bool)>(conn)
                .optional()
                .map_err(DbError::from)
        })
        .await
        .map_err(|e| e.to_string())?;
    let Some((body, url, secret, delivered)) = pending else {
        return Err("the delivery or the agency's webhook no longer exists".to_owned());
    };
    if delivered {
        return Ok(());
    }
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let sent = http
        .post(&url)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", id)
        .header("X-Certcopy-Event", "copy.annulled")
        .header("X-Certcopy-Timestamp", timestamp.to_string())
        .header("X-Certcopy-Signature", signature(&secret, timestamp, &body))
        .body(body)
        .send()
        .await;
    let outcome = match sent {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!("answered {}", response.status().as_u16())),
        Err(error) => Err(format!("not reached: {}", error.without_url())),
    };
    let (key, error) = (id.to_owned(), outcome.clone().err());
    app.db
        .run(move |conn| {
            let now = now_utc();
            let next = match &error {
                Some(_) => now + backoff(attempt),
                None => now,
            };
            diesel::update(webhook_deliveries::table.find(&key))
                .set((
                    webhook_deliveries::attempts.eq(attempt),
                    webhook_deliveries::next_attempt_at.eq(next),
                    webhook_deliveries::delivered_at.eq(error.is_none().then_some(now)),
                    webhook_deliveries::last_error.eq(error),
                ))
                .execute(conn)
                .map_err(DbError::from)
        })
        .await
        .map_err(|e| e.to_string())?;
    outcome
}

/// Runs the due `webhook.deliver` jobs once (what an instance's job runner does every
/// round); answers how many notices were delivered.
pub async fn deliver_due(
    app: &App,
    http: &openidconnect::reqwest::Client,
) -> Result<usize, DbError> {
    let runner = crate::jobs::tasks::webhook_runner(
        app,
        http.clone(),
        crate::jobs::Runner::new(app.db.clone(), crate::jobs::Runner::instance_name()),
    );
    Ok(runner.run_due().await?.succeeded)
}
