-- Full-text search: one normalized column written by the application (lower case, ё→е, one
-- kind of apostrophe), with a trigram index so that parts of words match too.
ALTER TABLE reports ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX reports_search_trgm ON reports USING gin (search_text gin_trgm_ops);
