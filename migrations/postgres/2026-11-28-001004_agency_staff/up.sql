-- Agency staff (docs/ARCHITECTURE.md §13): people of a receiving agency who sign in with a
-- password and keep the agency's dossiers through the pages, each belonging to one agency
-- account (the one whose API keys the agency's systems use).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('citizen', 'clerk', 'official', 'agency', 'agency_staff', 'admin'));
CREATE TABLE agency_staff (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    agency_user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX agency_staff_agency ON agency_staff (agency_user_id);
