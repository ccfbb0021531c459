//! Account lifecycle: disable/enable, ending sessions, API key revocation, changing and
//! resetting passwords — each audited with actor, target and office.

use certcopy::audit::Actor;
use certcopy::auth::{self, LifecycleError};
use certcopy::db::models::{Role, TemporaryPassword};
use rocket::http::{Header, Status};
use serde_json::json;

use crate::common::{PASSWORD, TestApp, assert_error, read};
use crate::db_test;

async fn with_api_key(app: &TestApp, key: &str) -> (Status, serde_json::Value) {
    read(
        app.client
            .get("/api/v1/me")
            .header(Header::new("X-Api-Key", key.to_owned()))
            .dispatch()
            .await,
    )
    .await
}

db_test!(admin_disables_and_enables_an_account, |app| {
    let (admin, admin_token) = app.signed_in(Role::Admin, "quantri.mot").await;
    let (clerk, clerk_token) = app.signed_in(Role::Clerk, "canbo.khoa").await;
    let path = format!("/api/v1/admin/accounts/{}", clerk.id);

    let no_reason = app
        .post_json(
            &format!("{path}/disable"),
            &json!({"reason": " "}),
            Some(&admin_token),
        )
        .await;
    assert_error(&no_reason, Status::UnprocessableEntity, "invalid_field");
    let (status, body) = app
        .post_json(
            &format!("{path}/disable"),
            &json!({"reason": "nghỉ việc"}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["sessions_ended"], 1);
    // The session ended at once, and the account cannot sign in again.
    let gone = app.get("/api/v1/me", Some(&clerk_token)).await;
    assert_error(&gone, Status::Unauthorized, "not_authenticated");
    let refused = app.login_answer("canbo.khoa", PASSWORD).await;
    assert_error(&refused, Status::Forbidden, "account_disabled");

    let (status, _) = app
        .post_json(&format!("{path}/enable"), &json!({}), Some(&admin_token))
        .await;
    assert_eq!(status, Status::Ok);
    app.login("canbo.khoa").await;

    let disabled = app.audit_rows("account.disable").await;
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0].actor_id.as_ref(), Some(&admin.id));
    assert_eq!(disabled[0].target.as_deref(), Some(clerk.id.as_str()));
    assert_eq!(disabled[0].office_id, clerk.office_id);
    assert!(disabled[0].detail.contains("nghỉ việc"));
    assert_eq!(app.audit_rows("account.enable").await.len(), 1);

    // Nobody disables themself; a non-admin disables nobody.
    let own = app
        .post_json(
            &format!("/api/v1/admin/accounts/{}/disable", admin.id),
            &json!({"reason": "thử"}),
            Some(&admin_token),
        )
        .await;
    assert_error(&own, Status::Conflict, "own_account");
    let clerk_token = app.login("canbo.khoa").await;
    let forbidden = app
        .post_json(
            &format!("/api/v1/admin/accounts/{}/disable", admin.id),
            &json!({"reason": "thử"}),
            Some(&clerk_token),
        )
        .await;
    assert_error(&forbidden, Status::Forbidden, "forbidden");
    let missing = app
        .post_json(
            &format!("/api/v1/admin/accounts/{}/disable", uuid::Uuid::new_v4()),
            &json!({"reason": "thử"}),
            Some(&admin_token),
        )
        .await;
    assert_error(&missing, Status::NotFound, "account_not_found");
});

db_test!(the_last_enabled_admin_cannot_be_disabled, |app| {
    let first = app.user(Role::Admin, "quantri.a", None).await;
    let second = app.user(Role::Admin, "quantri.b", None).await;
    let (first_actor, second_actor) = (Actor::from(&first), Actor::from(&second));
    let (first_id, second_id) = (first.id.clone(), second.id.clone());
    // Two admins disabling each other at the same moment: whichever runs second finds
    // itself the last enabled admin (its own guard ran before the first one committed).
    let outcome = app
        .db(move |conn| {
            auth::set_account_disabled(conn, &first_actor, &second_id, true, Some("a"), None)
                .unwrap();
            auth::set_account_disabled(conn, &second_actor, &first_id, true, Some("b"), None)
        })
        .await;
    assert!(
        matches!(outcome, Err(LifecycleError::LastAdmin)),
        "{outcome:?}"
    );
    app.login("quantri.a").await;
});

db_test!(
    disabling_an_agency_stops_its_keys_and_one_key_can_be_revoked,
    |app| {
        let (_, admin_token) = app.signed_in(Role::Admin, "quantri.khoa").await;
        let (_, created) = app
            .post_json(
                "/api/v1/admin/agencies",
                &json!({"name": "Sở Nội vụ (thử)", "username": "so.noivu"}),
                Some(&admin_token),
            )
            .await;
        let agency_id = created["agency"]["id"].as_str().unwrap().to_owned();
        let first_key = created["api_key"].as_str().unwrap().to_owned();
        let (_, second) = app
            .post_json(
                &format!("/api/v1/admin/agencies/{agency_id}/api-keys"),
                &json!({"label": "dự phòng"}),
                Some(&admin_token),
            )
            .await;
        let second_key = second["api_key"].as_str().unwrap().to_owned();
        assert_eq!(with_api_key(&app, &first_key).await.0, Status::Ok);

        let account = format!("/api/v1/admin/accounts/{agency_id}");
        app.post_json(
            &format!("{account}/disable"),
            &json!({"reason": "tạm dừng"}),
            Some(&admin_token),
        )
        .await;
        for key in [&first_key, &second_key] {
            assert_error(
                &with_api_key(&app, key).await,
                Status::Forbidden,
                "account_disabled",
            );
        }
        app.post_json(&format!("{account}/enable"), &json!({}), Some(&admin_token))
            .await;
        assert_eq!(with_api_key(&app, &first_key).await.0, Status::Ok);

        let (status, keys) = app
            .get(
                &format!("/api/v1/admin/agencies/{agency_id}/api-keys"),
                Some(&admin_token),
            )
            .await;
        assert_eq!(status, Status::Ok, "{keys}");
        let keys = keys.as_array().unwrap().clone();
        assert_eq!(keys.len(), 2);
        assert!(!keys.iter().any(|k| k.to_string().contains(&first_key)));
        let first = keys
            .iter()
            .find(|k| {
                first_key.starts_with(k["prefix"].as_str().unwrap()) && k["label"] == "default"
            })
            .unwrap();
        let revoke = format!(
            "/api/v1/admin/agencies/{agency_id}/api-keys/{}/revoke",
            first["id"].as_str().unwrap()
        );
        let (status, _) = app.post_json(&revoke, &json!({}), Some(&admin_token)).await;
        assert_eq!(status, Status::NoContent);
        assert_error(
            &with_api_key(&app, &first_key).await,
            Status::Unauthorized,
            "not_authenticated",
        );
        assert_eq!(with_api_key(&app, &second_key).await.0, Status::Ok);
        let again = app.post_json(&revoke, &json!({}), Some(&admin_token)).await;
        assert_error(&again, Status::NotFound, "api_key_not_found");
        let revoked = app.audit_rows("api_key.revoke").await;
        assert_eq!(revoked.len(), 1);
        assert_eq!(revoked[0].target.as_deref(), first["id"].as_str());
        assert!(!revoked[0].detail.contains(&first_key));
    }
);

db_test!(admin_ends_all_sessions_of_an_account, |app| {
    let (_, admin_token) = app.signed_in(Role::Admin, "quantri.phien").await;
    let (citizen, first) = app.signed_in(Role::Citizen, "dan.phien").await;
    let second = app.login("dan.phien").await;
    let (status, body) = app
        .post_json(
            &format!("/api/v1/admin/accounts/{}/sessions/end", citizen.id),
            &json!({}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["sessions_ended"], 2);
    for token in [&first, &second] {
        let answer = app.get("/api/v1/me", Some(token)).await;
        assert_error(&answer, Status::Unauthorized, "not_authenticated");
    }
    let rows = app.audit_rows("account.sessions_end").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].target.as_deref(), Some(citizen.id.as_str()));
    // The account itself still works.
    app.login("dan.phien").await;
});

db_test!(a_person_changes_their_own_password, |app| {
    let (user, current) = app.signed_in(Role::Clerk, "canbo.doimk").await;
    let other = app.login("canbo.doimk").await;
    let change = |current_password: &str, new_password: &str| json!({"current_password": current_password, "new_password": new_password});
    let wrong = app
        .post_json(
            "/api/v1/me/password",
            &change("Sai-mat-khau-1", "Moi-2026-abc"),
            Some(&current),
        )
        .await;
    assert_error(&wrong, Status::Forbidden, "wrong_current_password");
    let same = app
        .post_json(
            "/api/v1/me/password",
            &change(PASSWORD, PASSWORD),
            Some(&current),
        )
        .await;
    assert_error(&same, Status::UnprocessableEntity, "same_password");
    let weak = app
        .post_json(
            "/api/v1/me/password",
            &change(PASSWORD, "ngan1"),
            Some(&current),
        )
        .await;
    assert_error(&weak, Status::UnprocessableEntity, "weak_password");
    let anonymous = app
        .post_json(
            "/api/v1/me/password",
            &change(PASSWORD, "Moi-2026-abc"),
            None,
        )
        .await;
    assert_error(&anonymous, Status::Unauthorized, "not_authenticated");

    let (status, body) = app
        .post_json(
            "/api/v1/me/password",
            &change(PASSWORD, "Moi-2026-abc"),
            Some(&current),
        )
        .await;
    assert_eq!(status, Status::Ok, "{body}");
    assert_eq!(body["other_sessions_ended"], 1);
    assert_eq!(app.get("/api/v1/me", Some(&current)).await.0, Status::Ok);
    let ended = app.get("/api/v1/me", Some(&other)).await;
    assert_error(&ended, Status::Unauthorized, "not_authenticated");
    let old = app.login_answer("canbo.doimk", PASSWORD).await;
    assert_error(&old, Status::Unauthorized, "bad_credentials");
    assert_eq!(
        app.login_answer("canbo.doimk", "Moi-2026-abc").await.0,
        Status::Ok
    );

    let rows = app.audit_rows("account.password_change").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].actor_id.as_ref(), Some(&user.id));
    assert_eq!(rows[0].office_id, user.office_id);
    assert!(!rows[0].detail.contains("Moi-2026-abc") && !rows[0].detail.contains(PASSWORD));
});

db_test!(
    an_admin_reset_gives_a_temporary_password_that_must_be_changed,
    |app| {
        let (admin, admin_token) = app.signed_in(Role::Admin, "quantri.datlai").await;
        let (clerk, clerk_token) = app.signed_in(Role::Clerk, "canbo.quenmk").await;
        let reset = format!("/api/v1/admin/accounts/{}/password-reset", clerk.id);
        let (status, body) = app.post_json(&reset, &json!({}), Some(&admin_token)).await;
        assert_eq!(status, Status::Ok, "{body}");
        let temporary = body["temporary_password"].as_str().unwrap().to_owned();
        assert_eq!(body["password_change_required"], true);

        // Every session ended; the old password no longer works.
        let ended = app.get("/api/v1/me", Some(&clerk_token)).await;
        assert_error(&ended, Status::Unauthorized, "not_authenticated");
        let old = app.login_answer("canbo.quenmk", PASSWORD).await;
        assert_error(&old, Status::Unauthorized, "bad_credentials");

        // The temporary password signs in to a session that may only change it.
        let (status, login) = app.login_answer("canbo.quenmk", &temporary).await;
        assert_eq!(status, Status::Ok, "{login}");
        assert_eq!(login["password_change_required"], true);
        let token = login["token"].as_str().unwrap().to_owned();
        let (status, me) = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(me["password_change_required"], true);
        let desk = app.get("/api/v1/desk/appointments", Some(&token)).await;
        assert_error(&desk, Status::Forbidden, "password_change_required");
        let (status, _) = app
            .post_json(
                "/api/v1/me/password",
                &json!({"current_password": temporary, "new_password": "Cua-toi-2026x"}),
                Some(&token),
            )
            .await;
        assert_eq!(status, Status::Ok);
        let (_, me) = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(me["password_change_required"], false);
        let desk = app.get("/api/v1/desk/appointments", Some(&token)).await;
        assert_ne!(desk.0, Status::Forbidden, "{}", desk.1);
        let again = app.login_answer("canbo.quenmk", &temporary).await;
        assert_error(&again, Status::Unauthorized, "bad_credentials");

        let rows = app.audit_rows("account.password_reset").await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].actor_id.as_ref(), Some(&admin.id));
        assert_eq!(rows[0].target.as_deref(), Some(clerk.id.as_str()));
        assert_eq!(rows[0].office_id, clerk.office_id);
        assert!(!rows[0].detail.contains(&temporary));

        // Not for oneself; not for an agency (API keys only).
        let own = app
            .post_json(
                &format!("/api/v1/admin/accounts/{}/password-reset", admin.id),
                &json!({}),
                Some(&admin_token),
            )
            .await;
        assert_error(&own, Status::Conflict, "own_account");
        let agency = app.user(Role::Agency, "so.datlai", None).await;
        let agency_reset = app
            .post_json(
                &format!("/api/v1/admin/accounts/{}/password-reset", agency.id),
                &json!({}),
                Some(&admin_token),
            )
            .await;
        assert_error(
            &agency_reset,
            Status::UnprocessableEntity,
            "no_password_login",
        );
    }
);

db_test!(an_expired_temporary_password_no_longer_signs_in, |app| {
    let (_, admin_token) = app.signed_in(Role::Admin, "quantri.hethan").await;
    let citizen = app.user(Role::Citizen, "dan.hethan", None).await;
    let (_, body) = app
        .post_json(
            &format!("/api/v1/admin/accounts/{}/password-reset", citizen.id),
            &json!({}),
            Some(&admin_token),
        )
        .await;
    let temporary = body["temporary_password"].as_str().unwrap().to_owned();
    let id = citizen.id.clone();
    app.db(move |conn| {
        let mut mark = TemporaryPassword::of(conn, &id).unwrap().unwrap();
        mark.expires_at = certcopy::db::now_utc() - time::Duration::minutes(1);
        mark.replace(conn).unwrap();
    })
    .await;
    let login = app
        .login_answer(citizen.citizen_id.as_deref().unwrap(), &temporary)
        .await;
    assert_error(&login, Status::Forbidden, "temporary_password_expired");
});
