-- Dialogue: events where police and residents meet, registrations for them, joint receptions'
-- time slots and bookings, local policing priorities and their supporters, and commitments
-- with their dated updates. Identifying data of residents only sealed (*_sealed); addresses
-- only as keyed hashes (*_hash) where they must be compared.

CREATE TABLE events (
    id BLOB PRIMARY KEY,
    -- round_table, training, school_lecture, coffee_with_police, forum, focus_group,
    -- joint_reception
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- NULL: the whole region.
    community_code TEXT REFERENCES communities(code),
    place TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    organizers TEXT NOT NULL,
    -- Seats for residents who register; NULL: open to all, no registration.
    capacity INTEGER,
    -- Languages of the meeting, space-separated codes (uk ru en sign).
    languages TEXT NOT NULL,
    -- scheduled, cancelled
    status TEXT NOT NULL,
    -- The organization of the officer who announced it; NULL when the platform did.
    organization_id BLOB REFERENCES organizations(id),
    -- After the event.
    attendance INTEGER,
    minutes TEXT,
    created_by BLOB REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX events_starts ON events (starts_at);

-- Decisions of an event (a round table's resolutions), each one may become a commitment.
CREATE TABLE event_decisions (
    id BLOB PRIMARY KEY,
    event_id BLOB NOT NULL REFERENCES events(id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX event_decisions_event ON event_decisions (event_id, position);

CREATE TABLE event_registrations (
    id BLOB PRIMARY KEY,
    event_id BLOB NOT NULL REFERENCES events(id),
    name_sealed BLOB NOT NULL,
    email_sealed BLOB,
    -- Keyed hash of the normalized address: one registration per address and event.
    email_hash BLOB,
    -- confirmed, waiting, cancelled
    status TEXT NOT NULL,
    -- The person's interface language: their e-mails are written in it.
    language TEXT NOT NULL,
    -- Keyed hash of the token in the person's cancellation link.
    cancel_hash BLOB NOT NULL UNIQUE,
    -- A retried submission (same form token) is stored once.
    submission_key BLOB UNIQUE,
    created_at TEXT NOT NULL,
    promoted_at TEXT,
    cancelled_at TEXT
);
CREATE INDEX event_registrations_event ON event_registrations (event_id, status, created_at);
CREATE UNIQUE INDEX event_registrations_address ON event_registrations (event_id, email_hash)
    WHERE email_hash IS NOT NULL AND status <> 'cancelled';

-- Joint receptions: an event of kind joint_reception offers time slots with an official.
CREATE TABLE reception_slots (
    id BLOB PRIMARY KEY,
    event_id BLOB NOT NULL REFERENCES events(id),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    -- Who receives, e.g. "Head of the Kramatorsk district police department".
    official TEXT NOT NULL,
    -- A slot withdrawn by staff is no longer offered.
    withdrawn_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX reception_slots_event ON reception_slots (event_id, starts_at);

CREATE TABLE reception_bookings (
    id BLOB PRIMARY KEY,
    slot_id BLOB NOT NULL REFERENCES reception_slots(id),
    name_sealed BLOB NOT NULL,
    email_sealed BLOB NOT NULL,
    topic_sealed BLOB NOT NULL,
    -- booked, cancelled
    status TEXT NOT NULL,
    cancel_hash BLOB NOT NULL UNIQUE,
    -- The cancellation link's token, sealed, so that the reminder can carry the link again.
    token_sealed BLOB NOT NULL,
    submission_key BLOB UNIQUE,
    -- The resident's interface language: their e-mails are written in it.
    language TEXT NOT NULL,
    reminder_queued_at TEXT,
    created_at TEXT NOT NULL,
    cancelled_at TEXT
);
-- No double booking, even when two people press "book" at the same moment.
CREATE UNIQUE INDEX reception_bookings_one_per_slot ON reception_bookings (slot_id)
    WHERE status = 'booked';

-- Local policing priorities proposed by residents.
CREATE TABLE priorities (
    id BLOB PRIMARY KEY,
    community_code TEXT NOT NULL REFERENCES communities(code),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- pending (waits for a coordinator), open (public, can be supported), rejected (not
    -- published), adopted, merged, declined
    status TEXT NOT NULL,
    -- The public reason of a round table's decision (or the coordinator's of a rejection).
    reason TEXT,
    merged_into BLOB REFERENCES priorities(id),
    -- The round table that decided, if recorded.
    event_id BLOB REFERENCES events(id),
    decided_at TEXT,
    -- Confirmed supports, kept with each confirmation.
    supporters INTEGER NOT NULL DEFAULT 0,
    submission_key BLOB UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX priorities_community ON priorities (community_code, status);

CREATE TABLE priority_supports (
    id BLOB PRIMARY KEY,
    priority_id BLOB NOT NULL REFERENCES priorities(id),
    -- Keyed hash of the normalized address: one support per person and priority.
    email_hash BLOB NOT NULL,
    -- Keyed hash of the token in the confirmation link.
    confirm_hash BLOB NOT NULL UNIQUE,
    confirmed_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (priority_id, email_hash)
);

-- Commitments (joint measures): who does what by when, tracked in public until done.
CREATE TABLE commitments (
    id BLOB PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- NULL: the whole region.
    community_code TEXT REFERENCES communities(code),
    organization_id BLOB NOT NULL REFERENCES organizations(id),
    due_on TEXT NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0,
    -- planned, in_progress, done, dropped ("late" is read off the due date)
    status TEXT NOT NULL,
    -- Where it came from: an adopted priority, an event's decision, or neither (a joint measure).
    priority_id BLOB REFERENCES priorities(id),
    decision_id BLOB REFERENCES event_decisions(id),
    -- The last dated update (or the creation): stalled after 60 days without one.
    last_update_at TEXT NOT NULL,
    created_by BLOB REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX commitments_due ON commitments (status, due_on);

CREATE TABLE commitment_updates (
    id BLOB PRIMARY KEY,
    commitment_id BLOB NOT NULL REFERENCES commitments(id),
    on_date TEXT NOT NULL,
    text TEXT NOT NULL,
    progress INTEGER NOT NULL,
    status TEXT NOT NULL,
    -- A link to evidence (a photo, a document, an official letter).
    evidence_url TEXT,
    created_by BLOB REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX commitment_updates_commitment ON commitment_updates (commitment_id, on_date);

-- E-mails to residents (booking confirmations, reminders, support confirmations): the address
-- sealed, and removed once the e-mail is sent. `recipient` is then empty.
ALTER TABLE notifications ADD COLUMN recipient_sealed BLOB;
