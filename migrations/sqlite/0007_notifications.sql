-- Outgoing e-mail. A notification is inserted in the same transaction as the change that causes
-- it, so none is lost when a server stops; a sender job delivers it later, with retries.
CREATE TABLE notifications (
    id BLOB PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    -- Claims so far; a claim also leases the row (next_attempt_at moves ahead) so that only one
    -- app server sends it.
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TEXT NOT NULL
);
CREATE INDEX notifications_pending ON notifications (next_attempt_at) WHERE sent_at IS NULL;

-- Where escalations of an organization's overdue referrals go (besides the coordinators).
ALTER TABLE organizations ADD COLUMN head_email TEXT;

-- Open referrals not yet escalated: what the escalation job looks through.
CREATE INDEX referrals_unescalated ON referrals (due_at)
    WHERE escalated_at IS NULL AND status IN ('sent', 'accepted');
