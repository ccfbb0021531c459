DROP INDEX audit_log_chain;
ALTER TABLE audit_log DROP COLUMN chain_hash;
ALTER TABLE audit_log DROP COLUMN chain_index;
DROP TABLE log_heads;
DROP TABLE log_chains;
DROP TABLE register_log_nodes;
DROP TABLE register_log;
