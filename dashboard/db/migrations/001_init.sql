-- 001: the incident store. One row per incident, the whole feature as jsonb, the filterable
-- fields as columns, the point as PostGIS geometry; an append-only change history.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE incidents (
    id          text PRIMARY KEY,
    position    bigserial NOT NULL,            -- insertion order: the file's feature order
    version     integer NOT NULL DEFAULT 1,    -- bumped on every write (optimistic locking)
    type        text NOT NULL,
    country     text NOT NULL,
    date_start  date NOT NULL,
    date_end    date NOT NULL,                 -- end_date, else date
    status      text NOT NULL DEFAULT 'active',
    geom        geometry(Point, 4326),
    feature     jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_geom_idx ON incidents USING gist (geom);
CREATE INDEX incidents_dates_idx ON incidents (date_start, date_end);
CREATE INDEX incidents_type_idx ON incidents (type);
CREATE INDEX incidents_country_idx ON incidents (country);
CREATE INDEX incidents_status_idx ON incidents (status);

CREATE TABLE history (
    seq         bigserial PRIMARY KEY,
    at          timestamptz NOT NULL,
    user_name   text,
    action      text NOT NULL,
    ids         text[] NOT NULL,
    note        text NOT NULL DEFAULT '',
    changes     jsonb NOT NULL DEFAULT '{}',   -- id -> {field: [old, new]}
    source      text,
    version     text NOT NULL DEFAULT '',      -- the data's version after the change
    before      text NOT NULL DEFAULT ''       -- and before it
);
CREATE INDEX history_ids_idx ON history USING gin (ids);
