-- The images of the visible signatures (Decree 30/2020/NĐ-CP, Appendix I): each office's
-- seal and each official's handwritten signature, as validated PNG files uploaded by an
-- admin. One image per office or official; a new upload replaces the old one (the audit
-- log keeps who changed it, when, and the SHA-256 of each image).
CREATE TABLE signature_images (
    kind TEXT NOT NULL CHECK (kind IN ('seal', 'signature')),
    owner_id TEXT NOT NULL,
    office_id TEXT REFERENCES offices (id),
    user_id TEXT REFERENCES users (id),
    png BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, owner_id),
    CHECK (
        (kind = 'seal' AND office_id = owner_id AND user_id IS NULL)
        OR (kind = 'signature' AND user_id = owner_id AND office_id IS NULL)
    )
);
