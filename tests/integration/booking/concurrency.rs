//! Capacity under concurrency, in one process: 1,000 distinct citizens try to book slots
//! holding 10 seats in all; exactly 10 get one, every other attempt is answered 409
//! `slot_full`. Then concurrent reschedules into a nearly full slot.

use std::time::Instant;

use certcopy::booking::OfficeCalendarConfig;
use certcopy::db::models::SlotCounter;
use futures::future::join_all;
use rocket::http::{ContentType, Status};
use serde_json::{Value, json};

use super::support::{
    MONDAY_6AM, assert_seats_consistent, book, citizens, local, office_with, one_document,
};
use crate::common::{TestApp, bearer, read};
use crate::db_test;

/// Attempts in the burst.
const ATTEMPTS: u32 = 1_000;

/// An office whose slots hold 5 seats.
async fn five_counter_office(app: &TestApp, name: &str) -> certcopy::db::models::Office {
    let config = OfficeCalendarConfig {
        counters: 5,
        ..OfficeCalendarConfig::default()
    };
    office_with(app, name, config).await
}

db_test!(
    a_thousand_concurrent_bookings_fill_ten_seats_exactly,
    |app| {
        app.app.booking.clock.freeze(MONDAY_6AM);
        let office = five_counter_office(&app, "UBND Phường Cao Điểm").await;
        let people = citizens(&app, 1_000, ATTEMPTS).await;
        // Two slots of 5 seats: 10 seats in all.
        let slots = [local("2026-03-03 09:00"), local("2026-03-03 09:15")];
        let started = Instant::now();
        let attempts = people.iter().enumerate().map(|(n, person)| {
            let body = json!({
                "office_id": office.id,
                "slot_start": slots[n % 2],
                "documents": one_document(),
            });
            let request = app
                .client
                .post("/api/v1/appointments")
                .header(ContentType::JSON)
                .header(bearer(&person.token))
                .body(body.to_string());
            async move { read(request.dispatch().await).await }
        });
        let answers: Vec<(Status, Value)> = join_all(attempts).await;
        let elapsed = started.elapsed();

        let created = answers
            .iter()
            .filter(|(status, _)| *status == Status::Created)
            .count();
        let full = answers
            .iter()
            .filter(|(status, body)| {
                *status == Status::Conflict && body["error"]["code"] == "slot_full"
            })
            .count();
        let other: Vec<_> = answers
            .iter()
            .filter(|(status, body)| {
                *status != Status::Created
                    && !(*status == Status::Conflict && body["error"]["code"] == "slot_full")
            })
            .take(3)
            .collect();
        assert!(other.is_empty(), "unexpected answers: {other:?}");
        assert_eq!((created, full), (10, 990));
        eprintln!(
            "{:?}: {ATTEMPTS} concurrent booking attempts in {elapsed:.2?} ({:.0}/s)",
            app.backend(),
            f64::from(ATTEMPTS) / elapsed.as_secs_f64()
        );

        let office_id = office.id.clone();
        let (appointments, counters) = app
            .db(move |conn| {
                (
                    assert_seats_consistent(conn, &office_id),
                    SlotCounter::all_of_office(conn, &office_id).unwrap(),
                )
            })
            .await;
        assert_eq!(appointments, 10);
        assert_eq!(
            counters
                .iter()
                .map(|c| (c.booked, c.capacity))
                .collect::<Vec<_>>(),
            vec![(5, 5), (5, 5)]
        );
    }
);

db_test!(concurrent_reschedules_never_overfill_the_target, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let office = five_counter_office(&app, "UBND Phường Đổi Giờ").await;
    let people = citizens(&app, 5_000, 12).await;
    // Two seats of 10:30 are taken; ten citizens holding 10:00 or 10:15 all try to move
    // there at once: three succeed.
    for person in &people[..2] {
        assert_eq!(
            book(
                &app,
                &person.token,
                &office.id,
                "2026-03-03 10:30",
                one_document()
            )
            .await
            .0,
            Status::Created
        );
    }
    let mut ids = Vec::new();
    for (n, person) in people[2..].iter().enumerate() {
        let when = if n % 2 == 0 {
            "2026-03-03 10:00"
        } else {
            "2026-03-03 10:15"
        };
        let (status, body) = book(&app, &person.token, &office.id, when, one_document()).await;
        assert_eq!(status, Status::Created, "{body}");
        ids.push(body["appointment"]["id"].as_str().unwrap().to_owned());
    }
    let moves = people[2..].iter().zip(&ids).map(|(person, id)| {
        let request = app
            .client
            .post(format!("/api/v1/appointments/{id}/reschedule"))
            .header(ContentType::JSON)
            .header(bearer(&person.token))
            .body(json!({"slot_start": local("2026-03-03 10:30")}).to_string());
        async move { read(request.dispatch().await).await }
    });
    let answers = join_all(moves).await;
    let moved = answers
        .iter()
        .filter(|(status, _)| *status == Status::Ok)
        .count();
    assert!(
        answers
            .iter()
            .all(|(status, body)| *status == Status::Ok || body["error"]["code"] == "slot_full"),
        "{answers:?}"
    );
    assert_eq!(moved, 3);
    let office_id = office.id.clone();
    let counters = app
        .db(move |conn| {
            assert_seats_consistent(conn, &office_id);
            SlotCounter::all_of_office(conn, &office_id).unwrap()
        })
        .await;
    let booked: i32 = counters.iter().map(|c| c.booked).sum();
    assert_eq!(booked, 12, "every citizen still holds exactly one seat");
    let ten_thirty = counters
        .iter()
        .find(|c| c.slot_start == time::macros::datetime!(2026-03-03 03:30))
        .expect("10:30 local is 03:30 UTC");
    assert_eq!((ten_thirty.booked, ten_thirty.capacity), (5, 5));
});
