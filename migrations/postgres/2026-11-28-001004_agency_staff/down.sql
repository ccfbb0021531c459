-- Fails while agency staff accounts exist (the old CHECK refuses them): remove them first.
DROP TABLE agency_staff;
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('citizen', 'clerk', 'official', 'agency', 'admin'));
