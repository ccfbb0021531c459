-- Copies at PAdES B-LTA (docs/ARCHITECTURE.md §17): the stored file grows after the
-- signatures (the DSS, document time-stamps added at issuance and when re-timestamped), so
-- the register keeps two digests. `document_sha256` stays the SHA-256 of the signed content
-- (the bytes up to the end of the seal's revision, which verification recognises and the
-- register log holds); `file_sha256` is the stored file's, the blob's key, when it differs.
ALTER TABLE register_entries ADD COLUMN file_sha256 TEXT;

-- When each stored copy was last given a document time-stamp, and until when the
-- certificate of that time-stamp's authority is valid: the re-timestamping job picks the
-- copies whose horizon comes near.
ALTER TABLE register_entries ADD COLUMN timestamp_valid_until TIMESTAMP;
CREATE INDEX register_entries_timestamp_horizon ON register_entries (timestamp_valid_until);
