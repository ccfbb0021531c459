-- The job runner's queue (docs/ARCHITECTURE.md §18): deferred work that any instance may
-- run, one at a time per job. A claimed job is `running` until `run_at` (its lease);
-- past it, another instance may take it again. Recurring jobs have a `unique_key` (one
-- row per kind) and `every_secs`, and go back to `queued` after each run.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    unique_key TEXT UNIQUE,
    every_secs BIGINT,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    run_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    lease_owner TEXT,
    last_error TEXT,
    finished_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, kind, run_at);

-- Annulment notices not yet delivered become jobs of the runner (their id stays the
-- idempotency key).
INSERT INTO jobs (id, kind, payload, state, run_at, attempts, max_attempts, created_at)
SELECT id, 'webhook.deliver', '{"delivery":"' || id || '"}', 'queued', next_attempt_at, attempts, 30, created_at
FROM webhook_deliveries WHERE delivered_at IS NULL;

-- The book of each month of each office, sealed and kept by the `register.monthly_archive`
-- job: the PDF is in the blob store under its SHA-256.
CREATE TABLE register_archives (
    office_id TEXT NOT NULL REFERENCES offices (id),
    period TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    lines INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (office_id, period)
);
