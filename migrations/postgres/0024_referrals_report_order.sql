-- The export lists, for each published case, the organizations it was referred to, in referral
-- order: this index gives a range of cases' referrals in that order, with the organization,
-- as an index-only scan (measured on a million reports, reading them from the table was a
-- third of each export chunk's time). It also serves every lookup by case that the old one did.
CREATE INDEX referrals_report_order ON referrals (report_id, created_at) INCLUDE (organization_id);
DROP INDEX referrals_report;
