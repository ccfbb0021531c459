//! Each role guard admits its roles and refuses every other one (401 without a
//! credential, 403 with the wrong role), on probe routes mounted only in this test.

use certcopy::db::models::Role;
use certcopy::web::guards::{Admin, Agency, Citizen, Clerk, Official};
use rocket::http::{Header, Status};
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
