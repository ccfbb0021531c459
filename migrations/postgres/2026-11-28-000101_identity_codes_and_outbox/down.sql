DROP TABLE outbound_messages;
DROP TABLE identity_codes;
