-- Incremental search indexing: any change to a searchable item (or to its people, genres or
-- tags) enqueues a `search.index` job with the changed ids, in batches of 500. The job reads the
-- items back and updates the engine(s); ids that no longer exist are removed from the index.

-- Items of one table: the collection is the trigger's argument.
CREATE FUNCTION jobs.enqueue_search_index() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    ids text[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT id::text) INTO ids FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT id::text) INTO ids FROM new_rows;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO jobs.job (kind, queue, max_attempts, args)
    SELECT 'search.index', 'default', 10,
           jsonb_build_object('collection', TG_ARGV[0], 'ids', to_jsonb(ids[i:i + 499]))
    FROM generate_series(1, cardinality(ids), 500) AS i;
    RETURN NULL;
END
$$;

-- Links (credits, genres, tags) name the item by (item_type, item_id); the first argument says
-- which schema's collections the item types belong to ('media' or 'c').
CREATE FUNCTION jobs.enqueue_search_index_links() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    WITH changed AS (
        SELECT item_type, item_id FROM changed_rows
    ), mapped AS (
        SELECT CASE WHEN TG_ARGV[0] = 'c' THEN
                   CASE item_type WHEN 'movie' THEN 'adult_movies' WHEN 'scene' THEN 'adult_scenes' END
               ELSE
                   CASE item_type WHEN 'movie' THEN 'movies' WHEN 'series' THEN 'series'
                                  WHEN 'episode' THEN 'episodes' WHEN 'music_artist' THEN 'artists'
                                  WHEN 'music_album' THEN 'albums' WHEN 'music_track' THEN 'tracks' END
               END AS collection,
               item_id::text AS id
        FROM changed
    ), grouped AS (
        SELECT collection, array_agg(DISTINCT id) AS ids FROM mapped WHERE collection IS NOT NULL GROUP BY collection
    )
    INSERT INTO jobs.job (kind, queue, max_attempts, args)
    SELECT 'search.index', 'default', 10, jsonb_build_object('collection', g.collection, 'ids', to_jsonb(g.ids[i:i + 499]))
    FROM grouped g, generate_series(1, cardinality(g.ids), 500) AS i;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('media.movies', 'movies'), ('media.series', 'series'), ('media.episodes', 'episodes'),
        ('media.music_artists', 'artists'), ('media.music_albums', 'albums'),
        ('media.music_tracks', 'tracks'), ('media.people', 'people'),
        ('c.movies', 'adult_movies'), ('c.scenes', 'adult_scenes')) AS v(tbl, collection)
    LOOP
        -- Transition tables allow one event per trigger: three triggers per table.
        EXECUTE format('CREATE TRIGGER search_index_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION jobs.enqueue_search_index(%L)', t.tbl, t.collection);
        EXECUTE format('CREATE TRIGGER search_index_update AFTER UPDATE ON %s REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION jobs.enqueue_search_index(%L)', t.tbl, t.collection);
        EXECUTE format('CREATE TRIGGER search_index_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION jobs.enqueue_search_index(%L)', t.tbl, t.collection);
    END LOOP;
    FOR t IN SELECT * FROM (VALUES
        ('media.credits', 'media'), ('media.item_genres', 'media'),
        ('c.performer_credits', 'c'), ('c.item_tags', 'c')) AS v(tbl, schema_name)
    LOOP
        -- One transition table, called changed_rows, whichever the event: the links' item ids.
        EXECUTE format('CREATE TRIGGER search_index_links_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS changed_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION jobs.enqueue_search_index_links(%L)', t.tbl, t.schema_name);
        EXECUTE format('CREATE TRIGGER search_index_links_update AFTER UPDATE ON %s REFERENCING NEW TABLE AS changed_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION jobs.enqueue_search_index_links(%L)', t.tbl, t.schema_name);
        EXECUTE format('CREATE TRIGGER search_index_links_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS changed_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION jobs.enqueue_search_index_links(%L)', t.tbl, t.schema_name);
    END LOOP;
END
$$;
