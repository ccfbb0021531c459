-- A citizen ID typed at registration is a claim; it is proven at the desk (a clerk sees
-- the ID card) or by the national identity provider. Several unverified accounts may claim
-- one ID; at most one verified account holds it.
ALTER TABLE users DROP CONSTRAINT users_citizen_id_key;
ALTER TABLE users
    ADD COLUMN identity_verified_at TIMESTAMP,
    ADD COLUMN identity_verified_via TEXT CHECK (identity_verified_via IN ('desk', 'oidc')),
    ADD CONSTRAINT users_verified_pair
        CHECK ((identity_verified_at IS NULL) = (identity_verified_via IS NULL));
CREATE INDEX users_citizen_id ON users (citizen_id);
CREATE UNIQUE INDEX users_verified_citizen_id ON users (citizen_id)
    WHERE identity_verified_at IS NOT NULL;
