-- The office's working day (docs/ARCHITECTURE.md §10): checking in an appointment opens
-- one certification request per document; the clerk scans and hands it over, or refuses
-- it on a legal ground; an official of the office certifies it (a second person unless
-- the office works with one person) or sends it back.

-- Offices that may work with one person (small communes): the clerk who scanned may
-- certify, and the register line says so.
CREATE TABLE office_practice (
    office_id TEXT PRIMARY KEY NOT NULL REFERENCES offices (id),
    single_person_operation BOOLEAN NOT NULL DEFAULT FALSE,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE certification_requests (
    id TEXT PRIMARY KEY NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    appointment_id TEXT NOT NULL REFERENCES appointments (id),
    position INTEGER NOT NULL CHECK (position >= 1),
    requester_name TEXT NOT NULL,
    requester_citizen_id TEXT NOT NULL,
    requester_user_id TEXT REFERENCES users (id),
    document_title TEXT NOT NULL,
    original_pages INTEGER NOT NULL CHECK (original_pages >= 1),
    copies INTEGER NOT NULL CHECK (copies BETWEEN 1 AND 50),
    state TEXT NOT NULL CHECK (state IN
        ('received', 'scanned', 'awaiting_certification', 'certified', 'refused', 'withdrawn')),
    result_date DATE NOT NULL,
    fee_vnd BIGINT NOT NULL CHECK (fee_vnd >= 0),
    fee_paid_at TIMESTAMP,
    fee_payment_method TEXT CHECK (fee_payment_method IN ('cash', 'transfer')),
    fee_receipt_no TEXT,
    received_by TEXT NOT NULL REFERENCES users (id),
    received_at TIMESTAMP NOT NULL,
    scanned_by TEXT REFERENCES users (id),
    checklist TEXT,
    handed_over_at TIMESTAMP,
    returned_reason TEXT,
    refusal_ground TEXT CHECK (refusal_ground IN
        ('damaged_or_illegible', 'erased_or_altered', 'unlawful_content',
         'foreign_not_legalised', 'unconfirmed_private_paper', 'copy_forbidden')),
    refusal_detail TEXT,
    refusal_notice_sha256 TEXT,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    certifying_entry_id TEXT REFERENCES register_entries (id),
    register_entry_id TEXT REFERENCES register_entries (id),
    revision INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (appointment_id, position),
    CHECK ((fee_paid_at IS NULL) = (fee_payment_method IS NULL)),
    CHECK ((state = 'refused') = (refusal_ground IS NOT NULL)),
    CHECK ((state = 'certified') = (register_entry_id IS NOT NULL))
);
CREATE INDEX certification_requests_queue
    ON certification_requests (office_id, state, result_date);
CREATE UNIQUE INDEX certification_requests_entry
    ON certification_requests (register_entry_id) WHERE register_entry_id IS NOT NULL;

-- The scanned pages of a request, in order; the files are in the blob store by SHA-256.
CREATE TABLE certification_scans (
    request_id TEXT NOT NULL REFERENCES certification_requests (id),
    position INTEGER NOT NULL CHECK (position >= 1),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    pages INTEGER NOT NULL CHECK (pages >= 1),
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (request_id, position)
);

-- A register line certified by the person who also scanned (one-person operation).
ALTER TABLE register_entries ADD COLUMN single_person BOOLEAN NOT NULL DEFAULT FALSE;
