use rocket::http::{ContentType, Header, Status};
use serde_json::json;

use crate::common::{assert_error, read};
use crate::db_test;

fn citizen(id: &str, phone: &str) -> serde_json::Value {
    json!({
        "full_name": "Nguyễn Văn An",
        "citizen_id": id,
        "phone": phone,
        "password": "Hoa-sen-2026",
    })
}

db_test!(register_login_me_logout, |app| {
    let (status, body) = app
        .post_json(
            "/api/v1/auth/register",
            &citizen("079203001234", "0912345678"),
            None,
        )
        .await;
    assert_eq!(status, Status::Created, "{body}");
    assert_eq!(body["role"], "citizen");
    assert_eq!(body["citizen_id"], "079203001234");
    assert!(body.get("password_hash").is_none());

    // Login by citizen ID and by phone in international form.
    for login in ["079203001234", "+84 912 345 678"] {
        let (status, body) = app
            .post_json(
                "/api/v1/auth/login",
                &json!({"login": login, "password": "Hoa-sen-2026"}),
                None,
            )
            .await;
        assert_eq!(status, Status::Ok, "{body}");
        assert_eq!(body["user"]["full_name"], "Nguyễn Văn An");
    }
    let (_, body) = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"login": "079203001234", "password": "Hoa-sen-2026"}),
            None,
        )
        .await;
    let token = body["token"].as_str().unwrap().to_owned();
    let (status, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(me["citizen_id"], "079203001234");

    let response = app
        .client
        .post("/api/v1/auth/logout")
        .header(crate::common::bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NoContent);
    let answer = app.get("/api/v1/me", Some(&token)).await;
    assert_error(&answer, Status::Unauthorized, "not_authenticated");
});

db_test!(cookie_session_for_pages, |app| {
    app.post_json(
        "/api/v1/auth/register",
        &citizen("001099000111", "0987654321"),
        None,
    )
    .await;
    let response = app
        .client
        .post("/api/v1/auth/login")
        .header(ContentType::JSON)
        .body(json!({"login": "0987654321", "password": "Hoa-sen-2026"}).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let cookie = response
        .cookies()
        .get_private(certcopy::web::guards::SESSION_COOKIE)
        .expect("login sets the private session cookie");
    assert!(cookie.http_only().unwrap_or(false));
    // Only the cookie is sent: no Authorization header.
    let (status, me) = read(
        app.client
            .get("/api/v1/me")
            .private_cookie(cookie.clone())
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{me}");
    assert_eq!(me["phone"], "0987654321");

    // A state change carried by the cookie alone must come from this site (CSRF).
    let logout = |headers: Vec<Header<'static>>| {
        let mut request = app
            .client
            .post("/api/v1/auth/logout")
            .private_cookie(cookie.clone());
        for header in headers {
            request = request.header(header);
        }
        request.dispatch()
    };
    for forged in [
        vec![Header::new("Sec-Fetch-Site", "cross-site")],
        vec![Header::new("Sec-Fetch-Site", "same-site")],
        vec![Header::new("Origin", "https://lua-dao.example")],
    ] {
        let answer = read(logout(forged).await).await;
        assert_error(&answer, Status::Forbidden, "cross_site_request");
    }
    let (status, _) = read(
        app.client
            .get("/api/v1/me")
            .private_cookie(cookie.clone())
            .header(Header::new("Sec-Fetch-Site", "cross-site"))
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(
        status,
        Status::Ok,
        "reading is not a state change; the session is alive"
    );
    let (status, _) = read(
        logout(vec![
            Header::new("Sec-Fetch-Site", "same-origin"),
            Header::new("Origin", "http://127.0.0.1:8000"),
        ])
        .await,
    )
    .await;
    assert_eq!(
        status,
        Status::NoContent,
        "the service's own pages may log out"
    );
});

db_test!(bad_registrations_get_clear_errors, |app| {
    let cases = [
        (
            citizen("07920300123", "0912345678"),
            Status::UnprocessableEntity,
            "invalid_citizen_id",
        ),
        (
            citizen("07920300123X", "0912345678"),
            Status::UnprocessableEntity,
            "invalid_citizen_id",
        ),
        (
            citizen("079203001234", "12345"),
            Status::UnprocessableEntity,
            "invalid_phone",
        ),
        (
            json!({"full_name": "Lê Thị B", "citizen_id": "079203001235", "password": "Hoa-sen-2026"}),
            Status::UnprocessableEntity,
            "missing_contact",
        ),
        (
            json!({"full_name": "Lê Thị B", "citizen_id": "079203001235", "email": "b@x.vn", "password": "short1"}),
            Status::UnprocessableEntity,
            "weak_password",
        ),
        (
            json!({"full_name": "Lê Thị B", "citizen_id": "079203001235", "email": "b@x.vn", "password": "079203001235a"}),
            Status::UnprocessableEntity,
            "weak_password",
        ),
        (
            json!({"full_name": "Lê Thị B"}),
            Status::UnprocessableEntity,
            "invalid_json",
        ),
    ];
    for (body, status, code) in cases {
        let answer = app.post_json("/api/v1/auth/register", &body, None).await;
        assert_error(&answer, status, code);
    }
    let raw = read(
        app.client
            .post("/api/v1/auth/register")
            .header(ContentType::JSON)
            .body("{not json")
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(raw.1["error"]["code"], "invalid_json", "{}", raw.1);
    assert!(raw.0.code >= 400 && raw.0.code < 500);

    // Duplicate citizen ID → 409, and the first account is untouched.
    let first = app
        .post_json(
            "/api/v1/auth/register",
            &citizen("079203001234", "0912345678"),
            None,
        )
        .await;
    assert_eq!(first.0, Status::Created);
    let again = app
        .post_json(
            "/api/v1/auth/register",
            &citizen("079203001234", "0911111111"),
            None,
        )
        .await;
    // A citizen ID is only claimed at registration: a second claim is allowed.
    assert_eq!(again.0, Status::Created, "{}", again.1);
    let same_phone = app
        .post_json(
            "/api/v1/auth/register",
            &citizen("001099000222", "0912345678"),
            None,
        )
        .await;
    assert_error(&same_phone, Status::Conflict, "account_exists");
});

db_test!(messages_follow_accept_language, |app| {
    let body = citizen("1", "0912345678").to_string();
    let vi = read(
        app.client
            .post("/api/v1/auth/register")
            .header(ContentType::JSON)
            .body(body.clone())
            .dispatch()
            .await,
    )
    .await;
    assert!(
        vi.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("12 chữ số"),
        "{}",
        vi.1
    );
    let en = read(
        app.client
            .post("/api/v1/auth/register")
            .header(ContentType::JSON)
            .header(Header::new("Accept-Language", "en-US,en;q=0.9,vi;q=0.5"))
            .body(body)
            .dispatch()
            .await,
    )
    .await;
    assert!(
        en.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("12 digits"),
        "{}",
        en.1
    );
});

db_test!(wrong_password_and_unknown_login_look_alike, |app| {
    app.post_json(
        "/api/v1/auth/register",
        &citizen("079203001234", "0912345678"),
        None,
    )
    .await;
    let wrong = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"login": "079203001234", "password": "Sai-mat-khau-1"}),
            None,
        )
        .await;
    let unknown = app
        .post_json(
            "/api/v1/auth/login",
            &json!({"login": "001099999999", "password": "Sai-mat-khau-1"}),
            None,
        )
        .await;
    assert_error(&wrong, Status::Unauthorized, "bad_credentials");
    assert_eq!(
        wrong.1["error"]["message_en"],
        unknown.1["error"]["message_en"]
    );
    assert_error(&unknown, Status::Unauthorized, "bad_credentials");
});

db_test!(
    concurrent_duplicate_registrations_create_one_account,
    |app| {
        let body = citizen("079203009999", "0909999999").to_string();
        let mut pending = Vec::new();
        for _ in 0..8 {
            pending.push(
                app.client
                    .post("/api/v1/auth/register")
                    .header(ContentType::JSON)
                    .body(body.clone())
                    .dispatch(),
            );
        }
        let mut statuses = Vec::new();
        for response in futures::future::join_all(pending).await {
            statuses.push(response.status().code);
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 409).count(),
            7,
            "{statuses:?}"
        );
        let count = app
            .db(|conn| certcopy::db::models::User::count(conn).unwrap())
            .await;
        assert_eq!(count, 1);
    }
);

// JSON routes read only bodies declared as JSON: the body types a browser may send to
// another site without asking first are refused before anything happens.
db_test!(json_routes_refuse_bodies_of_other_types, |app| {
    let body = serde_json::to_string(&citizen("079203001299", "0912000111")).unwrap();
    for declared in [
        ContentType::Plain,
        ContentType::Form,
        ContentType::new("multipart", "form-data"),
    ] {
        let response = app
            .client
            .post("/api/v1/auth/register")
            .header(declared.clone())
            .body(&body)
            .dispatch()
            .await;
        let answer = read(response).await;
        assert_error(
            &answer,
            Status::UnsupportedMediaType,
            "unsupported_media_type",
        );
    }
    let count = app.db(certcopy::db::models::User::count).await.unwrap();
    assert_eq!(count, 0, "no account may be created from a refused body");
    let response = app
        .client
        .post("/api/v1/auth/register")
        .header(ContentType::JSON)
        .body(&body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Created);
});
