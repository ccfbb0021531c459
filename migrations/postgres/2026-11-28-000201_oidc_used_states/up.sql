-- A login through the identity provider is answered once: the callback records the
-- hash of the login's `state` here before the code is exchanged, so a replayed callback
-- (the same state again, on any instance) is refused. Rows are kept until the login's
-- lifetime has passed, then purged.
CREATE TABLE oidc_used_states (
    state_hash TEXT PRIMARY KEY NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX oidc_used_states_expiry ON oidc_used_states (expires_at);
