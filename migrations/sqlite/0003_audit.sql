-- The audit trail: who changed what, when, with the state before and after (redacted JSON, never
-- identifying data). Each event's `hash` is an HMAC over the previous event's hash and its own
-- fields, keyed from the master secret (see src/audit), so an edit, a deletion or a re-ordering
-- shows when the chain is verified.
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY CHECK (seq > 0),
    id BLOB NOT NULL UNIQUE,
    at TEXT NOT NULL,
    -- No foreign key: the trail must outlive the accounts it names.
    actor_user_id BLOB,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash BLOB NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, seq);

-- The chain's newest link, written with every append: deleting the newest events leaves no gap in
-- the chain, but does leave the head pointing past its end. Seq 0 with 32 zero bytes: no events.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash BLOB NOT NULL CHECK (length(hash) = 32)
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

-- Append-only against mistakes of the application (a tamperer who drops these is caught by the
-- chain instead): events are never changed or removed, the head only moves one step forward.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1
BEGIN
    SELECT RAISE(ABORT, 'audit_head only moves forward by one event');
END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
    SELECT RAISE(ABORT, 'audit_head is never deleted');
END;
