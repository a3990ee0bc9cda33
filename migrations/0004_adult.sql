-- 0004_adult.sql
--
-- Schema "c": adult content, fully isolated from schema `media`.
--
-- Nothing here is referenced from `media`, and nothing here references
-- `media`: files, items, images, tags, progress and history all have their
-- own tables. The only links out are to shared.users and shared.libraries.
-- Content may only live in libraries of type 'adult' (trigger
-- shared.enforce_library_type('adult') on every table with a library_id),
-- and media.* tables reject 'adult' libraries, so the two never mix even if
-- application code gets a library id wrong.
--
-- Like media.items, c.items registers every item id with its type so that
-- (item_type, item_id) references have real foreign keys; it is maintained by
-- triggers and never written by the application.

CREATE SCHEMA c;
COMMENT ON SCHEMA c IS
    'Adult content, isolated from schema media. Only visible to users with shared.users.can_view_adult; '
    'never joined into ordinary (media.*) queries, listings, search or recommendations. '
    'Only references shared.users and shared.libraries (type ''adult'' only).';

-- ---------------------------------------------------------------------------
-- Item registry
-- ---------------------------------------------------------------------------

CREATE TABLE c.items (
    id              uuid        PRIMARY KEY,
    item_type       text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT items_item_type_check CHECK (item_type IN ('studio', 'performer', 'movie', 'scene')),
    CONSTRAINT items_id_item_type_key UNIQUE (id, item_type)
);

COMMENT ON TABLE c.items IS
    'Registry of all adult item ids with their type; maintained by triggers, never written by the application.';

-- Same as media.sync_item_registry(), but for c.items. Kept separate so that
-- the adult schema does not depend on anything in `media`.
CREATE FUNCTION c.sync_item_registry()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO c.items (id, item_type) VALUES (NEW.id, TG_ARGV[0]);
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM c.items WHERE id = OLD.id;
        RETURN NULL;
    ELSIF NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'item ids are immutable (%.%: % -> %)', TG_TABLE_SCHEMA, TG_TABLE_NAME, OLD.id, NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION c.sync_item_registry() IS
    'AFTER INSERT/UPDATE OF id/DELETE row trigger on adult item tables: keeps c.items in sync. TG_ARGV[0] = item type.';

-- ---------------------------------------------------------------------------
-- Files (same shape as media.media_files)
-- ---------------------------------------------------------------------------

CREATE TABLE c.media_files (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    library_id      uuid        NOT NULL REFERENCES shared.libraries (id) ON DELETE CASCADE,
    path            text        NOT NULL,
    size            bigint      NOT NULL,
    mtime           timestamptz NOT NULL,
    -- dev_t/ino_t stored bit-for-bit as signed bigint.
    device          bigint,
    inode           bigint,
    container       text,
    duration_ms     bigint,
    probe           jsonb,
    probed_at       timestamptz,
    probe_error     text,
    -- Optional content fingerprint (algorithm chosen by the application).
    content_hash    bytea,
    missing_since   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT media_files_library_path_key UNIQUE (library_id, path),
    CONSTRAINT media_files_library_id_id_key UNIQUE (library_id, id),
    CONSTRAINT media_files_path_check CHECK (path <> ''),
    CONSTRAINT media_files_size_check CHECK (size >= 0),
    CONSTRAINT media_files_duration_ms_check CHECK (duration_ms IS NULL OR duration_ms >= 0),
    CONSTRAINT media_files_probe_check CHECK (probe IS NULL OR jsonb_typeof(probe) = 'object'),
    CONSTRAINT media_files_probed_check CHECK (probe IS NULL OR probed_at IS NOT NULL),
    CONSTRAINT media_files_content_hash_check
        CHECK (content_hash IS NULL OR octet_length(content_hash) BETWEEN 8 AND 64)
);

COMMENT ON TABLE c.media_files IS 'Files of adult libraries (same shape as media.media_files).';

CREATE TRIGGER media_files_library_type
    BEFORE INSERT OR UPDATE OF library_id ON c.media_files
    FOR EACH ROW EXECUTE FUNCTION shared.enforce_library_type('adult');
CREATE TRIGGER media_files_touch_updated_at
    BEFORE UPDATE ON c.media_files
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();

CREATE INDEX media_files_probe_queue_idx ON c.media_files (created_at)
    WHERE probed_at IS NULL AND missing_since IS NULL;
CREATE INDEX media_files_missing_since_idx ON c.media_files (library_id, missing_since)
    WHERE missing_since IS NOT NULL;
CREATE INDEX media_files_device_inode_idx ON c.media_files (device, inode)
    WHERE inode IS NOT NULL;
CREATE INDEX media_files_content_hash_idx ON c.media_files (content_hash)
    WHERE content_hash IS NOT NULL;

-- ---------------------------------------------------------------------------
-- Studios, performers, tags
-- ---------------------------------------------------------------------------

-- external_ids: flat JSON object of strings (e.g. {"stashdb": "…", "tpdb": "…"}),
-- same rule as in schema media.

CREATE TABLE c.studios (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Network / parent studio.
    parent_id           uuid         REFERENCES c.studios (id) ON DELETE SET NULL,
    name                text         NOT NULL,
    sort_name           text         NOT NULL,
    url                 text,
    overview            text,
    external_ids        jsonb        NOT NULL DEFAULT '{}',
    metadata_locked     boolean      NOT NULL DEFAULT false,
    added_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT studios_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT studios_parent_check CHECK (parent_id <> id),
    CONSTRAINT studios_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE c.studios IS 'Adult studios; parent_id links a studio to its network.';

CREATE INDEX studios_sort_name_idx ON c.studios (sort_name, id);
CREATE INDEX studios_name_idx ON c.studios (name);
CREATE INDEX studios_parent_id_idx ON c.studios (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX studios_external_ids_idx ON c.studios USING gin (external_ids jsonb_path_ops);

CREATE TRIGGER studios_default_sort_name
    BEFORE INSERT OR UPDATE OF name, sort_name ON c.studios
    FOR EACH ROW EXECUTE FUNCTION shared.default_sort_key('name', 'sort_name');
CREATE TRIGGER studios_touch_updated_at
    BEFORE UPDATE ON c.studios
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER studios_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON c.studios
    FOR EACH ROW EXECUTE FUNCTION c.sync_item_registry('studio');

CREATE TABLE c.performers (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    name                text         NOT NULL,
    sort_name           text         NOT NULL,
    -- Distinguishes performers with the same name.
    disambiguation      text,
    aliases             text[]       NOT NULL DEFAULT '{}',
    gender              text,
    birth_date          date,
    death_date          date,
    country             text,
    biography           text,
    external_ids        jsonb        NOT NULL DEFAULT '{}',
    metadata_locked     boolean      NOT NULL DEFAULT false,
    added_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT performers_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT performers_aliases_check CHECK (array_position(aliases, NULL) IS NULL),
    CONSTRAINT performers_dates_check CHECK (death_date IS NULL OR birth_date IS NULL OR death_date >= birth_date),
    CONSTRAINT performers_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE c.performers IS 'Adult performers.';

CREATE INDEX performers_sort_name_idx ON c.performers (sort_name, id);
CREATE INDEX performers_name_idx ON c.performers (name);
-- Lookup by alias: WHERE aliases @> ARRAY['…'].
CREATE INDEX performers_aliases_idx ON c.performers USING gin (aliases);
CREATE INDEX performers_external_ids_idx ON c.performers USING gin (external_ids jsonb_path_ops);

CREATE TRIGGER performers_default_sort_name
    BEFORE INSERT OR UPDATE OF name, sort_name ON c.performers
    FOR EACH ROW EXECUTE FUNCTION shared.default_sort_key('name', 'sort_name');
CREATE TRIGGER performers_touch_updated_at
    BEFORE UPDATE ON c.performers
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER performers_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON c.performers
    FOR EACH ROW EXECUTE FUNCTION c.sync_item_registry('performer');

CREATE TABLE c.tags (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name            citext      NOT NULL,
    description     text,
    created_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT tags_name_key UNIQUE (name),
    CONSTRAINT tags_name_check CHECK (btrim(name::text) <> '')
);

COMMENT ON TABLE c.tags IS 'Adult tags (the counterpart of media.genres); names are case-insensitive.';

-- ---------------------------------------------------------------------------
-- Movies and scenes
-- ---------------------------------------------------------------------------

CREATE TABLE c.movies (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Must be a library of type 'adult' (trigger movies_library_type below).
    library_id          uuid         NOT NULL REFERENCES shared.libraries (id) ON DELETE CASCADE,
    studio_id           uuid         REFERENCES c.studios (id) ON DELETE SET NULL,
    title               text         NOT NULL,
    original_title      text,
    sort_title          text         NOT NULL,
    year                smallint,
    release_date        date,
    overview            text,
    director            text,
    runtime_minutes     integer,
    external_ids        jsonb        NOT NULL DEFAULT '{}',
    metadata_locked     boolean      NOT NULL DEFAULT false,
    primary_file_id     uuid,
    added_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT movies_primary_file_fkey FOREIGN KEY (library_id, primary_file_id)
        REFERENCES c.media_files (library_id, id) ON DELETE SET NULL (primary_file_id),
    CONSTRAINT movies_library_id_id_key UNIQUE (library_id, id),
    CONSTRAINT movies_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT movies_year_check CHECK (year BETWEEN 1850 AND 2200),
    CONSTRAINT movies_runtime_minutes_check CHECK (runtime_minutes > 0),
    CONSTRAINT movies_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE c.movies IS 'Adult movies; library_id must reference a library of type ''adult''.';

CREATE INDEX movies_library_sort_title_idx ON c.movies (library_id, sort_title, id);
CREATE INDEX movies_library_added_at_idx ON c.movies (library_id, added_at DESC);
CREATE INDEX movies_library_year_idx ON c.movies (library_id, year, sort_title);
CREATE INDEX movies_studio_release_idx ON c.movies (studio_id, release_date DESC) WHERE studio_id IS NOT NULL;
CREATE INDEX movies_external_ids_idx ON c.movies USING gin (external_ids jsonb_path_ops);
CREATE INDEX movies_primary_file_id_idx ON c.movies (primary_file_id) WHERE primary_file_id IS NOT NULL;

-- The role-independent safeguard: adult movies only in adult libraries.
CREATE TRIGGER movies_library_type
    BEFORE INSERT OR UPDATE OF library_id ON c.movies
    FOR EACH ROW EXECUTE FUNCTION shared.enforce_library_type('adult');
CREATE TRIGGER movies_default_sort_title
    BEFORE INSERT OR UPDATE OF title, sort_title ON c.movies
    FOR EACH ROW EXECUTE FUNCTION shared.default_sort_key('title', 'sort_title');
CREATE TRIGGER movies_touch_updated_at
    BEFORE UPDATE ON c.movies
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER movies_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON c.movies
    FOR EACH ROW EXECUTE FUNCTION c.sync_item_registry('movie');

CREATE TABLE c.scenes (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    library_id          uuid         NOT NULL REFERENCES shared.libraries (id) ON DELETE CASCADE,
    studio_id           uuid         REFERENCES c.studios (id) ON DELETE SET NULL,
    -- Movie the scene is part of, if any; the scene survives the movie.
    movie_id            uuid,
    -- Position of the scene within its movie.
    scene_index         smallint,
    title               text         NOT NULL,
    sort_title          text         NOT NULL,
    release_date        date,
    overview            text,
    duration_ms         bigint,
    external_ids        jsonb        NOT NULL DEFAULT '{}',
    metadata_locked     boolean      NOT NULL DEFAULT false,
    primary_file_id     uuid,
    added_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT scenes_movie_fkey FOREIGN KEY (library_id, movie_id)
        REFERENCES c.movies (library_id, id) ON DELETE SET NULL (movie_id),
    CONSTRAINT scenes_primary_file_fkey FOREIGN KEY (library_id, primary_file_id)
        REFERENCES c.media_files (library_id, id) ON DELETE SET NULL (primary_file_id),
    CONSTRAINT scenes_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT scenes_scene_index_check CHECK (scene_index >= 1),
    CONSTRAINT scenes_duration_ms_check CHECK (duration_ms >= 0),
    CONSTRAINT scenes_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE c.scenes IS 'Adult scenes, standalone or part of a c.movies row; adult libraries only.';

CREATE INDEX scenes_library_sort_title_idx ON c.scenes (library_id, sort_title, id);
CREATE INDEX scenes_library_added_at_idx ON c.scenes (library_id, added_at DESC);
CREATE INDEX scenes_library_release_idx ON c.scenes (library_id, release_date DESC);
-- Scenes of a movie in order.
CREATE INDEX scenes_movie_order_idx ON c.scenes (movie_id, scene_index) WHERE movie_id IS NOT NULL;
CREATE INDEX scenes_studio_release_idx ON c.scenes (studio_id, release_date DESC) WHERE studio_id IS NOT NULL;
CREATE INDEX scenes_external_ids_idx ON c.scenes USING gin (external_ids jsonb_path_ops);
CREATE INDEX scenes_primary_file_id_idx ON c.scenes (primary_file_id) WHERE primary_file_id IS NOT NULL;

CREATE TRIGGER scenes_library_type
    BEFORE INSERT OR UPDATE OF library_id ON c.scenes
    FOR EACH ROW EXECUTE FUNCTION shared.enforce_library_type('adult');
CREATE TRIGGER scenes_default_sort_title
    BEFORE INSERT OR UPDATE OF title, sort_title ON c.scenes
    FOR EACH ROW EXECUTE FUNCTION shared.default_sort_key('title', 'sort_title');
CREATE TRIGGER scenes_touch_updated_at
    BEFORE UPDATE ON c.scenes
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER scenes_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON c.scenes
    FOR EACH ROW EXECUTE FUNCTION c.sync_item_registry('scene');

-- ---------------------------------------------------------------------------
-- Item links: performer credits, tags, images, files
-- ---------------------------------------------------------------------------

CREATE TABLE c.performer_credits (
    performer_id    uuid        NOT NULL REFERENCES c.performers (id) ON DELETE CASCADE,
    item_type       text        NOT NULL,
    item_id         uuid        NOT NULL,
    -- Name the performer is credited under in this item, if it is an alias.
    credited_as     text,
    sort_order      integer     NOT NULL DEFAULT 0,

    PRIMARY KEY (item_id, performer_id),
    CONSTRAINT performer_credits_item_fkey FOREIGN KEY (item_id, item_type)
        REFERENCES c.items (id, item_type) ON DELETE CASCADE,
    CONSTRAINT performer_credits_item_type_check CHECK (item_type IN ('movie', 'scene'))
);

COMMENT ON TABLE c.performer_credits IS 'Performers appearing in adult movies and scenes.';

CREATE INDEX performer_credits_item_order_idx ON c.performer_credits (item_id, sort_order);
CREATE INDEX performer_credits_performer_idx ON c.performer_credits (performer_id, item_type);

CREATE TABLE c.item_tags (
    tag_id          uuid        NOT NULL REFERENCES c.tags (id) ON DELETE CASCADE,
    item_type       text        NOT NULL,
    item_id         uuid        NOT NULL,

    PRIMARY KEY (item_id, tag_id),
    CONSTRAINT item_tags_item_fkey FOREIGN KEY (item_id, item_type)
        REFERENCES c.items (id, item_type) ON DELETE CASCADE,
    CONSTRAINT item_tags_item_type_check CHECK (item_type IN ('movie', 'scene', 'performer', 'studio'))
);

COMMENT ON TABLE c.item_tags IS 'Tag assignments of adult items.';

CREATE INDEX item_tags_tag_idx ON c.item_tags (tag_id, item_type);

CREATE TABLE c.images (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    item_type       text        NOT NULL,
    item_id         uuid        NOT NULL,
    kind            text        NOT NULL,
    sort_order      integer     NOT NULL DEFAULT 0,
    source_url      text,
    -- SHA-256 of the image bytes once downloaded/cached.
    content_hash    bytea,
    path            text,
    width           integer,
    height          integer,
    mime            text,
    blurhash        text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT images_item_fkey FOREIGN KEY (item_id, item_type)
        REFERENCES c.items (id, item_type) ON DELETE CASCADE,
    CONSTRAINT images_item_kind_hash_key UNIQUE (item_type, item_id, kind, content_hash),
    CONSTRAINT images_kind_check CHECK (kind IN ('poster', 'backdrop', 'logo', 'thumb', 'banner')),
    CONSTRAINT images_location_check CHECK (source_url IS NOT NULL OR path IS NOT NULL),
    CONSTRAINT images_content_hash_check CHECK (octet_length(content_hash) = 32),
    CONSTRAINT images_dimensions_check CHECK (width > 0 AND height > 0),
    CONSTRAINT images_mime_check CHECK (mime LIKE 'image/%')
);

COMMENT ON TABLE c.images IS 'Artwork of adult items (same shape as media.images).';

CREATE TRIGGER images_touch_updated_at
    BEFORE UPDATE ON c.images
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();

CREATE TABLE c.item_files (
    item_type       text        NOT NULL,
    item_id         uuid        NOT NULL,
    file_id         uuid        NOT NULL REFERENCES c.media_files (id) ON DELETE CASCADE,
    kind            text        NOT NULL DEFAULT 'main',
    part            smallint    NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),

    PRIMARY KEY (item_id, file_id),
    CONSTRAINT item_files_item_fkey FOREIGN KEY (item_id, item_type)
        REFERENCES c.items (id, item_type) ON DELETE CASCADE,
    CONSTRAINT item_files_item_type_check CHECK (item_type IN ('movie', 'scene')),
    CONSTRAINT item_files_kind_check CHECK (kind IN ('main', 'extra', 'subtitle', 'trailer')),
    CONSTRAINT item_files_part_check CHECK (part >= 1)
);

COMMENT ON TABLE c.item_files IS 'Which files make up an adult item (same shape as media.item_files).';

CREATE UNIQUE INDEX item_files_main_part_idx ON c.item_files (item_id, part) WHERE kind = 'main';
CREATE INDEX item_files_file_id_idx ON c.item_files (file_id);

-- ---------------------------------------------------------------------------
-- Per-user state (same shape as media.user_item_progress / media.watch_history)
-- ---------------------------------------------------------------------------

CREATE TABLE c.user_item_progress (
    user_id         uuid         NOT NULL REFERENCES shared.users (id) ON DELETE CASCADE,
    item_type       text         NOT NULL,
    item_id         uuid         NOT NULL,
    position_ms     bigint       NOT NULL DEFAULT 0,
    duration_ms     bigint,
    played          boolean      NOT NULL DEFAULT false,
    play_count      integer      NOT NULL DEFAULT 0,
    last_played_at  timestamptz,
    favorite        boolean      NOT NULL DEFAULT false,
    rating          numeric(3,1),
    created_at      timestamptz  NOT NULL DEFAULT now(),
    updated_at      timestamptz  NOT NULL DEFAULT now(),

    PRIMARY KEY (user_id, item_type, item_id),
    CONSTRAINT user_item_progress_item_fkey FOREIGN KEY (item_id, item_type)
        REFERENCES c.items (id, item_type) ON DELETE CASCADE,
    CONSTRAINT user_item_progress_item_type_check
        CHECK (item_type IN ('studio', 'performer', 'movie', 'scene')),
    CONSTRAINT user_item_progress_position_ms_check CHECK (position_ms >= 0),
    CONSTRAINT user_item_progress_duration_ms_check CHECK (duration_ms > 0),
    CONSTRAINT user_item_progress_play_count_check CHECK (play_count >= 0),
    CONSTRAINT user_item_progress_rating_check CHECK (rating BETWEEN 0 AND 10)
);

COMMENT ON TABLE c.user_item_progress IS 'Per-user state of adult items (same shape as media.user_item_progress).';

CREATE INDEX user_item_progress_continue_idx ON c.user_item_progress (user_id, last_played_at DESC)
    WHERE NOT played AND position_ms > 0;
CREATE INDEX user_item_progress_favorites_idx ON c.user_item_progress (user_id, item_type)
    WHERE favorite;
CREATE INDEX user_item_progress_recent_idx ON c.user_item_progress (user_id, item_type, last_played_at DESC)
    WHERE last_played_at IS NOT NULL;
CREATE INDEX user_item_progress_item_id_idx ON c.user_item_progress (item_id);

CREATE TRIGGER user_item_progress_touch_updated_at
    BEFORE UPDATE ON c.user_item_progress
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();

CREATE TABLE c.watch_history (
    id              bigint       GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id         uuid         NOT NULL REFERENCES shared.users (id) ON DELETE CASCADE,
    item_type       text         NOT NULL,
    -- NULL once the item is deleted (see media.watch_history).
    item_id         uuid,
    started_at      timestamptz  NOT NULL DEFAULT now(),
    ended_at        timestamptz,
    position_ms     bigint       NOT NULL DEFAULT 0,
    client          text,
    device          text,

    CONSTRAINT watch_history_item_fkey FOREIGN KEY (item_id, item_type)
        REFERENCES c.items (id, item_type) ON DELETE SET NULL (item_id),
    CONSTRAINT watch_history_item_type_check CHECK (item_type IN ('movie', 'scene')),
    CONSTRAINT watch_history_ended_at_check CHECK (ended_at IS NULL OR ended_at >= started_at),
    CONSTRAINT watch_history_position_ms_check CHECK (position_ms >= 0)
);

COMMENT ON TABLE c.watch_history IS 'Playback sessions of adult items (same shape as media.watch_history).';

CREATE INDEX watch_history_user_started_idx ON c.watch_history (user_id, started_at DESC);
CREATE INDEX watch_history_item_id_idx ON c.watch_history (item_id) WHERE item_id IS NOT NULL;
