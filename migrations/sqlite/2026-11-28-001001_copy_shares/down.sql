DROP TABLE copy_uses;
DROP TABLE copy_shares;
