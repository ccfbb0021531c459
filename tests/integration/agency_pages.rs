//! A receiving agency's staff through the pages, on SQLite and PostgreSQL: an administrator
//! adds a member of staff to an agency (a temporary password shown once); the member signs
//! in, opens a dossier, attaches a copy by its lookup code, by the citizen's share code and
//! as an uploaded PDF (one document: the same file), sees the register's answer, verifies
//! again; the agency's own systems see the same dossier through the API; another agency's
//! staff do not; a disabled agency's staff reach nothing; the citizen sees the agency's use.

use certcopy::db::models::Role;
use rocket::http::{Header, Status};
use serde_json::{Value, json};

use crate::booking::support::person;
use crate::common::pages::PageClient;
use crate::common::{PASSWORD, TestApp, read};
use crate::db_test;
use crate::issuing::{FIELDS, multipart, office_with_official, post_issue, small_jpeg};

/// An agency made by `admin` through the API: its id and API key.
async fn agency(app: &TestApp, admin: &str, name: &str, username: &str) -> (String, String) {
    let (status, made) = app
        .post_json(
            "/api/v1/admin/agencies",
            &json!({"name": name, "username": username}),
            Some(admin),
        )
        .await;
    assert_eq!(status, Status::Created, "{made}");
    (
        made["agency"]["id"].as_str().unwrap().to_owned(),
        made["api_key"].as_str().unwrap().to_owned(),
    )
}

/// The text between `<code id="secret">` and `</code>`.
fn secret_of(page: &str) -> String {
    let at = page
        .find("<code id=\"secret\">")
        .expect("a secret on the page")
        + 18;
    page[at..].split('<').next().unwrap().to_owned()
}

/// A member of staff signed in with their own password: the temporary one changed first.
async fn staff_token(app: &TestApp, username: &str, temporary: &str) -> String {
    let (token, user) = app.login_with(username, temporary).await;
    assert_eq!(user["role"], "agency_staff", "{user}");
    let (status, answer) = app
        .post_json(
            "/api/v1/me/password",
            &json!({"current_password": temporary, "new_password": PASSWORD}),
            Some(&token),
        )
        .await;
    assert!(status.code < 300, "{status} {answer}");
    app.login_with(username, PASSWORD).await.0
}

db_test!(agency_staff_keep_dossiers_in_the_pages, |app| {
    let (_office, _, official) =
        office_with_official(&app, "UBND Phường Tiếp Nhận", "lanhdao.tiepnhan").await;
    let holder = person(&app, Role::Citizen, 3_001_234, None).await;
    app.mark_verified("079203001234").await;
    let admin = person(&app, Role::Admin, 94, None).await;
    let (school, school_key) = agency(&app, &admin.token, "Trường THPT Lê Lợi", "thpt.leloi").await;
    let (other, _) = agency(&app, &admin.token, "Trường THPT Trần Phú", "thpt.tranphu").await;
    let (status, copy) = post_issue(
        &app,
        &official,
        FIELDS,
        &[("scans", "a.jpg", &small_jpeg(1))],
    )
    .await;
    assert_eq!(status, Status::Created, "{copy}");
    let copy_id = copy["id"].as_str().unwrap().to_owned();
    let (status, share) = app
        .post_json(
            &format!("/api/v1/me/wallet/{copy_id}/shares"),
            &json!({"purpose": "Tuyển sinh lớp 10"}),
            Some(&holder.token),
        )
        .await;
    assert_eq!(status, Status::Created, "{share}");

    // The administrator adds a member of staff; a bad login name is refused at its field.
    let admin_pages = PageClient::new(&app.client, &admin.token).await;
    let page = admin_pages
        .post(
            &format!("/admin/agencies/{school}/staff"),
            &[("full_name", "Trần Thị Bình"), ("username", "Bad Name!")],
        )
        .await;
    assert_eq!(page.status, Status::UnprocessableEntity, "{}", page.body);
    assert!(page.body.contains("href=\"#username\""), "{}", page.body);
    let page = admin_pages
        .post(
            &format!("/admin/agencies/{school}/staff"),
            &[("full_name", "Trần Thị Bình"), ("username", "binh.leloi")],
        )
        .await;
    assert_eq!(page.status, Status::Ok, "{}", page.body);
    let temporary = secret_of(&page.body);
    let page = admin_pages.get(&format!("/admin/agencies/{school}")).await;
    assert!(
        page.body.contains("Trần Thị Bình"),
        "the agency lists its staff"
    );
    let page = admin_pages
        .post(
            &format!("/admin/agencies/{other}/staff"),
            &[
                ("full_name", "Phạm Văn Cường"),
                ("username", "cuong.tranphu"),
            ],
        )
        .await;
    let other_temporary = secret_of(&page.body);

    let binh = staff_token(&app, "binh.leloi", &temporary).await;
    let pages = PageClient::new(&app.client, &binh).await;
    let list = pages.get("/agency").await;
    assert_eq!(list.status, Status::Ok, "{}", list.body);
    assert!(list.body.contains("Chưa có hồ sơ nào."), "{}", list.body);

    // Opening a dossier: an empty reference is refused at its field; then it opens.
    let refused = pages
        .post(
            "/agency/dossiers",
            &[
                ("reference", " "),
                ("procedure", "Tuyển sinh lớp 10"),
                ("applicant_name", "Nguyễn Văn An"),
            ],
        )
        .await;
    assert_eq!(refused.status, Status::UnprocessableEntity);
    assert!(
        refused.body.contains("href=\"#reference\""),
        "{}",
        refused.body
    );
    let opened = pages
        .post(
            "/agency/dossiers",
            &[
                ("reference", "TS10-0001"),
                ("procedure", "Tuyển sinh lớp 10"),
                ("applicant_name", "Nguyễn Văn An"),
            ],
        )
        .await;
    assert_eq!(opened.status, Status::SeeOther, "{}", opened.body);
    let dossier_page = opened.location.unwrap();
    let dossier = dossier_page
        .trim_start_matches("/agency/dossiers/")
        .to_owned();
    let again = pages
        .post(
            "/agency/dossiers",
            &[
                ("reference", "TS10-0001"),
                ("procedure", "x"),
                ("applicant_name", "y"),
            ],
        )
        .await;
    assert_eq!(
        again.status,
        Status::UnprocessableEntity,
        "the reference is taken"
    );

    // By the lookup code: verified, found in the register.
    let attach = format!("{dossier_page}/documents");
    let answer = pages
        .post(
            &attach,
            &[
                ("kind", "verification"),
                ("code", copy["code"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(answer.status, Status::SeeOther, "{}", answer.body);
    assert!(answer.location.unwrap().contains("done=attached"));
    let page = pages.get(&dossier_page).await;
    assert!(page.body.contains("Có trong sổ"), "{}", page.body);
    assert!(
        page.body.contains("Tất cả chữ ký số hợp lệ."),
        "{}",
        page.body
    );

    // By the share code, and as an upload: the same file, one document.
    let answer = pages
        .post(
            &attach,
            &[("kind", "share"), ("code", share["code"].as_str().unwrap())],
        )
        .await;
    assert_eq!(answer.status, Status::SeeOther, "{}", answer.body);
    assert!(answer.location.unwrap().contains("done=already"));
    let pdf = app
        .client
        .get(format!("/api/v1/copies/{copy_id}/pdf"))
        .header(crate::common::bearer(&holder.token))
        .dispatch()
        .await
        .into_bytes()
        .await
        .unwrap();
    let (content_type, body) =
        multipart(&[("csrf", &pages.csrf)], &[("file", "ban-sao.pdf", &pdf)]);
    let answer = pages
        .post_multipart(&format!("{dossier_page}/upload"), content_type, body)
        .await;
    assert_eq!(answer.status, Status::SeeOther, "{}", answer.body);
    assert!(answer.location.unwrap().contains("done=already"));
    // A wrong code and a missing file are refused at their fields.
    let answer = pages
        .post(&attach, &[("kind", "share"), ("code", "khong-co")])
        .await;
    assert_eq!(answer.status, Status::NotFound, "{}", answer.body);
    assert!(answer.body.contains("href=\"#code\""), "{}", answer.body);
    let (content_type, body) = multipart(&[("csrf", &pages.csrf)], &[]);
    let answer = pages
        .post_multipart(&format!("{dossier_page}/upload"), content_type, body)
        .await;
    assert_eq!(
        answer.status,
        Status::UnprocessableEntity,
        "{}",
        answer.body
    );
    assert!(answer.body.contains("href=\"#file\""), "{}", answer.body);
    let answer = pages.post(&format!("{dossier_page}/reverify"), &[]).await;
    assert_eq!(answer.status, Status::SeeOther, "{}", answer.body);
    assert!(answer.location.unwrap().contains("done=reverified"));

    // The agency's systems see the dossier the staff opened, with its one document.
    let (status, listed) = read(
        app.client
            .get(format!("/api/v1/dossiers/{dossier}"))
            .header(Header::new("X-Api-Key", school_key.clone()))
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{listed}");
    assert_eq!(listed["documents"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed["documents"][0]["register_status"], "FOUND");

    // The citizen sees that the agency used the copy.
    let (_, wallet) = app
        .get(&format!("/api/v1/me/wallet/{copy_id}"), Some(&holder.token))
        .await;
    let uses: Vec<&Value> = wallet["uses"].as_array().unwrap().iter().collect();
    assert!(
        uses.iter()
            .all(|u| u["agency"]["name"] == "Trường THPT Lê Lợi")
            && !uses.is_empty(),
        "{wallet}"
    );

    // Another agency's staff: not found. A citizen: refused.
    let cuong = staff_token(&app, "cuong.tranphu", &other_temporary).await;
    let theirs = PageClient::new(&app.client, &cuong).await;
    assert_eq!(theirs.get(&dossier_page).await.status, Status::NotFound);
    let answer = theirs.post(&format!("{dossier_page}/reverify"), &[]).await;
    assert_eq!(answer.status, Status::NotFound);
    let citizen = PageClient::new(&app.client, &holder.token).await;
    assert_eq!(citizen.get("/agency").await.status, Status::Forbidden);

    // The agency disabled: its staff reach no dossier.
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/admin/accounts/{school}/disable"),
            &json!({"reason": "Hết hợp tác"}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, Status::Ok, "{answer}");
    assert_eq!(pages.get(&dossier_page).await.status, Status::NotFound);
});

/// The same in Chromium (`tests/browser/agency.py`): the service in this process on a
/// loopback port; screenshots in `target/tmp/screenshots/agency/`.
#[test]
fn agency_staff_work_the_pages_in_chromium() {
    use crate::common::Backend;
    use crate::common::browser::{run_script, runtime, screenshot_dir, serve_on_loopback};

    let runtime = runtime();
    let test = runtime
        .block_on(TestApp::builder(Backend::Sqlite).build())
        .expect("SQLite app");
    let (_office, _, official) = runtime.block_on(office_with_official(
        &test,
        "UBND Phường Tiếp Nhận",
        "lanhdao.tiepnhan",
    ));
    let holder = runtime.block_on(person(&test, Role::Citizen, 3_001_234, None));
    runtime.block_on(test.mark_verified("079203001234"));
    let admin = runtime.block_on(test.user(Role::Admin, "quantri.tiepnhan", None));
    let admin_token = runtime.block_on(test.login("quantri.tiepnhan"));
    let (school, _) = runtime.block_on(agency(
        &test,
        &admin_token,
        "Trường THPT Lê Lợi",
        "thpt.leloi",
    ));
    let (status, copy) = runtime.block_on(post_issue(
        &test,
        &official,
        FIELDS,
        &[("scans", "a.jpg", &small_jpeg(1))],
    ));
    assert_eq!(status, Status::Created, "{copy}");
    let copy_id = copy["id"].as_str().unwrap().to_owned();
    let (status, share) = runtime.block_on(test.post_json(
        &format!("/api/v1/me/wallet/{copy_id}/shares"),
        &json!({"purpose": "Tuyển sinh lớp 10"}),
        Some(&holder.token),
    ));
    assert_eq!(status, Status::Created, "{share}");
    let pdf = runtime.block_on(async {
        test.client
            .get(format!("/api/v1/copies/{copy_id}/pdf"))
            .header(crate::common::bearer(&holder.token))
            .dispatch()
            .await
            .into_bytes()
            .await
            .unwrap()
    });
    let pdf_path = test.dir.join("ban-sao.pdf");
    std::fs::write(&pdf_path, pdf).unwrap();

    let port = serve_on_loopback(&runtime, &test.app);
    let shots = screenshot_dir("agency");
    run_script(
        "agency.py",
        &[
            format!("http://127.0.0.1:{port}"),
            admin.username.clone().unwrap(),
            PASSWORD.to_owned(),
            school,
            copy["code"].as_str().unwrap().to_owned(),
            share["code"].as_str().unwrap().to_owned(),
            pdf_path.display().to_string(),
            shots.display().to_string(),
        ],
        "all agency checks passed",
        &shots,
    );
}
