-- The export lists, for each published case, the organizations it was referred to, in referral
-- order. Read per case from `referrals_report` and the table, SQLite sorted every case's list
-- on its own; this index gives a range of cases' referrals in that order, with the
-- organization, without the table. It also serves every lookup by case that the old one did.
CREATE INDEX referrals_report_order ON referrals (report_id, created_at, organization_id);
DROP INDEX referrals_report;
