DROP TRIGGER audit_log_no_truncate ON audit_log;
DROP TRIGGER audit_log_no_update_delete ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE temporary_passwords;
DROP TABLE office_heads;
DROP TABLE official_grants;
