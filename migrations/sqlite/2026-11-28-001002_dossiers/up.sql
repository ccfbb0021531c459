-- Agency dossiers (docs/ARCHITECTURE.md §13): an agency keeps the copies a procedure
-- relies on, each verified on the way in (the report kept), deduplicated by SHA-256.

CREATE TABLE dossiers (
    id TEXT PRIMARY KEY NOT NULL,
    agency_user_id TEXT NOT NULL REFERENCES users (id),
    reference TEXT NOT NULL,
    procedure TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (agency_user_id, reference)
);

CREATE TABLE dossier_documents (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    -- SHA-256 (hex) of the file as attached (kept in the blob store).
    sha256 TEXT NOT NULL,
    register_entry_id TEXT REFERENCES register_entries (id),
    attached_via TEXT NOT NULL CHECK (attached_via IN ('share', 'code', 'upload')),
    verdict TEXT NOT NULL,
    register_status TEXT NOT NULL,
    report TEXT NOT NULL,
    verified_at TIMESTAMP NOT NULL,
    attached_at TIMESTAMP NOT NULL,
    UNIQUE (dossier_id, sha256)
);
CREATE INDEX dossier_documents_entry ON dossier_documents (register_entry_id);
