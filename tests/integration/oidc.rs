//! Login through an OpenID Connect identity provider, end to end against a real provider
//! (`oidc-provider` run with Node): the citizen ID it proves makes or verifies an account;
//! every broken answer is refused.

use rocket::http::Status;
use serde_json::json;
use unicode_normalization::UnicodeNormalization;

use crate::common::oidc_provider::{
    OidcProvider, callback, login_at_provider, me_with_cookie, oidc_login,
};
use crate::common::{Backend, TestApp, assert_error};
use crate::db_test;
use certcopy::db::models::{AuditEntry, User};

/// The citizen ID the provider proves for its account `an`.
const AN_CITIZEN_ID: &str = "079203001234";

async fn app_with(provider: &OidcProvider, backend: Backend) -> Option<TestApp> {
    let config = provider.config();
    TestApp::builder(backend)
        .with_config(move |c| c.oidc = Some(config))
        .build()
        .await
}

/// Runs `case` on SQLite and, when configured, PostgreSQL, each with its own provider.
macro_rules! oidc_test {
    ($name:ident, |$app:ident, $provider:ident| $body:block) => {
        mod $name {
            use super::*;
            async fn case($app: TestApp, mut $provider: OidcProvider) {
                let _ = &mut $provider;
                $body
            }

            #[rocket::async_test]
            async fn sqlite() {
                let provider = OidcProvider::start();
                let app = app_with(&provider, Backend::Sqlite).await.expect("SQLite");
                case(app, provider).await;
            }

            #[rocket::async_test]
            async fn postgres() {
                if crate::common::postgres_admin_url().is_none() {
                    eprintln!("PostgreSQL skipped: CERTCOPY_TEST_DATABASE_URL is not set");
                    return;
                }
                let provider = OidcProvider::start();
                let app = app_with(&provider, Backend::Postgres)
                    .await
                    .expect("PostgreSQL");
                case(app, provider).await;
            }
        }
    };
}

async fn users_with_citizen_id(app: &TestApp, citizen_id: &'static str) -> Vec<User> {
    app.db(move |conn| {
        use certcopy::db::schema::users;
        use diesel::prelude::*;
        users::table
            .filter(users::citizen_id.eq(citizen_id))
            .select(User::as_select())
            .load(conn)
            .unwrap()
    })
    .await
}

async fn verification_audits(app: &TestApp) -> Vec<AuditEntry> {
    app.db(|conn| AuditEntry::latest(conn, 100).unwrap())
        .await
        .into_iter()
        .filter(|entry| entry.action == "identity.verified")
        .collect()
}

fn urlencode(text: &str) -> String {
    text.replace(':', "%3A").replace('/', "%2F")
}

/// The session cookie set by a password login.
async fn password_login_cookie(app: &TestApp, login: &str, password: &str) -> String {
    let response = app
        .client
        .post("/api/v1/auth/login")
        .header(rocket::http::ContentType::JSON)
        .body(json!({"login": login, "password": password}).to_string())
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    response
        .headers()
        .get("Set-Cookie")
        .find(|c| c.starts_with("certcopy_session="))
        .expect("session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

async fn register(app: &TestApp, phone: &str) -> String {
    let answer = app
        .post_json(
            "/api/v1/auth/register",
            &json!({
                "full_name": "Nguyễn Văn An",
                "citizen_id": AN_CITIZEN_ID,
                "phone": phone,
                "password": crate::common::PASSWORD,
            }),
            None,
        )
        .await;
    // Registration answers alike whatever happened; the account is found by its phone.
    assert_eq!(answer.0, Status::Accepted, "{}", answer.1);
    let phone = phone.to_owned();
    let accounts = app
        .db(move |conn| certcopy::db::models::User::find_all_by_login(conn, &phone, 2).unwrap())
        .await;
    assert_eq!(accounts.len(), 1, "one account per phone");
    accounts[0].id.to_string()
}

oidc_test!(oidc_login_creates_a_verified_account, |app, provider| {
    // The sign-in page offers the identity provider's button.
    let page = app.client.get("/login").dispatch().await;
    let page = page.into_string().await.unwrap();
    assert!(page.contains("href=\"/api/v1/auth/oidc/start\""), "{page}");

    let answer = oidc_login(&app, "an", None).await;
    assert_eq!(answer.status, Status::SeeOther, "{}", answer.body);
    assert_eq!(answer.location.as_deref(), Some("/"));
    let session = answer.session_cookie.expect("session cookie set");

    let (status, me) = me_with_cookie(&app, &session).await;
    assert_eq!(status, Status::Ok, "{me}");
    assert_eq!(me["role"], "citizen");
    assert_eq!(me["citizen_id"], AN_CITIZEN_ID);
    // The provider sends the name decomposed (NFD); it is stored composed (NFC).
    let expected_name: String = "Nguyễn Văn An".nfc().collect();
    assert_eq!(me["full_name"], expected_name.as_str());

    let users = users_with_citizen_id(&app, AN_CITIZEN_ID).await;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].identity_verified_via.as_deref(), Some("oidc"));
    assert!(users[0].identity_verified_at.is_some());
    let audits = verification_audits(&app).await;
    assert_eq!(audits.len(), 1);
    assert!(
        audits[0].detail.contains("\"account_created\":true"),
        "{}",
        audits[0].detail
    );

    // No password opens the account: it logs in through the provider only.
    for password in ["", "!oidc", crate::common::PASSWORD] {
        let refused = app
            .post_json(
                "/api/v1/auth/login",
                &json!({"login": AN_CITIZEN_ID, "password": password}),
                None,
            )
            .await;
        assert_error(&refused, Status::Unauthorized, "bad_credentials");
    }

    // The next login signs in to the same account, creating nothing.
    let again = oidc_login(&app, "an", None).await;
    assert_eq!(again.status, Status::SeeOther, "{}", again.body);
    let (_, me_again) = me_with_cookie(&app, &again.session_cookie.unwrap()).await;
    assert_eq!(me_again["id"], me["id"]);
    assert_eq!(users_with_citizen_id(&app, AN_CITIZEN_ID).await.len(), 1);
    assert_eq!(verification_audits(&app).await.len(), 1);
});

oidc_test!(oidc_login_verifies_the_signed_in_claim, |app, provider| {
    // Two unverified accounts claim the same citizen ID; the person signed in to one of
    // them proves it at the provider.
    let own = register(&app, "0912000001").await;
    let other = register(&app, "0912000002").await;
    let password_session = password_login_cookie(&app, "0912000001", crate::common::PASSWORD).await;

    let answer = oidc_login(&app, "an", Some(&password_session)).await;
    assert_eq!(answer.status, Status::SeeOther, "{}", answer.body);
    let session = answer.session_cookie.expect("session cookie set");
    let (status, me) = me_with_cookie(&app, &session).await;
    assert_eq!(status, Status::Ok, "{me}");
    assert_eq!(
        me["id"],
        own.as_str(),
        "the signed-in account stays signed in"
    );

    let users = users_with_citizen_id(&app, AN_CITIZEN_ID).await;
    assert_eq!(users.len(), 2, "no account created");
    for user in &users {
        if user.id.to_string() == own {
            assert_eq!(user.identity_verified_via.as_deref(), Some("oidc"));
        } else {
            assert_eq!(user.id.to_string(), other);
            assert!(
                user.identity_verified_at.is_none(),
                "the other claim stays a claim"
            );
        }
    }
    let audits = verification_audits(&app).await;
    assert_eq!(audits.len(), 1);
    assert_eq!(audits[0].target.as_deref(), Some(own.as_str()));
    assert!(
        audits[0].detail.contains("\"account_created\":false"),
        "{}",
        audits[0].detail
    );
    // The password login of the verified account still works; its old session gave way.
    password_login_cookie(&app, "0912000001", crate::common::PASSWORD).await;
    let (old_status, _) = me_with_cookie(&app, &password_session).await;
    assert_eq!(old_status, Status::Unauthorized);
    // The other claimant is not locked out.
    password_login_cookie(&app, "0912000002", crate::common::PASSWORD).await;
});

oidc_test!(
    oidc_callback_refuses_wrong_or_replayed_state,
    |app, provider| {
        let answer = login_at_provider(&app, "an", None).await;
        let (path, query) = answer.callback.split_once('?').unwrap();
        let state = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("state="))
            .unwrap();

        // Another state, or no pending-login cookie (a callback from someone else's login).
        let wrong_state = format!("{path}?{}", query.replace(state, "forged-state"));
        let refused = callback(&app, &wrong_state, &[&answer.pending_cookie]).await;
        assert_error(
            &(refused.status, refused.body),
            Status::BadRequest,
            "oidc_bad_state",
        );
        let refused = callback(&app, &answer.callback, &[]).await;
        assert_error(
            &(refused.status, refused.body),
            Status::BadRequest,
            "oidc_bad_state",
        );
        assert!(refused.session_cookie.is_none());
        // The answer names another issuer (a mix-up between providers).
        let issuer = urlencode(&provider.issuer());
        assert!(query.contains(&format!("iss={issuer}")), "{query}");
        let other_issuer = format!(
            "{path}?{}",
            query.replace(&issuer, &urlencode("http://127.0.0.1:1"))
        );
        let refused = callback(&app, &other_issuer, &[&answer.pending_cookie]).await;
        assert_error(
            &(refused.status, refused.body),
            Status::BadRequest,
            "oidc_bad_state",
        );

        // The provider's refusal (the person cancelled) is shown as such.
        let cancelled = format!("{path}?error=access_denied&state={state}");
        let refused = callback(&app, &cancelled, &[&answer.pending_cookie]).await;
        assert_error(
            &(refused.status, refused.body),
            Status::Unauthorized,
            "oidc_login_refused",
        );

        // The genuine answer is taken once; replayed with the same cookie, it is refused.
        let fresh = login_at_provider(&app, "an", None).await;
        let accepted = callback(&app, &fresh.callback, &[&fresh.pending_cookie]).await;
        assert_eq!(accepted.status, Status::SeeOther, "{}", accepted.body);
        let replayed = callback(&app, &fresh.callback, &[&fresh.pending_cookie]).await;
        assert_error(
            &(replayed.status, replayed.body),
            Status::BadRequest,
            "oidc_bad_state",
        );
        assert!(replayed.session_cookie.is_none());
    }
);

oidc_test!(oidc_refuses_tampered_and_foreign_tokens, |app, provider| {
    for mode in ["tampered", "wrong_nonce", "wrong_audience", "foreign_key"] {
        provider.set_token_mode(mode).await;
        let answer = oidc_login(&app, "an", None).await;
        assert_error(
            &(answer.status, answer.body),
            Status::Unauthorized,
            "oidc_token_invalid",
        );
        assert!(answer.session_cookie.is_none(), "{mode}: no session");
    }
    // The unknown key of the foreign token made the service fetch the key set once more
    // (discovery + one re-fetch); a second such token within the interval fetches nothing.
    assert_eq!(provider.jwks_fetches().await, 2);
    let answer = oidc_login(&app, "an", None).await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(provider.jwks_fetches().await, 2);

    assert!(users_with_citizen_id(&app, AN_CITIZEN_ID).await.is_empty());
    assert!(users_with_citizen_id(&app, "079203009999").await.is_empty());
    assert!(verification_audits(&app).await.is_empty());

    // The same provider answering honestly logs in.
    provider.set_token_mode("honest").await;
    let answer = oidc_login(&app, "an", None).await;
    assert_eq!(answer.status, Status::SeeOther, "{}", answer.body);
});

oidc_test!(
    oidc_refuses_low_assurance_and_bad_claims,
    |app, provider| {
        // `binh` logs in at level 1; level 2 is required.
        let answer = oidc_login(&app, "binh", None).await;
        assert_error(
            &(answer.status, answer.body),
            Status::Forbidden,
            "oidc_assurance_too_low",
        );
        // `chi` has no citizen ID claim; `dung`'s is not a citizen ID.
        let answer = oidc_login(&app, "chi", None).await;
        assert_error(
            &(answer.status, answer.body),
            Status::UnprocessableEntity,
            "oidc_claim_missing",
        );
        let answer = oidc_login(&app, "dung", None).await;
        assert_error(
            &(answer.status, answer.body),
            Status::UnprocessableEntity,
            "oidc_claim_invalid",
        );
        let count = app.db(|conn| User::count(conn).unwrap()).await;
        assert_eq!(count, 0, "no account created");
    }
);

oidc_test!(oidc_follows_a_key_rotation, |app, provider| {
    let first = oidc_login(&app, "an", None).await;
    assert_eq!(first.status, Status::SeeOther, "{}", first.body);
    // The provider comes back with a new signing key; the service's cached key set lacks
    // it, fetches the set again once, and the login goes through.
    provider.restart();
    let second = oidc_login(&app, "an", None).await;
    assert_eq!(second.status, Status::SeeOther, "{}", second.body);
    assert_eq!(provider.jwks_fetches().await, 1);
    let (_, first_me) = me_with_cookie(&app, &first.session_cookie.unwrap()).await;
    let (_, second_me) = me_with_cookie(&app, &second.session_cookie.unwrap()).await;
    assert_eq!(first_me["id"], second_me["id"]);
});

db_test!(oidc_routes_answer_not_configured_when_off, |app| {
    // Without an `[oidc]` section the sign-in page has no provider button and the routes
    // say so.
    let page = app.client.get("/login").dispatch().await;
    let page = page.into_string().await.unwrap();
    assert!(page.contains("action=\"/login\""), "{page}");
    assert!(!page.contains("/api/v1/auth/oidc/start"), "{page}");
    let answer = app.get("/api/v1/auth/oidc/start", None).await;
    assert_error(&answer, Status::NotFound, "oidc_not_configured");
    let answer = app
        .get("/api/v1/auth/oidc/callback?code=x&state=y", None)
        .await;
    assert_error(&answer, Status::NotFound, "oidc_not_configured");
});

#[rocket::async_test]
async fn oidc_provider_down_is_a_clear_503() {
    // A port where nothing listens.
    let port = crate::common::http::free_port();
    let app = TestApp::builder(Backend::Sqlite)
        .with_config(move |c| {
            c.oidc = Some(certcopy::config::OidcConfig {
                issuer_url: format!("http://127.0.0.1:{port}"),
                client_id: "certcopy".into(),
                client_secret: "secret".into(),
                redirect_url: crate::common::oidc_provider::REDIRECT_URL.into(),
                citizen_id_claim: "citizen_id".into(),
                acr_values: vec!["urn:vn:eid:level2".into()],
                scopes: vec![],
                after_login_path: "/".into(),
                jwks_min_refresh_seconds: 10,
                http_timeout_seconds: 2,
            })
        })
        .build()
        .await
        .unwrap();
    let answer = app.get("/api/v1/auth/oidc/start", None).await;
    assert_error(
        &answer,
        Status::ServiceUnavailable,
        "oidc_provider_unavailable",
    );
}
