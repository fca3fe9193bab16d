-- Maps: report counts per month, kind, category, community and fine map cell (see map::grid),
-- kept by triggers so that every way a report is written, changed or purged keeps them right.
-- The month is the report's received month in the platform's time zone (yyyymm), written by
-- the application (SQLite knows no time zones); reports stored before this migration get it
-- from the application at start (map::store::fill_received_months), which the triggers count.
ALTER TABLE reports ADD COLUMN received_month INTEGER;
CREATE INDEX reports_received_month_missing ON reports (created_at) WHERE received_month IS NULL;

CREATE TABLE map_cells (
    month INTEGER NOT NULL,
    kind TEXT NOT NULL,
    category_code TEXT NOT NULL,
    community_code TEXT NOT NULL,
    -- Fine cell: floor(lon * 128), floor(lat * 200); -999999 for reports without a point.
    cx INTEGER NOT NULL,
    cy INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (month, kind, category_code, community_code, cx, cy)
) WITHOUT ROWID;

-- floor() without SQLite's optional math functions: truncation, one less below zero.
CREATE TRIGGER reports_map_insert AFTER INSERT ON reports
WHEN new.received_month IS NOT NULL
BEGIN
    INSERT INTO map_cells (month, kind, category_code, community_code, cx, cy, n)
    SELECT new.received_month, new.kind, new.category_code, new.community_code,
        CASE WHEN new.lat IS NULL OR new.lon IS NULL THEN -999999
             ELSE CAST(new.lon * 128 AS INTEGER) - (new.lon * 128 < CAST(new.lon * 128 AS INTEGER)) END,
        CASE WHEN new.lat IS NULL OR new.lon IS NULL THEN -999999
             ELSE CAST(new.lat * 200 AS INTEGER) - (new.lat * 200 < CAST(new.lat * 200 AS INTEGER)) END,
        1
    WHERE true
    ON CONFLICT (month, kind, category_code, community_code, cx, cy) DO UPDATE SET n = n + 1;
END;

-- Only changes of what is counted; a status change costs nothing.
CREATE TRIGGER reports_map_update AFTER UPDATE OF received_month, kind, category_code, community_code, lat, lon ON reports
WHEN old.received_month IS NOT new.received_month OR old.kind IS NOT new.kind
  OR old.category_code IS NOT new.category_code OR old.community_code IS NOT new.community_code
  OR old.lat IS NOT new.lat OR old.lon IS NOT new.lon
BEGIN
    UPDATE map_cells SET n = n - 1
    WHERE old.received_month IS NOT NULL
      AND month = old.received_month AND kind = old.kind AND category_code = old.category_code
      AND community_code = old.community_code
      AND cx = CASE WHEN old.lat IS NULL OR old.lon IS NULL THEN -999999
             ELSE CAST(old.lon * 128 AS INTEGER) - (old.lon * 128 < CAST(old.lon * 128 AS INTEGER)) END
      AND cy = CASE WHEN old.lat IS NULL OR old.lon IS NULL THEN -999999
             ELSE CAST(old.lat * 200 AS INTEGER) - (old.lat * 200 < CAST(old.lat * 200 AS INTEGER)) END;
    INSERT INTO map_cells (month, kind, category_code, community_code, cx, cy, n)
    SELECT new.received_month, new.kind, new.category_code, new.community_code,
        CASE WHEN new.lat IS NULL OR new.lon IS NULL THEN -999999
             ELSE CAST(new.lon * 128 AS INTEGER) - (new.lon * 128 < CAST(new.lon * 128 AS INTEGER)) END,
        CASE WHEN new.lat IS NULL OR new.lon IS NULL THEN -999999
             ELSE CAST(new.lat * 200 AS INTEGER) - (new.lat * 200 < CAST(new.lat * 200 AS INTEGER)) END,
        1
    WHERE new.received_month IS NOT NULL
    ON CONFLICT (month, kind, category_code, community_code, cx, cy) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER reports_map_delete AFTER DELETE ON reports
WHEN old.received_month IS NOT NULL
BEGIN
    UPDATE map_cells SET n = n - 1
    WHERE month = old.received_month AND kind = old.kind AND category_code = old.category_code
      AND community_code = old.community_code
      AND cx = CASE WHEN old.lat IS NULL OR old.lon IS NULL THEN -999999
             ELSE CAST(old.lon * 128 AS INTEGER) - (old.lon * 128 < CAST(old.lon * 128 AS INTEGER)) END
      AND cy = CASE WHEN old.lat IS NULL OR old.lon IS NULL THEN -999999
             ELSE CAST(old.lat * 200 AS INTEGER) - (old.lat * 200 < CAST(old.lat * 200 AS INTEGER)) END;
END;

-- The staff map's exact points: the newest located reports of a period, from one index.
CREATE INDEX reports_located ON reports (created_at) WHERE lat IS NOT NULL;
