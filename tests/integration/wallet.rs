//! The wallet and shares through the API, on SQLite and PostgreSQL: a verified citizen's
//! copies with their history; a share for a purpose, redeemed by an agency (the copy's
//! facts and the report of the stored file; one use counted and shown to the citizen);
//! the PDF for the agency that redeemed it; a share for a named agency refused to
//! another (as not found); the number of uses; revocation at once; expiry; an annulled
//! copy not shareable; an agency's verification of the file in the history; the secret
//! stored only as its hash and never in the log.

use certcopy::db::models::Role;
use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};

use crate::booking::support::person;
use crate::common::{TestApp, read};
use crate::db_test;
use crate::issuing::{FIELDS, office_with_official, post_issue, small_jpeg};

const HOLDER_ID: &str = "079203001234";

async fn agency(app: &TestApp, admin: &str, username: &str) -> (String, String) {
    let (status, body) = app
        .post_json(
            "/api/v1/admin/agencies",
            &json!({"name": format!("Sở Giáo dục {username}"), "username": username}),
            Some(admin),
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    (
        body["agency"]["id"].as_str().unwrap().to_owned(),
        body["api_key"].as_str().unwrap().to_owned(),
    )
}

async fn as_agency(app: &TestApp, key: &str, path: &str, body: &Value) -> (Status, Value) {
    read(
        app.client
            .post(path.to_owned())
            .header(ContentType::JSON)
            .header(Header::new("X-Api-Key", key.to_owned()))
            .body(body.to_string())
            .dispatch()
            .await,
    )
    .await
}

db_test!(a_copy_is_shared_redeemed_counted_and_revoked, |app| {
    let (_office, _, official) = office_with_official(&app, "UBND Phường Ví", "lanhdao.vi").await;
    let holder = person(&app, Role::Citizen, 3_001_234, None).await;
    app.mark_verified(HOLDER_ID).await;
    let admin = person(&app, Role::Admin, 90, None).await;
    let (school, school_key) = agency(&app, &admin.token, "so.giaoduc").await;
    let (_, other_key) = agency(&app, &admin.token, "so.khac").await;
    let (status, copy) = post_issue(
        &app,
        &official,
        FIELDS,
        &[("scans", "a.jpg", &small_jpeg(1))],
    )
    .await;
    assert_eq!(status, Status::Created, "{copy}");
    let copy_id = copy["id"].as_str().unwrap().to_owned();

    // The wallet: the copy, no share, no use yet.
    let (status, wallet) = app.get("/api/v1/me/wallet", Some(&holder.token)).await;
    assert_eq!(status, Status::Ok, "{wallet}");
    assert_eq!(wallet.as_array().unwrap().len(), 1);
    assert_eq!(wallet[0]["id"], copy_id.as_str());
    assert_eq!(wallet[0]["office"], "UBND Phường Ví");
    assert_eq!(wallet[0]["shares"], json!([]));

    // Bad shares: no purpose, a day count out of range, an unknown agency.
    let shares = format!("/api/v1/me/wallet/{copy_id}/shares");
    for (body, field) in [
        (json!({"purpose": " "}), "purpose"),
        (json!({"purpose": "Hồ sơ", "days": 0}), "days"),
        (json!({"purpose": "Hồ sơ", "max_uses": 0}), "max_uses"),
    ] {
        let (status, answer) = app.post_json(&shares, &body, Some(&holder.token)).await;
        assert_eq!(status, Status::UnprocessableEntity, "{answer}");
        assert!(
            answer["error"]["message_en"]
                .as_str()
                .unwrap()
                .contains(field),
            "{answer}"
        );
    }
    let (status, answer) = app
        .post_json(
            &shares,
            &json!({"purpose": "Hồ sơ", "agency_id": holder_user_id(&app).await}),
            Some(&holder.token),
        )
        .await;
    assert_eq!(status, Status::UnprocessableEntity, "{answer}");
    assert_eq!(answer["error"]["code"], "agency_not_found");

    // A share for the school, two uses.
    let (status, made) = app
        .post_json(
            &shares,
            &json!({"purpose": "Tuyển sinh lớp 10", "procedure_code": "1.005095",
                    "agency_id": school, "max_uses": 2}),
            Some(&holder.token),
        )
        .await;
    assert_eq!(status, Status::Created, "{made}");
    let code = made["code"].as_str().unwrap().to_owned();
    assert!(code.len() >= 43, "256 bits: {code}");
    assert_eq!(made["share"]["state"], "active");
    // Stored only as its hash.
    let stored: Vec<String> = app
        .db(|conn| {
            use certcopy::db::schema::copy_shares::dsl::*;
            use diesel::prelude::*;
            copy_shares.select(token_hash).load(conn).unwrap()
        })
        .await;
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], code);
    assert_eq!(stored[0], certcopy::secrets::token_hash(&code));

    // Another agency: not found, as for a wrong code; no use counted.
    let redeem = "/api/v1/shares/redeem";
    let (status, answer) = as_agency(&app, &other_key, redeem, &json!({"code": code})).await;
    assert_eq!(status, Status::NotFound, "{answer}");
    let (status, answer) = as_agency(&app, &school_key, redeem, &json!({"code": "sai-ma"})).await;
    assert_eq!(status, Status::NotFound, "{answer}");
    // The PDF only after redeeming.
    let (status, _) = as_agency(
        &app,
        &school_key,
        "/api/v1/shares/pdf",
        &json!({"code": code}),
    )
    .await;
    assert_eq!(status, Status::NotFound);
    // A citizen cannot redeem.
    let (status, _) = app
        .post_json(redeem, &json!({"code": code}), Some(&holder.token))
        .await;
    assert_eq!(status, Status::Forbidden);

    // The school redeems: the copy, the purpose, a passing report of the stored file.
    let (status, redeemed) = as_agency(&app, &school_key, redeem, &json!({"code": code})).await;
    assert_eq!(status, Status::Ok, "{redeemed}");
    assert_eq!(redeemed["copy"]["id"], copy_id.as_str());
    assert_eq!(redeemed["share"]["purpose"], "Tuyển sinh lớp 10");
    assert_eq!(redeemed["share"]["uses"], 1);
    assert_eq!(
        redeemed["verification"]["verdict"], "TOTAL_PASSED",
        "{redeemed}"
    );
    assert!(redeemed.get("requester_citizen_id").is_none());
    let response = app
        .client
        .post("/api/v1/shares/pdf")
        .header(ContentType::JSON)
        .header(Header::new("X-Api-Key", school_key.clone()))
        .body(json!({"code": code}).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert!(response.into_bytes().await.unwrap().starts_with(b"%PDF-"));
    // Second use, then used up (410), nothing more counted.
    let (status, _) = as_agency(&app, &school_key, redeem, &json!({"code": code})).await;
    assert_eq!(status, Status::Ok);
    let (status, answer) = as_agency(&app, &school_key, redeem, &json!({"code": code})).await;
    assert_eq!(status, Status::Gone, "{answer}");
    assert_eq!(answer["error"]["code"], "share_used_up");

    // The citizen sees both uses by the school, for the purpose.
    let (_, wallet) = app
        .get(&format!("/api/v1/me/wallet/{copy_id}"), Some(&holder.token))
        .await;
    assert_eq!(wallet["shares"][0]["uses"], 2);
    assert_eq!(wallet["shares"][0]["state"], "used_up");
    let uses = wallet["uses"].as_array().unwrap();
    assert_eq!(uses.len(), 2, "{wallet}");
    assert!(
        uses.iter()
            .all(|u| u["agency"]["name"] == "Sở Giáo dục so.giaoduc")
    );
    assert!(uses.iter().all(|u| u["procedure"] == "Tuyển sinh lớp 10"));

    // A share for any agency, revoked: refused at once, also for the PDF.
    let (_, open) = app
        .post_json(
            &shares,
            &json!({"purpose": "Hồ sơ xin việc"}),
            Some(&holder.token),
        )
        .await;
    let open_code = open["code"].as_str().unwrap().to_owned();
    let (status, _) = as_agency(&app, &other_key, redeem, &json!({"code": open_code})).await;
    assert_eq!(status, Status::Ok, "any agency with the code");
    let share_id = open["share"]["id"].as_str().unwrap();
    let (status, revoked) = app
        .post_json(
            &format!("/api/v1/me/shares/{share_id}/revoke"),
            &json!({}),
            Some(&holder.token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{revoked}");
    assert_eq!(revoked["state"], "revoked");
    for path in [redeem, "/api/v1/shares/pdf"] {
        let (status, answer) = as_agency(&app, &other_key, path, &json!({"code": open_code})).await;
        assert_eq!(status, Status::Gone, "{path}: {answer}");
        assert_eq!(answer["error"]["code"], "share_revoked");
    }
    // Another citizen cannot revoke or see it.
    let stranger = person(&app, Role::Citizen, 3_009_999, None).await;
    app.mark_verified("079203009999").await;
    let (status, _) = app
        .post_json(
            &format!("/api/v1/me/shares/{share_id}/revoke"),
            &json!({}),
            Some(&stranger.token),
        )
        .await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = app
        .get(
            &format!("/api/v1/me/wallet/{copy_id}"),
            Some(&stranger.token),
        )
        .await;
    assert_eq!(status, Status::NotFound);

    // Expiry: a share past its day is gone.
    let (_, short) = app
        .post_json(
            &shares,
            &json!({"purpose": "Hồ sơ ngắn hạn", "days": 1}),
            Some(&holder.token),
        )
        .await;
    let short_code = short["code"].as_str().unwrap().to_owned();
    let short_id = short["share"]["id"].as_str().unwrap().to_owned();
    app.db(move |conn| {
        use certcopy::db::schema::copy_shares::dsl::*;
        use diesel::prelude::*;
        diesel::update(copy_shares.filter(id.eq(&short_id)))
            .set((
                created_at.eq(certcopy::db::now_utc() - time::Duration::days(2)),
                expires_at.eq(certcopy::db::now_utc() - time::Duration::minutes(1)),
            ))
            .execute(conn)
            .unwrap();
    })
    .await;
    let (status, answer) = as_agency(&app, &school_key, redeem, &json!({"code": short_code})).await;
    assert_eq!(status, Status::Gone, "{answer}");
    assert_eq!(answer["error"]["code"], "share_expired");

    // An agency verifying the file itself is in the history too.
    let pdf = {
        let response = app
            .client
            .get(format!("/api/v1/copies/{copy_id}/pdf"))
            .header(crate::common::bearer(&holder.token))
            .dispatch()
            .await;
        response.into_bytes().await.unwrap()
    };
    let (content_type, body) = crate::issuing::multipart(&[], &[("file", "copy.pdf", &pdf)]);
    let response = app
        .client
        .post("/api/v1/verifications")
        .header(content_type)
        .header(Header::new("X-Api-Key", other_key.clone()))
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let (_, wallet) = app
        .get(&format!("/api/v1/me/wallet/{copy_id}"), Some(&holder.token))
        .await;
    let kinds: Vec<&str> = wallet["uses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"verified"), "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "share_redeemed").count(), 3);

    // A share still live when the copy is annulled: its report, kept a few seconds for
    // the redemptions that follow, says FOUND before the annulment and ANNULLED after.
    let (status, live) = app
        .post_json(
            &shares,
            &json!({"purpose": "Hồ sơ học bổng"}),
            Some(&holder.token),
        )
        .await;
    assert_eq!(status, Status::Created, "{live}");
    let live = json!({"code": live["code"]});
    for _ in 0..2 {
        let (status, redeemed) = as_agency(&app, &school_key, redeem, &live).await;
        assert_eq!(status, Status::Ok, "{redeemed}");
        assert_eq!(redeemed["verification"]["register"]["status"], "FOUND");
    }

    // Annulled: shown with the reason, no longer shareable.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/copies/{copy_id}/annul"),
            &json!({"reason": "Cấp nhầm người"}),
            Some(&official),
        )
        .await;
    assert_eq!(status, Status::Ok);
    let (_, wallet) = app.get("/api/v1/me/wallet", Some(&holder.token)).await;
    assert_eq!(wallet[0]["status"], "annulled");
    assert_eq!(wallet[0]["annulled_reason"], "Cấp nhầm người");
    let (status, redeemed) = as_agency(&app, &school_key, redeem, &live).await;
    assert_eq!(status, Status::Ok, "{redeemed}");
    assert_eq!(
        redeemed["verification"]["register"]["status"], "ANNULLED",
        "the kept report went with the annulment: {redeemed}"
    );
    let (status, answer) = app
        .post_json(&shares, &json!({"purpose": "Hồ sơ"}), Some(&holder.token))
        .await;
    assert_eq!(status, Status::Conflict, "{answer}");

    // No secret in the audit log.
    let rows = app.audit_rows("copy.share").await;
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .all(|row| !row.detail.contains(&code) && !row.detail.contains(&open_code))
    );
});

/// The holder's account id (a citizen, not an agency: naming it in a share is refused).
async fn holder_user_id(app: &TestApp) -> String {
    app.db(|conn| {
        use certcopy::db::schema::users::dsl::*;
        use diesel::prelude::*;
        users
            .filter(role.eq("citizen"))
            .select(id)
            .first::<String>(conn)
            .unwrap()
    })
    .await
}

db_test!(an_unverified_citizen_has_no_wallet_yet, |app| {
    let claimant = person(&app, Role::Citizen, 3_001_234, None).await;
    let (status, answer) = app.get("/api/v1/me/wallet", Some(&claimant.token)).await;
    assert_eq!(status, Status::Forbidden, "{answer}");
    assert_eq!(answer["error"]["code"], "identity_unverified");
});

db_test!(the_wallet_pages_share_and_revoke, |app| {
    let (_office, _, official) = office_with_official(&app, "UBND Phường Ví", "lanhdao.vi2").await;
    let holder = person(&app, Role::Citizen, 3_001_234, None).await;
    app.mark_verified(HOLDER_ID).await;
    let admin = person(&app, Role::Admin, 91, None).await;
    let (school, school_key) = agency(&app, &admin.token, "so.giaoduc2").await;
    let (_, copy) = post_issue(
        &app,
        &official,
        FIELDS,
        &[("scans", "a.jpg", &small_jpeg(1))],
    )
    .await;
    let copy_id = copy["id"].as_str().unwrap().to_owned();
    let page = crate::common::pages::PageClient::new(&app.client, &holder.token).await;

    let list = page.get("/me/copies").await;
    assert!(
        list.body
            .contains(&format!("href=\"/me/copies/{copy_id}\"")),
        "{}",
        list.body
    );
    let shown = page.get(&format!("/me/copies/{copy_id}")).await;
    assert_eq!(shown.status, Status::Ok, "{}", shown.body);
    assert!(
        shown.body.contains("Sở Giáo dục so.giaoduc2"),
        "the agency to choose"
    );

    let path = format!("/me/copies/{copy_id}/shares");
    let empty = page
        .post(
            &path,
            &[
                ("purpose", ""),
                ("procedure_code", ""),
                ("agency_id", ""),
                ("days", "30"),
                ("max_uses", ""),
            ],
        )
        .await;
    assert_eq!(empty.status, Status::UnprocessableEntity, "{}", empty.body);
    assert!(empty.body.contains("href=\"#purpose\""), "{}", empty.body);
    assert!(empty.body.contains("id=\"purpose-error\""));
    let many = page
        .post(
            &path,
            &[
                ("purpose", "Hồ sơ"),
                ("procedure_code", ""),
                ("agency_id", ""),
                ("days", "400"),
                ("max_uses", ""),
            ],
        )
        .await;
    assert_eq!(many.status, Status::UnprocessableEntity);
    assert!(many.body.contains("id=\"days-error\""), "{}", many.body);

    let made = page
        .post(
            &path,
            &[
                ("purpose", "Tuyển sinh lớp 10"),
                ("procedure_code", "1.005095"),
                ("agency_id", &school),
                ("days", "7"),
                ("max_uses", "1"),
            ],
        )
        .await;
    assert_eq!(made.status, Status::Ok, "{}", made.body);
    let code = made
        .body
        .split("id=\"share-code\"><code>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the code on the page")
        .to_owned();
    let (status, _) = as_agency(
        &app,
        &school_key,
        "/api/v1/shares/redeem",
        &json!({"code": code}),
    )
    .await;
    assert_eq!(status, Status::Ok);

    let shown = page.get(&format!("/me/copies/{copy_id}")).await;
    assert!(shown.body.contains("Đã dùng hết"), "{}", shown.body);
    assert!(
        shown.body.contains("đã nhận qua mã chia sẻ"),
        "{}",
        shown.body
    );

    // A second share, revoked from the page.
    let made = page
        .post(
            &path,
            &[
                ("purpose", "Hồ sơ xin việc"),
                ("procedure_code", ""),
                ("agency_id", ""),
                ("days", "30"),
                ("max_uses", ""),
            ],
        )
        .await;
    assert_eq!(made.status, Status::Ok);
    let shown = page.get(&format!("/me/copies/{copy_id}")).await;
    let share = shown
        .body
        .split("action=\"/me/shares/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("a revoke form")
        .to_owned();
    let revoked = page.post(&format!("/me/shares/{share}/revoke"), &[]).await;
    assert_eq!(revoked.status, Status::SeeOther, "{}", revoked.body);
    let shown = page.get(&format!("/me/copies/{copy_id}")).await;
    assert!(shown.body.contains("Đã thu hồi"), "{}", shown.body);
    assert!(
        !shown.body.contains("action=\"/me/shares/"),
        "nothing left to revoke"
    );
});
