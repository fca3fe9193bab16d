-- The audit trail: who changed what, when, with the state before and after (redacted JSON, never
-- identifying data). Each event's `hash` is an HMAC over the previous event's hash and its own
-- fields, keyed from the master secret (see src/audit), so an edit, a deletion or a re-ordering
-- shows when the chain is verified.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY CHECK (seq > 0),
    id UUID NOT NULL UNIQUE,
    at TIMESTAMPTZ NOT NULL,
    -- No foreign key: the trail must outlive the accounts it names.
    actor_user_id UUID,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    -- TEXT, not JSONB: the hash covers these exact bytes, which JSONB would not keep.
    before TEXT,
    after TEXT,
    prev_hash BYTEA NOT NULL CHECK (length(prev_hash) = 32),
    hash BYTEA NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, seq);

-- The chain's newest link, written with every append: deleting the newest events leaves no gap in
-- the chain, but does leave the head pointing past its end. Seq 0 with 32 zero bytes: no events.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash BYTEA NOT NULL CHECK (length(hash) = 32)
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- Append-only against mistakes of the application (a tamperer who drops these is caught by the
-- chain instead): events are never changed or removed, the head only moves one step forward.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 THEN
        RAISE EXCEPTION 'audit_head only moves forward by one event';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
