-- 004: what the app needs to hold only what it shows (dashboard/db/query.py `summary`,
-- `coarse_regions`, and `pgstore.stamp`).
--
-- The headline figures (airports closed, drones reported) and the region filter read these
-- fields; as columns computed from the feature they can join the covering index, so the
-- summary of a broad filter is one index-only scan.
ALTER TABLE incidents
    ADD COLUMN icao text GENERATED ALWAYS AS (feature #>> '{properties,icao}') STORED,
    ADD COLUMN drones double precision GENERATED ALWAYS AS (CASE
        WHEN jsonb_typeof(feature #> '{properties,drones}') = 'number'
        THEN (feature #>> '{properties,drones}')::double precision END) STORED,
    ADD COLUMN location_precision text GENERATED ALWAYS AS (
        feature #>> '{properties,location_precision}') STORED,
    ADD COLUMN region text GENERATED ALWAYS AS (feature #>> '{properties,region}') STORED;

DROP INDEX incidents_facts_idx;
CREATE INDEX incidents_facts_idx ON incidents (date_start) INCLUDE (date_end, type, country,
    status, platform, confidence, start_hour, lon, lat, anchor, icao, drones);
-- Records located only to their country match a region filter by their region's name: the
-- few distinct (country, region) pairs of those records, read without a scan.
CREATE INDEX incidents_coarse_region_idx ON incidents (country, region)
    WHERE location_precision = 'country';

-- Every statement that writes incidents (edits, imports, COPY loads alike) counts one: the
-- app's cache key is this number, read in microseconds where count(*) reads the table. A
-- row, not a sequence: it is transactional, so no reader sees the new number before the
-- data it stands for (parallel loaders wait on it only for each other's commit).
CREATE TABLE incidents_epoch (n bigint NOT NULL);
INSERT INTO incidents_epoch VALUES (0);
CREATE FUNCTION incidents_bump_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incidents_epoch SET n = n + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER incidents_epoch_trg AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incidents
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_bump_epoch();
