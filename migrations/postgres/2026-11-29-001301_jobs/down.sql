DROP TABLE register_archives;
DROP TABLE jobs;
