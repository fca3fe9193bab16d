-- The public register lists publications newest first with the report id as tie-breaker: one
-- index walk in that order, instead of sorting every publication for each page.
DROP INDEX publications_public;
CREATE INDEX publications_public ON publications (published_at DESC, report_id DESC)
    WHERE withdrawn_at IS NULL;
