-- Fails while agency staff accounts exist (the old CHECK refuses them): remove them first.
PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE agency_staff;
CREATE TABLE users_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('citizen', 'clerk', 'official', 'agency', 'admin')),
    full_name TEXT NOT NULL,
    citizen_id TEXT,
    username TEXT UNIQUE,
    phone TEXT UNIQUE,
    email TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    office_id TEXT REFERENCES offices (id),
    position TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    identity_verified_at TIMESTAMP,
    identity_verified_via TEXT CHECK (identity_verified_via IN ('desk', 'oidc')),
    CHECK (role NOT IN ('clerk', 'official') OR office_id IS NOT NULL),
    CHECK (role <> 'citizen' OR citizen_id IS NOT NULL),
    CHECK ((identity_verified_at IS NULL) = (identity_verified_via IS NULL))
);
INSERT INTO users_rebuilt (id, role, full_name, citizen_id, username, phone, email, password_hash, office_id, position, disabled, created_at, identity_verified_at, identity_verified_via)
    SELECT id, role, full_name, citizen_id, username, phone, email, password_hash, office_id, position, disabled, created_at, identity_verified_at, identity_verified_via FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE INDEX users_office ON users (office_id);
CREATE INDEX users_citizen_id ON users (citizen_id);
CREATE UNIQUE INDEX users_verified_citizen_id ON users (citizen_id)
    WHERE identity_verified_at IS NOT NULL;
COMMIT;
PRAGMA foreign_keys = ON;
