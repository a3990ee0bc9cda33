-- 0010_bulk_triggers.sql
--
-- A library scan inserts thousands of files and items per statement. The row-level PL/pgSQL
-- triggers of 0002/0004 that keep the item registries (media.items, c.items) and check library
-- types ran once per row; here inserts and deletes are handled once per statement through
-- transition tables. Same rules, same messages:
--   * every item is registered in <schema>.items on insert and unregistered on delete;
--   * item ids are immutable;
--   * content rows may only belong to libraries of the allowed types.
-- A side effect to keep in mind: the registry row of an item now exists only once the statement
-- that inserted the item has finished, so an item and a row referencing it by (item_id,
-- item_type) cannot be inserted by one statement (write two).

CREATE FUNCTION media.register_items() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO media.items (id, item_type) SELECT id, TG_ARGV[0] FROM new_rows;
    ELSE
        DELETE FROM media.items i USING old_rows o WHERE i.id = o.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION c.register_items() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO c.items (id, item_type) SELECT id, TG_ARGV[0] FROM new_rows;
    ELSE
        DELETE FROM c.items i USING old_rows o WHERE i.id = o.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION shared.forbid_id_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'item ids are immutable (%.%: % -> %)', TG_TABLE_SCHEMA, TG_TABLE_NAME, OLD.id, NEW.id
        USING ERRCODE = 'check_violation';
END
$$;

-- Statement-level twin of shared.enforce_library_type() for inserts.
CREATE FUNCTION shared.enforce_library_type_rows() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    bad_library uuid;
    bad_type text;
BEGIN
    SELECT n.library_id, l.type INTO bad_library, bad_type
      FROM (SELECT DISTINCT library_id FROM new_rows) n
      JOIN shared.libraries l ON l.id = n.library_id
     WHERE NOT (l.type = ANY (TG_ARGV))
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION '%.% rows cannot belong to library % of type %',
                TG_TABLE_SCHEMA, TG_TABLE_NAME, bad_library, bad_type
            USING ERRCODE = 'check_violation',
                  HINT = format('Allowed library types: %s', array_to_string(TG_ARGV, ', '));
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('media', 'people', 'person'), ('media', 'movies', 'movie'), ('media', 'series', 'series'),
        ('media', 'seasons', 'season'), ('media', 'episodes', 'episode'),
        ('media', 'music_artists', 'music_artist'), ('media', 'music_albums', 'music_album'),
        ('media', 'music_tracks', 'music_track'),
        ('c', 'studios', 'studio'), ('c', 'performers', 'performer'), ('c', 'movies', 'movie'),
        ('c', 'scenes', 'scene')) AS v(schema_name, table_name, item_type)
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %I.%I', t.table_name || '_item_registry', t.schema_name,
                       t.table_name);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I.%I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %I.register_items(%L)',
                       t.table_name || '_items_insert', t.schema_name, t.table_name,
                       t.schema_name, t.item_type);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I.%I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %I.register_items(%L)',
                       t.table_name || '_items_delete', t.schema_name, t.table_name,
                       t.schema_name, t.item_type);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OF id ON %I.%I FOR EACH ROW '
                       'WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION shared.forbid_id_change()',
                       t.table_name || '_id_immutable', t.schema_name, t.table_name);
    END LOOP;

    FOR t IN SELECT * FROM (VALUES
        ('media', 'media_files', ARRAY['movies', 'tvshows', 'music', 'mixed']),
        ('media', 'movies', ARRAY['movies', 'mixed']),
        ('media', 'series', ARRAY['tvshows', 'mixed']),
        ('media', 'music_artists', ARRAY['music', 'mixed']),
        ('media', 'music_albums', ARRAY['music', 'mixed']),
        ('c', 'media_files', ARRAY['adult']),
        ('c', 'movies', ARRAY['adult']),
        ('c', 'scenes', ARRAY['adult'])) AS v(schema_name, table_name, types)
    LOOP
        -- Moving a row to another library stays a row-level check (transition tables cannot
        -- be combined with a column list); inserts are checked per statement.
        EXECUTE format('DROP TRIGGER %I ON %I.%I', t.table_name || '_library_type', t.schema_name,
                       t.table_name);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OF library_id ON %I.%I FOR EACH ROW '
                       'EXECUTE FUNCTION shared.enforce_library_type(%s)',
                       t.table_name || '_library_type', t.schema_name, t.table_name,
                       (SELECT string_agg(quote_literal(x), ', ') FROM unnest(t.types) x));
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I.%I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION shared.enforce_library_type_rows(%s)',
                       t.table_name || '_library_type_insert', t.schema_name, t.table_name,
                       (SELECT string_agg(quote_literal(x), ', ') FROM unnest(t.types) x));
    END LOOP;
END
$$;
