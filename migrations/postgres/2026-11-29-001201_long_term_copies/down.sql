DROP INDEX register_entries_timestamp_horizon;
ALTER TABLE register_entries DROP COLUMN timestamp_valid_until;
ALTER TABLE register_entries DROP COLUMN file_sha256;
