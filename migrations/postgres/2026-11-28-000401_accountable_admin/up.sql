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

-- The audit log is append-only for every role that does not own the table: UPDATE,
-- DELETE and TRUNCATE raise. (The owner could disable the triggers; production runs the
-- service as a role that does not own the tables, see docs/ARCHITECTURE.md §9.)
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
