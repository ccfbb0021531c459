PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_rebuilt (
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
INSERT INTO users_rebuilt (id, role, full_name, citizen_id, username, phone, email, password_hash, office_id, position, disabled, created_at)
    SELECT id, role, full_name, citizen_id, username, phone, email, password_hash, office_id, position, disabled, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE INDEX users_office ON users (office_id);
COMMIT;
PRAGMA foreign_keys = ON;
