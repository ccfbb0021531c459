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

db_test!(
    staff_created_without_a_password_get_a_temporary_one,
    |app| {
        let (_, token) = app.signed_in(Role::Admin, "quantri.tam").await;
        let office = app.office("UBND Phường Tạm Thời").await;
        let (status, clerk) = app
        .post_json(
            "/api/v1/admin/staff",
            &json!({"role": "clerk", "username": "canbo.tam", "full_name": "Hồ Thị Tâm", "office_id": office.id}),
            Some(&token),
        )
        .await;
        assert_eq!(status, Status::Created, "{clerk}");
        let temporary = clerk["temporary_password"].as_str().unwrap().to_owned();
        assert!(
            clerk["temporary_password_expires_at"].is_string(),
            "{clerk}"
        );
        // It signs in once, for changing it only; it is never in the audit log.
        let (status, login) = app.login_answer("canbo.tam", &temporary).await;
        assert_eq!(status, Status::Ok, "{login}");
        assert_eq!(login["password_change_required"], true, "{login}");
        let rows = app.audit_rows("staff.create").await;
        assert_eq!(rows.len(), 1);
        assert!(!rows[0].detail.contains(&temporary));
        assert!(rows[0].detail.contains("\"temporary_password\":true"));
        // A password given is the account's own: no temporary one answered.
        let (status, own) = app
        .post_json(
            "/api/v1/admin/staff",
            &json!({"role": "clerk", "username": "canbo.rieng", "full_name": "Hồ Văn Riêng", "office_id": office.id, "password": "Rieng-tu-2026"}),
            Some(&token),
        )
        .await;
        assert_eq!(status, Status::Created, "{own}");
        assert!(own.get("temporary_password").is_none(), "{own}");
        let (status, login) = app.login_answer("canbo.rieng", "Rieng-tu-2026").await;
        assert_eq!(status, Status::Ok);
        assert_eq!(login["password_change_required"], false, "{login}");
    }
);

db_test!(
    the_audit_log_is_filtered_by_actor_office_action_and_dates,
    |app| {
        let (admin, token) = app.signed_in(Role::Admin, "quantri.loc").await;
        let (_, other) = app.signed_in(Role::Admin, "quantri.khac").await;
        let mut offices = Vec::new();
        for (name, by) in [
            ("UBND Phường Một", &token),
            ("UBND Phường Hai", &token),
            ("UBND Phường Ba", &other),
        ] {
            let (status, office) = app
            .post_json(
                "/api/v1/admin/offices",
                &json!({"name": name, "kind": "commune_committee", "province": "Huế", "address": "1 Lê Lợi"}),
                Some(by),
            )
            .await;
            assert_eq!(status, Status::Created, "{office}");
            offices.push(office["id"].as_str().unwrap().to_owned());
        }
        let (status, _) = app
            .put_json(
                &format!("/api/v1/offices/{}/calendar", offices[0]),
                &json!({"counters": 3}),
                Some(&token),
            )
            .await;
        assert_eq!(status, Status::Ok);
        let read = |query: String| {
            let token = token.clone();
            let app = &app;
            async move {
                let (status, rows) = app
                    .get(&format!("/api/v1/admin/audit?{query}"), Some(&token))
                    .await;
                assert_eq!(status, Status::Ok, "{query}: {rows}");
                rows.as_array()
                    .unwrap()
                    .iter()
                    .map(|row| row["action"].as_str().unwrap().to_owned())
                    .collect::<Vec<_>>()
            }
        };
        // By username or id, newest first (signing in is audited too).
        assert_eq!(
            read("actor=quantri.loc".into()).await,
            [
                "calendar.update",
                "office.create",
                "office.create",
                "auth.login"
            ]
        );
        assert_eq!(
            read(format!("actor={}&action=office.create", admin.id)).await,
            ["office.create", "office.create"]
        );
        assert!(read("actor=khong.co.ai".into()).await.is_empty());
        // By office; by a kind of action (`office` is every `office.*`, not `office_*`).
        assert_eq!(
            read(format!("office={}", offices[0])).await,
            ["calendar.update", "office.create"]
        );
        assert_eq!(read("action=office".into()).await.len(), 3);
        assert_eq!(read("action=calendar.update".into()).await.len(), 1);
        // By Viet Nam dates, inclusive.
        let today = certcopy::local_time::local_date(time::OffsetDateTime::now_utc()).unwrap();
        let yesterday = today.previous_day().unwrap();
        assert_eq!(
            read(format!("action=office&from={today}&to={today}"))
                .await
                .len(),
            3
        );
        assert!(read(format!("to={yesterday}")).await.is_empty());
        // A page at a time: `limit`, then `before` the last row seen.
        let (_, first) = app
            .get("/api/v1/admin/audit?action=office&limit=2", Some(&token))
            .await;
        assert_eq!(first.as_array().unwrap().len(), 2);
        let last = first[1]["id"].as_i64().unwrap();
        let rest = read(format!("action=office&before={last}")).await;
        assert_eq!(rest, ["office.create"]);
        // Malformed filters are refused.
        for query in ["from=15/10/2026", "office=nope", "before=x"] {
            let (status, _) = app
                .get(&format!("/api/v1/admin/audit?{query}"), Some(&token))
                .await;
            assert!(
                status.code == 422 || status.code == 404,
                "{query}: {status}"
            );
        }
    }
);
