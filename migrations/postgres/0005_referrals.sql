-- Referrals: a case sent to an organization with a due date; the organization accepts or
-- refuses it, records what it did, and responds.
CREATE TABLE referrals (
    id UUID PRIMARY KEY,
    report_id UUID NOT NULL REFERENCES reports(id),
    organization_id UUID NOT NULL REFERENCES organizations(id),
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    due_at TIMESTAMPTZ NOT NULL,
    -- The coordinator shares the reporter's contact with this organization (only with consent).
    share_contact BOOLEAN NOT NULL DEFAULT FALSE,
    refusal_reason TEXT,
    response TEXT,
    created_by UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    escalated_at TIMESTAMPTZ
);
CREATE INDEX referrals_organization ON referrals (organization_id, status, due_at);
CREATE INDEX referrals_report ON referrals (report_id);
CREATE INDEX referrals_due ON referrals (status, due_at);

-- What an organization did about a referral, in its own words.
CREATE TABLE referral_actions (
    id UUID PRIMARY KEY,
    referral_id UUID NOT NULL REFERENCES referrals(id),
    author_id UUID NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX referral_actions_referral ON referral_actions (referral_id, created_at);
