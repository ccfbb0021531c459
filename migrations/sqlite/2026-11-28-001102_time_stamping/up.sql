-- The service's time-stamping authority (RFC 3161, docs/ARCHITECTURE.md §16): a serial
-- counter taken before each token is signed (unique and increasing across instances), and
-- one row per token issued, what it stamped and for whom.
CREATE TABLE tsa_serial (
    id INTEGER PRIMARY KEY NOT NULL,
    last_serial BIGINT NOT NULL
);
INSERT INTO tsa_serial (id, last_serial) VALUES (1, 0);

CREATE TABLE tsa_tokens (
    serial BIGINT PRIMARY KEY NOT NULL,
    algorithm TEXT NOT NULL,
    imprint TEXT NOT NULL,
    gen_time TIMESTAMP NOT NULL,
    -- The client address of a request over HTTP; empty for the service's own stamps.
    requester TEXT NOT NULL,
    token_sha256 TEXT NOT NULL
);
CREATE INDEX tsa_tokens_time ON tsa_tokens (gen_time);
