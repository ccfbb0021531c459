DROP TABLE tsa_tokens;
DROP TABLE tsa_serial;
