DROP TRIGGER audit_log_no_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE temporary_passwords;
DROP TABLE office_heads;
DROP TABLE official_grants;
