-- Keys of the Open311 GeoReport v2 API: issued by administrators to partner systems (a city's
-- 311 app, a hotline system). Only a keyed hash (HMAC) of a key is stored; the key itself is
-- shown once, when it is issued. A revoked key stays, so the audit trail keeps its subject.
CREATE TABLE api_keys (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash BYTEA NOT NULL UNIQUE,
    -- The key's first characters, so that an administrator can tell keys apart.
    hint TEXT NOT NULL,
    created_by UUID REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_keys_created ON api_keys (created_at);
