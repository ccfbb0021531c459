//! Each role guard admits its roles and refuses every other one (401 without a
//! credential, 403 with the wrong role), on probe routes mounted only in this test.

use certcopy::db::models::Role;
use certcopy::web::guards::{Admin, Agency, Citizen, Clerk, Official};
use rocket::http::{ContentType, Header, Method, Status};
use rocket::{get, routes};
use serde_json::json;

use crate::common::{Backend, TestApp, assert_error};

#[get("/citizen")]
fn citizen(_guard: Citizen) -> &'static str {
    "ok"
}
#[get("/clerk")]
fn clerk(_guard: Clerk) -> &'static str {
    "ok"
}
#[get("/official")]
fn official(_guard: Official) -> &'static str {
    "ok"
}
#[get("/agency")]
fn agency(_guard: Agency) -> &'static str {
    "ok"
}
#[get("/admin")]
fn admin(_guard: Admin) -> &'static str {
    "ok"
}

/// Which roles each probe admits.
const TABLE: &[(&str, &[Role])] = &[
    ("/probe/citizen", &[Role::Citizen]),
    ("/probe/clerk", &[Role::Clerk, Role::Official]),
    ("/probe/official", &[Role::Official]),
    ("/probe/agency", &[Role::Agency]),
    ("/probe/admin", &[Role::Admin]),
];

async fn guards_admit_only_their_roles(backend: Backend) {
    let Some(app) = TestApp::builder(backend)
        .with_routes("/probe", routes![citizen, clerk, official, agency, admin])
        .build()
        .await
    else {
        return;
    };
    let mut credentials: Vec<(Role, Header<'static>)> = Vec::new();
    for role in [Role::Citizen, Role::Clerk, Role::Official, Role::Admin] {
        let (_, token) = app
            .signed_in(role, &format!("probe.{}", role.as_str()))
            .await;
        credentials.push((role, crate::common::bearer(&token)));
    }
    // Agencies come in through an API key issued by an admin.
    let (_, admin_token) = app.signed_in(Role::Admin, "probe.keymaker").await;
    let (status, created) = app
        .post_json(
            "/api/v1/admin/agencies",
            &json!({"name": "Sở Tư pháp (thử)", "username": "so.tuphap"}),
            Some(&admin_token),
        )
        .await;
    assert_eq!(status, Status::Created, "{created}");
    let key = created["api_key"].as_str().unwrap().to_owned();
    credentials.push((Role::Agency, Header::new("X-Api-Key", key)));

    for (path, admitted) in TABLE {
        let anonymous = crate::common::read(app.client.get(*path).dispatch().await).await;
        assert_error(&anonymous, Status::Unauthorized, "not_authenticated");
        for (role, header) in &credentials {
            let response = app
                .client
                .get(*path)
                .header(header.clone())
                .dispatch()
                .await;
            let answer = crate::common::read(response).await;
            if admitted.contains(role) {
                assert_eq!(answer.0, Status::Ok, "{path} should admit {role:?}");
            } else {
                assert_error(&answer, Status::Forbidden, "forbidden");
            }
        }
    }
    // A forged token or key is 401, not 403.
    for header in [
        Header::new("Authorization", "Bearer forged"),
        Header::new("X-Api-Key", "cc_live_forged"),
    ] {
        let answer = crate::common::read(
            app.client
                .get("/probe/admin")
                .header(header)
                .dispatch()
                .await,
        )
        .await;
        assert_error(&answer, Status::Unauthorized, "not_authenticated");
    }
}

#[rocket::async_test]
async fn role_guards_sqlite() {
    guards_admit_only_their_roles(Backend::Sqlite).await;
}

#[rocket::async_test]
async fn role_guards_postgres() {
    guards_admit_only_their_roles(Backend::Postgres).await;
}

/// The account-lifecycle and official-grant routes: 401 without a credential, 403 for
/// every role but admin; an admin gets past the guard (404 for the made-up ids used here).
async fn lifecycle_routes_admit_only_admins(backend: Backend) {
    let Some(app) = TestApp::builder(backend).build().await else {
        return;
    };
    let mut tokens = Vec::new();
    for role in [Role::Citizen, Role::Clerk, Role::Official, Role::Admin] {
        let (_, token) = app
            .signed_in(role, &format!("matrix.{}", role.as_str()))
            .await;
        tokens.push((
            role,
            Header::new("Authorization", format!("Bearer {token}")),
        ));
    }
    let (_, created) = app
        .post_json(
            "/api/v1/admin/agencies",
            &json!({"name": "Sở Y tế (thử)", "username": "so.yte"}),
            Some(&app.login("matrix.admin").await),
        )
        .await;
    let key = created["api_key"].as_str().unwrap().to_owned();
    tokens.push((Role::Agency, Header::new("X-Api-Key", key)));

    let id = uuid::Uuid::new_v4();
    let routes: Vec<(Method, String, serde_json::Value)> = vec![
        (
            Method::Post,
            format!("/api/v1/admin/accounts/{id}/disable"),
            json!({"reason": "x"}),
        ),
        (
            Method::Post,
            format!("/api/v1/admin/accounts/{id}/enable"),
            json!({}),
        ),
        (
            Method::Post,
            format!("/api/v1/admin/accounts/{id}/sessions/end"),
            json!({}),
        ),
        (
            Method::Post,
            format!("/api/v1/admin/accounts/{id}/password-reset"),
            json!({}),
        ),
        (
            Method::Get,
            format!("/api/v1/admin/agencies/{id}/api-keys"),
            json!({}),
        ),
        (
            Method::Post,
            format!("/api/v1/admin/agencies/{id}/api-keys/{id}/revoke"),
            json!({}),
        ),
        (
            Method::Put,
            format!("/api/v1/admin/offices/{id}/head"),
            json!({"user_id": id}),
        ),
        (
            Method::Post,
            "/api/v1/official-grants".to_owned(),
            json!({"user_id": id, "position": "x"}),
        ),
    ];
    for (method, path, body) in &routes {
        let send = |header: Option<Header<'static>>| {
            let mut request = app
                .client
                .req(*method, path.clone())
                .header(ContentType::JSON)
                .body(body.to_string());
            if let Some(header) = header {
                request = request.header(header);
            }
            request.dispatch()
        };
        let anonymous = crate::common::read(send(None).await).await;
        assert_error(&anonymous, Status::Unauthorized, "not_authenticated");
        for (role, header) in &tokens {
            let answer = crate::common::read(send(Some(header.clone())).await).await;
            if *role == Role::Admin {
                assert_eq!(answer.0, Status::NotFound, "{method} {path}: {}", answer.1);
            } else {
                assert_error(&answer, Status::Forbidden, "forbidden");
            }
        }
    }
    // Deciding a request: admins and officials get past the role check (404 for a made-up
    // request); the others are refused.
    for (role, header) in &tokens {
        let answer = crate::common::read(
            app.client
                .post(format!("/api/v1/official-grants/{id}/approve"))
                .header(header.clone())
                .dispatch()
                .await,
        )
        .await;
        if matches!(role, Role::Admin | Role::Official) {
            assert_error(&answer, Status::NotFound, "grant_not_found");
        } else {
            assert_error(&answer, Status::Forbidden, "forbidden");
        }
    }
}

#[rocket::async_test]
async fn lifecycle_routes_sqlite() {
    lifecycle_routes_admit_only_admins(Backend::Sqlite).await;
}

#[rocket::async_test]
async fn lifecycle_routes_postgres() {
    lifecycle_routes_admit_only_admins(Backend::Postgres).await;
}
