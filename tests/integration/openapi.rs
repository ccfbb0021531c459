//! The OpenAPI document (`GET /api/v1/openapi.json`): it lists exactly the public and agency
//! operations, each of them a mounted route, each with the error answer; an independent
//! validator accepts it; real answers of every operation match its schemas; and
//! schemathesis, driven by the document alone, finds no 5xx and no answer outside the
//! document (`tests/api/check.py`, run against the service on a loopback port).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use certcopy::db::models::Role;
use rocket::http::Status;
use serde_json::{Value, json};

use crate::booking::support::person;
use crate::common::browser::{runtime, serve_on_loopback};
use crate::common::{Backend, TestApp};
use crate::dossiers::agency_key;
use crate::issuing::{FIELDS, office_with_official, post_issue, small_jpeg};

/// What the document must list: the public and agency operations, no more.
const OPERATIONS: &[(&str, &str)] = &[
    ("get", "/api/v1/health"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/offices"),
    ("get", "/api/v1/offices/{office_id}/slots"),
    ("post", "/api/v1/verifications"),
    ("get", "/api/v1/copies/by-code/{code}"),
    ("post", "/api/v1/dossiers"),
    ("get", "/api/v1/dossiers"),
    ("get", "/api/v1/dossiers/{id}"),
    ("post", "/api/v1/dossiers/{id}/documents"),
    ("post", "/api/v1/dossiers/{id}/reverify"),
    ("put", "/api/v1/agency/webhook"),
    ("post", "/api/v1/shares/redeem"),
    ("post", "/api/v1/shares/pdf"),
    ("get", "/api/v1/log/tree-head"),
    ("get", "/api/v1/log/key"),
    ("get", "/api/v1/log/proof/{code}"),
    ("get", "/api/v1/log/consistency"),
    ("post", "/api/v1/timestamp"),
];

/// `/a/<b>/<c..>` → `/a/{b}/{c}`, without a query.
fn openapi_path(rocket_path: &str) -> String {
    rocket_path
        .split('?')
        .next()
        .unwrap_or_default()
        .split('/')
        .map(|part| match part.strip_prefix('<') {
            Some(name) => format!("{{{}}}", name.trim_end_matches('>').trim_end_matches("..")),
            None => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[rocket::async_test]
async fn the_document_lists_the_public_and_agency_operations() {
    let app = TestApp::builder(Backend::Sqlite).build().await.unwrap();
    let response = app.client.get("/api/v1/openapi.json").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.content_type(),
        Some(rocket::http::ContentType::JSON)
    );
    let document: Value = response.into_json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");

    let listed: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let expected: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(listed, expected);

    // Each operation is a route the service serves, under the same method and path.
    let mounted: BTreeSet<(String, String)> = app
        .client
        .rocket()
        .routes()
        .map(|route| {
            (
                route.method.as_str().to_ascii_lowercase(),
                openapi_path(&route.uri.to_string()),
            )
        })
        .collect();
    for operation in &listed {
        assert!(mounted.contains(operation), "{operation:?} is not mounted");
    }

    let api_key = json!([{"api_key": []}]);
    for (method, path) in &listed {
        let operation = &document["paths"][path][method];
        assert!(
            operation["responses"]["4XX"]["$ref"] == "#/components/responses/Error",
            "{method} {path} lacks the error answer"
        );
        assert!(operation["operationId"].is_string(), "{method} {path}");
        let agency = operation["tags"][0] == "agency";
        assert_eq!(
            agency,
            operation["security"] == api_key,
            "{method} {path}: agency operations, and only they, require the key"
        );
    }
    assert_eq!(
        document["components"]["securitySchemes"]["api_key"]["name"],
        "X-Api-Key"
    );
    let error = &document["components"]["schemas"]["Error"];
    assert_eq!(
        error["properties"]["error"]["$ref"],
        "#/components/schemas/ErrorDetail"
    );
    // The verification report's schema is the report the code serialises.
    let report = &document["components"]["schemas"]["DocumentReport"]["properties"];
    for field in [
        "verdict",
        "signatures",
        "register",
        "validation_time",
        "signatures_count",
    ] {
        assert!(report.get(field).is_some(), "DocumentReport lacks {field}");
    }
    assert!(report.get("signed_content_sha256").is_none());
}

#[test]
fn real_answers_and_generated_requests_keep_to_the_document() {
    let runtime = runtime();
    let test = runtime
        .block_on(TestApp::builder(Backend::Sqlite).build())
        .expect("SQLite app");
    let (office, _, official) = runtime.block_on(office_with_official(
        &test,
        "UBND Phường Đặc Tả",
        "lanhdao.dacta",
    ));
    let holder = runtime.block_on(person(&test, Role::Citizen, 3_001_234, None));
    runtime.block_on(test.mark_verified("079203001234"));
    let admin = runtime.block_on(person(&test, Role::Admin, 93, None));
    let key = runtime.block_on(agency_key(&test, &admin.token, "so.dacta"));
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
        &json!({"purpose": "Tuyển sinh lớp 10", "procedure_code": "1.001234"}),
        Some(&holder.token),
    ));
    assert_eq!(status, Status::Created, "{share}");
    let pdf = runtime.block_on(async {
        let response = test
            .client
            .get(format!("/api/v1/copies/{copy_id}/pdf"))
            .header(crate::common::bearer(&holder.token))
            .dispatch()
            .await;
        response.into_bytes().await.unwrap()
    });
    let pdf_path = test.dir.join("copy.pdf");
    std::fs::write(&pdf_path, pdf).unwrap();

    let port = serve_on_loopback(&runtime, &test.app);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/check.py");
    let output = Command::new("python3")
        .arg(script)
        .args([
            format!("http://127.0.0.1:{port}"),
            key,
            office.id.to_string(),
            copy["code"].as_str().unwrap().to_owned(),
            share["code"].as_str().unwrap().to_owned(),
            pdf_path.display().to_string(),
            test.dir.join("schemathesis").display().to_string(),
        ])
        .output()
        .expect("python3 is required for the API checks");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{report}");
    assert!(
        output.status.success() && report.contains("all API checks passed"),
        "tests/api/check.py failed (openapi-spec-validator and schemathesis are needed; see .ci/run):\n{report}"
    );
}
