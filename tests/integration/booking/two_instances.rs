//! Two real `certcopy serve` processes on loopback ports share one fresh PostgreSQL
//! database; 1,000 distinct citizens send booking attempts to both for slots holding 10
//! seats in all. Exactly 10 succeed, the 990 others are answered 409 `slot_full`, and the
//! database agrees. Uses the real clock: the slots are whatever is bookable now.

use std::sync::Arc;
use std::time::Instant;

use certcopy::booking::OfficeCalendarConfig;
use certcopy::db::models::{OfficeCalendarRow, SlotCounter};
use certcopy::db::{Db, now_utc};
use diesel::Connection;
use serde_json::{Value, json};

use super::support::{Person, assert_seats_consistent, bookable_slots, insert_person};
use crate::common::http::http;
use crate::common::server::Instance;
use crate::common::{PgDatabase, postgres_admin_url};

const ATTEMPTS: usize = 1_000;
const CLIENT_THREADS: usize = 40;

#[test]
fn postgres() {
    let Some(admin_url) = postgres_admin_url() else {
        eprintln!("PostgreSQL skipped: CERTCOPY_TEST_DATABASE_URL is not set");
        return;
    };
    let database = PgDatabase::create(&admin_url);
    let dir = tempfile::tempdir().expect("temp dir");
    // The first instance migrates the fresh database; the second finds it migrated.
    let settings = [("CERTCOPY_DATABASE_URL", database.url.clone())];
    let first = Instance::start(&dir.path().join("a"), &settings);
    let second = Instance::start(&dir.path().join("b"), &settings);

    // An office with 5 counters and 1,000 citizens with sessions, written directly.
    let db = Db::open(&database.url, 2).expect("database");
    let mut conn = db.get().expect("connection");
    let office = certcopy::db::models::Office {
        id: certcopy::db::ids::OfficeId::generate(),
        name: "UBND Phường Hai Máy Chủ".into(),
        kind: "commune_committee".into(),
        province: "Hà Nội".into(),
        district: "Quận Hoàn Kiếm".into(),
        address: "1 Tràng Tiền".into(),
        created_at: now_utc(),
    };
    office.insert(&mut conn).expect("office");
    let config = OfficeCalendarConfig {
        counters: 5,
        ..OfficeCalendarConfig::default()
    };
    let json = serde_json::to_string(&config).expect("calendar JSON");
    OfficeCalendarRow::save(&mut conn, &office.id, &json, None, now_utc()).expect("calendar");
    let people: Vec<Person> = conn
        .transaction::<_, diesel::result::Error, _>(|conn| {
            Ok((0..ATTEMPTS as u32)
                .map(|n| insert_person(conn, certcopy::db::models::Role::Citizen, 10_000 + n, None))
                .collect())
        })
        .expect("citizens");

    // The first two bookable slots from now on: 10 seats in all.
    let starts = bookable_slots(first.port, &office.id, 2);

    // 1,000 attempts from 40 threads, alternating between the two instances.
    let people = Arc::new(people);
    let starts = Arc::new(starts);
    let ports = [first.port, second.port];
    let office_id = office.id.to_string();
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENT_THREADS)
        .map(|worker| {
            let (people, starts, office_id) = (people.clone(), starts.clone(), office_id.clone());
            std::thread::spawn(move || {
                let mut answers = Vec::new();
                for n in (worker..ATTEMPTS).step_by(CLIENT_THREADS) {
                    let body = json!({
                        "office_id": office_id,
                        "slot_start": starts[n % 2],
                        "documents": [{ "title": "Giấy khai sinh", "pages": 1, "copies": 1 }],
                    });
                    let answer = http(
                        ports[n % 2],
                        "POST",
                        "/api/v1/appointments",
                        Some(&people[n].token),
                        &body.to_string(),
                    )
                    .map(|(status, body)| {
                        let code = serde_json::from_str::<Value>(&body)
                            .ok()
                            .and_then(|v| v["error"]["code"].as_str().map(str::to_owned));
                        (status, code, ports[n % 2])
                    })
                    .unwrap_or((0, None, ports[n % 2]));
                    answers.push(answer);
                }
                answers
            })
        })
        .collect();
    let answers: Vec<(u16, Option<String>, u16)> = workers
        .into_iter()
        .flat_map(|worker| worker.join().expect("client thread"))
        .collect();
    let elapsed = started.elapsed();

    let created: Vec<u16> = answers.iter().filter(|a| a.0 == 201).map(|a| a.2).collect();
    let full = answers
        .iter()
        .filter(|a| a.0 == 409 && a.1.as_deref() == Some("slot_full"))
        .count();
    let unexpected: Vec<_> = answers
        .iter()
        .filter(|a| a.0 != 201 && !(a.0 == 409 && a.1.as_deref() == Some("slot_full")))
        .take(3)
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected answers {unexpected:?}\n{}\n{}",
        first.log_text(),
        second.log_text()
    );
    assert_eq!((created.len(), full), (10, 990));
    eprintln!(
        "two instances: {ATTEMPTS} attempts in {elapsed:.2?}; bookings served by ports {created:?}"
    );

    assert_eq!(assert_seats_consistent(&mut conn, &office.id), 10);
    let counters = SlotCounter::all_of_office(&mut conn, &office.id).expect("counters");
    assert_eq!(
        counters
            .iter()
            .map(|c| (c.booked, c.capacity))
            .collect::<Vec<_>>(),
        vec![(5, 5), (5, 5)]
    );
    drop(conn);
    drop((first, second));
}
