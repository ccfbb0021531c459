//! Who may call which booking endpoint: 401 without a credential, 403 with the wrong role,
//! 404 for another citizen's or another office's appointment. Public endpoints need none.

use certcopy::db::models::Role;
use rocket::http::Status;
use serde_json::json;

use super::support::{MONDAY_6AM, book, one_document, person, put_json};
use crate::common::assert_error;
use crate::db_test;

db_test!(every_endpoint_admits_only_its_roles, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let office = app.office("UBND Phường Quyền").await;
    let other_office = app.office("UBND Phường Khác").await;
    let citizen = person(&app, Role::Citizen, 20, None).await;
    let stranger = person(&app, Role::Citizen, 21, None).await;
    let clerk = person(&app, Role::Clerk, 22, Some(&office.id)).await;
    let official = person(&app, Role::Official, 23, Some(&office.id)).await;
    let other_official = person(&app, Role::Official, 24, Some(&other_office.id)).await;
    let other_clerk = person(&app, Role::Clerk, 25, Some(&other_office.id)).await;
    let admin = person(&app, Role::Admin, 26, None).await;

    // Booking: citizens only.
    let post_booking = |token: Option<String>| {
        let body = json!({"office_id": office.id, "slot_start": "2026-03-03T09:00:00+07:00", "documents": one_document()});
        let app = &app;
        async move {
            app.post_json("/api/v1/appointments", &body, token.as_deref())
                .await
        }
    };
    assert_error(
        &post_booking(None).await,
        Status::Unauthorized,
        "not_authenticated",
    );
    for staff in [&clerk, &official, &admin] {
        assert_error(
            &post_booking(Some(staff.token.clone())).await,
            Status::Forbidden,
            "forbidden",
        );
    }
    let (status, booked) = post_booking(Some(citizen.token.clone())).await;
    assert_eq!(status, Status::Created, "{booked}");
    let id = booked["appointment"]["id"].as_str().unwrap().to_owned();
    let code = booked["booking_code"].as_str().unwrap().to_owned();

    // The citizen's own list and appointment.
    assert_error(
        &app.get("/api/v1/appointments/mine", None).await,
        Status::Unauthorized,
        "not_authenticated",
    );
    assert_error(
        &app.get("/api/v1/appointments/mine", Some(&clerk.token))
            .await,
        Status::Forbidden,
        "forbidden",
    );
    let (status, mine) = app
        .get("/api/v1/appointments/mine", Some(&citizen.token))
        .await;
    assert_eq!(status, Status::Ok);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["requester_citizen_id"], "079200000020");
    let (_, none) = app
        .get("/api/v1/appointments/mine", Some(&stranger.token))
        .await;
    assert_eq!(none, json!([]));
    let one = format!("/api/v1/appointments/{id}");
    assert_eq!(app.get(&one, Some(&citizen.token)).await.0, Status::Ok);
    assert_eq!(
        app.get(&one, Some(&clerk.token)).await.0,
        Status::Ok,
        "staff of the office"
    );
    assert_eq!(app.get(&one, Some(&official.token)).await.0, Status::Ok);
    assert_error(
        &app.get(&one, Some(&stranger.token)).await,
        Status::NotFound,
        "appointment_not_found",
    );
    assert_error(
        &app.get(&one, Some(&other_clerk.token)).await,
        Status::NotFound,
        "appointment_not_found",
    );
    assert_error(
        &app.get(&one, Some(&admin.token)).await,
        Status::Forbidden,
        "forbidden",
    );
    assert_error(
        &app.get(&one, None).await,
        Status::Unauthorized,
        "not_authenticated",
    );
    // A malformed id is refused before the handler runs.
    assert_error(
        &app.get("/api/v1/appointments/not-an-id", Some(&citizen.token))
            .await,
        Status::UnprocessableEntity,
        "unprocessable",
    );
    for action in ["cancel", "reschedule"] {
        let path = format!("/api/v1/appointments/{id}/{action}");
        let body = json!({"slot_start": "2026-03-03T10:00:00+07:00"});
        assert_error(
            &app.post_json(&path, &body, None).await,
            Status::Unauthorized,
            "not_authenticated",
        );
        assert_error(
            &app.post_json(&path, &body, Some(&clerk.token)).await,
            Status::Forbidden,
            "forbidden",
        );
        assert_error(
            &app.post_json(&path, &body, Some(&stranger.token)).await,
            Status::NotFound,
            "appointment_not_found",
        );
    }

    // Calendars: admins, and officials of the office.
    let calendar = format!("/api/v1/offices/{}/calendar", office.id);
    assert_error(
        &app.get(&calendar, None).await,
        Status::Unauthorized,
        "not_authenticated",
    );
    for refused in [&citizen, &clerk, &other_official] {
        assert_error(
            &app.get(&calendar, Some(&refused.token)).await,
            Status::Forbidden,
            "forbidden",
        );
        let answer = put_json(&app, &calendar, &json!({}), Some(&refused.token)).await;
        assert_error(&answer, Status::Forbidden, "forbidden");
    }
    for allowed in [&official, &admin] {
        assert_eq!(app.get(&calendar, Some(&allowed.token)).await.0, Status::Ok);
        assert_eq!(
            put_json(&app, &calendar, &json!({}), Some(&allowed.token))
                .await
                .0,
            Status::Ok
        );
    }
    let missing = format!(
        "/api/v1/offices/{}/calendar",
        certcopy::db::ids::OfficeId::generate()
    );
    assert_error(
        &app.get(&missing, Some(&admin.token)).await,
        Status::NotFound,
        "office_not_found",
    );

    // The desk: clerks and officials of the office.
    let desk_paths = [
        "/api/v1/desk/check-in".to_owned(),
        format!("/api/v1/desk/appointments/{id}/status"),
        format!("/api/v1/desk/appointments/{id}/no-show"),
        "/api/v1/desk/walk-ins".to_owned(),
    ];
    let desk_body = json!({"booking_code": code, "status": "checked_in", "full_name": "Lê Thị Hoa", "citizen_id": "079301001234", "documents": one_document()});
    for path in &desk_paths {
        assert_error(
            &app.post_json(path, &desk_body, None).await,
            Status::Unauthorized,
            "not_authenticated",
        );
        for refused in [&citizen, &admin] {
            assert_error(
                &app.post_json(path, &desk_body, Some(&refused.token)).await,
                Status::Forbidden,
                "forbidden",
            );
        }
    }
    assert_error(
        &app.get("/api/v1/desk/appointments", None).await,
        Status::Unauthorized,
        "not_authenticated",
    );
    assert_error(
        &app.get("/api/v1/desk/appointments", Some(&citizen.token))
            .await,
        Status::Forbidden,
        "forbidden",
    );
    assert_eq!(
        app.get("/api/v1/desk/appointments", Some(&official.token))
            .await
            .0,
        Status::Ok
    );
    // Another office's clerk does not find it.
    let answer = app
        .post_json(
            "/api/v1/desk/check-in",
            &json!({"booking_code": code}),
            Some(&other_clerk.token),
        )
        .await;
    assert_error(&answer, Status::NotFound, "appointment_not_found");
    let answer = app
        .post_json(
            &format!("/api/v1/desk/appointments/{id}/status"),
            &json!({"status": "cancelled"}),
            Some(&other_clerk.token),
        )
        .await;
    assert_error(&answer, Status::NotFound, "appointment_not_found");

    // Public: office search and slots, no credential.
    assert_eq!(
        app.get(&format!("/api/v1/offices/{}/slots", office.id), None)
            .await
            .0,
        Status::Ok
    );
    assert_eq!(app.get("/api/v1/offices", None).await.0, Status::Ok);
    let (status, _) = book(
        &app,
        &stranger.token,
        &office.id,
        "2026-03-03 09:00",
        one_document(),
    )
    .await;
    assert_eq!(status, Status::Created, "the second counter of the slot");
});

db_test!(office_search_filters_ignore_case, |app| {
    for (name, province, district) in [
        ("UBND Phường Bến Nghé", "TP. Hồ Chí Minh", "Quận 1"),
        ("Phòng Tư pháp Quận Ba Đình", "Hà Nội", "Quận Ba Đình"),
        ("UBND Phường Tràng Tiền", "Hà Nội", "Quận Hoàn Kiếm"),
    ] {
        let office = certcopy::db::models::Office {
            id: certcopy::db::ids::OfficeId::generate(),
            name: name.into(),
            kind: "commune_committee".into(),
            province: province.into(),
            district: district.into(),
            address: format!("{district}, {province}"),
            created_at: certcopy::db::now_utc(),
        };
        app.db(move |conn| office.insert(conn).unwrap()).await;
    }
    let names = |body: serde_json::Value| -> Vec<String> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, all) = app.get("/api/v1/offices", None).await;
    assert_eq!(names(all).len(), 3);
    let (_, hanoi) = app
        .get("/api/v1/offices?province=H%C3%80%20N%E1%BB%98I", None)
        .await;
    assert_eq!(
        names(hanoi),
        vec!["Phòng Tư pháp Quận Ba Đình", "UBND Phường Tràng Tiền"],
        "HÀ NỘI matches Hà Nội"
    );
    let (_, district) = app
        .get(
            "/api/v1/offices?province=h%C3%A0%20n%E1%BB%99i&district=ho%C3%A0n%20ki%E1%BA%BFm",
            None,
        )
        .await;
    assert_eq!(names(district), vec!["UBND Phường Tràng Tiền"]);
    let (_, by_name) = app
        .get("/api/v1/offices?name=b%E1%BA%BFn%20ngh%C3%A9", None)
        .await;
    assert_eq!(by_name[0]["province"], "TP. Hồ Chí Minh");
    assert_eq!(names(by_name), vec!["UBND Phường Bến Nghé"]);
});
