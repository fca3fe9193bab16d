-- Public statistics: when an organization first reacted to a referral (accepted, refused,
-- answered or recorded an action, whichever came first) and when it gave its final answer
-- (answered or refused). `updated_at` cannot tell: answering overwrites the moment of accepting.
ALTER TABLE referrals ADD COLUMN first_response_at TIMESTAMPTZ;
ALTER TABLE referrals ADD COLUMN answered_at TIMESTAMPTZ;

-- Earlier referrals: a final answer was the last change of the row; the first reaction is the
-- first recorded action or the last change, whichever came first (for a referral accepted and
-- later answered with no action recorded, that is the answer: an upper bound).
UPDATE referrals SET answered_at = updated_at WHERE status IN ('responded', 'refused');
UPDATE referrals SET first_response_at =
    (SELECT MIN(a.created_at) FROM referral_actions a WHERE a.referral_id = referrals.id);
UPDATE referrals SET first_response_at = updated_at
    WHERE status <> 'sent'
      AND (first_response_at IS NULL OR updated_at < first_response_at);

-- Statistics select referrals by the moment they were sent.
CREATE INDEX referrals_created_at ON referrals (created_at);
