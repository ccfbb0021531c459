//! The desk: today's list, check-in by code, the status life cycle, no-show after the
//! grace period, walk-ins taking seats — each change audited.

use certcopy::booking::OfficeCalendarConfig;
use certcopy::db::models::Role;
use rocket::http::Status;
use serde_json::json;
use time::macros::datetime;

use super::support::{
    MONDAY_6AM, assert_seats_consistent, audit_actions, book, local, office_with, one_document,
    person, remaining,
};
use crate::common::assert_error;
use crate::db_test;

db_test!(desk_day_check_in_life_cycle_and_no_show, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let office = app.office("UBND Phường Quầy").await;
    let clerk = person(&app, Role::Clerk, 50, Some(&office.id)).await;
    let official = person(&app, Role::Official, 51, Some(&office.id)).await;
    let arriving = person(&app, Role::Citizen, 52, None).await;
    let absent = person(&app, Role::Citizen, 53, None).await;
    let (_, first) = book(
        &app,
        &arriving.token,
        &office.id,
        "2026-03-02 09:00",
        one_document(),
    )
    .await;
    let (_, second) = book(
        &app,
        &absent.token,
        &office.id,
        "2026-03-02 09:00",
        one_document(),
    )
    .await;
    let (_, tomorrow) = book(
        &app,
        &absent.token,
        &office.id,
        "2026-03-03 09:00",
        one_document(),
    )
    .await;
    let first_id = first["appointment"]["id"].as_str().unwrap().to_owned();
    let second_id = second["appointment"]["id"].as_str().unwrap().to_owned();

    app.app.booking.clock.freeze(datetime!(2026-03-02 08:50 +7));
    let (status, day) = app
        .get("/api/v1/desk/appointments", Some(&clerk.token))
        .await;
    assert_eq!(status, Status::Ok, "{day}");
    assert_eq!(day["date"], "2026-03-02");
    assert_eq!(
        day["appointments"].as_array().unwrap().len(),
        2,
        "only today's"
    );
    assert_eq!(
        day["appointments"][0]["requester_citizen_id"],
        "079200000052"
    );
    let (_, next_day) = app
        .get(
            "/api/v1/desk/appointments?date=2026-03-03",
            Some(&clerk.token),
        )
        .await;
    assert_eq!(next_day["appointments"].as_array().unwrap().len(), 1);

    // Check-in by code, however it is typed.
    let typed = first["booking_code"]
        .as_str()
        .unwrap()
        .replace('-', " ")
        .to_lowercase();
    let (status, checked) = app
        .post_json(
            "/api/v1/desk/check-in",
            &json!({"booking_code": typed}),
            Some(&clerk.token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{checked}");
    assert_eq!(checked["status"], "checked_in");
    assert!(checked["checked_in_at"].is_string());
    let twice = app
        .post_json(
            "/api/v1/desk/check-in",
            &json!({"booking_code": first["booking_code"]}),
            Some(&clerk.token),
        )
        .await;
    assert_error(&twice, Status::Conflict, "invalid_status_change");
    let early = app
        .post_json(
            "/api/v1/desk/check-in",
            &json!({"booking_code": tomorrow["booking_code"]}),
            Some(&clerk.token),
        )
        .await;
    assert_error(&early, Status::Conflict, "not_today");
    let typo = app
        .post_json(
            "/api/v1/desk/check-in",
            &json!({"booking_code": "K7QM-3XP0"}),
            Some(&clerk.token),
        )
        .await;
    assert_error(&typo, Status::UnprocessableEntity, "booking_code_character");

    let status_path = format!("/api/v1/desk/appointments/{first_id}/status");
    let skip = app
        .post_json(&status_path, &json!({"status": "done"}), Some(&clerk.token))
        .await;
    assert_error(&skip, Status::Conflict, "invalid_status_change");
    for (to, token) in [("in_service", &clerk.token), ("done", &official.token)] {
        let (status, changed) = app
            .post_json(&status_path, &json!({"status": to}), Some(token))
            .await;
        assert_eq!(status, Status::Ok, "{changed}");
        assert_eq!(changed["status"], to);
    }
    let after_done = app
        .post_json(
            &status_path,
            &json!({"status": "cancelled"}),
            Some(&clerk.token),
        )
        .await;
    assert_error(&after_done, Status::Conflict, "invalid_status_change");
    let unknown = app
        .post_json(&status_path, &json!({"status": "lost"}), Some(&clerk.token))
        .await;
    assert_error(&unknown, Status::UnprocessableEntity, "invalid_json");

    // No-show: only after the 15-minute grace period.
    let no_show = format!("/api/v1/desk/appointments/{second_id}/no-show");
    app.app.booking.clock.freeze(datetime!(2026-03-02 09:14 +7));
    let too_early = app
        .post_json(&no_show, &json!({}), Some(&clerk.token))
        .await;
    assert_error(&too_early, Status::Conflict, "no_show_too_early");
    app.app.booking.clock.freeze(datetime!(2026-03-02 09:15 +7));
    let (status, absent_view) = app
        .post_json(&no_show, &json!({}), Some(&clerk.token))
        .await;
    assert_eq!(status, Status::Ok, "{absent_view}");
    assert_eq!(absent_view["status"], "no_show");

    let (first_actions, second_actions, consistent) = {
        let (a, b, office) = (first_id.clone(), second_id.clone(), office.id.clone());
        app.db(move |conn| {
            (
                audit_actions(conn, &a),
                audit_actions(conn, &b),
                assert_seats_consistent(conn, &office),
            )
        })
        .await
    };
    assert_eq!(
        first_actions,
        vec![
            "appointment.book",
            "appointment.check_in",
            "appointment.start_service",
            "appointment.done"
        ]
    );
    assert_eq!(
        second_actions,
        vec!["appointment.book", "appointment.no_show"]
    );
    assert_eq!(consistent, 3);
});

db_test!(walk_ins_take_seats, |app| {
    let config = OfficeCalendarConfig {
        counters: 1,
        ..OfficeCalendarConfig::default()
    };
    let office = office_with(&app, "UBND Phường Vãng Lai", config).await;
    let clerk = person(&app, Role::Clerk, 60, Some(&office.id)).await;
    let booked_citizen = person(&app, Role::Citizen, 61, None).await;
    // With a verified account: the walk-in shows in the citizen's list.
    let walker = person(&app, Role::Citizen, 62, None).await;
    app.mark_verified("079200000062").await;
    app.app.booking.clock.freeze(MONDAY_6AM);
    assert_eq!(
        book(
            &app,
            &booked_citizen.token,
            &office.id,
            "2026-03-02 09:15",
            one_document()
        )
        .await
        .0,
        Status::Created
    );

    // 09:20: the 09:15 slot is full (1 counter), so the walk-in gets 09:30.
    app.app.booking.clock.freeze(datetime!(2026-03-02 09:20 +7));
    let body = json!({"full_name": "  nguyễn văn  thử ", "citizen_id": "0792 0000 0062", "documents": one_document()});
    let (status, walk_in) = app
        .post_json("/api/v1/desk/walk-ins", &body, Some(&clerk.token))
        .await;
    assert_eq!(status, Status::Created, "{walk_in}");
    let appointment = &walk_in["appointment"];
    assert_eq!(appointment["status"], "checked_in");
    assert_eq!(appointment["walk_in"], true);
    assert_eq!(appointment["slot_start_local"], "2026-03-02T09:30:00+07:00");
    assert_eq!(appointment["requester_citizen_id"], "079200000062");
    assert_eq!(walk_in["expected_result_date"], "2026-03-02");
    let (_, mine) = app
        .get("/api/v1/appointments/mine", Some(&walker.token))
        .await;
    assert_eq!(mine[0]["id"], appointment["id"]);

    // The same person again today: refused; a chosen full slot: refused.
    let again = app
        .post_json("/api/v1/desk/walk-ins", &body, Some(&clerk.token))
        .await;
    assert_error(&again, Status::Conflict, "duplicate_appointment");
    let chosen = json!({"full_name": "Trần Thị Lan", "citizen_id": "079301000063", "documents": one_document(), "slot_start": local("2026-03-02 09:30")});
    let full = app
        .post_json("/api/v1/desk/walk-ins", &chosen, Some(&clerk.token))
        .await;
    assert_error(&full, Status::Conflict, "slot_full");
    let tomorrow = json!({"full_name": "Trần Thị Lan", "citizen_id": "079301000063", "documents": one_document(), "slot_start": local("2026-03-03 09:30")});
    assert_error(
        &app.post_json("/api/v1/desk/walk-ins", &tomorrow, Some(&clerk.token))
            .await,
        Status::Conflict,
        "not_today",
    );
    let bad_id =
        json!({"full_name": "Trần Thị Lan", "citizen_id": "12", "documents": one_document()});
    assert_error(
        &app.post_json("/api/v1/desk/walk-ins", &bad_id, Some(&clerk.token))
            .await,
        Status::UnprocessableEntity,
        "invalid_citizen_id",
    );
    let seats = remaining(&app, &office.id, "2026-03-02").await;
    assert_eq!(
        seats.get("11:15"),
        None,
        "listing starts after the 2 h notice"
    );
    assert_eq!(seats.get("13:30"), Some(&1));

    // After closing time there is no slot left today.
    app.app.booking.clock.freeze(datetime!(2026-03-02 17:05 +7));
    let closed = app
        .post_json(
            "/api/v1/desk/walk-ins",
            &chosen_without_slot(),
            Some(&clerk.token),
        )
        .await;
    assert_error(&closed, Status::UnprocessableEntity, "closed");
    let office_id = office.id.clone();
    assert_eq!(
        app.db(move |conn| assert_seats_consistent(conn, &office_id))
            .await,
        2
    );
});

fn chosen_without_slot() -> serde_json::Value {
    json!({"full_name": "Trần Thị Lan", "citizen_id": "079301000063", "documents": one_document()})
}
