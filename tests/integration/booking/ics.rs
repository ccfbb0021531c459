//! iCalendar files (RFC 5545) checked by a real parser: Python's `icalendar` package. The
//! test fails, never skips, when python3 or the package is missing (`.ci/run` installs it).

use std::process::Command;

use certcopy::db::ids::OfficeId;
use certcopy::db::models::{Office, Role};
use rocket::http::Status;
use serde_json::{Value, json};

use super::support::{MONDAY_6AM, book, get_text, person};
use crate::common::TestApp;
use crate::db_test;

/// Parses `ics` with `icalendar` and answers what it read.
fn parse_with_python(dir: &std::path::Path, ics: &str) -> Value {
    let file = dir.join("appointment.ics");
    std::fs::write(&file, ics).expect("write the .ics");
    let script = r#"
import datetime, json, sys
from icalendar import Calendar
calendar = Calendar.from_ical(open(sys.argv[1], "rb").read())
events = list(calendar.walk("VEVENT"))
zones = list(calendar.walk("VTIMEZONE"))
assert len(events) == 1, events
event = events[0]
errors = [e for c in calendar.walk() for e in getattr(c, "errors", [])]
utc = lambda name: event.decoded(name).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
print(json.dumps({
    "errors": [str(e) for e in errors],
    "version": str(calendar["VERSION"]),
    "zones": [str(z["TZID"]) for z in zones],
    "tzid": event["DTSTART"].params.get("TZID"),
    "start": utc("DTSTART"),
    "end": utc("DTEND"),
    "uid": str(event["UID"]),
    "sequence": int(event["SEQUENCE"]),
    "status": str(event["STATUS"]),
    "summary": str(event["SUMMARY"]),
    "location": str(event["LOCATION"]),
    "description": str(event["DESCRIPTION"]),
}))
"#;
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("python3 is required to check .ics files: {e}"));
    assert!(
        output.status.success(),
        "icalendar could not parse the file (is it installed? `python3 -m pip install icalendar`):\n{}\n{ics}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("parser output is JSON")
}

async fn office_with_address(app: &TestApp, address: &str) -> Office {
    let office = Office {
        id: OfficeId::generate(),
        name: "Phòng Tư pháp Quận 1, Thành phố Hồ Chí Minh (bộ phận một cửa)".into(),
        kind: "district_justice".into(),
        province: "TP. Hồ Chí Minh".into(),
        district: "Quận 1".into(),
        address: address.into(),
        created_at: certcopy::db::now_utc(),
    };
    let row = office.clone();
    app.db(move |conn| row.insert(conn).unwrap()).await;
    office
}

db_test!(ics_files_parse_with_python_icalendar, |app| {
    app.app.booking.clock.freeze(MONDAY_6AM);
    let address = "29 Lê Duẩn; Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh";
    let office = office_with_address(&app, address).await;
    let citizen = person(&app, Role::Citizen, 70, None).await;
    let documents = json!([{ "title": "Bằng tốt nghiệp đại học, bảng điểm; học bạ THPT \\ bản gốc", "pages": 4, "copies": 3 }]);
    let (status, booked) = book(
        &app,
        &citizen.token,
        &office.id,
        "2026-03-04 13:45",
        documents,
    )
    .await;
    assert_eq!(status, Status::Created, "{booked}");
    let id = booked["appointment"]["id"].as_str().unwrap().to_owned();
    let code = booked["booking_code"].as_str().unwrap().to_owned();

    let (status, content_type, disposition, ics) = get_text(
        &app,
        &format!("/api/v1/appointments/{id}.ics"),
        Some(&citizen.token),
        "Content-Disposition",
    )
    .await;
    assert_eq!(status, Status::Ok, "{ics}");
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    assert!(disposition.unwrap_or_default().contains(".ics"));
    let parsed = parse_with_python(&app.dir, &ics);
    assert_eq!(parsed["errors"], json!([]), "{parsed}");
    assert_eq!(parsed["version"], "2.0");
    assert_eq!(parsed["zones"], json!(["Asia/Ho_Chi_Minh"]));
    assert_eq!(parsed["tzid"], "Asia/Ho_Chi_Minh");
    assert_eq!(parsed["start"], "2026-03-04T06:45:00Z", "13:45 in Hà Nội");
    assert_eq!(parsed["end"], "2026-03-04T07:00:00Z");
    assert_eq!(
        parsed["location"], address,
        "escaped and unfolded back exactly"
    );
    assert_eq!(parsed["uid"], format!("{id}@certcopy"));
    assert_eq!(parsed["status"], "CONFIRMED");
    assert!(parsed["summary"].as_str().unwrap().contains(&code));
    let description = parsed["description"].as_str().unwrap();
    assert!(
        description.contains("học bạ THPT \\ bản gốc (4 trang × 3 bản)"),
        "{description}"
    );
    assert!(
        description.contains("Lệ phí dự kiến / Estimated fee: 18.000 đ"),
        "{description}"
    );

    // Through the manage link, after a reschedule and a cancellation: same UID, higher
    // SEQUENCE, STATUS:CANCELLED.
    let token = booked["manage_token"].as_str().unwrap();
    let base = format!("/api/v1/appointments/by-token/{token}");
    let (status, _) = app
        .post_json(
            &format!("{base}/reschedule"),
            &json!({"slot_start": "2026-03-04T14:00:00+07:00"}),
            None,
        )
        .await;
    assert_eq!(status, Status::Ok);
    let (status, _) = app
        .post_json(&format!("{base}/cancel"), &json!({}), None)
        .await;
    assert_eq!(status, Status::Ok);
    let (status, _, _, cancelled) =
        get_text(&app, &format!("{base}/calendar.ics"), None, "Content-Type").await;
    assert_eq!(status, Status::Ok);
    let parsed = parse_with_python(&app.dir, &cancelled);
    assert_eq!(parsed["errors"], json!([]));
    assert_eq!(parsed["uid"], format!("{id}@certcopy"));
    assert_eq!(parsed["sequence"], 2);
    assert_eq!(parsed["status"], "CANCELLED");
    assert_eq!(parsed["start"], "2026-03-04T07:00:00Z");
});
