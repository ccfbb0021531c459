ALTER TABLE register_entries DROP COLUMN single_person;
DROP TABLE certification_scans;
DROP TABLE certification_requests;
DROP TABLE office_practice;
