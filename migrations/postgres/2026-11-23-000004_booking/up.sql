-- Booking (issue 5): office calendars, slot counters and appointments.
--
-- Capacity is enforced here, not in the application: a seat is taken by
--   UPDATE slot_counters SET booked = booked + 1
--   WHERE office_id = ? AND slot_start = ? AND booked < ?
-- inside the transaction that inserts the appointment, and the CHECK below refuses any
-- counter above its capacity. booked always equals the number of appointments of the slot
-- that are not cancelled.

-- An office's calendar settings (OfficeCalendarConfig as JSON, validated before writing).
-- An office without a row uses the standard calendar.
CREATE TABLE office_calendars (
    office_id TEXT PRIMARY KEY NOT NULL REFERENCES offices (id),
    config TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT REFERENCES users (id)
);

-- One row per slot that has ever been booked (created lazily by the first booking).
-- slot_start is UTC.
CREATE TABLE slot_counters (
    office_id TEXT NOT NULL REFERENCES offices (id),
    slot_start TIMESTAMP NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity >= 0),
    booked INTEGER NOT NULL CHECK (booked >= 0),
    PRIMARY KEY (office_id, slot_start),
    CHECK (booked <= capacity)
);

CREATE TABLE appointments (
    id TEXT PRIMARY KEY NOT NULL,
    booking_code TEXT NOT NULL UNIQUE,
    office_id TEXT NOT NULL REFERENCES offices (id),
    user_id TEXT REFERENCES users (id),
    requester_name TEXT NOT NULL,
    requester_citizen_id TEXT NOT NULL,
    slot_start TIMESTAMP NOT NULL,
    slot_end TIMESTAMP NOT NULL,
    local_date DATE NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('booked', 'checked_in', 'in_service', 'done', 'cancelled', 'no_show')),
    walk_in BOOLEAN NOT NULL,
    documents TEXT NOT NULL,
    fee_total_vnd BIGINT NOT NULL CHECK (fee_total_vnd >= 0),
    certified_pages BIGINT NOT NULL CHECK (certified_pages > 0),
    expected_result_date DATE NOT NULL,
    manage_token_hash TEXT NOT NULL UNIQUE,
    revision INTEGER NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    checked_in_at TIMESTAMP,
    FOREIGN KEY (office_id, slot_start) REFERENCES slot_counters (office_id, slot_start),
    CHECK (slot_end > slot_start)
);
-- One active appointment per citizen per office per local day.
CREATE UNIQUE INDEX appointments_one_active_per_day
    ON appointments (office_id, requester_citizen_id, local_date)
    WHERE status IN ('booked', 'checked_in', 'in_service');
CREATE INDEX appointments_user ON appointments (user_id, slot_start);
CREATE INDEX appointments_office_slot ON appointments (office_id, slot_start);
