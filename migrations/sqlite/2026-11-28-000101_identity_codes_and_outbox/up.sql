-- A citizen proves the ID number they claimed by showing a short one-time code at the
-- desk, where a clerk compares the account with the physical ID card. One live code per
-- account (a new request replaces it); only its SHA-256 is stored.
CREATE TABLE identity_codes (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    created_at TIMESTAMP NOT NULL
);

-- Messages to citizens by SMS or e-mail, written in the transaction of what caused them
-- and delivered later by a gateway (which sets sent_at).
CREATE TABLE outbound_messages (
    id TEXT PRIMARY KEY NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    address TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbound_messages_unsent ON outbound_messages (created_at) WHERE sent_at IS NULL;
