//! Login and registration throttling, and password hashing off the database connection:
//! exponential back-off per account name and per client address (429 with
//! `Retry-After`), reset by a successful login; registrations limited per hour per address
//! and per citizen ID; a saturated hasher answering 503 with `Retry-After`; and a login
//! flood that leaves database connections free for everyone else.

use std::time::{Duration, Instant};

use certcopy::db::models::Role;
use futures::future::join_all;
use rocket::http::Status;
use serde_json::{Value, json};
use time::macros::datetime;

use crate::common::{Answer, PASSWORD, TestApp, assert_error, bearer, read};
use crate::db_test;

const LOGIN: &str = "/api/v1/auth/login";
const REGISTER: &str = "/api/v1/auth/register";

async fn login_from(app: &TestApp, login: &str, password: &str, peer: Option<&str>) -> Answer {
    app.post_json_from(LOGIN, &json!({"login": login, "password": password}), peer)
        .await
}

fn assert_throttled(answer: &Answer, retry_after: u64) {
    assert_error(&answer.pair(), Status::TooManyRequests, "too_many_attempts");
    assert_eq!(answer.retry_after, Some(retry_after), "{}", answer.body);
    let message = answer.body["error"]["message_vi"].as_str().unwrap_or("");
    assert!(message.contains(&retry_after.to_string()), "{message}");
}

db_test!(login_backoff_grows_and_a_success_resets_it, |app| {
    let clock = app.app.booking.clock.clone();
    clock.freeze(datetime!(2026-03-02 06:00 +7));
    app.user(Role::Admin, "can.bo.thu", None).await;
    // Five free attempts, whatever the spelling of the name.
    for login in [
        "can.bo.thu",
        " CAN.BO.THU",
        "Can.Bo.Thu",
        "can.bo.thu ",
        "can.bo.thu",
    ] {
        let answer = login_from(&app, login, "Sai-mat-khau-1", None).await;
        assert_error(&answer.pair(), Status::Unauthorized, "bad_credentials");
    }
    // Then each attempt waits twice as long as the last: 1 s, 2 s, 4 s.
    for wait in [1, 2, 4] {
        let refused = login_from(&app, "can.bo.thu", "Sai-mat-khau-1", None).await;
        assert_throttled(&refused, wait);
        // Even the right password is refused while waiting: nothing was checked.
        let refused = login_from(&app, "can.bo.thu", PASSWORD, None).await;
        assert_throttled(&refused, wait);
        clock.advance(time::Duration::seconds(i64::try_from(wait).unwrap()));
        let answer = login_from(&app, "can.bo.thu", "Sai-mat-khau-1", None).await;
        assert_error(&answer.pair(), Status::Unauthorized, "bad_credentials");
    }
    assert_throttled(&login_from(&app, "can.bo.thu", PASSWORD, None).await, 8);
    clock.advance(time::Duration::seconds(8));
    let answer = login_from(&app, "can.bo.thu", PASSWORD, None).await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.body);
    // The success forgot the count: five free attempts again.
    for _ in 0..5 {
        let answer = login_from(&app, "can.bo.thu", "Sai-mat-khau-1", None).await;
        assert_error(&answer.pair(), Status::Unauthorized, "bad_credentials");
    }
    assert_throttled(
        &login_from(&app, "can.bo.thu", "Sai-mat-khau-1", None).await,
        1,
    );
    // Another account is not affected.
    app.user(Role::Admin, "can.bo.khac", None).await;
    let answer = login_from(&app, "can.bo.khac", PASSWORD, None).await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.body);
});

db_test!(
    backoff_is_capped,
    config = |c| c.login_backoff_max_secs = 3,
    |app| {
        let clock = app.app.booking.clock.clone();
        clock.freeze(datetime!(2026-03-02 06:00 +7));
        let mut waits = Vec::new();
        for _ in 0..13 {
            let answer = login_from(&app, "079203009999", "Sai-mat-khau-1", None).await;
            match answer.retry_after {
                Some(wait) => {
                    waits.push(wait);
                    clock.advance(time::Duration::seconds(i64::try_from(wait).unwrap()));
                }
                None => assert_eq!(answer.status, Status::Unauthorized, "{}", answer.body),
            }
        }
        assert_eq!(waits, [1, 2, 3, 3]);
    }
);

db_test!(
    one_address_trying_many_accounts_is_slowed,
    config = |c| c.login_free_attempts_per_address = 3,
    |app| {
        let clock = app.app.booking.clock.clone();
        clock.freeze(datetime!(2026-03-02 06:00 +7));
        let attacker = Some("203.0.113.7:40000");
        for n in 0..3 {
            let answer = login_from(&app, &format!("ten.thu{n}"), "Sai-mat-khau-1", attacker).await;
            assert_error(&answer.pair(), Status::Unauthorized, "bad_credentials");
        }
        // A fourth account name from the same address waits; other addresses do not.
        assert_throttled(
            &login_from(&app, "ten.thu9", "Sai-mat-khau-1", attacker).await,
            1,
        );
        let elsewhere = login_from(
            &app,
            "ten.thu9",
            "Sai-mat-khau-1",
            Some("198.51.100.2:5000"),
        )
        .await;
        assert_error(&elsewhere.pair(), Status::Unauthorized, "bad_credentials");
        // Successful logins are taken back from the address's count: an office behind one
        // address is slowed by failures only.
        clock.advance(time::Duration::hours(25));
        app.user(Role::Admin, "mot.van.phong", None).await;
        let office = Some("192.0.2.10:1000");
        for _ in 0..5 {
            let answer = login_from(&app, "mot.van.phong", PASSWORD, office).await;
            assert_eq!(answer.status, Status::Ok, "{}", answer.body);
        }
    }
);

fn registration(citizen_id: &str, phone: &str) -> Value {
    json!({
        "full_name": "Lê Thị Hoa",
        "citizen_id": citizen_id,
        "phone": phone,
        "password": "Hoa-sen-2026",
    })
}

db_test!(
    registrations_are_limited_per_address_and_per_citizen_id,
    config = |c| {
        c.register_per_address_per_hour = 2;
        c.register_per_citizen_id_per_hour = 2;
    },
    |app| {
        let clock = app.app.booking.clock.clone();
        // 06:20 in Hà Nội: the hourly window ends in 40 minutes.
        clock.freeze(datetime!(2026-03-02 06:20 +7));
        let peer = Some("203.0.113.8:1234");
        for (id, phone) in [
            ("079203001111", "0912000001"),
            ("079203002222", "0912000002"),
        ] {
            let answer = app
                .post_json_from(REGISTER, &registration(id, phone), peer)
                .await;
            assert_eq!(answer.status, Status::Accepted, "{}", answer.body);
        }
        let refused = app
            .post_json_from(REGISTER, &registration("079203003333", "0912000003"), peer)
            .await;
        assert_throttled(&refused, 40 * 60);
        let other = Some("198.51.100.9:1234");
        let answer = app
            .post_json_from(REGISTER, &registration("079203003333", "0912000003"), other)
            .await;
        assert_eq!(answer.status, Status::Accepted, "{}", answer.body);

        // Per citizen ID, whatever the address: 079203001111 was registered once above.
        let answer = app
            .post_json_from(REGISTER, &registration("079203001111", "0912000004"), other)
            .await;
        assert_ne!(answer.status, Status::TooManyRequests, "{}", answer.body);
        let refused = app
            .post_json_from(
                REGISTER,
                &registration("079203001111", "0912000005"),
                Some("192.0.2.1:1"),
            )
            .await;
        assert_throttled(&refused, 40 * 60);

        // The next window is free again.
        clock.advance(time::Duration::minutes(40));
        let answer = app
            .post_json_from(REGISTER, &registration("079203004444", "0912000006"), peer)
            .await;
        assert_eq!(answer.status, Status::Accepted, "{}", answer.body);
    }
);

db_test!(
    a_saturated_hasher_answers_503_with_retry_after,
    config = |c| {
        c.password_hash_concurrency = 1;
        c.password_hash_wait_ms = 1;
    },
    |app| {
        let attempts = (0..24).map(|n| {
            let app = &app;
            async move { login_from(app, &format!("khong.co.{n}"), "Sai-mat-khau-1", None).await }
        });
        let answers: Vec<Answer> = join_all(attempts).await;
        let busy: Vec<&Answer> = answers
            .iter()
            .filter(|a| a.status == Status::ServiceUnavailable)
            .collect();
        assert!(!busy.is_empty(), "no request found the hasher busy");
        for answer in &busy {
            assert_error(&answer.pair(), Status::ServiceUnavailable, "service_busy");
            assert_eq!(answer.retry_after, Some(1));
        }
        let checked = answers
            .iter()
            .filter(|a| a.status == Status::Unauthorized)
            .count();
        assert!(checked >= 1, "{answers:?}");
        assert_eq!(checked + busy.len(), answers.len(), "{answers:?}");
        // Every slot came back.
        assert_eq!(app.app.passwords.free_slots(), 1);
    }
);

db_test!(
    a_login_flood_leaves_database_connections_free,
    config = |c| {
        c.database_pool_size = 2;
        c.password_hash_concurrency = 1;
        c.password_hash_wait_ms = 30_000;
    },
    |app| {
        let (_, token) = app.signed_in(Role::Citizen, "cong.dan.do").await;
        let flood = async {
            let attempts = (0..16).map(|n| {
                let app = &app;
                async move { login_from(app, &format!("lu.lut.{n}"), "Sai-mat-khau-1", None).await }
            });
            let answers = join_all(attempts).await;
            (answers, Instant::now())
        };
        let probe = async {
            // Wait until the flood holds the only hashing slot, then ask a database route.
            while app.app.passwords.free_slots() > 0 {
                rocket::tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let started = Instant::now();
            let answer = read(
                app.client
                    .get("/api/v1/me")
                    .header(bearer(&token))
                    .dispatch()
                    .await,
            )
            .await;
            (answer, started.elapsed(), Instant::now())
        };
        let ((answers, flood_done), ((status, _), latency, probe_done)) =
            rocket::tokio::join!(flood, probe);
        assert_eq!(status, Status::Ok);
        assert!(
            answers.iter().all(|a| a.status == Status::Unauthorized),
            "{answers:?}"
        );
        assert!(
            probe_done < flood_done,
            "the database route waited for the flood ({latency:?})"
        );
        eprintln!(
            "{:?}: /api/v1/me during a login flood: {latency:?}",
            app.backend()
        );
    }
);
