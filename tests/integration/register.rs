//! The certification register: gapless numbers per office per year under concurrency,
//! yearly restart, void and annulment.

use certcopy::audit::Actor;
use certcopy::db::models::{EntryStatus, RegisterEntry, Role};
use certcopy::registry::{self, NewCertification, RegistryError};
use time::macros::datetime;

use crate::db_test;

fn request(
    office: &certcopy::db::models::Office,
    official: &certcopy::db::models::User,
) -> NewCertification {
    NewCertification {
        office_id: office.id.clone(),
        requester_name: "Nguyễn Văn An".into(),
        requester_citizen_id: "079203001234".into(),
        document_title: "Bằng tốt nghiệp".into(),
        page_count: 3,
        copies: 2,
        signer_id: official.id.clone(),
        signer_name: official.full_name.clone(),
        signer_position: "Phó Chủ tịch".into(),
        verification_code: registry::new_verification_code(),
        single_person: false,
        fee_vnd: None,
    }
}

db_test!(
    numbers_are_gapless_under_concurrency_and_restart_each_year,
    |app| {
        let office = app.office("UBND Phường Sổ").await;
        let other = app.office("UBND Phường Khác").await;
        let official = app
            .user(Role::Official, "lanhdao.so", Some(&office.id))
            .await;
        let actor = Actor::from(&official);
        let mut tasks = Vec::new();
        for n in 0..24 {
            let db = app.app.db.clone();
            let office = if n % 3 == 0 {
                other.clone()
            } else {
                office.clone()
            };
            let req = request(&office, &official);
            let actor = actor.clone();
            tasks.push(rocket::tokio::task::spawn_blocking(move || {
                let mut conn = db.get().unwrap();
                registry::open_entry(
                    &mut conn,
                    &req,
                    datetime!(2026-12-31 16:59 UTC),
                    &actor,
                    None,
                )
                .unwrap()
            }));
        }
        for task in tasks {
            let entry = task.await.unwrap();
            assert_eq!(entry.status(), EntryStatus::Pending);
            assert_eq!(entry.book, "01/2026");
            assert_eq!(entry.fee_vnd, 10_000, "3 pages × 2 copies");
        }
        let (book, other_book) = {
            let (a, b) = (office.id.clone(), other.id.clone());
            app.db(move |conn| {
                (
                    RegisterEntry::book(conn, &a, 2026).unwrap(),
                    RegisterEntry::book(conn, &b, 2026).unwrap(),
                )
            })
            .await
        };
        assert_eq!(
            book.iter().map(|e| e.sequence).collect::<Vec<_>>(),
            (1..=16).collect::<Vec<_>>()
        );
        assert_eq!(
            other_book.iter().map(|e| e.sequence).collect::<Vec<_>>(),
            (1..=8).collect::<Vec<_>>()
        );

        // 17:00 UTC on 31 Dec is 00:00 on 1 Jan in Vietnam: a new book starting at 1.
        let req = request(&office, &official);
        let entry = app
            .db(move |conn| {
                registry::open_entry(conn, &req, datetime!(2026-12-31 17:00 UTC), &actor, None)
                    .unwrap()
            })
            .await;
        assert_eq!(
            (entry.year, entry.sequence, entry.book.as_str()),
            (2027, 1, "01/2027")
        );
    }
);

db_test!(void_publish_and_annul_follow_the_rules, |app| {
    let office = app.office("UBND Phường Sổ").await;
    let official = app
        .user(Role::Official, "lanhdao.so", Some(&office.id))
        .await;
    let stranger_office = app.office("UBND Phường Lạ").await;
    let stranger = app
        .user(Role::Official, "lanhdao.la", Some(&stranger_office.id))
        .await;
    let (req, actor, stranger_actor) = (
        request(&office, &official),
        Actor::from(&official),
        Actor::from(&stranger),
    );
    app.db(move |conn| {
        let now = time::OffsetDateTime::now_utc();
        let spoiled = registry::open_entry(conn, &req, now, &actor, None).unwrap();
        registry::void_entry(conn, &spoiled.id, "signing failed", Some(&actor), None).unwrap();
        assert!(matches!(
            registry::publish_entry(
                conn,
                &spoiled.id,
                &registry::StoredCopy::signed_only("ab"),
                &actor,
                None
            ),
            Err(RegistryError::NotPending)
        ));
        let voided = RegisterEntry::find(conn, &spoiled.id).unwrap().unwrap();
        assert_eq!(voided.status(), EntryStatus::Void);
        assert_eq!(voided.void_reason.as_deref(), Some("signing failed"));
        assert!(!voided.is_published());

        let fresh = || NewCertification {
            verification_code: registry::new_verification_code(),
            ..req.clone()
        };
        let issued = registry::open_entry(conn, &fresh(), now, &actor, None).unwrap();
        assert_eq!(issued.sequence, 2, "the spoiled line keeps number 1");
        let sha = "a".repeat(64);
        let valid = registry::publish_entry(
            conn,
            &issued.id,
            &registry::StoredCopy::signed_only(&sha),
            &actor,
            None,
        )
        .unwrap();
        assert_eq!(valid.status(), EntryStatus::Valid);
        assert!(valid.issued_at.is_some());
        assert!(matches!(
            registry::void_entry(conn, &issued.id, "late", None, None),
            Err(RegistryError::NotPending)
        ));

        assert!(
            matches!(
                registry::annul_entry(conn, &issued.id, "nhầm", &stranger_actor, None),
                Err(RegistryError::NotFound)
            ),
            "another office cannot annul"
        );
        let annulled =
            registry::annul_entry(conn, &issued.id, "Cấp nhầm bản chính", &actor, None).unwrap();
        assert_eq!(annulled.status(), EntryStatus::Annulled);
        assert!(
            annulled.is_published(),
            "annulled copies stay visible as annulled"
        );
        assert!(matches!(
            registry::annul_entry(conn, &issued.id, "again", &actor, None),
            Err(RegistryError::NotValid)
        ));
        let published = RegisterEntry::published_for_citizen(conn, "079203001234").unwrap();
        assert_eq!(published.len(), 1);

        // A pending entry older than the grace period is voided as interrupted.
        let stuck = registry::open_entry(conn, &fresh(), now, &actor, None).unwrap();
        assert_eq!(
            registry::void_interrupted(conn, time::Duration::minutes(15)).unwrap(),
            0
        );
        assert_eq!(
            registry::void_interrupted(conn, time::Duration::seconds(-1)).unwrap(),
            1
        );
        let stuck = RegisterEntry::find(conn, &stuck.id).unwrap().unwrap();
        assert_eq!(stuck.status(), EntryStatus::Void);
        assert!(stuck.void_reason.unwrap().contains("interrupted"));
    })
    .await;
});
