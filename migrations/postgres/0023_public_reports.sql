-- The public register and its exports read, of each published report, only a few short columns
-- and its consent. This index holds exactly those, for the consenting reports alone, so the
-- register's filters and the export's walk never visit the reports' table itself (wide rows:
-- the description, sealed contacts, search text): measured on a million reports, the export
-- read every report in each range of publications from the table.
CREATE INDEX reports_public ON reports (id)
    INCLUDE (reference, kind, category_code, community_code, status, outcome, created_at)
    WHERE consent_publish = TRUE;
