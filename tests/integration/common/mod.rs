//! Test harness: `TestApp` runs the real Rocket application against a fresh database —
//! a temporary SQLite file, or a fresh PostgreSQL database created on the server named by
//! `CERTCOPY_TEST_DATABASE_URL` and dropped afterwards.

#![allow(dead_code)]

pub mod browser;
pub mod http;
pub mod oidc_provider;
pub mod pages;
pub mod s3;
pub mod server;

use std::path::PathBuf;

use certcopy::App;
use certcopy::auth;
use certcopy::config::Config;
use certcopy::db::ids::{OfficeId, UserId};
use certcopy::db::models::{Office, OfficeKind, Role, User};
use certcopy::db::now_utc;
use diesel::{Connection, RunQueryDsl};
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::Value;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares a test that runs once on SQLite and once on PostgreSQL. The PostgreSQL run
/// needs `CERTCOPY_TEST_DATABASE_URL`; without it, it prints that it was skipped (CI sets
/// it and checks these tests ran). `config = |c| …` changes the configuration first.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        $crate::db_test!($name, config = |_| {}, |$app| $body);
    };
    ($name:ident, config = $adjust:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn case($app: $crate::common::TestApp) $body

            #[rocket::async_test]
            async fn sqlite() {
                let app = $crate::common::TestApp::builder($crate::common::Backend::Sqlite)
                    .with_config($adjust)
                    .build()
                    .await;
                case(app.expect("SQLite is always available")).await;
            }

            #[rocket::async_test]
            async fn postgres() {
                if let Some(app) = $crate::common::TestApp::builder($crate::common::Backend::Postgres)
                    .with_config($adjust)
                    .build()
                    .await
                {
                    case(app).await;
                }
            }
        }
    };
}

/// A fresh PostgreSQL database, dropped on drop.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDatabase {
    pub fn create(admin_url: &str) -> PgDatabase {
        let name = format!("certcopy_t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = diesel::PgConnection::establish(admin_url)
            .unwrap_or_else(|e| panic!("CERTCOPY_TEST_DATABASE_URL is set but unusable: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create test database");
        let base = admin_url
            .rsplit_once('/')
            .map(|(base, _)| base)
            .unwrap_or(admin_url);
        PgDatabase {
            admin_url: admin_url.to_owned(),
            url: format!("{base}/{name}"),
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin_url) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

/// The PostgreSQL server for tests, if configured.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("CERTCOPY_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A change applied to the configuration before start.
type ConfigAdjustment = Box<dyn FnOnce(&mut Config) + Send>;

/// Builder for [`TestApp`].
pub struct TestAppBuilder {
    backend: Backend,
    dev_pki: bool,
    adjust: Option<ConfigAdjustment>,
    extra_routes: Vec<(&'static str, Vec<rocket::Route>)>,
}

impl TestAppBuilder {
    /// Creates the development PKI (slower: RSA key generation).
    pub fn with_dev_pki(mut self) -> Self {
        self.dev_pki = true;
        self
    }

    /// Changes the configuration before start.
    pub fn with_config(mut self, adjust: impl FnOnce(&mut Config) + Send + 'static) -> Self {
        self.adjust = Some(Box::new(adjust));
        self
    }

    /// Mounts test-only routes (e.g. probes for the role guards).
    pub fn with_routes(mut self, base: &'static str, routes: Vec<rocket::Route>) -> Self {
        self.extra_routes.push((base, routes));
        self
    }

    /// Starts the app; `None` when PostgreSQL was asked for but is not configured.
    pub async fn build(self) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("temp dir");
        let pg = match self.backend {
            Backend::Sqlite => None,
            Backend::Postgres => match postgres_admin_url() {
                Some(url) => Some(PgDatabase::create(&url)),
                None => {
                    eprintln!("PostgreSQL skipped: CERTCOPY_TEST_DATABASE_URL is not set");
                    return None;
                }
            },
        };
        let mut config = Config {
            data_dir: dir.path().join("data"),
            database_url: match &pg {
                Some(pg) => pg.url.clone(),
                None => dir
                    .path()
                    .join("data/test.db")
                    .to_string_lossy()
                    .into_owned(),
            },
            blob_dir: dir.path().join("data/blobs"),
            pki_dir: dir.path().join("pki"),
            dev_pki: self.dev_pki,
            seed_demo: false,
            database_pool_size: 8,
            ..Config::default()
        };
        if let Some(adjust) = self.adjust {
            adjust(&mut config);
        }
        let app = rocket::tokio::task::spawn_blocking(move || App::start(config))
            .await
            .expect("start task")
            .expect("app starts");
        let figment = rocket::Config::figment()
            .merge(("secret_key", "hPRYyVRiMyxpw5sBB1XeCMN1kFsDCqKvBi2QJxBVHQk="))
            .merge(("log_level", "off"));
        let mut rocket = certcopy::web::build_rocket(figment, app.clone());
        for (base, routes) in self.extra_routes {
            rocket = rocket.mount(base, routes);
        }
        let client = Client::untracked(rocket).await.expect("rocket ignites");
        Some(TestApp {
            client,
            app,
            dir: dir.path().to_owned(),
            _dir: dir,
            _pg: pg,
        })
    }
}

/// A running application with its own database.
pub struct TestApp {
    pub client: Client,
    pub app: App,
    pub dir: PathBuf,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

/// Default password of accounts made by the harness.
pub const PASSWORD: &str = "Mat-khau-2026";

impl TestApp {
    pub fn builder(backend: Backend) -> TestAppBuilder {
        TestAppBuilder {
            backend,
            dev_pki: true,
            adjust: None,
            extra_routes: Vec::new(),
        }
    }

    pub fn backend(&self) -> Backend {
        match self.app.db.backend() {
            certcopy::config::DatabaseBackend::Sqlite => Backend::Sqlite,
            certcopy::config::DatabaseBackend::Postgres => Backend::Postgres,
        }
    }

    /// Asserts that `certcopy registry verify` would find nothing (a head signed first),
    /// and that the log holds at least one leaf of each `event`.
    pub async fn assert_log_clean(&self, events: &'static [&'static str]) {
        let (key, trusted) = (self.app.log_key.clone(), self.app.log_trust);
        let (report, logged) = self
            .db(move |conn| {
                use diesel::prelude::*;
                certcopy::transparency::heads::publish(conn, &key).unwrap();
                let report = certcopy::transparency::check::run(conn, &trusted).unwrap();
                let logged: Vec<String> = certcopy::db::schema::register_log::table
                    .select(certcopy::db::schema::register_log::event)
                    .load(conn)
                    .unwrap();
                (report, logged)
            })
            .await;
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        for event in events {
            assert!(
                logged.iter().any(|e| e == event),
                "no {event} leaf in {logged:?}"
            );
        }
    }

    /// Runs blocking database work.
    pub async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut certcopy::db::DbConn) -> T + Send + 'static,
    ) -> T {
        let db = self.app.db.clone();
        rocket::tokio::task::spawn_blocking(move || work(&mut db.get().expect("connection")))
            .await
            .expect("db task")
    }

    /// Inserts an office directly.
    pub async fn office(&self, name: &str) -> Office {
        let office = Office {
            id: OfficeId::generate(),
            name: name.to_owned(),
            kind: OfficeKind::CommuneCommittee.as_str().to_owned(),
            province: "TP. Hồ Chí Minh".to_owned(),
            district: "Quận 1".to_owned(),
            address: "1 Đường Thử, Phường Bến Nghé".to_owned(),
            created_at: now_utc(),
        };
        let row = office.clone();
        self.db(move |conn| row.insert(conn).expect("insert office"))
            .await;
        office
    }

    /// Inserts an account directly with [`PASSWORD`].
    pub async fn user(&self, role: Role, username: &str, office: Option<&OfficeId>) -> User {
        let hash = auth::hash_password(PASSWORD).unwrap();
        let id = UserId::generate();
        let new_user = User {
            id: id.clone(),
            role: role.as_str().to_owned(),
            full_name: format!("Người Thử {username}"),
            citizen_id: (role == Role::Citizen)
                .then(|| format!("0792030{:05}", name_digits(username))),
            username: Some(username.to_owned()),
            phone: None,
            email: None,
            password_hash: hash,
            office_id: office.cloned(),
            position: (role == Role::Official).then(|| "Phó Chủ tịch UBND phường".to_owned()),
            disabled: false,
            created_at: now_utc(),
            identity_verified_at: None,
            identity_verified_via: None,
        };
        self.db(move |conn| {
            User::insert(conn, &new_user).expect("insert user");
            User::find(conn, &id).unwrap().unwrap()
        })
        .await
    }

    /// Logs in and returns the bearer token.
    pub async fn login(&self, login: &str) -> String {
        let response = self
            .post_json(
                "/api/v1/auth/login",
                &serde_json::json!({"login": login, "password": PASSWORD}),
                None,
            )
            .await;
        assert_eq!(response.0, Status::Ok, "login {login}: {}", response.1);
        response.1["token"].as_str().expect("token").to_owned()
    }

    /// A user of `role` (with a new office for staff) and their bearer token.
    pub async fn signed_in(&self, role: Role, username: &str) -> (User, String) {
        let office = match role {
            Role::Clerk | Role::Official => Some(self.office(&format!("UBND {username}")).await.id),
            _ => None,
        };
        let user = self.user(role, username, office.as_ref()).await;
        let token = self.login(username).await;
        (user, token)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (Status, Value) {
        let mut request = self.client.get(path.to_owned());
        if let Some(token) = token {
            request = request.header(bearer(token));
        }
        read(request.dispatch().await).await
    }

    pub async fn post_json(
        &self,
        path: &str,
        body: &Value,
        token: Option<&str>,
    ) -> (Status, Value) {
        let mut request = self
            .client
            .post(path.to_owned())
            .header(ContentType::JSON)
            .body(body.to_string());
        if let Some(token) = token {
            request = request.header(bearer(token));
        }
        read(request.dispatch().await).await
    }
}

impl TestApp {
    /// `POST /api/v1/auth/register` of a citizen; every answer is `202` with one body.
    pub async fn register_citizen(
        &self,
        full_name: &str,
        citizen_id: &str,
        phone: &str,
        password: &str,
    ) -> (Status, Value) {
        let body = serde_json::json!({
            "full_name": full_name,
            "citizen_id": citizen_id,
            "phone": phone,
            "password": password,
        });
        self.post_json("/api/v1/auth/register", &body, None).await
    }

    /// Logs in with any login and password; the bearer token and the account.
    pub async fn login_with(&self, login: &str, password: &str) -> (String, Value) {
        let body = serde_json::json!({"login": login, "password": password});
        let (status, answer) = self.post_json("/api/v1/auth/login", &body, None).await;
        assert_eq!(status, Status::Ok, "login {login}: {answer}");
        (
            answer["token"].as_str().expect("token").to_owned(),
            answer["user"].clone(),
        )
    }

    /// A fresh desk code of the signed-in citizen (`POST /api/v1/me/identity/code`).
    pub async fn identity_code(&self, citizen_token: &str) -> String {
        let (status, answer) = self
            .post_json(
                "/api/v1/me/identity/code",
                &Value::Null,
                Some(citizen_token),
            )
            .await;
        assert_eq!(status, Status::Created, "{answer}");
        answer["code"].as_str().expect("code").to_owned()
    }

    /// A clerk confirms a code with the number read from the ID card.
    pub async fn confirm_identity(
        &self,
        clerk_token: &str,
        code: &str,
        card_number: &str,
    ) -> (Status, Value) {
        self.post_json(
            "/api/v1/desk/identity-confirmations",
            &serde_json::json!({"code": code, "citizen_id": card_number}),
            Some(clerk_token),
        )
        .await
    }

    /// Proves a citizen's ID at a desk, through the API, with a clerk of a new office.
    pub async fn verify_at_desk(&self, citizen_token: &str, card_number: &str) {
        let clerk = format!(
            "canbo.xacminh.{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let (_, clerk_token) = self.signed_in(Role::Clerk, &clerk).await;
        let code = self.identity_code(citizen_token).await;
        let (status, answer) = self
            .confirm_identity(&clerk_token, &code, card_number)
            .await;
        assert_eq!(status, Status::Ok, "{answer}");
    }

    /// Marks the one account claiming `citizen_id` as its verified holder, directly in the
    /// database (for tests about something else than verifying).
    pub async fn mark_verified(&self, citizen_id: &str) {
        let citizen_id = citizen_id.to_owned();
        self.db(move |conn| {
            let claimants = User::find_all_by_login(conn, &citizen_id, 5).unwrap();
            assert_eq!(claimants.len(), 1, "one account claims {citizen_id}");
            assert!(
                User::mark_identity_verified(conn, &claimants[0].id, now_utc(), "desk").unwrap()
            );
        })
        .await;
    }

    pub async fn put_json(&self, path: &str, body: &Value, token: Option<&str>) -> (Status, Value) {
        let mut request = self
            .client
            .put(path.to_owned())
            .header(ContentType::JSON)
            .body(body.to_string());
        if let Some(token) = token {
            request = request.header(bearer(token));
        }
        read(request.dispatch().await).await
    }

    /// Logs in with an explicit password and returns the whole answer.
    pub async fn login_answer(&self, login: &str, password: &str) -> (Status, Value) {
        self.post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"login": login, "password": password}),
            None,
        )
        .await
    }

    /// The audit rows of `action`, oldest first.
    pub async fn audit_rows(&self, action: &'static str) -> Vec<certcopy::db::models::AuditEntry> {
        let mut rows = self
            .db(|conn| certcopy::db::models::AuditEntry::latest(conn, 1000).unwrap())
            .await;
        rows.retain(|row| row.action == action);
        rows.reverse();
        rows
    }
}

/// An answer with its `Retry-After` header (seconds), for limits and overload.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: Status,
    pub body: Value,
    pub retry_after: Option<u64>,
}

impl Answer {
    /// The `(status, body)` pair [`assert_error`] takes.
    pub fn pair(&self) -> (Status, Value) {
        (self.status, self.body.clone())
    }
}

impl TestApp {
    /// Posts JSON from the socket address `peer` (none: Rocket's local client gives no
    /// address) and keeps the `Retry-After` header.
    pub async fn post_json_from(&self, path: &str, body: &Value, peer: Option<&str>) -> Answer {
        let mut request = self
            .client
            .post(path.to_owned())
            .header(ContentType::JSON)
            .body(body.to_string());
        if let Some(peer) = peer {
            request = request.remote(peer.parse().expect("socket address"));
        }
        let response = request.dispatch().await;
        let retry_after = response
            .headers()
            .get_one("Retry-After")
            .map(|value| value.parse().expect("Retry-After in seconds"));
        let (status, body) = read(response).await;
        Answer {
            status,
            body,
            retry_after,
        }
    }
}

pub fn bearer(token: &str) -> Header<'static> {
    Header::new("Authorization", format!("Bearer {token}"))
}

/// Reads a response as (status, JSON or Null).
pub async fn read(response: LocalResponse<'_>) -> (Status, Value) {
    let status = response.status();
    let text = response.into_string().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Asserts an error answer: status, code, and both messages present.
pub fn assert_error(answer: &(Status, Value), status: Status, code: &str) {
    assert_eq!(answer.0, status, "{}", answer.1);
    let error = &answer.1["error"];
    assert_eq!(error["code"], code, "{}", answer.1);
    assert!(
        !error["message_vi"].as_str().unwrap_or("").is_empty(),
        "{}",
        answer.1
    );
    assert!(
        !error["message_en"].as_str().unwrap_or("").is_empty(),
        "{}",
        answer.1
    );
}

/// Five digits derived from a name, so each test user gets its own citizen ID.
fn name_digits(seed: &str) -> u32 {
    seed.bytes().fold(7u32, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u32::from(b))
    }) % 100_000
}
