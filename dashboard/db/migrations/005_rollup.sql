-- 005: the counts of a broad filter without reading every incident. One row per start day,
-- end day, type, country, status, airport and start hour, with the number of incidents,
-- their drones and the box of their map points, kept by the database on every write.
-- A filter of dates, countries, types and retracted records (the briefer's filters) is
-- summed from here (dashboard/db/query.py `summary`): at 10M synthetic incidents, about
-- 300,000 rows instead of 10,000,000.
CREATE TABLE incident_rollup (
    date_start  date NOT NULL,
    date_end    date NOT NULL,
    type        text NOT NULL,
    country     text NOT NULL,
    status      text NOT NULL,
    icao        text NOT NULL,      -- '' when none
    start_hour  smallint NOT NULL,  -- -1 when the source gives no time
    n           bigint NOT NULL,
    drones      double precision,
    minlon      double precision, minlat double precision,
    maxlon      double precision, maxlat double precision,
    PRIMARY KEY (date_start, date_end, type, country, status, icao, start_hour)
);

-- Added rows are merged in (sums, smallest and largest); a changed or removed row's groups
-- are counted again from the incidents (an edit touches one or two of them).
CREATE FUNCTION incident_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO incident_rollup
    SELECT date_start, date_end, type, country, status, coalesce(icao, ''),
           coalesce(start_hour, -1), count(*), sum(drones), min(lon), min(lat), max(lon), max(lat)
    FROM added GROUP BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (date_start, date_end, type, country, status, icao, start_hour) DO UPDATE SET
        n = incident_rollup.n + EXCLUDED.n,
        drones = CASE WHEN incident_rollup.drones IS NULL AND EXCLUDED.drones IS NULL THEN NULL
                      ELSE coalesce(incident_rollup.drones, 0) + coalesce(EXCLUDED.drones, 0) END,
        minlon = least(incident_rollup.minlon, EXCLUDED.minlon),
        minlat = least(incident_rollup.minlat, EXCLUDED.minlat),
        maxlon = greatest(incident_rollup.maxlon, EXCLUDED.maxlon),
        maxlat = greatest(incident_rollup.maxlat, EXCLUDED.maxlat);
    RETURN NULL;
END $$;

CREATE FUNCTION incident_rollup_recount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS rollup_keys (date_start date, date_end date, type text,
        country text, status text, icao text, start_hour smallint) ON COMMIT DROP;
    TRUNCATE rollup_keys;
    INSERT INTO rollup_keys SELECT DISTINCT date_start, date_end, type, country, status,
        coalesce(icao, ''), coalesce(start_hour, -1) FROM removed;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO rollup_keys SELECT DISTINCT date_start, date_end, type, country, status,
            coalesce(icao, ''), coalesce(start_hour, -1) FROM added;
    END IF;
    DELETE FROM incident_rollup r USING rollup_keys k WHERE (r.date_start, r.date_end, r.type,
        r.country, r.status, r.icao, r.start_hour) = (k.date_start, k.date_end, k.type,
        k.country, k.status, k.icao, k.start_hour);
    INSERT INTO incident_rollup
    SELECT i.date_start, i.date_end, i.type, i.country, i.status, coalesce(i.icao, ''),
           coalesce(i.start_hour, -1), count(*), sum(i.drones), min(i.lon), min(i.lat),
           max(i.lon), max(i.lat)
    FROM incidents i JOIN (SELECT DISTINCT * FROM rollup_keys) k
      ON (i.date_start, i.date_end, i.type, i.country, i.status, coalesce(i.icao, ''),
          coalesce(i.start_hour, -1)) = (k.date_start, k.date_end, k.type, k.country, k.status,
          k.icao, k.start_hour)
    GROUP BY 1, 2, 3, 4, 5, 6, 7;
    RETURN NULL;
END $$;

CREATE FUNCTION incident_rollup_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE incident_rollup;
    RETURN NULL;
END $$;

CREATE TRIGGER incident_rollup_ins AFTER INSERT ON incidents REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_add();
CREATE TRIGGER incident_rollup_upd AFTER UPDATE ON incidents
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_recount();
CREATE TRIGGER incident_rollup_del AFTER DELETE ON incidents REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_recount();
CREATE TRIGGER incident_rollup_trunc AFTER TRUNCATE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_clear();

-- The incidents already held.
INSERT INTO incident_rollup
SELECT date_start, date_end, type, country, status, coalesce(icao, ''), coalesce(start_hour, -1),
       count(*), sum(drones), min(lon), min(lat), max(lon), max(lat)
FROM incidents GROUP BY 1, 2, 3, 4, 5, 6, 7;
