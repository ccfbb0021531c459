//! Cancelling and rescheduling, signed in and through the manage link: the cutoff, seats
//! given back, atomic reschedule that fails cleanly on a full slot, duplicate days.

use certcopy::db::models::Role;
use rocket::http::Status;
use serde_json::json;
use time::Duration;

use super::support::{
    MONDAY_6AM, assert_seats_consistent, audit_actions, book, get_text, local, one_document,
    person, remaining,
};
use crate::common::assert_error;
use crate::db_test;

db_test!(cancel_reschedule_and_the_cutoff, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let office = app.office("UBND Phường Đổi Lịch").await;
    let other_office = app.office("UBND Phường Bên Cạnh").await;
    let citizen = person(&app, Role::Citizen, 30, None).await;
    let neighbours = [
        person(&app, Role::Citizen, 31, None).await,
        person(&app, Role::Citizen, 32, None).await,
    ];
    let t = citizen.token.as_str();

    let (status, booked) = book(&app, t, &office.id, "2026-03-03 09:00", one_document()).await;
    assert_eq!(status, Status::Created, "{booked}");
    let id = booked["appointment"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        booked["appointment"]["changeable_until"],
        "2026-03-03T07:00:00+07:00"
    );

    // One active appointment per citizen per office per day; other days and other
    // offices are fine.
    let duplicate = book(&app, t, &office.id, "2026-03-03 14:00", one_document()).await;
    assert_error(&duplicate, Status::Conflict, "duplicate_appointment");
    assert_eq!(
        book(
            &app,
            t,
            &other_office.id,
            "2026-03-03 14:00",
            one_document()
        )
        .await
        .0,
        Status::Created
    );
    let (status, other_day) = book(&app, t, &office.id, "2026-03-04 09:00", one_document()).await;
    assert_eq!(status, Status::Created);
    let other_day_id = other_day["appointment"]["id"].as_str().unwrap().to_owned();

    // Reschedule to 10:00: the new seat is taken, the old one given back.
    let path = format!("/api/v1/appointments/{id}/reschedule");
    let (status, moved) = app
        .post_json(
            &path,
            &json!({"slot_start": local("2026-03-03 10:00")}),
            Some(t),
        )
        .await;
    assert_eq!(status, Status::Ok, "{moved}");
    assert_eq!(moved["slot_start_local"], "2026-03-03T10:00:00+07:00");
    assert_eq!(moved["revision"], 1);
    let seats = remaining(&app, &office.id, "2026-03-03").await;
    assert_eq!((seats["09:00"], seats["10:00"]), (2, 1));

    // Into a full slot: refused, and nothing moves.
    for neighbour in &neighbours {
        assert_eq!(
            book(
                &app,
                &neighbour.token,
                &office.id,
                "2026-03-03 11:00",
                one_document()
            )
            .await
            .0,
            Status::Created
        );
    }
    let full = app
        .post_json(
            &path,
            &json!({"slot_start": local("2026-03-03 11:00")}),
            Some(t),
        )
        .await;
    assert_error(&full, Status::Conflict, "slot_full");
    let (_, unchanged) = app
        .get(&format!("/api/v1/appointments/{id}"), Some(t))
        .await;
    assert_eq!(unchanged["slot_start_local"], "2026-03-03T10:00:00+07:00");
    let seats = remaining(&app, &office.id, "2026-03-03").await;
    assert_eq!((seats["10:00"], seats["11:00"]), (1, 0));
    // Onto a day where the citizen already holds one, into a closed time, or in place.
    let clash = app
        .post_json(
            &path,
            &json!({"slot_start": local("2026-03-04 10:00")}),
            Some(t),
        )
        .await;
    assert_error(&clash, Status::Conflict, "duplicate_appointment");
    let closed = app
        .post_json(
            &path,
            &json!({"slot_start": local("2026-03-03 12:00")}),
            Some(t),
        )
        .await;
    assert_error(&closed, Status::UnprocessableEntity, "closed");
    let same = app
        .post_json(
            &path,
            &json!({"slot_start": local("2026-03-03 10:00")}),
            Some(t),
        )
        .await;
    assert_error(&same, Status::UnprocessableEntity, "same_slot");

    // The cutoff: 2 hours before the slot, inclusive.
    app.app
        .booking
        .clock
        .freeze(MONDAY_6AM + Duration::days(1) + Duration::hours(2));
    let (status, _) = app
        .post_json(
            &format!("/api/v1/appointments/{other_day_id}/cancel"),
            &json!({}),
            Some(t),
        )
        .await;
    assert_eq!(status, Status::Ok, "a day ahead");
    app.app
        .booking
        .clock
        .freeze(time::macros::datetime!(2026-03-03 08:01 +7));
    let late = app
        .post_json(
            &format!("/api/v1/appointments/{id}/cancel"),
            &json!({}),
            Some(t),
        )
        .await;
    assert_error(&late, Status::Conflict, "cutoff_passed");
    assert!(
        late.1["error"]["message_vi"]
            .as_str()
            .unwrap()
            .contains("08:00 03/03/2026"),
        "{}",
        late.1
    );
    let late = app
        .post_json(
            &path,
            &json!({"slot_start": local("2026-03-03 16:00")}),
            Some(t),
        )
        .await;
    assert_error(&late, Status::Conflict, "cutoff_passed");
    app.app
        .booking
        .clock
        .freeze(time::macros::datetime!(2026-03-03 08:00 +7));
    let (status, cancelled) = app
        .post_json(
            &format!("/api/v1/appointments/{id}/cancel"),
            &json!({}),
            Some(t),
        )
        .await;
    assert_eq!(status, Status::Ok, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled["changeable_until"].is_null());
    let again = app
        .post_json(
            &format!("/api/v1/appointments/{id}/cancel"),
            &json!({}),
            Some(t),
        )
        .await;
    assert_error(&again, Status::Conflict, "invalid_status_change");
    let seats = remaining(&app, &office.id, "2026-03-03").await;
    assert_eq!(seats["10:00"], 2, "the seat came back");

    let (consistent, actions) = {
        let (office, id) = (office.id.clone(), id.clone());
        app.db(move |conn| {
            (
                assert_seats_consistent(conn, &office),
                audit_actions(conn, &id),
            )
        })
        .await
    };
    assert_eq!(consistent, 4);
    assert_eq!(
        actions,
        vec![
            "appointment.book",
            "appointment.reschedule",
            "appointment.cancel"
        ]
    );
});

db_test!(manage_link_works_without_login, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let office = app.office("UBND Phường Liên Kết").await;
    let citizen = person(&app, Role::Citizen, 40, None).await;
    let (status, booked) = book(
        &app,
        &citizen.token,
        &office.id,
        "2026-03-05 14:00",
        one_document(),
    )
    .await;
    assert_eq!(status, Status::Created, "{booked}");
    let token = booked["manage_token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 43);
    assert_eq!(
        booked["manage_url"],
        format!("http://127.0.0.1:8000/a/{token}")
    );
    let code = booked["booking_code"].as_str().unwrap();
    assert!(booked["qr_svg"].as_str().unwrap().starts_with("<svg"));

    // The page: private, shows the appointment.
    let (status, content_type, cache, page) =
        get_text(&app, &format!("/a/{token}"), None, "Cache-Control").await;
    assert_eq!(status, Status::Ok);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert_eq!(cache.as_deref(), Some("no-store"));
    assert!(
        page.contains(code) && page.contains("14:00 05/03/2026"),
        "{page}"
    );
    assert!(page.contains("UBND Phường Liên Kết"));
    // No script at all: cancel and reschedule are plain forms; the token never leaves in
    // a Referer header.
    assert!(
        page.contains(&format!(r#"action="/a/{token}/cancel""#))
            && page.contains(&format!(r#"href="/a/{token}/reschedule""#)),
        "{page}"
    );
    assert!(!page.contains("<script"), "{page}");
    let (_, _, referrer, _) = get_text(&app, &format!("/a/{token}"), None, "Referrer-Policy").await;
    assert_eq!(referrer.as_deref(), Some("no-referrer"));
    let (_, _, csp, _) = get_text(
        &app,
        &format!("/a/{token}"),
        None,
        "Content-Security-Policy",
    )
    .await;
    assert!(
        csp.as_deref()
            .is_some_and(|csp| csp.contains("script-src 'self'") && !csp.contains("unsafe-inline")),
        "{csp:?}"
    );
    let (_, _, _, page_css) = get_text(&app, "/assets/page.css", None, "Cache-Control").await;
    assert!(page_css.contains("font-family"));
    let (_, _, elsewhere, _) = get_text(&app, "/api/v1/health", None, "Referrer-Policy").await;
    assert_eq!(
        elsewhere.as_deref(),
        Some("strict-origin-when-cross-origin")
    );
    let (status, _, _, _) = get_text(&app, "/a/not-the-token", None, "Cache-Control").await;
    assert_eq!(status, Status::NotFound);

    let base = format!("/api/v1/appointments/by-token/{token}");
    let (status, shown) = app.get(&base, None).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(shown["booking_code"], code);
    assert!(
        shown.get("requester_citizen_id").is_none(),
        "the link does not show the ID number"
    );

    let (status, moved) = app
        .post_json(
            &format!("{base}/reschedule"),
            &json!({"slot_start": "2026-03-06T01:30:00Z"}),
            None,
        )
        .await;
    assert_eq!(status, Status::Ok, "{moved}");
    assert_eq!(moved["slot_start_local"], "2026-03-06T08:30:00+07:00");
    let (status, cancelled) = app
        .post_json(&format!("{base}/cancel"), &json!({}), None)
        .await;
    assert_eq!(status, Status::Ok, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    let wrong = app
        .post_json(
            "/api/v1/appointments/by-token/AAAA/cancel",
            &json!({}),
            None,
        )
        .await;
    assert_error(&wrong, Status::NotFound, "appointment_not_found");
    assert!(
        remaining(&app, &office.id, "2026-03-06")
            .await
            .values()
            .all(|seats| *seats == 2)
    );

    let id = booked["appointment"]["id"].as_str().unwrap().to_owned();
    let detail: Vec<String> = app
        .db(move |conn| {
            use certcopy::db::schema::audit_log;
            use diesel::prelude::*;
            audit_log::table
                .filter(audit_log::target.eq(&id))
                .filter(audit_log::action.eq("appointment.cancel"))
                .select(audit_log::detail)
                .load(conn)
                .unwrap()
        })
        .await;
    assert_eq!(detail.len(), 1);
    assert!(detail[0].contains("manage_link"), "{detail:?}");
});
