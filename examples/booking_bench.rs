//! Data and checks for `benches/booking_load.sh` (not part of the service).
//!
//! ```text
//! booking_bench seed  DATABASE_URL OUT_DIR CITIZENS   # office, calendar, citizens with sessions
//! booking_bench check DATABASE_URL OFFICE_ID          # seats vs appointments, overbooking
//! ```
//!
//! `seed` migrates the database, creates one office with 100 counters per slot, and
//! `CITIZENS` citizen accounts with a login session each (written directly: no Argon2),
//! then writes `OUT_DIR/office_id`, `OUT_DIR/tokens.txt` (one bearer token a line) and
//! `OUT_DIR/slots.txt` (bookable slot starts from tomorrow on, RFC 3339). `check` prints
//! the committed appointments and the number of overbooked slots (must be 0) and exits
//! non-zero when a counter disagrees with the appointments.

use std::fmt::Write as _;
use std::process::ExitCode;

use certcopy::booking::store::seat_report;
use certcopy::booking::{BookingContext, OfficeCalendar, OfficeCalendarConfig, slots};
use certcopy::db::ids::{OfficeId, UserId};
use certcopy::db::models::{Office, OfficeCalendarRow, Role, Session, User};
use certcopy::db::{Db, DbError, now_utc};
use certcopy::local_time::{local_date, to_local};
use certcopy::secrets::{new_secret_token, token_hash};
use diesel::Connection;
use time::Duration;

/// Counters per slot in the benchmark office (the calendar's maximum).
const COUNTERS: u16 = 100;
/// Accounts written per transaction.
const CHUNK: usize = 2_000;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let outcome = match args.get(1).map(String::as_str) {
        Some("seed") if args.len() == 5 => match args[4].parse() {
            Ok(citizens) => seed(&args[2], std::path::Path::new(&args[3]), citizens),
            Err(_) => Err(format!("CITIZENS must be a number, got {}", args[4])),
        },
        Some("check") if args.len() == 4 => check(&args[2], &args[3]),
        _ => Err("usage: booking_bench seed DATABASE_URL OUT_DIR CITIZENS | check DATABASE_URL OFFICE_ID".into()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("booking_bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn open(url: &str) -> Result<Db, String> {
    let db = Db::open(url, 2).map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    Ok(db)
}

fn citizen(n: usize) -> (User, Session, String) {
    let id = UserId::generate();
    let user = User {
        id: id.clone(),
        role: Role::Citizen.as_str().to_owned(),
        full_name: format!("Công Dân Thử {n}"),
        citizen_id: Some(format!("0792{n:08}")),
        username: None,
        phone: None,
        email: None,
        password_hash: "$argon2id$unused".into(),
        office_id: None,
        position: None,
        disabled: false,
        created_at: now_utc(),
        identity_verified_at: None,
        identity_verified_via: None,
    };
    let token = new_secret_token("");
    let session = Session {
        id: token_hash(&token),
        user_id: id,
        created_at: now_utc(),
        expires_at: now_utc() + Duration::days(2),
    };
    (user, session, token)
}

fn seed(url: &str, out: &std::path::Path, citizens: usize) -> Result<(), String> {
    let db = open(url)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let office = Office {
        id: OfficeId::generate(),
        name: "UBND Phường Đo Tải".into(),
        kind: "commune_committee".into(),
        province: "TP. Hồ Chí Minh".into(),
        district: "Quận 1".into(),
        address: "1 Đường Đo Tải, Phường Bến Nghé".into(),
        created_at: now_utc(),
    };
    office.insert(&mut conn).map_err(|e| e.to_string())?;
    let config = OfficeCalendarConfig {
        counters: COUNTERS,
        ..OfficeCalendarConfig::default()
    };
    let calendar = OfficeCalendar::new(config.clone()).map_err(|e| e.to_string())?;
    let json = serde_json::to_string(&config).map_err(|e| e.to_string())?;
    OfficeCalendarRow::save(&mut conn, &office.id, &json, None, now_utc())
        .map_err(|e| e.to_string())?;

    let mut tokens = String::new();
    for chunk in (0..citizens).collect::<Vec<_>>().chunks(CHUNK) {
        let written = conn.transaction::<_, DbError, _>(|conn| {
            let mut written = Vec::with_capacity(chunk.len());
            for n in chunk {
                let (user, session, token) = citizen(*n);
                User::insert(conn, &user)?;
                session.insert(conn)?;
                written.push(token);
            }
            Ok(written)
        });
        for token in written.map_err(|e| e.to_string())? {
            let _ = writeln!(tokens, "{token}");
        }
    }

    // From tomorrow, so that no slot falls inside the minimum notice during the run.
    let ctx = BookingContext::new();
    let now = ctx.clock.now();
    let today = local_date(now).ok_or("date out of range")?;
    let (from, to) = (today + Duration::days(1), today + Duration::days(30));
    let found = slots(&calendar, &ctx.holidays, from, to, now).map_err(|e| e.to_string())?;
    let mut starts = String::new();
    for slot in &found {
        let local = to_local(slot.start()).ok_or("time out of range")?;
        let _ = writeln!(
            starts,
            "{:04}-{:02}-{:02}T{:02}:{:02}:00+07:00",
            local.year(),
            u8::from(local.month()),
            local.day(),
            local.hour(),
            local.minute()
        );
    }
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    let write = |name: &str, text: &str| {
        std::fs::write(out.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("office_id", office.id.as_str())?;
    write("tokens.txt", &tokens)?;
    write("slots.txt", &starts)?;
    write("first_date", &from.to_string())?;
    println!(
        "seeded office {} ({} slots × {COUNTERS} seats from {from} to {to}), {citizens} citizens",
        office.id,
        found.len()
    );
    Ok(())
}

fn check(url: &str, office: &str) -> Result<(), String> {
    let db = open(url)?;
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let office = OfficeId::parse(office).ok_or("not an office id")?;
    let report = seat_report(&mut conn, &office).map_err(|e| e.to_string())?;
    println!(
        "appointments={} slots_used={} fullest_slot={}/{COUNTERS} overbooked_slots={} counter_mismatches={}",
        report.appointments,
        report.slots_used,
        report.fullest_slot,
        report.overbooked_slots,
        report.mismatched_slots
    );
    if report.is_consistent() {
        Ok(())
    } else {
        Err("the seat counters disagree with the appointments".into())
    }
}
