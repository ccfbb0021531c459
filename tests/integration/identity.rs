//! Claimed and verified identity (docs/ARCHITECTURE.md §9): a citizen ID typed at
//! registration is only a claim; records kept under it are shown only to the account that
//! proved it at the desk. Registration reveals nothing about who has an account, and
//! names and titles are single-script NFC text.

use certcopy::db::models::{AuditEntry, IdentityCode, OutboundMessage, Role, User};
use certcopy::db::now_utc;
use rocket::http::Status;
use serde_json::{Value, json};

use crate::common::{TestApp, assert_error, bearer, read};
use crate::db_test;
use crate::issuing::{multipart, office_with_official, small_jpeg};

const HOLDER_ID: &str = "079203001234";

/// Issues one copy for `citizen_id` (official's token) and answers the copy view.
async fn issue_copy(
    app: &TestApp,
    official_token: &str,
    citizen_id: &str,
    title: &str,
) -> (Status, Value) {
    let scan = small_jpeg(1);
    let (content_type, body) = multipart(
        &[
            ("requester_name", "Nguyễn Văn An"),
            ("citizen_id", citizen_id),
            ("document_title", title),
        ],
        &[("scans", "trang1.jpg", &scan)],
    );
    read(
        app.client
            .post("/api/v1/copies")
            .header(content_type)
            .header(bearer(official_token))
            .body(body)
            .dispatch()
            .await,
    )
    .await
}

async fn download_status(app: &TestApp, url: &str, token: &str) -> (Status, Value) {
    read(
        app.client
            .get(url.to_owned())
            .header(bearer(token))
            .dispatch()
            .await,
    )
    .await
}

async fn audit_rows(app: &TestApp, action: &'static str) -> Vec<AuditEntry> {
    app.db(move |conn| {
        certcopy::audit::latest(conn, 1000)
            .unwrap()
            .into_iter()
            .filter(|row| row.action == action)
            .collect()
    })
    .await
}

// The scenario of an impersonation: someone registers with another person's citizen ID
// before them. The impostor sees nothing kept under the ID, and the real holder still
// registers, logs in by the ID, proves it at the desk and then sees their copies; the
// impostor keeps its own login.
db_test!(
    impostor_sees_nothing_and_does_not_lock_the_holder_out,
    |app| {
        let (_office, _official, official_token) =
            office_with_official(&app, "UBND Phường Bến Nghé", "lanhdao.bn").await;
        let impostor = app
            .register_citizen("Lê Văn Giả", HOLDER_ID, "0911000001", "Gia-mao-2026")
            .await;
        assert_eq!(impostor.0, Status::Accepted, "{}", impostor.1);
        let (status, copy) =
            issue_copy(&app, &official_token, HOLDER_ID, "Bằng tốt nghiệp THPT").await;
        assert_eq!(status, Status::Created, "{copy}");
        let download = copy["download_url"].as_str().unwrap().to_owned();

        let (impostor_token, impostor_user) = app.login_with(HOLDER_ID, "Gia-mao-2026").await;
        assert_eq!(impostor_user["identity_verified"], false);
        let refused = app.get("/api/v1/copies/mine", Some(&impostor_token)).await;
        assert_error(&refused, Status::Forbidden, "identity_unverified");
        assert!(
            refused.1["error"]["message_en"]
                .as_str()
                .unwrap()
                .contains("desk")
        );
        let refused = download_status(&app, &download, &impostor_token).await;
        assert_error(&refused, Status::Forbidden, "identity_unverified");
        let (status, mine) = app
            .get("/api/v1/appointments/mine", Some(&impostor_token))
            .await;
        assert_eq!((status, mine), (Status::Ok, json!([])));

        // The holder registers after the impostor: same answer, an account of their own.
        let holder = app
            .register_citizen("Nguyễn Văn An", HOLDER_ID, "0912345678", "Hoa-sen-2026")
            .await;
        assert_eq!(holder, impostor);
        let (holder_token, holder_user) = app.login_with(HOLDER_ID, "Hoa-sen-2026").await;
        assert_eq!(holder_user["full_name"], "Nguyễn Văn An");
        assert_ne!(holder_user["id"], impostor_user["id"]);
        // Unverified, the holder sees nothing either.
        let refused = app.get("/api/v1/copies/mine", Some(&holder_token)).await;
        assert_error(&refused, Status::Forbidden, "identity_unverified");

        app.verify_at_desk(&holder_token, HOLDER_ID).await;
        let (status, mine) = app.get("/api/v1/copies/mine", Some(&holder_token)).await;
        assert_eq!(status, Status::Ok, "{mine}");
        assert_eq!(mine.as_array().unwrap().len(), 1);
        assert_eq!(mine[0]["id"], copy["id"]);
        assert_eq!(
            download_status(&app, &download, &holder_token).await.0,
            Status::Ok
        );

        // The impostor still logs in and still sees nothing; the holder logs in by the ID,
        // now found first as the verified holder.
        let (impostor_token, _) = app.login_with(HOLDER_ID, "Gia-mao-2026").await;
        let refused = app.get("/api/v1/copies/mine", Some(&impostor_token)).await;
        assert_error(&refused, Status::Forbidden, "identity_unverified");
        assert_error(
            &download_status(&app, &download, &impostor_token).await,
            Status::Forbidden,
            "identity_unverified",
        );
        let (_, again) = app.login_with(HOLDER_ID, "Hoa-sen-2026").await;
        assert_eq!(again["identity_verified"], true);
        assert_eq!(again["identity_verified_via"], "desk");
        // Nobody logs in by the ID with a third password.
        let wrong = app
            .post_json(
                "/api/v1/auth/login",
                &json!({"login": HOLDER_ID, "password": "Sai-mat-khau-9"}),
                None,
            )
            .await;
        assert_error(&wrong, Status::Unauthorized, "bad_credentials");
    }
);

db_test!(desk_confirmation_verifies_and_is_audited, |app| {
    app.register_citizen("Nguyễn Văn An", HOLDER_ID, "0912345678", "Hoa-sen-2026")
        .await;
    let (citizen_token, citizen) = app.login_with("0912345678", "Hoa-sen-2026").await;
    let (status, issued) = app
        .post_json(
            "/api/v1/me/identity/code",
            &Value::Null,
            Some(&citizen_token),
        )
        .await;
    assert_eq!(status, Status::Created, "{issued}");
    let code = issued["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 9, "XXXX-XXXX: {code}");
    assert!(issued["qr_svg"].as_str().unwrap().starts_with("<svg"));
    assert!(issued["expires_at"].as_str().is_some());
    // Only the hash is stored.
    let plain = code.replace('-', "");
    let hashed = app
        .db(move |conn| {
            IdentityCode::find_by_hash(conn, &certcopy::secrets::token_hash(&plain)).unwrap()
        })
        .await
        .expect("the code is stored as its SHA-256");
    assert_eq!(hashed.user_id.to_string(), citizen["id"].as_str().unwrap());

    let (clerk, clerk_token) = app.signed_in(Role::Clerk, "canbo.motcua").await;
    // Typed in lower case with spaces, as a clerk might.
    let typed = format!(" {} ", code.to_lowercase());
    let (status, confirmed) = app
        .confirm_identity(&clerk_token, &typed, "079 203 001 234")
        .await;
    assert_eq!(status, Status::Ok, "{confirmed}");
    assert_eq!(confirmed["identity_verified_via"], "desk");
    assert_eq!(confirmed["user_id"], citizen["id"]);
    let (_, me) = app.get("/api/v1/me", Some(&citizen_token)).await;
    assert_eq!(me["identity_verified"], true);
    assert_eq!(me["identity_verified_via"], "desk");

    let rows = audit_rows(&app, "identity.verify").await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.actor_id.as_ref(), Some(&clerk.id));
    assert_eq!(row.office_id, clerk.office_id);
    assert_eq!(row.target.as_deref(), citizen["id"].as_str());
    assert!(!row.detail.contains(&code) && !row.detail.contains(&code.replace('-', "")));
    assert!(row.detail.contains(HOLDER_ID), "{}", row.detail);

    // Single use; a verified account asks for no more codes.
    let reused = app.confirm_identity(&clerk_token, &code, HOLDER_ID).await;
    assert_error(
        &reused,
        Status::UnprocessableEntity,
        "identity_code_invalid",
    );
    let more = app
        .post_json(
            "/api/v1/me/identity/code",
            &Value::Null,
            Some(&citizen_token),
        )
        .await;
    assert_error(&more, Status::Conflict, "identity_already_verified");
});

db_test!(desk_confirmation_refusals, |app| {
    app.register_citizen("Nguyễn Văn An", HOLDER_ID, "0912345678", "Hoa-sen-2026")
        .await;
    let (citizen_token, _) = app.login_with("0912345678", "Hoa-sen-2026").await;
    let (_, clerk_token) = app.signed_in(Role::Clerk, "canbo.tuchoi").await;

    // Only staff at a desk confirm.
    let code = app.identity_code(&citizen_token).await;
    let by_citizen = app.confirm_identity(&citizen_token, &code, HOLDER_ID).await;
    assert_error(&by_citizen, Status::Forbidden, "forbidden");

    // A wrong code, a malformed one, a malformed card number.
    for wrong in ["2345-6789", "ABCD", "OOOO-OOOO"] {
        let answer = app.confirm_identity(&clerk_token, wrong, HOLDER_ID).await;
        assert_error(
            &answer,
            Status::UnprocessableEntity,
            "identity_code_invalid",
        );
    }
    let bad_card = app.confirm_identity(&clerk_token, &code, "12").await;
    assert_error(&bad_card, Status::UnprocessableEntity, "invalid_citizen_id");

    // A card that is not the claimed ID; the third mismatch burns the code.
    for _ in 0..3 {
        let mismatch = app
            .confirm_identity(&clerk_token, &code, "001099000111")
            .await;
        assert_error(&mismatch, Status::UnprocessableEntity, "identity_mismatch");
    }
    let burnt = app.confirm_identity(&clerk_token, &code, HOLDER_ID).await;
    assert_error(&burnt, Status::UnprocessableEntity, "identity_code_invalid");

    // A new request replaces the previous code.
    let first = app.identity_code(&citizen_token).await;
    let second = app.identity_code(&citizen_token).await;
    let replaced = app.confirm_identity(&clerk_token, &first, HOLDER_ID).await;
    assert_error(
        &replaced,
        Status::UnprocessableEntity,
        "identity_code_invalid",
    );

    // An expired code.
    app.db(|conn| {
        use diesel::prelude::*;
        diesel::update(certcopy::db::schema::identity_codes::table)
            .set(
                certcopy::db::schema::identity_codes::expires_at
                    .eq(now_utc() - time::Duration::seconds(1)),
            )
            .execute(conn)
            .unwrap();
    })
    .await;
    let expired = app.confirm_identity(&clerk_token, &second, HOLDER_ID).await;
    assert_error(
        &expired,
        Status::UnprocessableEntity,
        "identity_code_invalid",
    );

    // The ID already proven by another account: that claimant cannot be verified.
    app.register_citizen("Nguyễn Văn An", HOLDER_ID, "0912000002", "Hoa-sen-2027")
        .await;
    let (other_token, _) = app.login_with("0912000002", "Hoa-sen-2027").await;
    app.verify_at_desk(&other_token, HOLDER_ID).await;
    let code = app.identity_code(&citizen_token).await;
    let held = app.confirm_identity(&clerk_token, &code, HOLDER_ID).await;
    assert_error(&held, Status::Conflict, "identity_held_elsewhere");
    let verified = app
        .db(|conn| User::verified_holder(conn, HOLDER_ID).unwrap())
        .await
        .unwrap();
    assert_eq!(verified.phone.as_deref(), Some("0912000002"));
    assert!(audit_rows(&app, "identity.verify").await.len() == 1);

    // Guessing is bounded per clerk: the window's attempts run out.
    let mut last = (Status::Ok, Value::Null);
    for _ in 0..certcopy::auth::DESK_ATTEMPTS_PER_WINDOW {
        last = app
            .confirm_identity(&clerk_token, "2345-6789", HOLDER_ID)
            .await;
        if last.0 == Status::TooManyRequests {
            break;
        }
    }
    assert_error(&last, Status::TooManyRequests, "too_many_attempts");
});

db_test!(registration_answers_alike_and_queues_messages, |app| {
    let fresh = app
        .register_citizen("Nguyễn Văn An", HOLDER_ID, "0912345678", "Hoa-sen-2026")
        .await;
    assert_eq!(fresh.0, Status::Accepted, "{}", fresh.1);
    assert!(fresh.1.get("id").is_none() && fresh.1.get("citizen_id").is_none());
    let with_email = json!({"full_name": "Trần Thị Bình", "citizen_id": "001099000111", "email": "binh@example.vn", "password": "Hoa-sen-2026"});
    let fresh_email = app
        .post_json("/api/v1/auth/register", &with_email, None)
        .await;
    assert_eq!(fresh_email, fresh);

    // Existing phone, existing e-mail, existing citizen ID: the same answer.
    let same_phone = app
        .register_citizen(
            "Phạm Văn C",
            "001099000222",
            "+84 912 345 678",
            "Hoa-sen-2026",
        )
        .await;
    let mut email_again = with_email.clone();
    email_again["citizen_id"] = json!("001099000333");
    email_again["email"] = json!("BINH@example.vn");
    let same_email = app
        .post_json("/api/v1/auth/register", &email_again, None)
        .await;
    let same_id = app
        .register_citizen("Nguyễn Văn An", HOLDER_ID, "0912000003", "Hoa-sen-2026")
        .await;
    assert_eq!(same_phone, fresh);
    assert_eq!(same_email, fresh);
    assert_eq!(same_id, fresh);

    // Duplicate contacts made no account; a second claim of an ID did.
    let (count, claims) = app
        .db(|conn| {
            (
                User::count(conn).unwrap(),
                User::find_all_by_login(conn, HOLDER_ID, 10).unwrap().len(),
            )
        })
        .await;
    assert_eq!((count, claims), (3, 2));

    let queued = app
        .db(|conn| OutboundMessage::unsent(conn, 100).unwrap())
        .await;
    let summary: Vec<(String, String, String)> = queued
        .iter()
        .map(|m| (m.channel.clone(), m.address.clone(), m.kind.clone()))
        .collect();
    let expected = [
        ("sms", "0912345678", "registration.created"),
        ("email", "binh@example.vn", "registration.created"),
        ("sms", "0912345678", "registration.contact_taken"),
        ("email", "binh@example.vn", "registration.contact_taken"),
        ("sms", "0912000003", "registration.created"),
    ];
    assert_eq!(summary.len(), expected.len(), "{summary:?}");
    for (channel, address, kind) in expected {
        assert!(
            summary
                .iter()
                .any(|m| (m.0.as_str(), m.1.as_str(), m.2.as_str()) == (channel, address, kind)),
            "{channel} {address} {kind} in {summary:?}"
        );
    }
    assert!(
        queued
            .iter()
            .all(|m| m.sent_at.is_none() && !m.body.is_empty())
    );
    assert!(
        queued.iter().all(|m| !m.body.contains("Hoa-sen")),
        "no password in a message"
    );
});

db_test!(names_are_nfc_and_single_script, |app| {
    // "Nguyễn" typed with combining marks is the same name, stored precomposed.
    let decomposed = "Nguye\u{302}\u{303}n Va\u{306}n An";
    let answer = app
        .register_citizen(decomposed, HOLDER_ID, "0912345678", "Hoa-sen-2026")
        .await;
    assert_eq!(answer.0, Status::Accepted, "{}", answer.1);
    let (_, user) = app.login_with("0912345678", "Hoa-sen-2026").await;
    assert_eq!(user["full_name"], "Nguyễn Văn An");
    let stored = app
        .db(|conn| User::find_all_by_login(conn, "0912345678", 1).unwrap())
        .await;
    assert_eq!(stored[0].full_name.as_bytes(), "Nguyễn Văn An".as_bytes());

    // Latin with a Cyrillic "а" or a Greek "ο"; a right-to-left override.
    for (name, code) in [
        ("Nguyễn V\u{430}n An", "mixed_script"),
        ("Ho\u{3BF}ng Văn An", "mixed_script"),
        ("Nguyễn \u{202E}nA năV", "bidi_control"),
        ("Nguyễn Văn An\u{2066}", "bidi_control"),
    ] {
        let refused = app
            .register_citizen(name, "001099000111", "0987654321", "Hoa-sen-2026")
            .await;
        assert_error(&refused, Status::UnprocessableEntity, code);
    }

    // Titles of issued copies follow the same rules.
    let (_office, _official, official_token) =
        office_with_official(&app, "UBND Phường Tên", "lanhdao.ten").await;
    for (title, code) in [
        ("Bằng tốt nghi\u{435}p THPT", "mixed_script"),
        ("Bằng tốt nghiệp \u{202E}TPHT", "bidi_control"),
    ] {
        let refused = issue_copy(&app, &official_token, HOLDER_ID, title).await;
        assert_error(&refused, Status::UnprocessableEntity, code);
    }
    let (status, copy) = issue_copy(
        &app,
        &official_token,
        HOLDER_ID,
        "Ba\u{306}\u{300}ng to\u{302}\u{301}t nghie\u{323}\u{302}p THPT",
    )
    .await;
    assert_eq!(status, Status::Created, "{copy}");
    assert_eq!(copy["document_title"], "Bằng tốt nghiệp THPT");
});

// Appointments: an account sees what it booked itself; walk-ins and other bookings kept
// under a citizen ID only once the account has proven holding the ID.
db_test!(appointments_follow_the_verified_holder, |app| {
    use crate::booking::support::{MONDAY_6AM, book, office_with, one_document, person};
    let config = certcopy::booking::OfficeCalendarConfig {
        counters: 2,
        ..certcopy::booking::OfficeCalendarConfig::default()
    };
    let office = office_with(&app, "UBND Phường Lịch Hẹn", config).await;
    let clerk = person(&app, Role::Clerk, 70, Some(&office.id)).await;
    let claimant = person(&app, Role::Citizen, 71, None).await;
    let claimed_id = "079200000071";
    app.app.booking.clock.freeze(MONDAY_6AM);
    let (status, booked) = book(
        &app,
        &claimant.token,
        &office.id,
        "2026-03-03 10:00",
        one_document(),
    )
    .await;
    assert_eq!(status, Status::Created, "{booked}");
    let booked_id = booked["appointment"]["id"].clone();

    app.app
        .booking
        .clock
        .freeze(time::macros::datetime!(2026-03-02 09:20 +7));
    let body = json!({"full_name": "Nguyễn Văn Thử", "citizen_id": claimed_id, "documents": one_document()});
    let (status, walk_in) = app
        .post_json("/api/v1/desk/walk-ins", &body, Some(&clerk.token))
        .await;
    assert_eq!(status, Status::Created, "{walk_in}");
    let walk_in_id = walk_in["appointment"]["id"].as_str().unwrap().to_owned();

    // The claimant sees its own booking only.
    let (_, mine) = app
        .get("/api/v1/appointments/mine", Some(&claimant.token))
        .await;
    let ids: Vec<&Value> = mine.as_array().unwrap().iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, vec![&booked_id]);
    let hidden = app
        .get(
            &format!("/api/v1/appointments/{walk_in_id}"),
            Some(&claimant.token),
        )
        .await;
    assert_error(&hidden, Status::NotFound, "appointment_not_found");

    // Another account claiming the ID sees nothing until it proves the ID.
    app.register_citizen("Nguyễn Văn Thử", claimed_id, "0912000071", "Hoa-sen-2026")
        .await;
    let (holder_token, _) = app.login_with("0912000071", "Hoa-sen-2026").await;
    let (_, mine) = app
        .get("/api/v1/appointments/mine", Some(&holder_token))
        .await;
    assert_eq!(mine, json!([]));
    app.verify_at_desk(&holder_token, claimed_id).await;
    let (_, mine) = app
        .get("/api/v1/appointments/mine", Some(&holder_token))
        .await;
    let mut ids: Vec<String> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    let mut expected = vec![walk_in_id.clone(), booked_id.as_str().unwrap().to_owned()];
    expected.sort();
    assert_eq!(ids, expected);
    let (status, _) = app
        .get(
            &format!("/api/v1/appointments/{walk_in_id}"),
            Some(&holder_token),
        )
        .await;
    assert_eq!(status, Status::Ok);
});
