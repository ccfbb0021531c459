-- Agency staff (docs/ARCHITECTURE.md §13): people of a receiving agency who sign in with a
-- password and keep the agency's dossiers through the pages, each belonging to one agency
-- account (the one whose API keys the agency's systems use). The role joins the users'
-- CHECK, which SQLite changes only by rebuilding the table.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('citizen', 'clerk', 'official', 'agency', 'agency_staff', 'admin')),
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
CREATE TABLE agency_staff (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    agency_user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX agency_staff_agency ON agency_staff (agency_user_id);
COMMIT;
PRAGMA foreign_keys = ON;
