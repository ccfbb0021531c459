-- The certification register (sổ chứng thực, Decree 23/2015/NĐ-CP Art. 13): one book per
-- office per year, numbers from 1 without gaps. Entries are never deleted: a failed
-- issuance is kept as 'void' (a spoiled line), a wrong certification as 'annulled'.
CREATE TABLE register_books (
    office_id TEXT NOT NULL REFERENCES offices (id),
    year INTEGER NOT NULL,
    book TEXT NOT NULL,
    next_sequence BIGINT NOT NULL,
    PRIMARY KEY (office_id, year)
);

CREATE TABLE register_entries (
    id TEXT PRIMARY KEY NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices (id),
    year INTEGER NOT NULL,
    sequence BIGINT NOT NULL,
    book TEXT NOT NULL,
    type_code TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'valid', 'void', 'annulled')),
    verification_code TEXT NOT NULL UNIQUE,
    requester_name TEXT NOT NULL,
    requester_citizen_id TEXT NOT NULL,
    document_title TEXT NOT NULL,
    page_count INTEGER NOT NULL,
    copies INTEGER NOT NULL,
    signer_id TEXT NOT NULL REFERENCES users (id),
    signer_name TEXT NOT NULL,
    signer_position TEXT NOT NULL,
    fee_vnd BIGINT NOT NULL,
    document_sha256 TEXT,
    created_at TIMESTAMP NOT NULL,
    issued_at TIMESTAMP,
    void_reason TEXT,
    annulled_reason TEXT,
    annulled_by TEXT REFERENCES users (id),
    annulled_at TIMESTAMP,
    UNIQUE (office_id, year, sequence),
    CHECK (status <> 'valid' OR (document_sha256 IS NOT NULL AND issued_at IS NOT NULL))
);
CREATE INDEX register_entries_citizen ON register_entries (requester_citizen_id, status);
CREATE INDEX register_entries_sha256 ON register_entries (document_sha256);
