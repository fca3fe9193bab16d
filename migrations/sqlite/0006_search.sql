-- Full-text search: one normalized column written by the application (lower case, ё→е, one
-- kind of apostrophe), indexed by FTS5's trigram tokenizer so that parts of words match too.
ALTER TABLE reports ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE reports_fts USING fts5(
    search_text,
    content = 'reports',
    content_rowid = 'rowid',
    tokenize = 'trigram'
);

-- New reports are indexed in batches after they are stored (see search::index), not inside the
-- intake transaction: indexing costs more than the report's own write. The mark is the last
-- rowid indexed.
INSERT INTO settings (key, value) VALUES ('fts_indexed_rowid', '0');

-- Only rows already indexed are removed from or changed in the index.
CREATE TRIGGER reports_fts_delete AFTER DELETE ON reports
WHEN old.rowid <= (SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'fts_indexed_rowid')
BEGIN
    INSERT INTO reports_fts (reports_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER reports_fts_update AFTER UPDATE OF search_text ON reports
WHEN old.rowid <= (SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'fts_indexed_rowid')
BEGIN
    INSERT INTO reports_fts (reports_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO reports_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
