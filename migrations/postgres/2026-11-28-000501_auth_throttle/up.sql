-- Failed-login counters per account name and per client address, shared by every
-- instance: after a few attempts each further one must wait twice as long as the last
-- (times in milliseconds since the Unix epoch).
CREATE TABLE auth_throttle (
    throttle_key TEXT PRIMARY KEY NOT NULL,
    attempts INTEGER NOT NULL CHECK (attempts >= 0),
    last_attempt_ms BIGINT NOT NULL,
    blocked_until_ms BIGINT NOT NULL
);
