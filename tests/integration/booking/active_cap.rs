//! The per-citizen cap on active appointments, all offices together: a booking past it is
//! refused with 409 `too_many_active_appointments`; cancelled and past appointments do not
//! count; parallel bookings cannot pass the cap together. An account that only claims a
//! citizen ID books against its own cap, never the verified holder's.

use certcopy::booking::OfficeCalendarConfig;
use certcopy::db::models::Role;
use certcopy::db::schema::appointments;
use diesel::prelude::*;
use futures::future::join_all;
use rocket::http::Status;
use serde_json::json;

use super::support::{MONDAY_6AM, book, office_with, one_document, person};
use crate::common::assert_error;
use crate::db_test;

db_test!(
    active_appointments_are_capped_per_citizen_across_offices,
    config = |c| c.max_active_appointments_per_citizen = 2,
    |app| {
        app.app.booking.clock.freeze(MONDAY_6AM);
        let mut offices = Vec::new();
        for name in ["UBND Phường Một", "UBND Phường Hai", "UBND Phường Ba"] {
            offices.push(office_with(&app, name, OfficeCalendarConfig::default()).await);
        }
        let citizen = person(&app, Role::Citizen, 4_001, None).await;
        let t = &citizen.token;
        let (status, first) =
            book(&app, t, &offices[0].id, "2026-03-03 09:00", one_document()).await;
        assert_eq!(status, Status::Created, "{first}");
        let (status, body) =
            book(&app, t, &offices[1].id, "2026-03-03 10:00", one_document()).await;
        assert_eq!(status, Status::Created, "{body}");
        let refused = book(&app, t, &offices[2].id, "2026-03-04 09:00", one_document()).await;
        assert_error(&refused, Status::Conflict, "too_many_active_appointments");
        assert!(
            refused.1["error"]["message_vi"]
                .as_str()
                .unwrap()
                .contains('2'),
            "{}",
            refused.1
        );
        // Another citizen is not affected.
        let other = person(&app, Role::Citizen, 4_002, None).await;
        let (status, body) = book(
            &app,
            &other.token,
            &offices[2].id,
            "2026-03-04 09:00",
            one_document(),
        )
        .await;
        assert_eq!(status, Status::Created, "{body}");

        // A cancelled appointment frees its place under the cap.
        let id = first["appointment"]["id"].as_str().unwrap().to_owned();
        let (status, body) = app
            .post_json(
                &format!("/api/v1/appointments/{id}/cancel"),
                &json!({}),
                Some(t),
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        let (status, body) =
            book(&app, t, &offices[2].id, "2026-03-04 09:00", one_document()).await;
        assert_eq!(status, Status::Created, "{body}");

        // Once the Tuesday slot is over, the appointment no longer counts, even before the
        // desk marks it.
        app.app
            .booking
            .clock
            .freeze(time::macros::datetime!(2026-03-03 12:00 +7));
        let (status, body) =
            book(&app, t, &offices[0].id, "2026-03-05 09:00", one_document()).await;
        assert_eq!(status, Status::Created, "{body}");
        let refused = book(&app, t, &offices[1].id, "2026-03-05 09:00", one_document()).await;
        assert_error(&refused, Status::Conflict, "too_many_active_appointments");
    }
);

db_test!(parallel_bookings_cannot_pass_the_cap_together, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let mut offices = Vec::new();
    for n in 0..10 {
        let name = format!("UBND Phường Số {n}");
        offices.push(office_with(&app, &name, OfficeCalendarConfig::default()).await);
    }
    let citizen = person(&app, Role::Citizen, 4_100, None).await;
    let attempts = offices.iter().map(|office| {
        book(
            &app,
            &citizen.token,
            &office.id,
            "2026-03-03 09:00",
            one_document(),
        )
    });
    let answers = join_all(attempts).await;
    let created = answers
        .iter()
        .filter(|(s, _)| *s == Status::Created)
        .count();
    let capped = answers
        .iter()
        .filter(|(s, body)| {
            *s == Status::Conflict && body["error"]["code"] == "too_many_active_appointments"
        })
        .count();
    let outcomes: Vec<_> = answers
        .iter()
        .map(|(s, body)| (s.code, body["error"]["code"].clone()))
        .collect();
    // The default cap is 3.
    assert_eq!((created, capped), (3, 7), "{outcomes:?}");
    let stored = app
        .db(|conn| {
            appointments::table
                .filter(appointments::requester_citizen_id.eq("079200004100"))
                .filter(appointments::status.eq("booked"))
                .count()
                .get_result::<i64>(conn)
                .unwrap()
        })
        .await;
    assert_eq!(stored, 3);
});

db_test!(
    an_account_claiming_an_id_cannot_use_up_its_holders_bookings,
    |app| {
        app.app.booking.clock.freeze(MONDAY_6AM);
        let mut offices = Vec::new();
        for name in [
            "UBND Phường Đông",
            "UBND Phường Tây",
            "UBND Phường Nam",
            "UBND Phường Bắc",
        ] {
            offices.push(office_with(&app, name, OfficeCalendarConfig::default()).await);
        }
        let holder = person(&app, Role::Citizen, 4_200, None).await;
        app.mark_verified("079200004200").await;
        // Someone else registers with the same ID (a claim, never verified) and books up to
        // the cap (3 by default), including the office and day the holder will want.
        let impostor = person(&app, Role::Citizen, 4_200, None).await;
        for (office, start) in [
            (&offices[0], "2026-03-03 09:00"),
            (&offices[1], "2026-03-03 10:00"),
            (&offices[2], "2026-03-04 09:00"),
        ] {
            let (status, body) =
                book(&app, &impostor.token, &office.id, start, one_document()).await;
            assert_eq!(status, Status::Created, "{body}");
        }
        let refused = book(
            &app,
            &impostor.token,
            &offices[3].id,
            "2026-03-04 10:00",
            one_document(),
        )
        .await;
        assert_error(&refused, Status::Conflict, "too_many_active_appointments");

        // The holder still books the same office on the same day, and up to their own cap.
        for (office, start) in [
            (&offices[0], "2026-03-03 09:30"),
            (&offices[1], "2026-03-05 09:00"),
            (&offices[3], "2026-03-05 10:00"),
        ] {
            let (status, body) = book(&app, &holder.token, &office.id, start, one_document()).await;
            assert_eq!(status, Status::Created, "{body}");
        }
        let refused = book(
            &app,
            &holder.token,
            &offices[2].id,
            "2026-03-06 09:00",
            one_document(),
        )
        .await;
        assert_error(&refused, Status::Conflict, "too_many_active_appointments");
        // The holder's bookings are still one per office and day.
        let duplicate = book(
            &app,
            &holder.token,
            &offices[0].id,
            "2026-03-03 11:00",
            one_document(),
        )
        .await;
        assert_ne!(duplicate.0, Status::Created, "{}", duplicate.1);
    }
);

db_test!(bookings_made_before_verifying_still_count_after, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let mut offices = Vec::new();
    for name in ["UBND Xã Một", "UBND Xã Hai", "UBND Xã Ba"] {
        offices.push(office_with(&app, name, OfficeCalendarConfig::default()).await);
    }
    let citizen = person(&app, Role::Citizen, 4_300, None).await;
    for (office, start) in [
        (&offices[0], "2026-03-03 09:00"),
        (&offices[1], "2026-03-03 10:00"),
    ] {
        let (status, body) = book(&app, &citizen.token, &office.id, start, one_document()).await;
        assert_eq!(status, Status::Created, "{body}");
    }
    app.mark_verified("079200004300").await;
    let (status, body) = book(
        &app,
        &citizen.token,
        &offices[2].id,
        "2026-03-04 09:00",
        one_document(),
    )
    .await;
    assert_eq!(status, Status::Created, "{body}");
    let refused = book(
        &app,
        &citizen.token,
        &offices[2].id,
        "2026-03-05 09:00",
        one_document(),
    )
    .await;
    assert_error(&refused, Status::Conflict, "too_many_active_appointments");
});
