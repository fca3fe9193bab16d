-- Dialogue: events where police and residents meet, registrations for them, joint receptions'
-- time slots and bookings, local policing priorities and their supporters, and commitments
-- with their dated updates. Identifying data of residents only sealed (*_sealed); addresses
-- only as keyed hashes (*_hash) where they must be compared.

CREATE TABLE events (
    id UUID PRIMARY KEY,
    -- round_table, training, school_lecture, coffee_with_police, forum, focus_group,
    -- joint_reception
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- NULL: the whole region.
    community_code TEXT REFERENCES communities(code),
    place TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    organizers TEXT NOT NULL,
    -- Seats for residents who register; NULL: open to all, no registration.
    capacity BIGINT,
    -- Languages of the meeting, space-separated codes (uk ru en sign).
    languages TEXT NOT NULL,
    -- scheduled, cancelled
    status TEXT NOT NULL,
    -- The organization of the officer who announced it; NULL when the platform did.
    organization_id UUID REFERENCES organizations(id),
    -- After the event.
    attendance BIGINT,
    minutes TEXT,
    created_by UUID REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_starts ON events (starts_at);

-- Decisions of an event (a round table's resolutions), each one may become a commitment.
CREATE TABLE event_decisions (
    id UUID PRIMARY KEY,
    event_id UUID NOT NULL REFERENCES events(id),
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX event_decisions_event ON event_decisions (event_id, position);

CREATE TABLE event_registrations (
    id UUID PRIMARY KEY,
    event_id UUID NOT NULL REFERENCES events(id),
    name_sealed BYTEA NOT NULL,
    email_sealed BYTEA,
    -- Keyed hash of the normalized address: one registration per address and event.
    email_hash BYTEA,
    -- confirmed, waiting, cancelled
    status TEXT NOT NULL,
    -- The person's interface language: their e-mails are written in it.
    language TEXT NOT NULL,
    -- Keyed hash of the token in the person's cancellation link.
    cancel_hash BYTEA NOT NULL UNIQUE,
    -- A retried submission (same form token) is stored once.
    submission_key BYTEA UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    promoted_at TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ
);
CREATE INDEX event_registrations_event ON event_registrations (event_id, status, created_at);
CREATE UNIQUE INDEX event_registrations_address ON event_registrations (event_id, email_hash)
    WHERE email_hash IS NOT NULL AND status <> 'cancelled';

-- Joint receptions: an event of kind joint_reception offers time slots with an official.
CREATE TABLE reception_slots (
    id UUID PRIMARY KEY,
    event_id UUID NOT NULL REFERENCES events(id),
    starts_at TIMESTAMPTZ NOT NULL,
    ends_at TIMESTAMPTZ NOT NULL,
    -- Who receives, e.g. "Head of the Kramatorsk district police department".
    official TEXT NOT NULL,
    -- A slot withdrawn by staff is no longer offered.
    withdrawn_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reception_slots_event ON reception_slots (event_id, starts_at);

CREATE TABLE reception_bookings (
    id UUID PRIMARY KEY,
    slot_id UUID NOT NULL REFERENCES reception_slots(id),
    name_sealed BYTEA NOT NULL,
    email_sealed BYTEA NOT NULL,
    topic_sealed BYTEA NOT NULL,
    -- booked, cancelled
    status TEXT NOT NULL,
    cancel_hash BYTEA NOT NULL UNIQUE,
    -- The cancellation link's token, sealed, so that the reminder can carry the link again.
    token_sealed BYTEA NOT NULL,
    submission_key BYTEA UNIQUE,
    -- The resident's interface language: their e-mails are written in it.
    language TEXT NOT NULL,
    reminder_queued_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    cancelled_at TIMESTAMPTZ
);
-- No double booking, even when two people press "book" at the same moment.
CREATE UNIQUE INDEX reception_bookings_one_per_slot ON reception_bookings (slot_id)
    WHERE status = 'booked';

-- Local policing priorities proposed by residents.
CREATE TABLE priorities (
    id UUID PRIMARY KEY,
    community_code TEXT NOT NULL REFERENCES communities(code),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- pending (waits for a coordinator), open (public, can be supported), rejected (not
    -- published), adopted, merged, declined
    status TEXT NOT NULL,
    -- The public reason of a round table's decision (or the coordinator's of a rejection).
    reason TEXT,
    merged_into UUID REFERENCES priorities(id),
    -- The round table that decided, if recorded.
    event_id UUID REFERENCES events(id),
    decided_at TIMESTAMPTZ,
    -- Confirmed supports, kept with each confirmation.
    supporters BIGINT NOT NULL DEFAULT 0,
    submission_key BYTEA UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX priorities_community ON priorities (community_code, status);

CREATE TABLE priority_supports (
    id UUID PRIMARY KEY,
    priority_id UUID NOT NULL REFERENCES priorities(id),
    -- Keyed hash of the normalized address: one support per person and priority.
    email_hash BYTEA NOT NULL,
    -- Keyed hash of the token in the confirmation link.
    confirm_hash BYTEA NOT NULL UNIQUE,
    confirmed_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (priority_id, email_hash)
);

-- Commitments (joint measures): who does what by when, tracked in public until done.
CREATE TABLE commitments (
    id UUID PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- NULL: the whole region.
    community_code TEXT REFERENCES communities(code),
    organization_id UUID NOT NULL REFERENCES organizations(id),
    due_on DATE NOT NULL,
    progress BIGINT NOT NULL DEFAULT 0,
    -- planned, in_progress, done, dropped ("late" is read off the due date)
    status TEXT NOT NULL,
    -- Where it came from: an adopted priority, an event's decision, or neither (a joint measure).
    priority_id UUID REFERENCES priorities(id),
    decision_id UUID REFERENCES event_decisions(id),
    -- The last dated update (or the creation): stalled after 60 days without one.
    last_update_at TIMESTAMPTZ NOT NULL,
    created_by UUID REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX commitments_due ON commitments (status, due_on);

CREATE TABLE commitment_updates (
    id UUID PRIMARY KEY,
    commitment_id UUID NOT NULL REFERENCES commitments(id),
    on_date DATE NOT NULL,
    text TEXT NOT NULL,
    progress BIGINT NOT NULL,
    status TEXT NOT NULL,
    -- A link to evidence (a photo, a document, an official letter).
    evidence_url TEXT,
    created_by UUID REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX commitment_updates_commitment ON commitment_updates (commitment_id, on_date);

-- E-mails to residents (booking confirmations, reminders, support confirmations): the address
-- sealed, and removed once the e-mail is sent. `recipient` is then empty.
ALTER TABLE notifications ADD COLUMN recipient_sealed BYTEA;
