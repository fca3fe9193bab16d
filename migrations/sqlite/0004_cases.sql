-- Case handling: triage, rejection, merging, closing with an outcome; staff notes; referrals.
ALTER TABLE reports ADD COLUMN urgency TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE reports ADD COLUMN outcome TEXT;
ALTER TABLE reports ADD COLUMN status_reason TEXT;
ALTER TABLE reports ADD COLUMN merged_into BLOB REFERENCES reports(id);
ALTER TABLE report_messages ADD COLUMN author_id BLOB REFERENCES users(id);
ALTER TABLE public_updates ADD COLUMN author_id BLOB REFERENCES users(id);
ALTER TABLE report_status_history ADD COLUMN author_id BLOB REFERENCES users(id);

-- Internal notes: staff only, never shown to the reporter or the public.
CREATE TABLE case_notes (
    id BLOB PRIMARY KEY,
    report_id BLOB NOT NULL REFERENCES reports(id),
    author_id BLOB NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_notes_report ON case_notes (report_id, created_at);
