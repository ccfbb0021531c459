//! The service's deferred work, as job kinds of the runner:
//!
//! | kind | when | what |
//! |---|---|---|
//! | `register.void_interrupted` | every `void_interrupted_every_secs` | register lines left `pending` by an issuance that stopped more than 15 minutes ago become void |
//! | `webhook.deliver` | queued by each annulment | one annulment notice to one agency |
//! | `copies.retimestamp` | every `retimestamp_every_hours` | stored B-LTA copies whose time-stamp horizon is near get a fresh document time-stamp |
//! | `register.publish_head` | every `log_head_interval_secs` | a signed tree head of the register log |
//! | `register.monthly_archive` | daily | each office's book of the previous month, sealed, kept in the blob store |
//! | `jobs.prune` | daily | one-off jobs done more than 30 days ago are deleted (failed ones stay) |
//!
//! Every handler can run twice for the same job (a runner that dies after the work and
//! before recording it): voiding skips lines no longer pending, a delivered notice is not
//! sent again, re-timestamping skips copies no longer due, a head of the same moment is
//! stored once, a month already archived is left alone, and pruning twice removes nothing
//! more.

use std::sync::Arc;

use time::Duration;

use super::{Job, Runner};
use crate::app::App;
use crate::db::{DbError, now_utc};

/// Voiding of interrupted issuances.
pub const VOID_INTERRUPTED: &str = "register.void_interrupted";
/// One annulment notice.
pub const WEBHOOK_DELIVER: &str = "webhook.deliver";
/// Renewal of document time-stamps.
pub const RETIMESTAMP: &str = "copies.retimestamp";
/// A signed tree head of the register log.
pub const PUBLISH_HEAD: &str = "register.publish_head";
/// The sealed monthly books.
pub const MONTHLY_ARCHIVE: &str = "register.monthly_archive";
/// Removal of finished jobs.
pub const PRUNE_JOBS: &str = "jobs.prune";

/// How long a finished one-off job is kept before `jobs.prune` removes it.
pub const KEEP_DONE_JOBS: Duration = Duration::days(30);

/// How old a pending register line must be before the runner voids it: an issuance takes
/// seconds, its deadline is far below this.
pub const INTERRUPTED_AFTER: Duration = Duration::minutes(15);

/// Creates the recurring jobs this configuration wants (each instance at start; the
/// first creates them, the others find them).
pub fn schedule(app: &App) -> Result<(), DbError> {
    let config = &app.config;
    let mut conn = app.db.get()?;
    let now = now_utc();
    let recurring: Vec<(&str, Option<Duration>)> = vec![
        (
            VOID_INTERRUPTED,
            Some(Duration::seconds(
                i64::try_from(config.void_interrupted_every_secs).unwrap_or(300),
            )),
        ),
        (
            RETIMESTAMP,
            (config.retimestamp_every_hours > 0 && config.copy_long_term)
                .then(|| Duration::hours(i64::from(config.retimestamp_every_hours))),
        ),
        (
            PUBLISH_HEAD,
            (config.log_head_interval_secs > 0).then(|| {
                Duration::seconds(i64::try_from(config.log_head_interval_secs).unwrap_or(60))
            }),
        ),
        (MONTHLY_ARCHIVE, Some(Duration::hours(24))),
        (PRUNE_JOBS, Some(Duration::hours(24))),
    ];
    for (kind, every) in recurring {
        let Some(every) = every else {
            // Turned off in the configuration: no instance runs it any more.
            if super::remove_recurring(&mut conn, kind)? {
                tracing::info!(kind, "recurring job removed (turned off)");
            }
            continue;
        };
        if super::ensure_recurring(&mut conn, kind, every, now + every, 5)? {
            tracing::info!(
                kind,
                every_secs = every.whole_seconds(),
                "recurring job created"
            );
        }
    }
    Ok(())
}

/// A runner with every kind of the service, named after this instance.
pub fn runner(app: &App) -> Result<Runner, String> {
    let http = crate::webhooks::client(app)?;
    let runner = Runner::new(app.db.clone(), Runner::instance_name());
    let runner = webhook_runner(app, http, runner);
    let void_app = app.clone();
    let runner = runner.handle(VOID_INTERRUPTED, Duration::minutes(5), move |_job| {
        let app = void_app.clone();
        async move {
            let voided = app
                .db
                .run(|conn| crate::registry::void_interrupted(conn, INTERRUPTED_AFTER))
                .await
                .map_err(|e| e.to_string())?;
            if voided > 0 {
                tracing::warn!(
                    count = voided,
                    "register entries left pending by an interrupted issuance were voided"
                );
            }
            Ok(())
        }
    });
    let stamp_app = app.clone();
    let runner = runner.handle(RETIMESTAMP, Duration::hours(2), move |_job| {
        let app = stamp_app.clone();
        async move { retimestamp(&app).await }
    });
    let head_app = app.clone();
    let runner = runner.handle(PUBLISH_HEAD, Duration::minutes(2), move |_job| {
        let app = head_app.clone();
        async move {
            let key = app.log_key.clone();
            let head = app
                .db
                .run(move |conn| crate::transparency::heads::publish(conn, &key))
                .await
                .map_err(|e| e.to_string())?;
            tracing::debug!(
                tree_size = head.tree_size,
                audit_size = head.audit_size,
                "register log head"
            );
            Ok(())
        }
    });
    let (archive_app, prune_app) = (app.clone(), app.clone());
    let runner = runner.handle(MONTHLY_ARCHIVE, Duration::minutes(30), move |_job| {
        let app = archive_app.clone();
        async move {
            crate::registry::archive::archive_previous_month(&app)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    });
    let runner = runner.handle(PRUNE_JOBS, Duration::minutes(10), move |_job| {
        let app = prune_app.clone();
        async move {
            let removed = app
                .db
                .run(|conn| super::prune_done(conn, now_utc() - KEEP_DONE_JOBS))
                .await
                .map_err(|e| e.to_string())?;
            if removed > 0 {
                tracing::info!(removed, "finished jobs older than 30 days removed");
            }
            Ok(())
        }
    });
    Ok(runner)
}

/// Adds the `webhook.deliver` kind to `runner`, sending with `http`.
pub fn webhook_runner(app: &App, http: openidconnect::reqwest::Client, runner: Runner) -> Runner {
    let lease = crate::webhooks::lease(std::time::Duration::from_secs(
        app.config.webhook_timeout_secs,
    ));
    let (app, http) = (app.clone(), Arc::new(http));
    runner.handle(WEBHOOK_DELIVER, lease, move |job: Job| {
        let (app, http) = (app.clone(), http.clone());
        async move {
            let delivery = job.payload_json()["delivery"]
                .as_str()
                .map_or_else(|| job.id.clone(), str::to_owned);
            crate::webhooks::deliver(&app, &http, &delivery, job.attempts).await
        }
    })
}

/// Renews the copies due within `retimestamp_horizon_days`; fails (to be retried) when
/// any copy could not be renewed, after trying all of them.
async fn retimestamp(app: &App) -> Result<(), String> {
    let retimestamper = app.retimestamper().map_err(|e| e.to_string())?;
    let until = time::OffsetDateTime::now_utc()
        + Duration::days(i64::from(app.config.retimestamp_horizon_days));
    let run = retimestamper
        .renew_due(until, |_, _, _, _| {})
        .await
        .map_err(|e| e.to_string())?;
    if run.due > 0 {
        tracing::info!(
            due = run.due,
            stamped = run.stamped,
            failed = run.failed.len(),
            "copies re-timestamped"
        );
    }
    if run.failed.is_empty() {
        return Ok(());
    }
    let reasons: Vec<String> = run
        .failed
        .iter()
        .map(|(id, error)| format!("{id}: {error}"))
        .collect();
    Err(format!(
        "{} of {} copies not re-timestamped: {}",
        run.failed.len(),
        run.due,
        reasons.join("; ")
    ))
}
