-- Maps: report counts per month, kind, category, community and fine map cell (see map::grid),
-- kept by a trigger so that every way a report is written, changed or purged keeps them right.
-- The month is the report's received month in the platform's time zone (yyyymm), written by
-- the application (as on SQLite); reports stored before this migration get it from the
-- application at start (map::store::fill_received_months), which the trigger counts.
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
);

CREATE FUNCTION map_cell_x(lat DOUBLE PRECISION, lon DOUBLE PRECISION) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT CASE WHEN lat IS NULL OR lon IS NULL THEN -999999 ELSE floor(lon * 128)::INTEGER END $$;
CREATE FUNCTION map_cell_y(lat DOUBLE PRECISION, lon DOUBLE PRECISION) RETURNS INTEGER
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT CASE WHEN lat IS NULL OR lon IS NULL THEN -999999 ELSE floor(lat * 200)::INTEGER END $$;

CREATE FUNCTION reports_map_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.received_month IS NOT NULL THEN
        UPDATE map_cells SET n = n - 1
        WHERE month = OLD.received_month AND kind = OLD.kind
          AND category_code = OLD.category_code AND community_code = OLD.community_code
          AND cx = map_cell_x(OLD.lat, OLD.lon) AND cy = map_cell_y(OLD.lat, OLD.lon);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.received_month IS NOT NULL THEN
        INSERT INTO map_cells AS m (month, kind, category_code, community_code, cx, cy, n)
        VALUES (NEW.received_month, NEW.kind, NEW.category_code, NEW.community_code,
                map_cell_x(NEW.lat, NEW.lon), map_cell_y(NEW.lat, NEW.lon), 1)
        ON CONFLICT (month, kind, category_code, community_code, cx, cy)
        DO UPDATE SET n = m.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER reports_map_insert_delete AFTER INSERT OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION reports_map_count();
-- Only changes of what is counted; a status change costs nothing.
CREATE TRIGGER reports_map_update
    AFTER UPDATE OF received_month, kind, category_code, community_code, lat, lon ON reports
    FOR EACH ROW
    WHEN (OLD.received_month IS DISTINCT FROM NEW.received_month OR OLD.kind IS DISTINCT FROM NEW.kind
          OR OLD.category_code IS DISTINCT FROM NEW.category_code
          OR OLD.community_code IS DISTINCT FROM NEW.community_code
          OR OLD.lat IS DISTINCT FROM NEW.lat OR OLD.lon IS DISTINCT FROM NEW.lon)
    EXECUTE FUNCTION reports_map_count();

-- The staff map's exact points: the newest located reports of a period, from one index.
CREATE INDEX reports_located ON reports (created_at) WHERE lat IS NOT NULL;
