//! The job runner: deferred work kept in the database (`jobs`) and run by whichever
//! instance claims it first (docs/ARCHITECTURE.md §18).
//!
//! - **Claiming.** A runner takes due jobs of the kinds it handles in one write
//!   transaction: on PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED` (instances never wait for
//!   each other and never take the same row), on SQLite under the single writer lock
//!   (`BEGIN IMMEDIATE`). A claimed job is `running`, with a lease: its `run_at` moves to
//!   the end of the lease and its `lease_owner` names the runner. A runner that dies leaves
//!   the job to be claimed again when the lease ends.
//! - **Finishing.** Success marks the job `done`, failure schedules it again after a
//!   back-off (2^attempts seconds, at most an hour); after `max_attempts` it is `failed`
//!   and an audit row `job.failed` says what happened. Both updates are fenced by the
//!   owner and the attempt number: a runner whose lease was taken over cannot overwrite
//!   the outcome of the run that replaced it.
//! - **Recurring jobs** (one row per kind, `unique_key` = kind) go back to `queued`, due
//!   `every_secs` later, after each run, successful or not.
//!
//! Delivery is at least once: a job whose runner dies after doing its work but before
//! recording it runs again, so handlers are idempotent (each kind says how).
//! [`tasks`] has the service's own kinds.

pub mod tasks;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use diesel::prelude::*;
use serde_json::json;
use time::{Duration, PrimitiveDateTime};

use crate::audit::{self, AuditEvent};
use crate::db::schema::jobs;
use crate::db::{Db, DbConn, DbError, now_utc, write_transaction};

/// Longest wait between two attempts.
pub const MAX_BACKOFF_SECS: i64 = 3_600;
/// Jobs of one kind a runner claims per round.
const BATCH: i64 = 20;

/// The state of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for `run_at`.
    Queued,
    /// Claimed; its lease ends at `run_at`.
    Running,
    /// Finished successfully (one-off jobs only).
    Done,
    /// Gave up after `max_attempts` (one-off jobs only).
    Failed,
}

impl JobState {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }
}

/// A row of `jobs`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = jobs)]
pub struct Job {
    /// Id (for notices: the idempotency key the receiver sees).
    pub id: String,
    /// What to do (`webhook.deliver`, `register.void_interrupted`, …).
    pub kind: String,
    /// JSON arguments of the kind.
    pub payload: String,
    /// Recurring jobs: their kind (one row per kind).
    pub unique_key: Option<String>,
    /// Recurring jobs: seconds between runs.
    pub every_secs: Option<i64>,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// When it is due; while running, when its lease ends.
    pub run_at: PrimitiveDateTime,
    /// Attempts started so far.
    pub attempts: i32,
    /// Attempts before a one-off job is given up.
    pub max_attempts: i32,
    /// The runner holding (or that last held) the lease.
    pub lease_owner: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it became `done` or `failed`.
    pub finished_at: Option<PrimitiveDateTime>,
    /// When it was queued.
    pub created_at: PrimitiveDateTime,
}

impl Job {
    /// A one-off job waiting for `run_at`.
    fn queued(
        id: String,
        kind: &str,
        payload: String,
        run_at: PrimitiveDateTime,
        max_attempts: i32,
    ) -> Self {
        Job {
            id,
            kind: kind.to_owned(),
            payload,
            unique_key: None,
            every_secs: None,
            state: JobState::Queued.as_str().to_owned(),
            run_at,
            attempts: 0,
            max_attempts: max_attempts.max(1),
            lease_owner: None,
            last_error: None,
            finished_at: None,
            created_at: now_utc(),
        }
    }

    /// The payload as JSON (an empty object when it is not JSON).
    pub fn payload_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.payload).unwrap_or_else(|_| json!({}))
    }
}

/// Wait before attempt `attempts + 1` after `attempts` failures: 2^n seconds, capped.
pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.clamp(1, 12)).unwrap_or(12);
    Duration::seconds((1_i64 << exponent).min(MAX_BACKOFF_SECS))
}

/// Queues a one-off job due at `run_at`, in the caller's transaction. `id`: a stable id
/// (e.g. the outbox row it delivers) or `None` for a new one. Answers the id.
pub fn enqueue(
    conn: &mut DbConn,
    id: Option<&str>,
    kind: &str,
    payload: &serde_json::Value,
    run_at: PrimitiveDateTime,
    max_attempts: i32,
) -> Result<String, DbError> {
    let id = id.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let job = Job::queued(id.clone(), kind, payload.to_string(), run_at, max_attempts);
    diesel::insert_into(jobs::table)
        .values(&job)
        .execute(conn)?;
    Ok(id)
}

/// Makes sure the recurring job of `kind` exists (every instance calls this at start;
/// the first one creates it, first due at `first_run_at`). Its interval is updated to
/// `every` if the configuration changed. Answers whether it was created.
pub fn ensure_recurring(
    conn: &mut DbConn,
    kind: &str,
    every: Duration,
    first_run_at: PrimitiveDateTime,
    max_attempts: i32,
) -> Result<bool, DbError> {
    let every_secs = every.whole_seconds().max(1);
    let job = Job {
        unique_key: Some(kind.to_owned()),
        every_secs: Some(every_secs),
        ..Job::queued(
            uuid::Uuid::new_v4().to_string(),
            kind,
            "{}".to_owned(),
            first_run_at,
            max_attempts,
        )
    };
    // In a savepoint: on PostgreSQL a refused insert would abort the caller's transaction.
    let inserted =
        conn.transaction(|conn| diesel::insert_into(jobs::table).values(&job).execute(conn));
    let created = match inserted {
        Ok(rows) => rows,
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => 0,
        Err(other) => return Err(other.into()),
    };
    if created == 0 {
        diesel::update(jobs::table.filter(jobs::unique_key.eq(kind)))
            .set(jobs::every_secs.eq(Some(every_secs)))
            .execute(conn)?;
    }
    Ok(created == 1)
}

/// Removes the recurring job of `kind` (its setting turned it off). Answers whether there
/// was one.
pub fn remove_recurring(conn: &mut DbConn, kind: &str) -> Result<bool, DbError> {
    Ok(diesel::delete(jobs::table.filter(jobs::unique_key.eq(kind))).execute(conn)? > 0)
}

/// Deletes one-off jobs that finished successfully before `before` (failed ones stay, for
/// the operator, beside their `job.failed` audit row). Answers how many.
pub fn prune_done(conn: &mut DbConn, before: PrimitiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(
        jobs::table
            .filter(jobs::state.eq(JobState::Done.as_str()))
            .filter(jobs::finished_at.lt(before)),
    )
    .execute(conn)?)
}

/// The jobs of a kind, oldest first (for operators and tests).
pub fn of_kind(conn: &mut DbConn, kind: &str) -> Result<Vec<Job>, DbError> {
    Ok(jobs::table
        .filter(jobs::kind.eq(kind))
        .order((jobs::created_at.asc(), jobs::id.asc()))
        .select(Job::as_select())
        .load(conn)?)
}

/// Counts of jobs by kind and state.
pub fn counts(conn: &mut DbConn) -> Result<Vec<(String, String, i64)>, DbError> {
    Ok(jobs::table
        .group_by((jobs::kind, jobs::state))
        .select((jobs::kind, jobs::state, diesel::dsl::count_star()))
        .order((jobs::kind.asc(), jobs::state.asc()))
        .load(conn)?)
}

/// Claims up to `limit` due jobs of `kind` for `owner`, leased for `lease`.
pub fn claim(
    conn: &mut DbConn,
    kind: &str,
    owner: &str,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Job>, DbError> {
    write_transaction(conn, |conn| {
        let now = now_utc();
        let due = jobs::table
            .filter(jobs::kind.eq(kind))
            .filter(jobs::state.eq_any([JobState::Queued.as_str(), JobState::Running.as_str()]))
            .filter(jobs::run_at.le(now))
            .order(jobs::run_at.asc())
            .limit(limit)
            .select(jobs::id);
        let ids: Vec<String> = match conn {
            DbConn::Pg(pg) => due.for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(sqlite) => due.load(sqlite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(jobs::table.filter(jobs::id.eq_any(&ids)))
            .set((
                jobs::state.eq(JobState::Running.as_str()),
                jobs::lease_owner.eq(Some(owner)),
                jobs::run_at.eq(now + lease),
                jobs::attempts.eq(jobs::attempts + 1),
            ))
            .execute(conn)?;
        Ok(jobs::table
            .filter(jobs::id.eq_any(&ids))
            .order(jobs::created_at.asc())
            .select(Job::as_select())
            .load(conn)?)
    })
}

/// Records that `job`'s attempt succeeded. Answers false when the lease had been taken
/// over (the outcome then belongs to the later run).
pub fn complete(conn: &mut DbConn, job: &Job) -> Result<bool, DbError> {
    record(conn, job, None)
}

/// Records that `job`'s attempt failed with `error`: again after a back-off, or given up
/// (with an audit row) after `max_attempts`. A recurring job that gives up waits for its
/// next interval. Answers false when the lease had been taken over.
pub fn fail(conn: &mut DbConn, job: &Job, error: &str) -> Result<bool, DbError> {
    let error: String = error.chars().take(1_000).collect();
    record(conn, job, Some(error))
}

/// Ends `job`'s attempt (`error`: why it failed) with one update, made only while this
/// runner still holds the job under the same attempt number.
fn record(conn: &mut DbConn, job: &Job, error: Option<String>) -> Result<bool, DbError> {
    write_transaction(conn, |conn| {
        let now = now_utc();
        let give_up = error.is_some() && job.attempts >= job.max_attempts;
        // (state, due, attempts, finished) after this attempt.
        let (state, run_at, attempts, finished_at) = match (&error, give_up, job.every_secs) {
            (Some(_), false, _) => (
                JobState::Queued,
                now + backoff(job.attempts),
                job.attempts,
                None,
            ),
            (_, _, Some(every)) => (JobState::Queued, now + Duration::seconds(every), 0, None),
            (None, _, None) => (JobState::Done, job.run_at, job.attempts, Some(now)),
            (Some(_), true, None) => (JobState::Failed, job.run_at, job.attempts, Some(now)),
        };
        let updated = diesel::update(
            jobs::table
                .filter(jobs::id.eq(&job.id))
                .filter(jobs::state.eq(JobState::Running.as_str()))
                .filter(jobs::lease_owner.eq(&job.lease_owner))
                .filter(jobs::attempts.eq(job.attempts)),
        )
        .set((
            jobs::state.eq(state.as_str()),
            jobs::run_at.eq(run_at),
            jobs::attempts.eq(attempts),
            jobs::finished_at.eq(finished_at),
            jobs::last_error.eq(&error),
        ))
        .execute(conn)?;
        if updated == 1 && give_up {
            audit::record(
                conn,
                None,
                AuditEvent {
                    action: "job.failed",
                    target: Some(job.id.clone()),
                    office_id: None,
                    detail: json!({
                        "kind": job.kind,
                        "attempts": job.attempts,
                        "error": error,
                        "recurring": job.every_secs.is_some(),
                    }),
                },
                None,
            )?;
        }
        Ok(updated == 1)
    })
}

/// What a handler returns: `Err` with a reason an operator can read.
pub type JobResult = Result<(), String>;
/// A handler's future.
pub type JobFuture = Pin<Box<dyn Future<Output = JobResult> + Send>>;
/// A handler of one kind.
pub type Handler = Arc<dyn Fn(Job) -> JobFuture + Send + Sync>;

/// How a runner treats one kind.
#[derive(Clone)]
struct KindEntry {
    lease: Duration,
    handler: Handler,
}

/// Outcome of one round of a runner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Attempts that succeeded.
    pub succeeded: usize,
    /// Attempts that failed (retried later or given up).
    pub failed: usize,
    /// Attempts whose lease had been taken over by another runner before they ended.
    pub overtaken: usize,
}

/// A runner: the kinds it handles and its identity. Cheap to clone.
#[derive(Clone)]
pub struct Runner {
    db: Db,
    owner: String,
    kinds: BTreeMap<String, KindEntry>,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("owner", &self.owner)
            .field("kinds", &self.kinds.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Runner {
    /// A runner over `db` named `owner` (unique per instance: host, process, random).
    pub fn new(db: Db, owner: impl Into<String>) -> Self {
        Self {
            db,
            owner: owner.into(),
            kinds: BTreeMap::new(),
        }
    }

    /// A name for this process's runner: host name, process id and a random suffix.
    pub fn instance_name() -> String {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_owned())
            .unwrap_or_default();
        let suffix = &uuid::Uuid::new_v4().simple().to_string()[..8];
        format!(
            "{}:{}:{suffix}",
            if host.is_empty() { "host" } else { &host },
            std::process::id()
        )
    }

    /// This runner's name (the `lease_owner` of what it claims).
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Handles `kind` with `handler`; a claim holds a job for `lease` (longer than the
    /// work can take, or another runner starts it again).
    pub fn handle<F, Fut>(mut self, kind: &str, lease: Duration, handler: F) -> Self
    where
        F: Fn(Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobResult> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |job| Box::pin(handler(job)));
        self.kinds
            .insert(kind.to_owned(), KindEntry { lease, handler });
        self
    }

    /// Runs once what is due: for each kind, claims a batch and runs it in order.
    pub async fn run_due(&self) -> Result<Round, DbError> {
        let mut round = Round::default();
        for kind in self.kinds.keys() {
            let of_kind = self.run_kind(kind).await?;
            round.succeeded += of_kind.succeeded;
            round.failed += of_kind.failed;
            round.overtaken += of_kind.overtaken;
        }
        Ok(round)
    }

    /// Claims a batch of due jobs of `kind` and runs them in order.
    async fn run_kind(&self, kind: &str) -> Result<Round, DbError> {
        let mut round = Round::default();
        let Some(entry) = self.kinds.get(kind) else {
            return Ok(round);
        };
        let (kind_name, owner, lease) = (kind.to_owned(), self.owner.clone(), entry.lease);
        let claimed = self
            .db
            .run(move |conn| claim(conn, &kind_name, &owner, lease, BATCH))
            .await?;
        for job in claimed {
            // In a task of its own: a handler that panics fails its job, not the runner.
            let outcome = match rocket::tokio::spawn((entry.handler)(job.clone())).await {
                Ok(outcome) => outcome,
                Err(error) => Err(format!("the job's task failed: {error}")),
            };
            let recorded = match &outcome {
                Ok(()) => {
                    let job = job.clone();
                    self.db.run(move |conn| complete(conn, &job)).await?
                }
                Err(error) => {
                    tracing::warn!(
                        job = %job.id,
                        kind = %job.kind,
                        attempt = job.attempts,
                        max_attempts = job.max_attempts,
                        "job failed: {error}"
                    );
                    let (job, error) = (job.clone(), error.clone());
                    self.db.run(move |conn| fail(conn, &job, &error)).await?
                }
            };
            match (recorded, outcome.is_ok()) {
                (false, _) => {
                    round.overtaken += 1;
                    tracing::warn!(job = %job.id, kind = %job.kind, "job's lease was taken over before it ended");
                }
                (true, true) => round.succeeded += 1,
                (true, false) => round.failed += 1,
            }
        }
        Ok(round)
    }

    /// Runs what is due every `poll`, for ever (the worker of a serving instance): one
    /// loop per kind, so a long job (a re-timestamping of many copies) never holds up
    /// another kind (an annulment notice).
    pub async fn run(self, poll: std::time::Duration) {
        tracing::info!(owner = %self.owner, kinds = ?self.kinds.keys().collect::<Vec<_>>(), "job runner started");
        let mut loops = Vec::new();
        for kind in self.kinds.keys() {
            let (runner, kind) = (self.clone(), kind.clone());
            loops.push(rocket::tokio::spawn(async move {
                loop {
                    if let Err(error) = runner.run_kind(&kind).await {
                        tracing::error!(kind = %kind, "job runner: {error}");
                    }
                    rocket::tokio::time::sleep(poll).await;
                }
            }));
        }
        for handle in loops {
            let _ = handle.await;
        }
    }
}
