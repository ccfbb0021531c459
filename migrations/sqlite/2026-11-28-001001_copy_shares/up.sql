-- Reuse of certified copies (docs/ARCHITECTURE.md §13): a citizen shares a copy for a
-- procedure, with a named agency or as a link any agency may redeem, with an expiry and
-- an optional number of uses; every use of a copy by an agency is recorded so that the
-- citizen sees who relied on it.

CREATE TABLE copy_shares (
    id TEXT PRIMARY KEY NOT NULL,
    register_entry_id TEXT NOT NULL REFERENCES register_entries (id),
    citizen_user_id TEXT NOT NULL REFERENCES users (id),
    -- SHA-256 (hex) of the share's secret; the secret itself is shown once and never kept.
    token_hash TEXT NOT NULL UNIQUE,
    -- The only agency that may redeem it; NULL: any agency holding the secret.
    agency_user_id TEXT REFERENCES users (id),
    purpose TEXT NOT NULL,
    procedure_code TEXT,
    max_uses INTEGER CHECK (max_uses IS NULL OR max_uses >= 1),
    uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    CHECK (max_uses IS NULL OR uses <= max_uses),
    CHECK (expires_at > created_at)
);
CREATE INDEX copy_shares_entry ON copy_shares (register_entry_id, created_at);

CREATE TABLE copy_uses (
    id TEXT PRIMARY KEY NOT NULL,
    register_entry_id TEXT NOT NULL REFERENCES register_entries (id),
    share_id TEXT REFERENCES copy_shares (id),
    agency_user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('share_redeemed', 'verified')),
    procedure TEXT,
    used_at TIMESTAMP NOT NULL,
    request_id TEXT
);
CREATE INDEX copy_uses_entry ON copy_uses (register_entry_id, used_at);
CREATE INDEX copy_uses_share ON copy_uses (share_id, agency_user_id);
