-- The register as a transparency log and the audit log as a hash chain
-- (docs/ARCHITECTURE.md §15). Every register event (a line reserved, a copy issued, a
-- line voided, a copy annulled, a request refused, an export) is a leaf of one append-only
-- Merkle tree of the service (RFC 9162 hashing); signed tree heads fix its size and root,
-- and the audit chain's length and head, at a moment.

-- The leaves, in order: `leaf` is the event as canonical JSON, `leaf_hash` its RFC 9162
-- leaf hash (hex).
CREATE TABLE register_log (
    leaf_index BIGINT PRIMARY KEY NOT NULL,
    event TEXT NOT NULL,
    entry_id TEXT,
    -- The entry's verification code, so that a copy whose register row is gone is still
    -- recognised in the log.
    code TEXT,
    leaf TEXT NOT NULL,
    leaf_hash TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX register_log_entry ON register_log (entry_id, leaf_index);
CREATE INDEX register_log_code ON register_log (code);

-- The perfect subtrees above the leaves (level ≥ 1), stored as they complete, so that a
-- proof takes a few lookups instead of rehashing the log.
CREATE TABLE register_log_nodes (
    level INTEGER NOT NULL,
    node_index BIGINT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (level, node_index)
);

-- The counters every append takes in its transaction: `register` (leaves so far),
-- `audit` (chained audit rows so far, and the chain's head), `adopted` (1 once the rows
-- older than this migration were taken into the log and the chain).
CREATE TABLE log_chains (
    name TEXT PRIMARY KEY NOT NULL,
    size BIGINT NOT NULL,
    head TEXT NOT NULL
);
INSERT INTO log_chains (name, size, head) VALUES
    ('audit', 0, '0000000000000000000000000000000000000000000000000000000000000000'),
    ('register', 0, ''),
    ('adopted', 0, '');

-- Signed tree heads, published at an interval and on demand.
CREATE TABLE log_heads (
    tree_size BIGINT NOT NULL,
    audit_size BIGINT NOT NULL,
    root_hash TEXT NOT NULL,
    audit_head TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (tree_size, audit_size)
);

-- Each audit row's place in the chain and the chain's head after it (rows older than
-- this migration have none: the chain starts from their hash, see `log_chains`).
ALTER TABLE audit_log ADD COLUMN chain_index BIGINT;
ALTER TABLE audit_log ADD COLUMN chain_hash TEXT;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (chain_index);
