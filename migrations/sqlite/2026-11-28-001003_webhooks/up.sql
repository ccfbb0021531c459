-- Annulment notices to agencies (docs/ARCHITECTURE.md §13): a webhook per agency, and a
-- transactional outbox of deliveries written in the annulment's transaction, delivered at
-- least once with retries and back-off; the row id is the idempotency key.

CREATE TABLE agency_webhooks (
    agency_user_id TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    url TEXT NOT NULL,
    -- The HMAC-SHA256 key the notices are signed with (shown once to the agency).
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    agency_user_id TEXT NOT NULL REFERENCES users (id),
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (delivered_at, next_attempt_at);
