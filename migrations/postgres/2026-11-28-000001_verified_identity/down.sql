DROP INDEX users_verified_citizen_id;
DROP INDEX users_citizen_id;
ALTER TABLE users DROP CONSTRAINT users_verified_pair;
ALTER TABLE users DROP COLUMN identity_verified_via, DROP COLUMN identity_verified_at;
ALTER TABLE users ADD CONSTRAINT users_citizen_id_key UNIQUE (citizen_id);
