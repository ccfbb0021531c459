use rocket::http::Status;

use crate::db_test;

db_test!(health_reports_backend_and_migrations, |app| {
    let (status, body) = app.get("/api/v1/health", None).await;
    assert_eq!(status, Status::Ok);
    assert_eq!(body["status"], "ok");
    let expected = match app.backend() {
        crate::common::Backend::Sqlite => "sqlite",
        crate::common::Backend::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
    let migrations = std::fs::read_dir("migrations/sqlite").unwrap().count();
    assert_eq!(body["migrations"], migrations);
});

db_test!(unknown_route_is_json_404, |app| {
    let answer = app.get("/api/v1/no-such-thing", None).await;
    crate::common::assert_error(&answer, Status::NotFound, "not_found");
});

fn migration_names(backend: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(format!("migrations/{backend}"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn migration_trees_have_identical_names() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                let path = format!("migrations/{backend}/{name}/{file}");
                assert!(std::path::Path::new(&path).exists(), "{path} missing");
            }
        }
    }
}
