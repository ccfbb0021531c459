//! Four eyes for signing power: the official role is requested by one admin and approved
//! by a second person (another admin or the office's head official), audited.

use certcopy::db::models::{Role, User};
use rocket::http::Status;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, assert_error};
use crate::db_test;

/// An official-only route: annulling a copy. A non-official is refused by the guard (403
/// `forbidden`) before the copy is looked up (404 for an official).
async fn may_sign(app: &TestApp, token: &str) -> bool {
    let path = format!("/api/v1/copies/{}/annul", uuid::Uuid::new_v4());
    let answer = app
        .post_json(&path, &json!({"reason": "thử quyền ký"}), Some(token))
        .await;
    answer.0 != Status::Forbidden
}

async fn create_official(
    app: &TestApp,
    admin_token: &str,
    office_id: &str,
    username: &str,
) -> Value {
    let (status, created) = app
        .post_json(
            "/api/v1/admin/staff",
            &json!({"role": "official", "username": username, "full_name": "Lê Văn Ký", "office_id": office_id, "position": "Phó Chủ tịch UBND phường", "password": "Ky-duyet-2026"}),
            Some(admin_token),
        )
        .await;
    assert_eq!(status, Status::Accepted, "{created}");
    created
}

async fn role_of(app: &TestApp, id: &str) -> (String, Option<String>) {
    let id = certcopy::db::ids::UserId::parse(id).unwrap();
    let user = app
        .db(move |conn| User::find(conn, &id).unwrap().unwrap())
        .await;
    (user.role, user.position)
}

#[rocket::async_test]
async fn a_second_admin_approves_an_official_and_only_then_a_certificate_is_made() {
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    let (first, first_token) = app.signed_in(Role::Admin, "quantri.de").await;
    let (second, second_token) = app.signed_in(Role::Admin, "quantri.duyet").await;
    let office = app.office("UBND Phường Bốn Mắt").await;
    let created = create_official(&app, &first_token, office.id.as_str(), "lanhdao.moi").await;
    let user_id = created["id"].as_str().unwrap().to_owned();
    let grant = &created["official_grant"];
    assert_eq!(created["role"], "clerk", "works as a clerk until approved");
    assert_eq!(grant["status"], "pending");
    assert_eq!(grant["requested_by"], first.id.as_str());
    let grant_id = grant["id"].as_str().unwrap().to_owned();

    let key = app
        .dir
        .join("pki/officials")
        .join(&user_id)
        .join("signing.key");
    assert!(!key.exists(), "no signing certificate before approval");
    let (status, login) = app.login_answer("lanhdao.moi", "Ky-duyet-2026").await;
    assert_eq!(status, Status::Ok, "{login}");
    let token = login["token"].as_str().unwrap().to_owned();
    assert!(!may_sign(&app, &token).await);

    // The requester cannot approve alone; a clerk or citizen cannot approve at all.
    let approve = format!("/api/v1/official-grants/{grant_id}/approve");
    let alone = app
        .post_json(&approve, &json!({}), Some(&first_token))
        .await;
    assert_error(&alone, Status::Forbidden, "second_person_required");
    let (_, clerk_token) = app.signed_in(Role::Clerk, "canbo.chen").await;
    let clerk = app
        .post_json(&approve, &json!({}), Some(&clerk_token))
        .await;
    assert_error(&clerk, Status::Forbidden, "forbidden");
    let own = app.post_json(&approve, &json!({}), Some(&token)).await;
    assert_error(&own, Status::Forbidden, "forbidden");

    let (status, listed) = app
        .get(
            "/api/v1/official-grants?status=pending",
            Some(&second_token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{listed}");
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let (status, approved) = app
        .post_json(&approve, &json!({}), Some(&second_token))
        .await;
    assert_eq!(status, Status::Ok, "{approved}");
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["decided_by"], second.id.as_str());
    assert_eq!(
        role_of(&app, &user_id).await,
        (
            "official".to_owned(),
            Some("Phó Chủ tịch UBND phường".to_owned())
        )
    );
    assert!(key.exists(), "certificate made on approval");
    assert!(may_sign(&app, &token).await);
    let twice = app
        .post_json(&approve, &json!({}), Some(&second_token))
        .await;
    assert_error(&twice, Status::Conflict, "grant_already_decided");

    let requested = app.audit_rows("official_grant.request").await;
    assert_eq!(requested.len(), 1);
    assert_eq!(requested[0].actor_id.as_ref(), Some(&first.id));
    assert_eq!(requested[0].office_id.as_ref(), Some(&office.id));
    let decided = app.audit_rows("official_grant.approve").await;
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0].actor_id.as_ref(), Some(&second.id));
    assert_eq!(decided[0].target.as_deref(), Some(grant_id.as_str()));
}

db_test!(
    the_head_official_approves_or_refuses_for_their_office_only,
    |app| {
        let (admin, admin_token) = app.signed_in(Role::Admin, "quantri.truong").await;
        let office = app.office("UBND Phường Có Trưởng").await;
        let other_office = app.office("UBND Phường Khác").await;
        let head = app
            .user(Role::Official, "chutich.truong", Some(&office.id))
            .await;
        let other_head = app
            .user(Role::Official, "chutich.khac", Some(&other_office.id))
            .await;
        for (office_id, user_id) in [(&office.id, &head.id), (&other_office.id, &other_head.id)] {
            let (status, body) = app
                .put_json(
                    &format!("/api/v1/admin/offices/{office_id}/head"),
                    &json!({"user_id": user_id}),
                    Some(&admin_token),
                )
                .await;
            assert_eq!(status, Status::Ok, "{body}");
        }
        // Only an enabled official of the office can head it.
        let clerk = app
            .user(Role::Clerk, "canbo.truong", Some(&office.id))
            .await;
        let not_official = app
            .put_json(
                &format!("/api/v1/admin/offices/{}/head", office.id),
                &json!({"user_id": clerk.id}),
                Some(&admin_token),
            )
            .await;
        assert_error(
            &not_official,
            Status::UnprocessableEntity,
            "not_an_official_of_office",
        );
        assert_eq!(app.audit_rows("office.head_appoint").await.len(), 2);

        // The admin asks for the existing clerk to become an official.
        let (status, grant) = app
            .post_json(
                "/api/v1/official-grants",
                &json!({"user_id": clerk.id, "position": "Phó Chủ tịch UBND phường"}),
                Some(&admin_token),
            )
            .await;
        assert_eq!(status, Status::Created, "{grant}");
        let grant_id = grant["id"].as_str().unwrap().to_owned();
        let duplicate = app
            .post_json(
                "/api/v1/official-grants",
                &json!({"user_id": clerk.id, "position": "Phó Chủ tịch"}),
                Some(&admin_token),
            )
            .await;
        assert_error(&duplicate, Status::Conflict, "grant_pending");

        let other_token = app.login("chutich.khac").await;
        let (status, seen) = app.get("/api/v1/official-grants", Some(&other_token)).await;
        assert_eq!(status, Status::Ok);
        assert!(seen.as_array().unwrap().is_empty(), "{seen}");
        let approve = format!("/api/v1/official-grants/{grant_id}/approve");
        let foreign = app
            .post_json(&approve, &json!({}), Some(&other_token))
            .await;
        // An official of another office is not told the request exists.
        assert_error(&foreign, Status::NotFound, "grant_not_found");

        let head_token = app.login("chutich.truong").await;
        let (_, seen) = app.get("/api/v1/official-grants", Some(&head_token)).await;
        assert_eq!(seen.as_array().unwrap().len(), 1);
        let refuse = format!("/api/v1/official-grants/{grant_id}/refuse");
        let no_reason = app
            .post_json(&refuse, &json!({"reason": ""}), Some(&head_token))
            .await;
        assert_error(&no_reason, Status::UnprocessableEntity, "invalid_field");
        let (status, refused) = app
            .post_json(
                &refuse,
                &json!({"reason": "chưa có quyết định bổ nhiệm"}),
                Some(&head_token),
            )
            .await;
        assert_eq!(status, Status::Ok, "{refused}");
        assert_eq!(refused["status"], "refused");
        assert_eq!(role_of(&app, clerk.id.as_str()).await.0, "clerk");
        let rows = app.audit_rows("official_grant.refuse").await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].actor_id.as_ref(), Some(&head.id));
        assert_eq!(rows[0].office_id.as_ref(), Some(&office.id));

        // A new request, approved by the head this time.
        let (_, grant) = app
            .post_json(
                "/api/v1/official-grants",
                &json!({"user_id": clerk.id, "position": "Phó Chủ tịch UBND phường"}),
                Some(&admin_token),
            )
            .await;
        let approve = format!(
            "/api/v1/official-grants/{}/approve",
            grant["id"].as_str().unwrap()
        );
        let (status, approved) = app.post_json(&approve, &json!({}), Some(&head_token)).await;
        assert_eq!(status, Status::Ok, "{approved}");
        assert_eq!(role_of(&app, clerk.id.as_str()).await.0, "official");
        let rows = app.audit_rows("official_grant.approve").await;
        assert_eq!(rows[0].actor_id.as_ref(), Some(&head.id));
        assert_ne!(rows[0].actor_id.as_ref(), Some(&admin.id));

        // Only clerks can be proposed; citizens see nothing.
        let citizen = app.user(Role::Citizen, "dan.truong", None).await;
        let not_clerk = app
            .post_json(
                "/api/v1/official-grants",
                &json!({"user_id": citizen.id, "position": "X"}),
                Some(&admin_token),
            )
            .await;
        assert_error(&not_clerk, Status::Conflict, "not_a_clerk_of_office");
        let citizen_token = app.login("dan.truong").await;
        let listed = app
            .get("/api/v1/official-grants", Some(&citizen_token))
            .await;
        assert_error(&listed, Status::Forbidden, "forbidden");
    }
);

db_test!(the_demo_official_heads_the_demo_office, |app| {
    let (office_id, head, official) = app
        .db(|conn| {
            let demo = certcopy::auth::seed_demo(conn).unwrap().unwrap();
            let head = certcopy::db::models::OfficeHead::of_office(conn, &demo.office.id)
                .unwrap()
                .map(|head| head.user_id);
            let official = User::officials(conn).unwrap().remove(0).id;
            (demo.office.id, head, official)
        })
        .await;
    assert_eq!(head, Some(official), "head of {office_id}");
});
