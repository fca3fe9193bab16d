-- Agencies' accountability reports: an officer publishes, for their organization, a periodic
-- report (text and statistics tables uploaded as CSV) on the public site.
CREATE TABLE agency_reports (
    id UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations(id),
    -- The period covered: a year (2026), a quarter (2026-Q3) or a month (2026-10).
    period TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    language TEXT NOT NULL,
    -- JSON: [{"caption": …, "header": [...], "rows": [[...], ...]}, ...]
    tables TEXT NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    created_by UUID NOT NULL REFERENCES users(id),
    withdrawn_at TIMESTAMPTZ
);
CREATE INDEX agency_reports_organization ON agency_reports (organization_id, published_at);
CREATE INDEX agency_reports_published ON agency_reports (published_at);
