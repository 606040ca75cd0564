-- 003: text search by index. A trigram GIN index on search_text answers the search's
-- "contains this word" (LIKE '%word%') without reading every row (pg_trgm ships with
-- Debian's postgresql package).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX incidents_search_idx ON incidents USING gin (search_text gin_trgm_ops);
