-- Retention: identifying data of a case and its attachments' files are deleted once the case has
-- been closed (or rejected, or merged) for the configured number of months.
ALTER TABLE reports ADD COLUMN identity_purged_at TIMESTAMPTZ;
ALTER TABLE attachments ADD COLUMN purged_at TIMESTAMPTZ;
-- Set when the files themselves are gone (after the database change commits).
ALTER TABLE attachments ADD COLUMN files_deleted_at TIMESTAMPTZ;
CREATE INDEX attachments_files_to_delete ON attachments (purged_at) WHERE files_deleted_at IS NULL;
