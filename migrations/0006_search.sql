-- 0006_search.sql
--
-- The PostgreSQL-native search engine (PostgresSearchBackend): one documents table per content
-- schema, with derived columns for full text (weighted tsvector) and typo tolerance (pg_trgm on
-- the normalised title, plus a vocabulary with a deletion neighbourhood for Typesense-like
-- per-word typos). Adult documents live in c.search_documents and never share a table, an index
-- or a vocabulary with ordinary ones.
--
-- pg_trgm and unaccent are trusted extensions shipped with Debian's PostgreSQL 15, so the
-- database owner can create them.

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

-- unaccent(text) is only STABLE (it looks up its dictionary through search_path); naming the
-- dictionary makes the result depend on the argument alone, so it can feed generated columns.
CREATE FUNCTION shared.search_norm(value text)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;

COMMENT ON FUNCTION shared.search_norm(text) IS
    'Search normalisation: unaccented, lower-case. IMMUTABLE wrapper around unaccent().';

-- The words reachable from `word` by deleting up to one character (words of 3+ characters) or
-- two (5+ characters): two words within edit distance k share a variant with at most k
-- deletions from each ("symmetric delete"), so typo candidates are found by btree lookups.
CREATE FUNCTION shared.search_deletes(word text)
    RETURNS SETOF text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$
    SELECT word
    UNION
    SELECT overlay(word PLACING '' FROM i FOR 1)
      FROM generate_series(1, length(word)) i
     WHERE length(word) BETWEEN 3 AND 24
    UNION
    SELECT overlay(overlay(word PLACING '' FROM j FOR 1) PLACING '' FROM i FOR 1)
      FROM generate_series(1, length(word)) i, generate_series(1, length(word)) j
     WHERE i < j AND length(word) BETWEEN 5 AND 24
$$;

CREATE FUNCTION shared.search_tsv(title text, original_title text, series_title text,
                                  people text, overview text)
    RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT setweight(to_tsvector('simple', coalesce(shared.search_norm(title), '')), 'A')
        || setweight(to_tsvector('simple', coalesce(shared.search_norm(original_title), '')), 'A')
        || setweight(to_tsvector('simple', coalesce(shared.search_norm(series_title), '')), 'B')
        || setweight(to_tsvector('simple', coalesce(shared.search_norm(people), '')), 'B')
        || setweight(to_tsvector('simple', coalesce(shared.search_norm(overview), '')), 'C')
$$;

-- ---------------------------------------------------------------------------
-- Ordinary collections
-- ---------------------------------------------------------------------------

CREATE SCHEMA search;
COMMENT ON SCHEMA search IS
    'Search documents of ordinary (media.*) content for the PostgreSQL search engine.';

CREATE TABLE search.documents (
    collection      text     NOT NULL,
    id              text     NOT NULL,
    title           text     NOT NULL DEFAULT '',
    original_title  text,
    overview        text,
    people          text,     -- cast and directors, space separated (full text only)
    cast_names      text[]   NOT NULL DEFAULT '{}',
    directors       text[]   NOT NULL DEFAULT '{}',
    genres          text[]   NOT NULL DEFAULT '{}',
    year            integer,
    library         text,
    content_rating  text,
    series_title    text,
    season          integer,
    episode         integer,
    embedding       real[],
    updated_at      timestamptz NOT NULL DEFAULT now(),
    title_norm      text GENERATED ALWAYS AS (shared.search_norm(title)) STORED,
    tsv             tsvector GENERATED ALWAYS AS
                        (shared.search_tsv(title, original_title, series_title, people, overview)) STORED,
    PRIMARY KEY (collection, id)
);

CREATE INDEX documents_tsv_idx ON search.documents USING gin (tsv);
CREATE INDEX documents_title_trgm_idx ON search.documents USING gin (title_norm gin_trgm_ops);
CREATE INDEX documents_year_idx ON search.documents (collection, year);
CREATE INDEX documents_title_idx ON search.documents (collection, title_norm);
-- Titles starting with the query (byte order, so a prefix is one index range in any collation).
CREATE INDEX documents_title_prefix_idx ON search.documents (collection, title_norm text_pattern_ops);
-- The default listing order ("*"): the first page is an ordered index scan.
CREATE INDEX documents_listing_idx ON search.documents (year DESC NULLS LAST, title_norm, id);
CREATE INDEX documents_genres_idx ON search.documents USING gin (genres);
CREATE INDEX documents_directors_idx ON search.documents USING gin (directors);
CREATE INDEX documents_cast_idx ON search.documents USING gin (cast_names);
CREATE INDEX documents_library_idx ON search.documents (collection, library);
CREATE INDEX documents_rating_idx ON search.documents (collection, content_rating);

-- Words of titles and people names, and their deletion variants, for typo expansion.
CREATE TABLE search.vocabulary (
    word text PRIMARY KEY
);
CREATE TABLE search.vocabulary_deletes (
    variant text NOT NULL,
    word    text NOT NULL,
    PRIMARY KEY (variant, word)
);

-- ---------------------------------------------------------------------------
-- Adult collections: same shape, own tables, own vocabulary
-- ---------------------------------------------------------------------------

CREATE TABLE c.search_documents (LIKE search.documents INCLUDING ALL);
COMMENT ON TABLE c.search_documents IS
    'Search documents of adult content; only read for callers with the adult permission.';
CREATE TABLE c.search_vocabulary (LIKE search.vocabulary INCLUDING ALL);
CREATE TABLE c.search_vocabulary_deletes (LIKE search.vocabulary_deletes INCLUDING ALL);
