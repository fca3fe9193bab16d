-- The register's month filter is on the date a case was received. Kept on the publication (it
-- never changes) with its own index, so that a month's cases are found by a range on one index
-- instead of walking every publication newest first and looking each report up.
ALTER TABLE publications ADD COLUMN received_at TEXT;
UPDATE publications SET received_at = (SELECT r.created_at FROM reports r WHERE r.id = publications.report_id);
CREATE INDEX publications_received ON publications (received_at) WHERE withdrawn_at IS NULL;
