-- The public register: a case appears there only when its reporter consented to publication and a
-- coordinator wrote and approved a redacted summary (never the raw report). Withdrawing keeps the
-- row (and the audit trail) but takes the case off every public page, export, feed and API.
CREATE TABLE publications (
    report_id BLOB PRIMARY KEY REFERENCES reports(id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- The language the summary is written in (uk, ru or en).
    language TEXT NOT NULL,
    -- NULL when published from the command line (the demo).
    published_by BLOB REFERENCES users(id),
    published_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    withdrawn_at TEXT
);
CREATE INDEX publications_public ON publications (published_at) WHERE withdrawn_at IS NULL;
