-- The public register and its exports read, of each published report, only a few short columns
-- and its consent. This index holds exactly those, for the consenting reports alone, so the
-- register's filters and the export's walk never visit the reports' table itself (wide rows:
-- the description, sealed contacts, search text). The consent is a column too: SQLite reads
-- from the table any column a query names that its index lacks, even one the index's own
-- condition fixes. The public queries name this index (`INDEXED BY`): for a lookup by id,
-- SQLite's planner would otherwise take the primary key's index and then the table.
CREATE INDEX reports_public ON reports
    (id, reference, kind, category_code, community_code, status, outcome, created_at, consent_publish)
    WHERE consent_publish = TRUE;
