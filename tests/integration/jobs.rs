//! The job runner over the database: two runners with their own connection pools (two
//! instances) on one database do a thousand jobs, each exactly once; failures back off
//! and are given up with an audit row; a dead runner's job is taken over after its lease
//! and its late outcome is ignored; recurring jobs come back; and the service's own kinds
//! (voiding interrupted lines, the monthly archive of the register book) do their work.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use certcopy::audit::Actor;
use certcopy::db::models::{EntryStatus, RegisterEntry, Role};
use certcopy::db::{Db, now_utc};
use certcopy::jobs::{self, Job, JobState, Runner};
use certcopy::registry;
use diesel::prelude::*;
use rocket::http::Status;
use sha2::Digest;
use time::Duration;

use crate::common::{TestApp, bearer};
use crate::db_test;
use crate::issuing::office_with_official;
use crate::verifying::issue;

/// Makes every waiting job of `kind` due now.
async fn make_due(app: &TestApp, kind: &'static str) {
    app.db(move |conn| {
        use certcopy::db::schema::jobs::dsl as j;
        diesel::update(j::jobs.filter(j::kind.eq(kind)))
            .set(j::run_at.eq(now_utc() - Duration::seconds(1)))
            .execute(conn)
            .unwrap();
    })
    .await;
}

async fn jobs_of(app: &TestApp, kind: &'static str) -> Vec<Job> {
    app.db(move |conn| jobs::of_kind(conn, kind).unwrap()).await
}

/// Who ran what: runs per job id, and the runner of each run.
#[derive(Default)]
struct Ledger {
    runs: BTreeMap<String, u32>,
    by_runner: BTreeMap<String, u32>,
    in_flight: BTreeSet<String>,
    overlaps: u32,
}

fn counting_runner(db: Db, name: &str, ledger: Arc<Mutex<Ledger>>) -> Runner {
    let runner_name = name.to_owned();
    Runner::new(db, name).handle("test.count", Duration::minutes(5), move |job: Job| {
        let (ledger, runner_name) = (ledger.clone(), runner_name.clone());
        async move {
            {
                let mut ledger = ledger.lock().unwrap();
                if !ledger.in_flight.insert(job.id.clone()) {
                    ledger.overlaps += 1;
                }
            }
            rocket::tokio::task::yield_now().await;
            let mut ledger = ledger.lock().unwrap();
            ledger.in_flight.remove(&job.id);
            *ledger.runs.entry(job.id).or_default() += 1;
            *ledger.by_runner.entry(runner_name).or_default() += 1;
            Ok(())
        }
    })
}

db_test!(
    two_instances_on_one_database_do_a_thousand_jobs_exactly_once,
    |app| {
        let ids: Vec<String> = app
            .db(|conn| {
                certcopy::db::write_transaction(conn, |conn| {
                    (0..1000)
                        .map(|n| {
                            jobs::enqueue(
                                conn,
                                None,
                                "test.count",
                                &serde_json::json!({ "n": n }),
                                now_utc(),
                                3,
                            )
                        })
                        .collect::<Result<Vec<_>, certcopy::db::DbError>>()
                })
                .unwrap()
            })
            .await;
        let url = app.app.config.database_url.clone();
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let mut tasks = Vec::new();
        for name in ["instance-a", "instance-b"] {
            // Each instance has its own pool, as two processes would.
            let db = Db::open(&url, 4).unwrap();
            let runner = counting_runner(db, name, ledger.clone());
            tasks.push(rocket::tokio::spawn(async move {
                let mut idle_rounds = 0;
                while idle_rounds < 3 {
                    let round = runner.run_due().await.unwrap();
                    assert_eq!(round.failed + round.overtaken, 0);
                    if round.succeeded == 0 {
                        idle_rounds += 1;
                    } else {
                        idle_rounds = 0;
                    }
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let ledger = std::mem::take(&mut *ledger.lock().unwrap());
        assert_eq!(ledger.runs.len(), 1000, "every job ran");
        assert!(
            ledger.runs.values().all(|&runs| runs == 1),
            "no job ran twice"
        );
        assert_eq!(ledger.overlaps, 0);
        assert_eq!(
            ledger.runs.keys().cloned().collect::<BTreeSet<_>>(),
            ids.into_iter().collect::<BTreeSet<_>>()
        );
        eprintln!("shares: {:?}", ledger.by_runner);
        assert_eq!(
            ledger.by_runner.len(),
            2,
            "both instances took jobs: {:?}",
            ledger.by_runner
        );
        let rows = jobs_of(&app, "test.count").await;
        assert!(
            rows.iter()
                .all(|job| job.state == "done" && job.attempts == 1 && job.finished_at.is_some())
        );
    }
);

db_test!(
    a_failing_job_backs_off_and_is_given_up_with_an_audit_row,
    |app| {
        let id = app
            .db(|conn| {
                jobs::enqueue(
                    conn,
                    None,
                    "test.fail",
                    &serde_json::json!({}),
                    now_utc(),
                    3,
                )
                .unwrap()
            })
            .await;
        let runner = Runner::new(app.app.db.clone(), "instance-a").handle(
            "test.fail",
            Duration::minutes(1),
            |job: Job| async move {
                Err(format!("máy chủ nhận không trả lời (lần {})", job.attempts))
            },
        );
        let round = runner.run_due().await.unwrap();
        assert_eq!((round.succeeded, round.failed), (0, 1));
        let job = jobs_of(&app, "test.fail").await.remove(0);
        assert_eq!(job.state, JobState::Queued.as_str());
        assert_eq!(job.attempts, 1);
        assert_eq!(
            job.last_error.as_deref(),
            Some("máy chủ nhận không trả lời (lần 1)")
        );
        let wait = job.run_at - now_utc();
        assert!(
            wait > Duration::seconds(1) && wait <= Duration::seconds(2),
            "{wait}"
        );
        // Not before its back-off.
        assert_eq!(runner.run_due().await.unwrap(), jobs::Round::default());

        make_due(&app, "test.fail").await;
        runner.run_due().await.unwrap();
        let job = jobs_of(&app, "test.fail").await.remove(0);
        let wait = job.run_at - now_utc();
        assert!(
            wait > Duration::seconds(3) && wait <= Duration::seconds(4),
            "{wait}"
        );
        assert!(app.audit_rows("job.failed").await.is_empty());

        make_due(&app, "test.fail").await;
        runner.run_due().await.unwrap();
        let job = jobs_of(&app, "test.fail").await.remove(0);
        assert_eq!(job.state, JobState::Failed.as_str());
        assert_eq!(job.attempts, 3);
        assert!(job.finished_at.is_some());
        make_due(&app, "test.fail").await;
        assert_eq!(
            runner.run_due().await.unwrap(),
            jobs::Round::default(),
            "given up"
        );
        let audit = app.audit_rows("job.failed").await;
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].target.as_deref(), Some(id.as_str()));
        let detail: serde_json::Value = serde_json::from_str(&audit[0].detail).unwrap();
        assert_eq!(detail["kind"], "test.fail");
        assert_eq!(detail["attempts"], 3);
        assert_eq!(detail["error"], "máy chủ nhận không trả lời (lần 3)");

        // A handler that panics fails its job; the runner goes on.
        app.db(|conn| {
            jobs::enqueue(
                conn,
                None,
                "test.panic",
                &serde_json::json!({}),
                now_utc(),
                3,
            )
            .unwrap()
        })
        .await;
        let panicking = Runner::new(app.app.db.clone(), "instance-a").handle(
            "test.panic",
            Duration::minutes(1),
            |_job: Job| async move {
                if true {
                    panic!("a bug in a handler");
                }
                Ok(())
            },
        );
        let round = panicking.run_due().await.unwrap();
        assert_eq!((round.succeeded, round.failed), (0, 1));
        let job = jobs_of(&app, "test.panic").await.remove(0);
        assert_eq!(job.state, "queued");
        assert!(
            job.last_error.as_deref().unwrap_or("").contains("panicked"),
            "{job:?}"
        );
    }
);

db_test!(
    a_dead_runners_job_is_taken_over_after_its_lease_and_its_late_outcome_is_ignored,
    |app| {
        app.db(|conn| {
            jobs::enqueue(
                conn,
                Some("job-1"),
                "test.once",
                &serde_json::json!({}),
                now_utc(),
                5,
            )
            .unwrap()
        })
        .await;
        // Instance A claims it and dies (never reports).
        let claimed = app
            .db(|conn| {
                jobs::claim(conn, "test.once", "instance-a", Duration::seconds(60), 10).unwrap()
            })
            .await;
        assert_eq!(claimed.len(), 1);
        let dead = claimed[0].clone();
        assert_eq!(dead.state, "running");
        assert_eq!(dead.lease_owner.as_deref(), Some("instance-a"));

        let done = Arc::new(Mutex::new(0));
        let counter = done.clone();
        let b = Runner::new(app.app.db.clone(), "instance-b").handle(
            "test.once",
            Duration::seconds(60),
            move |_job: Job| {
                let counter = counter.clone();
                async move {
                    *counter.lock().unwrap() += 1;
                    Ok(())
                }
            },
        );
        // Within A's lease, B does not touch it.
        assert_eq!(b.run_due().await.unwrap(), jobs::Round::default());
        // The lease ends: B takes it over and finishes it.
        make_due(&app, "test.once").await;
        assert_eq!(b.run_due().await.unwrap().succeeded, 1);
        assert_eq!(*done.lock().unwrap(), 1);
        // A comes back and reports: its outcome is ignored in both directions.
        let late = dead.clone();
        assert!(
            !app.db(move |conn| jobs::complete(conn, &late).unwrap())
                .await
        );
        let late = dead.clone();
        assert!(
            !app.db(move |conn| jobs::fail(conn, &late, "late").unwrap())
                .await
        );
        let job = jobs_of(&app, "test.once").await.remove(0);
        assert_eq!(job.state, "done");
        assert_eq!(job.attempts, 2);
        assert_eq!(job.lease_owner.as_deref(), Some("instance-b"));
        assert!(job.last_error.is_none());
    }
);

db_test!(
    recurring_jobs_exist_once_and_come_back_after_each_run,
    |app| {
        let created = app
            .db(|conn| {
                let first = now_utc() - Duration::seconds(1);
                (
                    jobs::ensure_recurring(conn, "test.tick", Duration::minutes(10), first, 3)
                        .unwrap(),
                    jobs::ensure_recurring(conn, "test.tick", Duration::minutes(5), first, 3)
                        .unwrap(),
                )
            })
            .await;
        assert_eq!(created, (true, false), "a second instance finds it");
        let runner = Runner::new(app.app.db.clone(), "instance-a").handle(
            "test.tick",
            Duration::minutes(1),
            |_job: Job| async { Ok(()) },
        );
        assert_eq!(runner.run_due().await.unwrap().succeeded, 1);
        let rows = jobs_of(&app, "test.tick").await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].state, "queued");
        assert_eq!(
            rows[0].every_secs,
            Some(300),
            "the interval follows the configuration"
        );
        assert_eq!(rows[0].attempts, 0);
        let wait = rows[0].run_at - now_utc();
        assert!(
            wait > Duration::minutes(4) && wait <= Duration::minutes(5),
            "{wait}"
        );
        assert_eq!(runner.run_due().await.unwrap().succeeded, 0);
        // Turned off in the configuration: gone.
        let removed = app
            .db(|conn| jobs::remove_recurring(conn, "test.tick").unwrap())
            .await;
        assert!(removed);
        assert!(jobs_of(&app, "test.tick").await.is_empty());
    }
);

db_test!(
    the_service_voids_interrupted_lines_and_archives_the_register_book,
    |app| {
        let (office, official, token) =
            office_with_official(&app, "UBND Phường Tân Định", "lanhdao.td").await;
        let issued = issue(&app, &official, "079203004571").await;

        // A line left pending 20 minutes ago by an issuance that never finished.
        let (office_id, actor, signer) =
            (office.id.clone(), Actor::from(&official), official.clone());
        let stuck = app
            .db(move |conn| {
                let entry = registry::open_entry(
                    conn,
                    &registry::NewCertification {
                        office_id,
                        requester_name: "Trần Văn Bình".into(),
                        requester_citizen_id: "079203004572".into(),
                        document_title: "Học bạ".into(),
                        page_count: 1,
                        copies: 1,
                        signer_id: signer.id.clone(),
                        signer_name: signer.full_name.clone(),
                        signer_position: "Phó Chủ tịch".into(),
                        verification_code: registry::new_verification_code(),
                        single_person: false,
                        fee_vnd: None,
                    },
                    time::OffsetDateTime::now_utc(),
                    &actor,
                    None,
                )
                .unwrap();
                use certcopy::db::schema::register_entries::dsl as r;
                diesel::update(r::register_entries.filter(r::id.eq(&entry.id)))
                    .set(r::created_at.eq(now_utc() - Duration::minutes(20)))
                    .execute(conn)
                    .unwrap();
                entry
            })
            .await;
        let runner = certcopy::jobs::tasks::runner(&app.app).unwrap();
        let app_core = app.app.clone();
        rocket::tokio::task::spawn_blocking(move || certcopy::jobs::tasks::schedule(&app_core))
            .await
            .unwrap()
            .unwrap();
        let kinds: BTreeSet<String> = app
            .db(|conn| {
                jobs::counts(conn)
                    .unwrap()
                    .into_iter()
                    .map(|(kind, _, _)| kind)
                    .collect()
            })
            .await;
        for kind in [
            jobs::tasks::VOID_INTERRUPTED,
            jobs::tasks::RETIMESTAMP,
            jobs::tasks::PUBLISH_HEAD,
            jobs::tasks::MONTHLY_ARCHIVE,
            jobs::tasks::PRUNE_JOBS,
        ] {
            assert!(kinds.contains(kind), "{kind} is scheduled: {kinds:?}");
        }
        make_due(&app, jobs::tasks::VOID_INTERRUPTED).await;
        make_due(&app, jobs::tasks::PUBLISH_HEAD).await;
        let round = runner.run_due().await.unwrap();
        assert_eq!(round.failed, 0);
        let id = stuck.id.clone();
        let stuck = app
            .db(move |conn| RegisterEntry::find(conn, &id).unwrap().unwrap())
            .await;
        assert_eq!(stuck.status(), EntryStatus::Void);
        assert!(stuck.void_reason.unwrap().contains("interrupted"));
        // The same round signed a tree head of the register log.
        let head = app
            .db(|conn| certcopy::transparency::heads::latest(conn).unwrap())
            .await;
        assert!(head.is_some_and(|head| head.tree_size > 0));

        // A copy whose time-stamp horizon is near is renewed by the daily job.
        let (id, old_file) = (
            issued.entry.id.clone(),
            issued.entry.file_sha256.clone().unwrap(),
        );
        let soon = id.clone();
        app.db(move |conn| {
            use certcopy::db::schema::register_entries::dsl as r;
            diesel::update(r::register_entries.filter(r::id.eq(&soon)))
                .set(r::timestamp_valid_until.eq(Some(now_utc() + Duration::days(30))))
                .execute(conn)
                .unwrap();
        })
        .await;
        make_due(&app, jobs::tasks::RETIMESTAMP).await;
        let round = runner.run_due().await.unwrap();
        assert_eq!((round.succeeded, round.failed), (1, 0));
        let renewed = app
            .db(move |conn| RegisterEntry::find(conn, &id).unwrap().unwrap())
            .await;
        assert_ne!(renewed.file_sha256.unwrap(), old_file);
        assert!(renewed.timestamp_valid_until.unwrap() > now_utc() + Duration::days(365));
        assert_eq!(app.audit_rows("copy.retimestamp").await.len(), 1);

        // Finished jobs older than 30 days are pruned; recent ones, failed ones and the
        // recurring ones stay.
        app.db(|conn| {
            for (id, state, days) in [
                ("old-done", "done", 31),
                ("new-done", "done", 1),
                ("old-failed", "failed", 90),
            ] {
                jobs::enqueue(
                    conn,
                    Some(id),
                    "test.old",
                    &serde_json::json!({}),
                    now_utc(),
                    1,
                )
                .unwrap();
                use certcopy::db::schema::jobs::dsl as j;
                diesel::update(j::jobs.filter(j::id.eq(id)))
                    .set((
                        j::state.eq(state),
                        j::finished_at.eq(Some(now_utc() - Duration::days(days))),
                    ))
                    .execute(conn)
                    .unwrap();
            }
        })
        .await;
        make_due(&app, jobs::tasks::PRUNE_JOBS).await;
        assert_eq!(runner.run_due().await.unwrap().failed, 0);
        let mut left: Vec<String> = jobs_of(&app, "test.old")
            .await
            .into_iter()
            .map(|j| j.id)
            .collect();
        left.sort();
        assert_eq!(left, vec!["new-done".to_owned(), "old-failed".to_owned()]);
        assert_eq!(
            jobs_of(&app, jobs::tasks::PRUNE_JOBS).await.len(),
            1,
            "it recurs"
        );

        // The month's book, sealed, kept once, read by the office's officials only.
        let period = certcopy::registry::book::ExportPeriod {
            year: issued.entry.year,
            month: Some(
                certcopy::local_time::local_date(time::OffsetDateTime::now_utc())
                    .unwrap()
                    .month(),
            ),
        };
        let made = certcopy::registry::archive::archive_month(&app.app, period)
            .await
            .unwrap();
        assert_eq!(made.len(), 1, "one office has lines this month");
        assert_eq!(made[0].lines, 2, "the issued line and the voided one");
        assert!(
            certcopy::registry::archive::archive_month(&app.app, period)
                .await
                .unwrap()
                .is_empty()
        );
        let audit = app.audit_rows("register.archive").await;
        assert_eq!(audit.len(), 1);
        let list = format!("/api/v1/offices/{}/register/archives", office.id);
        let (status, body) = app.get(&list, Some(&token)).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(body[0]["period"], period.label());
        assert_eq!(body[0]["lines"], 2);
        let response = app
            .client
            .get(format!("{list}/{}", period.label()))
            .header(bearer(&token))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Ok);
        let pdf = response.into_bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        assert_eq!(hex::encode(sha2::Sha256::digest(&pdf)), made[0].file_sha256);
        let report = certcopy::verification::verify_pdf(
            &pdf,
            &app.app.trust.policy(time::OffsetDateTime::now_utc()),
        )
        .unwrap();
        assert_eq!(report.signatures.len(), 1, "sealed by the office");
        assert_eq!(
            report.signatures[0].indication,
            certcopy::verification::Indication::TotalPassed
        );
        let (status, _) = app.get(&format!("{list}/2001-01"), Some(&token)).await;
        assert_eq!(status, Status::NotFound);
        let (_, clerk) = app.signed_in(Role::Clerk, "vanthu.td").await;
        let (status, _) = app.get(&list, Some(&clerk)).await;
        assert_eq!(status, Status::Forbidden);
    }
);
