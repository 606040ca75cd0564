-- 002: filter and aggregate in SQL (dashboard/db/query.py). The filterable fields that 001
-- kept only inside `feature` become columns, computed by the database from the feature so
-- no writer can forget them; `anchor` is the point the map counts an incident at (the point
-- itself, or a point on a track or area, as aggregate.anchors); `geom` takes every schema
-- geometry (Point, LineString, Polygon), not only points.
ALTER TABLE incidents ALTER COLUMN geom TYPE geometry(Geometry, 4326);

ALTER TABLE incidents
    ADD COLUMN platform   text GENERATED ALWAYS AS (feature #>> '{properties,platform}') STORED,
    ADD COLUMN confidence text GENERATED ALWAYS AS (feature #>> '{properties,confidence}') STORED,
    -- the UTC hour the incident started (its end when only that is known), as
    -- filters.start_hours; times are validated as YYYY-MM-DDTHH:MM:SSZ
    ADD COLUMN start_hour smallint GENERATED ALWAYS AS (substring(coalesce(
        feature #>> '{properties,start_time}', feature #>> '{properties,end_time}')
        FROM 12 FOR 2)::smallint) STORED,
    ADD COLUMN anchor     geometry(Point, 4326) GENERATED ALWAYS AS (ST_PointOnSurface(geom)) STORED,
    -- the anchor's coordinates as numbers: the density grid is arithmetic on them
    ADD COLUMN lon        double precision GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) = 'POINT'
        THEN ST_X(geom) ELSE ST_X(ST_PointOnSurface(geom)) END) STORED,
    ADD COLUMN lat        double precision GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) = 'POINT'
        THEN ST_Y(geom) ELSE ST_Y(ST_PointOnSurface(geom)) END) STORED,
    -- the folded text search matches (geo.search_text): written by the application, which
    -- folds accents the way the in-memory search does
    ADD COLUMN search_text text;

-- Rows written before this migration: lower-cased place, summary and quotes (exact for
-- ASCII text; accented letters are folded only when the record is next written).
UPDATE incidents SET search_text = lower(concat_ws(' ', feature #>> '{properties,place}',
    feature #>> '{properties,summary}',
    (SELECT string_agg(s ->> 'quote', ' ') FROM jsonb_array_elements(
        CASE WHEN jsonb_typeof(feature #> '{properties,sources}') = 'array'
             THEN feature #> '{properties,sources}' ELSE '[]' END) s)));

CREATE INDEX incidents_anchor_idx ON incidents USING gist (anchor);
CREATE INDEX incidents_platform_idx ON incidents (platform);
CREATE INDEX incidents_end_idx ON incidents (date_end);
-- Counts, timeline, breakdown and density read only these columns: an index-only scan of
-- this (about 120 bytes a row) instead of the rows with their features (about 1.2 KB).
CREATE INDEX incidents_facts_idx ON incidents (date_start) INCLUDE (date_end, type, country,
    status, platform, confidence, start_hour, lon, lat, anchor);
-- The longest record (max of this, read from the index): a date-from filter becomes a
-- range on date_start of the index above (starts at most that many days before it).
CREATE INDEX incidents_span_idx ON incidents ((date_end - date_start));
