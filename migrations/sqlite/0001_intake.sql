-- Reference data: regions, communities (hromadas), categories, organizations.
CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name_uk TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE communities (
    code TEXT PRIMARY KEY,
    region_code TEXT NOT NULL REFERENCES regions(code),
    name_uk TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    lat REAL,
    lon REAL,
    population INTEGER,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE categories (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name_uk TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE organizations (
    id BLOB PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name_uk TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    community_code TEXT REFERENCES communities(code),
    created_at TEXT NOT NULL
);

-- A report, which becomes a case as staff handle it. Identifying data only sealed (*_sealed).
CREATE TABLE reports (
    id BLOB PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    reference TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    category_code TEXT NOT NULL REFERENCES categories(code),
    community_code TEXT NOT NULL REFERENCES communities(code),
    place TEXT,
    lat REAL,
    lon REAL,
    occurred_at TEXT,
    description TEXT NOT NULL,
    involved_unit TEXT,
    involved_badge TEXT,
    witnesses_sealed BLOB,
    contact_sealed BLOB,
    consent_contact BOOLEAN NOT NULL,
    consent_publish BOOLEAN NOT NULL,
    channel TEXT NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    receipt_hash BLOB NOT NULL UNIQUE,
    idempotency_hash BLOB UNIQUE,
    request_fingerprint BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX reports_created_at ON reports (created_at);
CREATE INDEX reports_status ON reports (status, created_at);
CREATE INDEX reports_community ON reports (community_code, created_at);

-- Status history: what the reporter (and, with consent, the public) sees as the case's timeline.
CREATE TABLE report_status_history (
    id BLOB PRIMARY KEY,
    report_id BLOB NOT NULL REFERENCES reports(id),
    status TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX report_status_history_report ON report_status_history (report_id, created_at);

CREATE TABLE public_updates (
    id BLOB PRIMARY KEY,
    report_id BLOB NOT NULL REFERENCES reports(id),
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX public_updates_report ON public_updates (report_id, created_at);

-- Messages between the platform and the reporter; the reporter's added information is one too.
CREATE TABLE report_messages (
    id BLOB PRIMARY KEY,
    report_id BLOB NOT NULL REFERENCES reports(id),
    from_reporter BOOLEAN NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX report_messages_report ON report_messages (report_id, created_at);

CREATE TABLE attachments (
    id BLOB PRIMARY KEY,
    report_id BLOB NOT NULL REFERENCES reports(id),
    kind TEXT NOT NULL,
    original_key TEXT NOT NULL,
    original_size INTEGER NOT NULL,
    original_sha256 BLOB NOT NULL,
    served_key TEXT NOT NULL,
    served_size INTEGER NOT NULL,
    name_sealed BLOB,
    from_reporter BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_report ON attachments (report_id, created_at);

-- Platform-wide settings that belong with the data (e.g. the prefix of references).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Keys of retried submissions other than reports (which keep theirs on the row): a key seen
-- before means "already done", so a retry never adds a second message or file.
CREATE TABLE idempotency_keys (
    key_hash BLOB PRIMARY KEY,
    created_at TEXT NOT NULL
);
