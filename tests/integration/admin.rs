use certcopy::db::models::{AuditEntry, Role};
use rocket::http::Status;
use serde_json::json;

use crate::common::{Backend, TestApp, assert_error};
use crate::db_test;

db_test!(
    admin_creates_office_staff_agency_and_everything_is_audited,
    |app| {
        let (admin, token) = app.signed_in(Role::Admin, "quantri").await;
        let (status, office) = app
        .post_json(
            "/api/v1/admin/offices",
            &json!({"name": "UBND Phường Thử", "kind": "commune_committee", "province": "Hà Nội", "address": "1 Tràng Tiền"}),
            Some(&token),
        )
        .await;
        assert_eq!(status, Status::Created, "{office}");
        let office_id = office["id"].as_str().unwrap().to_owned();

        let (status, clerk) = app
        .post_json(
            "/api/v1/admin/staff",
            &json!({"role": "clerk", "username": "canbo.thu", "full_name": "Phạm Thị Cán Bộ", "office_id": office_id, "password": "Can-bo-2026x"}),
            Some(&token),
        )
        .await;
        assert_eq!(status, Status::Created, "{clerk}");
        assert_eq!(clerk["office_id"], office_id.as_str());

        // An official needs a position; a clerk needs an office.
        let no_position = app
        .post_json(
            "/api/v1/admin/staff",
            &json!({"role": "official", "username": "lanhdao.thu", "full_name": "Lê Văn Lãnh", "office_id": office_id, "password": "Lanh-dao-2026"}),
            Some(&token),
        )
        .await;
        assert_error(&no_position, Status::UnprocessableEntity, "invalid_field");
        let no_office = app
        .post_json(
            "/api/v1/admin/staff",
            &json!({"role": "clerk", "username": "canbo.hai", "full_name": "Võ Văn Hai", "password": "Can-bo-2026x"}),
            Some(&token),
        )
        .await;
        assert_error(&no_office, Status::NotFound, "office_not_found");
        let citizen_role = app
        .post_json(
            "/api/v1/admin/staff",
            &json!({"role": "citizen", "username": "dan.thu", "full_name": "Võ Văn Hai", "password": "Can-bo-2026x"}),
            Some(&token),
        )
        .await;
        assert_error(&citizen_role, Status::UnprocessableEntity, "invalid_role");
        let duplicate = app
        .post_json(
            "/api/v1/admin/staff",
            &json!({"role": "clerk", "username": "canbo.thu", "full_name": "Phạm Thị Khác", "office_id": office_id, "password": "Can-bo-2026x"}),
            Some(&token),
        )
        .await;
        assert_error(&duplicate, Status::Conflict, "account_exists");

        let (status, agency) = app
            .post_json(
                "/api/v1/admin/agencies",
                &json!({"name": "Sở Giáo dục (thử)", "username": "so.giaoduc"}),
                Some(&token),
            )
            .await;
        assert_eq!(status, Status::Created, "{agency}");
        let agency_id = agency["agency"]["id"].as_str().unwrap().to_owned();
        let (status, second) = app
            .post_json(
                &format!("/api/v1/admin/agencies/{agency_id}/api-keys"),
                &json!({"label": "máy chủ 2"}),
                Some(&token),
            )
            .await;
        assert_eq!(status, Status::Created, "{second}");
        let key = second["api_key"].as_str().unwrap();
        assert!(key.starts_with("cc_live_"));
        let me = crate::common::read(
            app.client
                .get("/api/v1/me")
                .header(rocket::http::Header::new(
                    "Authorization",
                    format!("ApiKey {key}"),
                ))
                .dispatch()
                .await,
        )
        .await;
        assert_eq!(me.1["role"], "agency", "{}", me.1);

        // Keys are stored hashed only.
        let stored: Vec<String> = app
            .db(|conn| {
                use certcopy::db::schema::api_keys;
                use diesel::prelude::*;
                api_keys::table
                    .select(api_keys::key_hash)
                    .load(conn)
                    .unwrap()
            })
            .await;
        assert_eq!(stored.len(), 2);
        assert!(stored.iter().all(|h| h.len() == 64 && h != key));

        let audit = app.db(|conn| AuditEntry::latest(conn, 100).unwrap()).await;
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        for expected in [
            "auth.login",
            "office.create",
            "staff.create",
            "agency.create",
            "api_key.issue",
        ] {
            assert!(
                actions.contains(&expected),
                "{expected} not audited: {actions:?}"
            );
        }
        let office_row = audit.iter().find(|a| a.action == "office.create").unwrap();
        assert_eq!(office_row.actor_id.as_ref(), Some(&admin.id));
        assert!(office_row.request_id.is_some());
        assert!(
            !audit.iter().any(|a| a.detail.contains("Can-bo-2026x")),
            "no password in the audit log"
        );

        let (status, rows) = app.get("/api/v1/admin/audit?limit=3", Some(&token)).await;
        assert_eq!(status, Status::Ok);
        assert_eq!(rows.as_array().unwrap().len(), 3);
    }
);

db_test!(non_admins_cannot_administer, |app| {
    let (_, clerk_token) = app.signed_in(Role::Clerk, "canbo.x").await;
    let answer = app
        .post_json(
            "/api/v1/admin/offices",
            &json!({"name": "X", "kind": "notary", "province": "Huế", "address": "Y"}),
            Some(&clerk_token),
        )
        .await;
    assert_error(&answer, Status::Forbidden, "forbidden");
    let bad_id = app
        .post_json(
            "/api/v1/admin/agencies/not-a-uuid/api-keys",
            &json!({"label": "x"}),
            Some(&clerk_token),
        )
        .await;
    assert!(bad_id.0.code >= 400 && bad_id.0.code < 500);
    assert!(bad_id.1["error"]["code"].is_string());
});

#[rocket::async_test]
async fn dev_pki_is_created_for_new_offices_and_officials() {
    let app = TestApp::builder(Backend::Sqlite)
        .with_dev_pki()
        .build()
        .await
        .unwrap();
    let (_, token) = app.signed_in(Role::Admin, "quantri").await;
    let (_, office) = app
        .post_json(
            "/api/v1/admin/offices",
            &json!({"name": "Phòng Tư pháp Thử", "kind": "district_justice", "province": "Đà Nẵng", "address": "Z"}),
            Some(&token),
        )
        .await;
    let office_id = office["id"].as_str().unwrap().to_owned();
    let (status, official) = app
        .post_json(
            "/api/v1/admin/staff",
            &json!({"role": "official", "username": "truongphong", "full_name": "Đặng Văn Trưởng", "office_id": office_id, "position": "Trưởng phòng", "password": "Truong-phong-26"}),
            Some(&token),
        )
        .await;
    assert_eq!(status, Status::Accepted, "{official}");
    // Signing power needs a second admin's approval; the certificate comes with it.
    let official_key = || {
        app.dir
            .join("pki/officials")
            .join(official["id"].as_str().unwrap())
            .join("signing.key")
    };
    assert!(!official_key().exists());
    let (_, second) = app.signed_in(Role::Admin, "quantri.hai").await;
    let (status, approved) = app
        .post_json(
            &format!(
                "/api/v1/official-grants/{}/approve",
                official["official_grant"]["id"].as_str().unwrap()
            ),
            &json!({}),
            Some(&second),
        )
        .await;
    assert_eq!(status, Status::Ok, "{approved}");
    let pki = app.dir.join("pki");
    assert!(
        pki.join("root.crt").exists()
            && pki.join("justice-ca.crt").exists()
            && pki.join("crl.pem").exists()
    );
    assert!(
        pki.join("offices")
            .join(&office_id)
            .join("seal.crt")
            .exists()
    );
    assert!(
        pki.join("officials")
            .join(official["id"].as_str().unwrap())
            .join("signing.key")
            .exists()
    );
}
