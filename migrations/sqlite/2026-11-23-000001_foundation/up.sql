-- Offices, accounts, sessions, agency API keys and the audit log.
CREATE TABLE offices (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('commune_committee', 'district_justice', 'notary')),
    province TEXT NOT NULL,
    district TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('citizen', 'clerk', 'official', 'agency', 'admin')),
    full_name TEXT NOT NULL,
    citizen_id TEXT UNIQUE,
    username TEXT UNIQUE,
    phone TEXT UNIQUE,
    email TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    office_id TEXT REFERENCES offices (id),
    position TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    CHECK (role NOT IN ('clerk', 'official') OR office_id IS NOT NULL),
    CHECK (role <> 'citizen' OR citizen_id IS NOT NULL)
);
CREATE INDEX users_office ON users (office_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT REFERENCES users (id),
    actor_role TEXT,
    office_id TEXT REFERENCES offices (id),
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT NOT NULL,
    request_id TEXT
);
CREATE INDEX audit_log_office_at ON audit_log (office_id, at);
