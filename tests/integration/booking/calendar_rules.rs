//! The calendar rules as a citizen meets them through the API: notice, break, weekends,
//! holidays and Tết, horizon, closures edited by the office, the after-15:00 rule, the
//! large-request extension and the fee table with its 200,000 VND cap.

use certcopy::booking::OfficeCalendarConfig;
use certcopy::db::models::Role;
use rocket::http::Status;
use serde_json::json;
use time::macros::datetime;

use super::support::{MONDAY_6AM, book, one_document, person, put_json, remaining};
use crate::common::assert_error;
use crate::db_test;

db_test!(notice_break_weekend_and_horizon, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let office = app.office("UBND Phường Lịch").await;
    let citizen = person(&app, Role::Citizen, 1, None).await;
    let t = citizen.token.as_str();

    // Today: 2 h notice from 06:00 leaves 08:00–11:15 and the afternoon; nothing in the
    // lunch break; 2 counters each.
    let today = remaining(&app, &office.id, "2026-03-02").await;
    assert_eq!(today.len(), 14 + 14, "{today:?}");
    assert!(!today.contains_key("07:45") && today.contains_key("08:00"));
    assert!(today.contains_key("11:15") && !today.contains_key("11:30"));
    assert!(!today.contains_key("12:00") && today.contains_key("13:30"));
    assert!(today.values().all(|seats| *seats == 2));
    let (_, week) = app
        .get(
            &format!(
                "/api/v1/offices/{}/slots?from=2026-03-02&to=2026-03-08",
                office.id
            ),
            None,
        )
        .await;
    assert_eq!(week["time_zone"], "Asia/Ho_Chi_Minh");
    assert_eq!(
        week["slots"].as_array().unwrap().len(),
        28 + 4 * 30,
        "no weekend slots"
    );
    assert_eq!(
        week["slots"][0]["start"], "2026-03-02T01:00:00Z",
        "stored as UTC"
    );
    assert_eq!(week["slots"][0]["start_local"], "2026-03-02T08:00:00+07:00");

    let refused = [
        ("2026-03-02 07:45", "too_soon"),
        ("2026-03-01 09:00", "in_past"),
        ("2026-03-03 12:00", "closed"),
        ("2026-03-03 17:00", "closed"),
        ("2026-03-07 09:00", "closed"),
        ("2026-03-03 09:05", "not_a_slot_boundary"),
        ("2026-04-02 09:00", "beyond_horizon"),
    ];
    for (when, code) in refused {
        let answer = book(&app, t, &office.id, when, one_document()).await;
        assert_error(&answer, Status::UnprocessableEntity, code);
    }
    // The last day of the horizon (today + 30) is bookable.
    let (status, body) = book(&app, t, &office.id, "2026-04-01 09:00", one_document()).await;
    assert_eq!(status, Status::Created, "{body}");
    let answer = app
        .get(
            &format!(
                "/api/v1/offices/{}/slots?from=2026-03-01&to=2026-04-30",
                office.id
            ),
            None,
        )
        .await;
    assert_error(&answer, Status::UnprocessableEntity, "range_too_long");
    let answer = app
        .get(
            &format!("/api/v1/offices/{}/slots?from=03/03/2026", office.id),
            None,
        )
        .await;
    assert_error(&answer, Status::UnprocessableEntity, "invalid_field");
    let answer = app
        .post_json(
            "/api/v1/appointments",
            &json!({"office_id": office.id, "slot_start": "tomorrow 9am", "documents": one_document()}),
            Some(t),
        )
        .await;
    assert_error(&answer, Status::UnprocessableEntity, "invalid_field");
    let unknown = app
        .get(
            &format!(
                "/api/v1/offices/{}/slots",
                certcopy::db::ids::OfficeId::generate()
            ),
            None,
        )
        .await;
    assert_error(&unknown, Status::NotFound, "office_not_found");
});

db_test!(holidays_and_tet_have_no_slots, |app| {
    // Monday 9 February 2026: Tết Bính Ngọ (14–22 February) lies inside the horizon.
    app.app.booking.clock.freeze(datetime!(2026-02-09 06:00 +7));
    let office = app.office("UBND Phường Tết").await;
    let citizen = person(&app, Role::Citizen, 2, None).await;
    let (_, tet) = app
        .get(
            &format!(
                "/api/v1/offices/{}/slots?from=2026-02-13&to=2026-02-23",
                office.id
            ),
            None,
        )
        .await;
    let days: std::collections::BTreeSet<String> = tet["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|slot| slot["start_local"].as_str().unwrap()[..10].to_owned())
        .collect();
    assert_eq!(
        days.into_iter().collect::<Vec<_>>(),
        vec!["2026-02-13", "2026-02-23"],
        "the whole Tết break, weekends included, is closed"
    );
    for when in ["2026-02-16 09:00", "2026-02-17 09:00", "2026-02-20 14:00"] {
        let answer = book(&app, &citizen.token, &office.id, when, one_document()).await;
        assert_error(&answer, Status::UnprocessableEntity, "holiday");
        assert!(
            answer.1["error"]["message_vi"]
                .as_str()
                .unwrap()
                .contains("Tết"),
            "{}",
            answer.1
        );
    }
    // A request received on the Friday before Tết after 15:00 is due on the first working
    // day after the break.
    let (status, late) = book(
        &app,
        &citizen.token,
        &office.id,
        "2026-02-13 15:15",
        one_document(),
    )
    .await;
    assert_eq!(status, Status::Created, "{late}");
    assert_eq!(late["expected_result_date"], "2026-02-23");
});

db_test!(after_15h_rule_large_requests_and_fee_table, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let office = app.office("UBND Phường Phí").await;
    let mut tokens = Vec::new();
    for n in 3..=7 {
        tokens.push(person(&app, Role::Citizen, n, None).await.token);
    }
    let cases = [
        ("2026-03-03 15:00", "2026-03-03"),
        ("2026-03-03 15:15", "2026-03-04"),
        ("2026-03-06 16:45", "2026-03-09"),
        ("2026-03-04 09:00", "2026-03-04"),
    ];
    for ((when, due), token) in cases.iter().zip(&tokens) {
        let (status, body) = book(&app, token, &office.id, when, one_document()).await;
        assert_eq!(status, Status::Created, "{body}");
        assert_eq!(body["expected_result_date"], *due, "{when}");
        assert_eq!(body["appointment"]["expected_result_date"], *due);
    }

    // Circular 226/2016: 2,000 VND per page for pages 1–2, 1,000 from page 3, at most
    // 200,000 per copy, pages counted on the original. 307 certified pages > 50: two
    // more working days (Decree 23/2015, Art. 21).
    let documents = json!([
        { "title": "Giấy khai sinh", "pages": 1, "copies": 1 },
        { "title": "  Bằng tốt nghiệp  ", "pages": 3, "copies": 2 },
        { "title": "Hồ sơ dự thầu", "pages": 300, "copies": 1 },
    ]);
    let (status, body) = book(&app, &tokens[4], &office.id, "2026-03-05 09:00", documents).await;
    assert_eq!(status, Status::Created, "{body}");
    let fee = &body["fee"];
    assert_eq!(fee["items"][0]["subtotal"], 2_000);
    assert_eq!(fee["items"][1]["title"], "Bằng tốt nghiệp");
    assert_eq!(fee["items"][1]["fee_per_copy"], 5_000);
    assert_eq!(fee["items"][1]["subtotal"], 10_000);
    assert_eq!(
        fee["items"][2]["fee_per_copy"], 200_000,
        "capped (uncapped: 302,000)"
    );
    assert_eq!(fee["total"], 212_000);
    assert_eq!(fee["certified_pages"], 307);
    assert_eq!(
        body["expected_result_date"], "2026-03-09",
        "Thu + 2 working days"
    );
    assert_eq!(
        body["appointment"]["fee"], *fee,
        "the appointment keeps the itemised fee"
    );

    for (documents, code) in [
        (json!([]), "no_documents"),
        (
            json!([{ "title": "A", "pages": 0, "copies": 1 }]),
            "pages_out_of_range",
        ),
        (
            json!([{ "title": "A", "pages": 2, "copies": 51 }]),
            "copies_out_of_range",
        ),
        (
            json!([{ "title": " ", "pages": 2, "copies": 1 }]),
            "empty_title",
        ),
    ] {
        let answer = book(&app, &tokens[0], &office.id, "2026-03-10 09:00", documents).await;
        assert_error(&answer, Status::UnprocessableEntity, code);
    }
    let answer = book(
        &app,
        &tokens[0],
        &office.id,
        "2026-03-10 09:00",
        json!([{ "title": "A", "pages": -1, "copies": 1 }]),
    )
    .await;
    assert_error(&answer, Status::UnprocessableEntity, "invalid_json");
});

db_test!(offices_edit_their_calendar_closures_and_saturdays, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let office = app.office("UBND Phường Sửa Lịch").await;
    let official = person(&app, Role::Official, 10, Some(&office.id)).await;
    let citizen = person(&app, Role::Citizen, 11, None).await;
    let path = format!("/api/v1/offices/{}/calendar", office.id);

    let (status, standard) = app.get(&path, Some(&official.token)).await;
    assert_eq!(status, Status::Ok, "{standard}");
    assert_eq!(standard["revision"], 0);
    assert_eq!(standard["calendar"]["counters"], 2);
    assert_eq!(
        standard["calendar"]["weekly_hours"]["monday"][1]["start"],
        "13:30"
    );

    let mut config = OfficeCalendarConfig::default().with_saturday_morning();
    config.counters = 3;
    config.closures = vec![certcopy::booking::Closure {
        date: time::macros::date!(2026 - 03 - 10),
        reason: Some("Tập huấn nghiệp vụ".into()),
    }];
    let (status, saved) = put_json(
        &app,
        &path,
        &serde_json::to_value(&config).unwrap(),
        Some(&official.token),
    )
    .await;
    assert_eq!(status, Status::Ok, "{saved}");
    assert_eq!(saved["revision"], 1);

    assert!(remaining(&app, &office.id, "2026-03-10").await.is_empty());
    let answer = book(
        &app,
        &citizen.token,
        &office.id,
        "2026-03-10 09:00",
        one_document(),
    )
    .await;
    assert_error(&answer, Status::UnprocessableEntity, "closed");
    assert!(
        answer.1["error"]["message_vi"]
            .as_str()
            .unwrap()
            .contains("Tập huấn")
    );
    let saturday = remaining(&app, &office.id, "2026-03-07").await;
    assert_eq!(saturday.len(), 16, "Saturday morning 07:30–11:30");
    assert!(saturday.values().all(|seats| *seats == 3), "3 counters");

    // A calendar that cannot work is refused with the field named.
    let (status, refused) = put_json(
        &app,
        &path,
        &json!({ "slot_minutes": 7 }),
        Some(&official.token),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_calendar");
    assert!(
        refused["error"]["message_en"]
            .as_str()
            .unwrap()
            .contains("weekly_hours.monday[0]")
    );
    let (status, _) = put_json(&app, &path, &json!({ "counter": 3 }), Some(&official.token)).await;
    assert_eq!(
        status,
        Status::UnprocessableEntity,
        "unknown fields are refused"
    );

    let audited = app
        .db(|conn| {
            certcopy::db::models::AuditEntry::latest(conn, 20)
                .unwrap()
                .into_iter()
                .filter(|entry| entry.action == "calendar.update")
                .count()
        })
        .await;
    assert_eq!(audited, 1);
});
