-- Accountable administration: official-role grants that a second person approves, the
-- head official of each office, temporary passwords set by an admin reset, and an audit
-- log the service's own connection cannot change.
CREATE TABLE official_grants (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    office_id TEXT NOT NULL REFERENCES offices (id),
    position TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    refusal_reason TEXT,
    CHECK ((status = 'pending') = (decided_by IS NULL)),
    CHECK ((decided_by IS NULL) = (decided_at IS NULL)),
    CHECK (decided_by IS NULL OR decided_by <> requested_by),
    CHECK (decided_by IS NULL OR decided_by <> user_id),
    CHECK (requested_by <> user_id)
);
CREATE UNIQUE INDEX official_grants_one_pending ON official_grants (user_id)
    WHERE status = 'pending';
CREATE INDEX official_grants_office_status ON official_grants (office_id, status);

CREATE TABLE office_heads (
    office_id TEXT PRIMARY KEY NOT NULL REFERENCES offices (id),
    user_id TEXT NOT NULL UNIQUE REFERENCES users (id),
    appointed_by TEXT REFERENCES users (id),
    appointed_at TIMESTAMP NOT NULL
);

CREATE TABLE temporary_passwords (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    set_by TEXT NOT NULL REFERENCES users (id),
    expires_at TIMESTAMP NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END;
