//! Agency dossiers through the API, on SQLite and PostgreSQL: opened with a reference
//! unique per agency; copies attached by verification code, by share code and by upload,
//! each verified on the way in and kept once per file; another agency sees nothing of
//! them; re-verifying after an annulment marks the dossier.

use certcopy::db::models::Role;
use rocket::http::{ContentType, Header, Status};
use serde_json::{Value, json};

use crate::booking::support::person;
use crate::common::{TestApp, read};
use crate::db_test;
use crate::issuing::{FIELDS, multipart, office_with_official, post_issue, small_jpeg};

pub(crate) async fn agency_key(app: &TestApp, admin: &str, username: &str) -> String {
    let (status, body) = app
        .post_json(
            "/api/v1/admin/agencies",
            &json!({"name": format!("Cơ quan {username}"), "username": username}),
            Some(admin),
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    body["api_key"].as_str().unwrap().to_owned()
}

async fn call(
    app: &TestApp,
    key: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (Status, Value) {
    let mut request = match method {
        "GET" => app.client.get(path.to_owned()),
        _ => app.client.post(path.to_owned()),
    }
    .header(Header::new("X-Api-Key", key.to_owned()));
    if let Some(body) = body {
        request = request.header(ContentType::JSON).body(body.to_string());
    }
    read(request.dispatch().await).await
}

db_test!(agencies_keep_dossiers_of_verified_copies, |app| {
    let (_office, _, official) =
        office_with_official(&app, "UBND Phường Hồ Sơ", "lanhdao.hoso").await;
    let holder = person(&app, Role::Citizen, 3_001_234, None).await;
    app.mark_verified("079203001234").await;
    let admin = person(&app, Role::Admin, 92, None).await;
    let school = agency_key(&app, &admin.token, "truong.a").await;
    let other = agency_key(&app, &admin.token, "truong.b").await;
    let (_, first) = post_issue(
        &app,
        &official,
        FIELDS,
        &[("scans", "a.jpg", &small_jpeg(1))],
    )
    .await;
    let (_, second) = post_issue(
        &app,
        &official,
        FIELDS,
        &[("scans", "b.jpg", &small_jpeg(2))],
    )
    .await;

    // Open a dossier; its reference is the agency's own and unique.
    let new = json!({"reference": "TS10-2026-0001", "procedure": "Tuyển sinh lớp 10", "applicant_name": "Nguyễn Văn An"});
    let (status, dossier) = call(&app, &school, "POST", "/api/v1/dossiers", Some(&new)).await;
    assert_eq!(status, Status::Created, "{dossier}");
    let id = dossier["id"].as_str().unwrap().to_owned();
    let (status, _) = call(&app, &school, "POST", "/api/v1/dossiers", Some(&new)).await;
    assert_eq!(status, Status::Conflict);
    let (status, _) = call(&app, &other, "POST", "/api/v1/dossiers", Some(&new)).await;
    assert_eq!(
        status,
        Status::Created,
        "another agency may use the same reference"
    );
    let (status, answer) = call(
        &app,
        &school,
        "POST",
        "/api/v1/dossiers",
        Some(&json!({"reference": " ", "procedure": "x", "applicant_name": "y"})),
    )
    .await;
    assert_eq!(status, Status::UnprocessableEntity, "{answer}");

    // By the code under the QR: verified, found in the register.
    let documents = format!("/api/v1/dossiers/{id}/documents");
    let code = first["code"].as_str().unwrap().to_lowercase();
    let (status, view) = call(
        &app,
        &school,
        "POST",
        &documents,
        Some(&json!({"verification_code": code})),
    )
    .await;
    assert_eq!(status, Status::Created, "{view}");
    assert_eq!(view["documents"][0]["verdict"], "TOTAL_PASSED");
    assert_eq!(view["documents"][0]["register_status"], "FOUND");
    assert_eq!(view["documents"][0]["copy_id"], first["id"]);
    assert_eq!(view["documents"][0]["report"]["signatures_count"], 2);

    // The same file uploaded: one document still.
    let pdf = {
        let response = app
            .client
            .get(format!(
                "/api/v1/copies/{}/pdf",
                first["id"].as_str().unwrap()
            ))
            .header(crate::common::bearer(&holder.token))
            .dispatch()
            .await;
        response.into_bytes().await.unwrap()
    };
    let (content_type, body) = multipart(&[], &[("file", "ban-sao.pdf", &pdf)]);
    let upload = |key: String, content_type: ContentType, body: Vec<u8>| {
        let client = &app.client;
        let documents = documents.clone();
        async move {
            read(
                client
                    .post(documents)
                    .header(content_type)
                    .header(Header::new("X-Api-Key", key))
                    .body(body)
                    .dispatch()
                    .await,
            )
            .await
        }
    };
    let (status, view) = upload(school.clone(), content_type.clone(), body.clone()).await;
    assert_eq!(status, Status::Ok, "{view}");
    assert_eq!(view["documents"].as_array().unwrap().len(), 1);

    // By a share code from the citizen: the second copy, a use counted.
    let (_, made) = app
        .post_json(
            &format!(
                "/api/v1/me/wallet/{}/shares",
                second["id"].as_str().unwrap()
            ),
            &json!({"purpose": "Tuyển sinh lớp 10"}),
            Some(&holder.token),
        )
        .await;
    let share = made["code"].as_str().unwrap();
    let (status, view) = call(
        &app,
        &school,
        "POST",
        &documents,
        Some(&json!({"share_code": share})),
    )
    .await;
    assert_eq!(status, Status::Created, "{view}");
    assert_eq!(view["documents"].as_array().unwrap().len(), 2);
    assert_eq!(view["documents"][1]["attached_via"], "share");
    let (_, wallet) = app
        .get(
            &format!("/api/v1/me/wallet/{}", second["id"].as_str().unwrap()),
            Some(&holder.token),
        )
        .await;
    assert_eq!(wallet["shares"][0]["uses"], 1);

    // A file that is no PDF, an unknown code, neither or both ways: refused, nothing kept.
    let (content_type, junk) = multipart(&[], &[("file", "x.pdf", b"not a pdf")]);
    let (status, answer) = upload(school.clone(), content_type, junk).await;
    assert_eq!(status, Status::UnprocessableEntity, "{answer}");
    let (status, _) = call(
        &app,
        &school,
        "POST",
        &documents,
        Some(&json!({"verification_code": "ABCD-EFGH-JKMN-PQRS-TVWX"})),
    )
    .await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = call(&app, &school, "POST", &documents, Some(&json!({}))).await;
    assert_eq!(status, Status::UnprocessableEntity);

    // Another agency sees nothing of it and cannot attach to it.
    let (status, _) = call(&app, &other, "GET", &format!("/api/v1/dossiers/{id}"), None).await;
    assert_eq!(status, Status::NotFound);
    let (status, _) = call(
        &app,
        &other,
        "POST",
        &documents,
        Some(&json!({"verification_code": code})),
    )
    .await;
    assert_eq!(status, Status::NotFound);
    let (_, theirs) = call(&app, &other, "GET", "/api/v1/dossiers", None).await;
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    assert!(theirs[0]["documents"].as_array().unwrap().is_empty());

    // The first copy annulled: re-verifying marks it and the dossier.
    let (status, _) = app
        .post_json(
            &format!("/api/v1/copies/{}/annul", first["id"].as_str().unwrap()),
            &json!({"reason": "Cấp nhầm"}),
            Some(&official),
        )
        .await;
    assert_eq!(status, Status::Ok);
    let (status, view) = call(
        &app,
        &school,
        "POST",
        &format!("/api/v1/dossiers/{id}/reverify"),
        None,
    )
    .await;
    assert_eq!(status, Status::Ok, "{view}");
    assert_eq!(view["has_annulled"], true);
    assert_eq!(view["documents"][0]["register_status"], "ANNULLED");
    assert_eq!(view["documents"][1]["register_status"], "FOUND");
    // The citizen sees the school among those who used the first copy.
    let (_, wallet) = app
        .get(
            &format!("/api/v1/me/wallet/{}", first["id"].as_str().unwrap()),
            Some(&holder.token),
        )
        .await;
    assert!(
        wallet["uses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["agency"]["name"] == "Cơ quan truong.a"),
        "{wallet}"
    );
});
