-- The public register: a case appears there only when its reporter consented to publication and a
-- coordinator wrote and approved a redacted summary (never the raw report). Withdrawing keeps the
-- row (and the audit trail) but takes the case off every public page, export, feed and API.
CREATE TABLE publications (
    report_id UUID PRIMARY KEY REFERENCES reports(id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- The language the summary is written in (uk, ru or en).
    language TEXT NOT NULL,
    -- NULL when published from the command line (the demo).
    published_by UUID REFERENCES users(id),
    published_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    withdrawn_at TIMESTAMPTZ
);
CREATE INDEX publications_public ON publications (published_at) WHERE withdrawn_at IS NULL;
