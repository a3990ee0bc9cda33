-- 0002_media.sql
--
-- Schema `media`: files on disk, and the movie / TV / music catalogue built
-- from them. Adult content never goes here (see schema "c", 0004).
--
-- Item ids and the item registry
-- ------------------------------
-- Catalogue items (movies, series, seasons, episodes, artists, albums,
-- tracks, people) have uuid ids. Tables that can point at "any item"
-- (credits, item_genres, images, item_files, and user progress in 0003) use
-- an (item_type, item_id) pair. To give those pairs real foreign keys,
-- every item is also recorded in media.items(id, item_type), maintained
-- automatically by triggers on the item tables:
--   * inserting a movie registers (id, 'movie') in media.items;
--   * deleting a movie removes its media.items row, which cascades to its
--     credits, genres, images, file links and user progress;
--   * item ids are immutable.
-- Application code never writes media.items directly.

CREATE SCHEMA media;
COMMENT ON SCHEMA media IS
    'Ordinary (non-adult) media: files, movies, TV, music, people, genres, images, user progress.';

-- ---------------------------------------------------------------------------
-- Item registry
-- ---------------------------------------------------------------------------

CREATE TABLE media.items (
    id              uuid        PRIMARY KEY,
    item_type       text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT items_item_type_check CHECK (item_type IN (
        'movie', 'series', 'season', 'episode',
        'music_artist', 'music_album', 'music_track',
        'person'
    )),
    -- Target of the composite (item_id, item_type) foreign keys.
    CONSTRAINT items_id_item_type_key UNIQUE (id, item_type)
);

COMMENT ON TABLE media.items IS
    'Registry of all catalogue item ids with their type; maintained by triggers, never written by the application.';

-- AFTER (not BEFORE) INSERT, so that INSERT ... ON CONFLICT DO UPDATE/NOTHING
-- on an item table does not leave orphan registry rows behind.
-- Usage: AFTER INSERT OR UPDATE OF id OR DELETE ... EXECUTE FUNCTION media.sync_item_registry('movie')
CREATE FUNCTION media.sync_item_registry()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO media.items (id, item_type) VALUES (NEW.id, TG_ARGV[0]);
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM media.items WHERE id = OLD.id;
        RETURN NULL;
    ELSIF NEW.id IS DISTINCT FROM OLD.id THEN
        RAISE EXCEPTION 'item ids are immutable (%.%: % -> %)', TG_TABLE_SCHEMA, TG_TABLE_NAME, OLD.id, NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION media.sync_item_registry() IS
    'AFTER INSERT/UPDATE OF id/DELETE row trigger on item tables: keeps media.items in sync. TG_ARGV[0] = item type.';

-- ---------------------------------------------------------------------------
-- Files
-- ---------------------------------------------------------------------------

CREATE TABLE media.media_files (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    library_id      uuid        NOT NULL REFERENCES shared.libraries (id) ON DELETE CASCADE,
    path            text        NOT NULL,
    size            bigint      NOT NULL,
    mtime           timestamptz NOT NULL,
    -- Used to recognise renames/moves during a scan. dev_t/ino_t are unsigned
    -- 64-bit; values are stored bit-for-bit as signed bigint.
    device          bigint,
    inode           bigint,
    container       text,
    duration_ms     bigint,
    probe           jsonb,
    probed_at       timestamptz,
    probe_error     text,
    -- Optional content fingerprint (algorithm chosen by the application).
    content_hash    bytea,
    -- Set when a scan no longer finds the file; cleared when it reappears.
    -- Rows are only deleted after a grace period, so that an unmounted disk
    -- does not wipe metadata and watch state.
    missing_since   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),

    -- Also the index for path lookups within a library.
    CONSTRAINT media_files_library_path_key UNIQUE (library_id, path),
    -- Target of composite FKs that keep an item's file in the item's library.
    CONSTRAINT media_files_library_id_id_key UNIQUE (library_id, id),
    CONSTRAINT media_files_path_check CHECK (path <> ''),
    CONSTRAINT media_files_size_check CHECK (size >= 0),
    CONSTRAINT media_files_duration_ms_check CHECK (duration_ms IS NULL OR duration_ms >= 0),
    CONSTRAINT media_files_probe_check CHECK (probe IS NULL OR jsonb_typeof(probe) = 'object'),
    CONSTRAINT media_files_probed_check CHECK (probe IS NULL OR probed_at IS NOT NULL),
    CONSTRAINT media_files_content_hash_check
        CHECK (content_hash IS NULL OR octet_length(content_hash) BETWEEN 8 AND 64)
);

COMMENT ON TABLE media.media_files IS 'Files found by library scans (non-adult libraries only).';
COMMENT ON COLUMN media.media_files.probe IS 'ffprobe-style stream/format information as JSON.';
COMMENT ON COLUMN media.media_files.missing_since IS 'Non-NULL = file not found by the last scans since this time.';

CREATE TRIGGER media_files_library_type
    BEFORE INSERT OR UPDATE OF library_id ON media.media_files
    FOR EACH ROW EXECUTE FUNCTION shared.enforce_library_type('movies', 'tvshows', 'music', 'mixed');

CREATE TRIGGER media_files_touch_updated_at
    BEFORE UPDATE ON media.media_files
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();

-- Probe queue: files not probed yet, oldest first.
CREATE INDEX media_files_probe_queue_idx ON media.media_files (created_at)
    WHERE probed_at IS NULL AND missing_since IS NULL;
-- Reconciliation of missing files.
CREATE INDEX media_files_missing_since_idx ON media.media_files (library_id, missing_since)
    WHERE missing_since IS NOT NULL;
-- Rename/move detection.
CREATE INDEX media_files_device_inode_idx ON media.media_files (device, inode)
    WHERE inode IS NOT NULL;
CREATE INDEX media_files_content_hash_idx ON media.media_files (content_hash)
    WHERE content_hash IS NOT NULL;

-- ---------------------------------------------------------------------------
-- Genres and people
-- ---------------------------------------------------------------------------

CREATE TABLE media.genres (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name            citext      NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT genres_name_key UNIQUE (name),
    CONSTRAINT genres_name_check CHECK (btrim(name::text) <> '')
);

COMMENT ON TABLE media.genres IS 'Genres, shared by movies, TV and music; names are case-insensitive.';

-- external_ids columns hold provider ids as a flat JSON object of strings,
-- e.g. {"tmdb": "603", "imdb": "tt0133093", "tvdb": "81189"}. Values are
-- forced to be strings so that containment lookups
--   WHERE external_ids @> '{"tmdb": "603"}'
-- (served by the GIN jsonb_path_ops indexes) never miss because a writer
-- stored a number.
CREATE TABLE media.people (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name            text        NOT NULL,
    sort_name       text        NOT NULL,
    external_ids    jsonb       NOT NULL DEFAULT '{}',
    biography       text,
    birth_date      date,
    death_date      date,
    birth_place     text,
    -- Photos live in media.images (item_type 'person').
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT people_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT people_dates_check CHECK (death_date IS NULL OR birth_date IS NULL OR death_date >= birth_date),
    CONSTRAINT people_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE media.people IS 'Actors, directors, writers, etc.';

CREATE INDEX people_name_idx ON media.people (name);
CREATE INDEX people_sort_name_idx ON media.people (sort_name);
CREATE INDEX people_external_ids_idx ON media.people USING gin (external_ids jsonb_path_ops);

CREATE TRIGGER people_default_sort_name
    BEFORE INSERT OR UPDATE OF name, sort_name ON media.people
    FOR EACH ROW EXECUTE FUNCTION shared.default_sort_key('name', 'sort_name');
CREATE TRIGGER people_touch_updated_at
    BEFORE UPDATE ON media.people
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER people_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON media.people
    FOR EACH ROW EXECUTE FUNCTION media.sync_item_registry('person');

-- ---------------------------------------------------------------------------
-- Movies
-- ---------------------------------------------------------------------------

CREATE TABLE media.movies (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    library_id          uuid         NOT NULL REFERENCES shared.libraries (id) ON DELETE CASCADE,
    title               text         NOT NULL,
    original_title      text,
    sort_title          text         NOT NULL,
    year                smallint,
    overview            text,
    tagline             text,
    content_rating      text,
    runtime_minutes     integer,
    release_date        date,
    community_rating    numeric(3,1),
    external_ids        jsonb        NOT NULL DEFAULT '{}',
    -- true = metadata refreshes must not overwrite user edits.
    metadata_locked     boolean      NOT NULL DEFAULT false,
    -- Denormalised shortcut to the main file; the full list is in
    -- media.item_files. Composite FK: the file must be in the same library.
    primary_file_id     uuid,
    added_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT movies_primary_file_fkey FOREIGN KEY (library_id, primary_file_id)
        REFERENCES media.media_files (library_id, id) ON DELETE SET NULL (primary_file_id),
    CONSTRAINT movies_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT movies_year_check CHECK (year BETWEEN 1850 AND 2200),
    CONSTRAINT movies_runtime_minutes_check CHECK (runtime_minutes > 0),
    CONSTRAINT movies_community_rating_check CHECK (community_rating BETWEEN 0 AND 10),
    CONSTRAINT movies_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE media.movies IS 'Movies (libraries of type movies or mixed).';

-- Library browsing; id is the tie-breaker for keyset pagination.
CREATE INDEX movies_library_sort_title_idx ON media.movies (library_id, sort_title, id);
CREATE INDEX movies_library_added_at_idx ON media.movies (library_id, added_at DESC);
CREATE INDEX movies_library_year_idx ON media.movies (library_id, year, sort_title);
CREATE INDEX movies_external_ids_idx ON media.movies USING gin (external_ids jsonb_path_ops);
-- For ON DELETE SET NULL when a file is removed.
CREATE INDEX movies_primary_file_id_idx ON media.movies (primary_file_id) WHERE primary_file_id IS NOT NULL;

CREATE TRIGGER movies_library_type
    BEFORE INSERT OR UPDATE OF library_id ON media.movies
    FOR EACH ROW EXECUTE FUNCTION shared.enforce_library_type('movies', 'mixed');
CREATE TRIGGER movies_default_sort_title
    BEFORE INSERT OR UPDATE OF title, sort_title ON media.movies
    FOR EACH ROW EXECUTE FUNCTION shared.default_sort_key('title', 'sort_title');
CREATE TRIGGER movies_touch_updated_at
    BEFORE UPDATE ON media.movies
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER movies_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON media.movies
    FOR EACH ROW EXECUTE FUNCTION media.sync_item_registry('movie');

-- ---------------------------------------------------------------------------
-- TV: series, seasons, episodes
-- ---------------------------------------------------------------------------

CREATE TABLE media.series (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    library_id          uuid         NOT NULL REFERENCES shared.libraries (id) ON DELETE CASCADE,
    title               text         NOT NULL,
    original_title      text,
    sort_title          text         NOT NULL,
    year                smallint,
    overview            text,
    content_rating      text,
    status              text,
    first_air_date      date,
    last_air_date       date,
    community_rating    numeric(3,1),
    external_ids        jsonb        NOT NULL DEFAULT '{}',
    metadata_locked     boolean      NOT NULL DEFAULT false,
    added_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),

    -- Target of episodes' composite FK (episode in its series' library).
    CONSTRAINT series_library_id_id_key UNIQUE (library_id, id),
    CONSTRAINT series_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT series_year_check CHECK (year BETWEEN 1850 AND 2200),
    CONSTRAINT series_status_check CHECK (status IN ('continuing', 'ended', 'upcoming', 'cancelled')),
    CONSTRAINT series_air_dates_check
        CHECK (last_air_date IS NULL OR first_air_date IS NULL OR last_air_date >= first_air_date),
    CONSTRAINT series_community_rating_check CHECK (community_rating BETWEEN 0 AND 10),
    CONSTRAINT series_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE media.series IS 'TV series (libraries of type tvshows or mixed).';

CREATE INDEX series_library_sort_title_idx ON media.series (library_id, sort_title, id);
CREATE INDEX series_library_added_at_idx ON media.series (library_id, added_at DESC);
CREATE INDEX series_library_year_idx ON media.series (library_id, year, sort_title);
CREATE INDEX series_external_ids_idx ON media.series USING gin (external_ids jsonb_path_ops);

CREATE TRIGGER series_library_type
    BEFORE INSERT OR UPDATE OF library_id ON media.series
    FOR EACH ROW EXECUTE FUNCTION shared.enforce_library_type('tvshows', 'mixed');
CREATE TRIGGER series_default_sort_title
    BEFORE INSERT OR UPDATE OF title, sort_title ON media.series
    FOR EACH ROW EXECUTE FUNCTION shared.default_sort_key('title', 'sort_title');
CREATE TRIGGER series_touch_updated_at
    BEFORE UPDATE ON media.series
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER series_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON media.series
    FOR EACH ROW EXECUTE FUNCTION media.sync_item_registry('series');

CREATE TABLE media.seasons (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    series_id           uuid         NOT NULL REFERENCES media.series (id) ON DELETE CASCADE,
    -- 0 = specials.
    season_number       smallint     NOT NULL,
    title               text,
    overview            text,
    air_date            date,
    external_ids        jsonb        NOT NULL DEFAULT '{}',
    metadata_locked     boolean      NOT NULL DEFAULT false,
    added_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),

    -- Also the index for "seasons of a series in order".
    CONSTRAINT seasons_series_season_number_key UNIQUE (series_id, season_number),
    -- Target of episodes' composite FK (keeps episode.series_id and
    -- episode.season_number consistent with the season).
    CONSTRAINT seasons_id_series_season_number_key UNIQUE (id, series_id, season_number),
    CONSTRAINT seasons_season_number_check CHECK (season_number >= 0),
    CONSTRAINT seasons_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE media.seasons IS 'Seasons of a series; season_number 0 holds specials.';

CREATE TRIGGER seasons_touch_updated_at
    BEFORE UPDATE ON media.seasons
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER seasons_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON media.seasons
    FOR EACH ROW EXECUTE FUNCTION media.sync_item_registry('season');

CREATE TABLE media.episodes (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Denormalised from the series for per-library queries ("latest
    -- episodes"); the composite FK keeps it equal to the series' library.
    library_id          uuid         NOT NULL,
    series_id           uuid         NOT NULL,
    season_id           uuid         NOT NULL,
    season_number       smallint     NOT NULL,
    episode_number      smallint,
    -- Last episode contained in a multi-episode file (S01E01-E03 -> 1..3).
    episode_number_end  smallint,
    -- Absolute numbering (anime).
    absolute_number     integer,
    -- Air date; the identifier of daily shows (which may have no episode_number).
    air_date            date,
    title               text,
    overview            text,
    runtime_minutes     integer,
    community_rating    numeric(3,1),
    external_ids        jsonb        NOT NULL DEFAULT '{}',
    metadata_locked     boolean      NOT NULL DEFAULT false,
    primary_file_id     uuid,
    added_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT episodes_series_fkey FOREIGN KEY (library_id, series_id)
        REFERENCES media.series (library_id, id) ON DELETE CASCADE,
    CONSTRAINT episodes_season_fkey FOREIGN KEY (season_id, series_id, season_number)
        REFERENCES media.seasons (id, series_id, season_number) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT episodes_primary_file_fkey FOREIGN KEY (library_id, primary_file_id)
        REFERENCES media.media_files (library_id, id) ON DELETE SET NULL (primary_file_id),
    -- NULL episode numbers (daily shows) are not considered duplicates.
    CONSTRAINT episodes_series_season_episode_key UNIQUE (series_id, season_number, episode_number),
    CONSTRAINT episodes_season_number_check CHECK (season_number >= 0),
    CONSTRAINT episodes_episode_number_check CHECK (episode_number >= 0),
    CONSTRAINT episodes_episode_number_end_check
        CHECK (episode_number_end IS NULL OR (episode_number IS NOT NULL AND episode_number_end > episode_number)),
    CONSTRAINT episodes_absolute_number_check CHECK (absolute_number > 0),
    CONSTRAINT episodes_identified_check
        CHECK (episode_number IS NOT NULL OR air_date IS NOT NULL OR absolute_number IS NOT NULL),
    CONSTRAINT episodes_runtime_minutes_check CHECK (runtime_minutes > 0),
    CONSTRAINT episodes_community_rating_check CHECK (community_rating BETWEEN 0 AND 10),
    CONSTRAINT episodes_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE media.episodes IS
    'TV episodes. Identified by (season, episode), or air_date for daily shows, or absolute_number for anime.';
COMMENT ON COLUMN media.episodes.episode_number_end IS 'For multi-episode files: last episode number covered (inclusive).';

-- Episodes of a season in order (the unique key above serves the same per series).
CREATE INDEX episodes_season_order_idx ON media.episodes (season_id, episode_number, air_date);
-- Daily shows and anime.
CREATE INDEX episodes_series_air_date_idx ON media.episodes (series_id, air_date) WHERE air_date IS NOT NULL;
CREATE INDEX episodes_series_absolute_idx ON media.episodes (series_id, absolute_number)
    WHERE absolute_number IS NOT NULL;
CREATE INDEX episodes_library_added_at_idx ON media.episodes (library_id, added_at DESC);
CREATE INDEX episodes_external_ids_idx ON media.episodes USING gin (external_ids jsonb_path_ops);
CREATE INDEX episodes_primary_file_id_idx ON media.episodes (primary_file_id) WHERE primary_file_id IS NOT NULL;

CREATE TRIGGER episodes_touch_updated_at
    BEFORE UPDATE ON media.episodes
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER episodes_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON media.episodes
    FOR EACH ROW EXECUTE FUNCTION media.sync_item_registry('episode');

-- ---------------------------------------------------------------------------
-- Music: artists, albums, tracks
-- ---------------------------------------------------------------------------

CREATE TABLE media.music_artists (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    library_id          uuid         NOT NULL REFERENCES shared.libraries (id) ON DELETE CASCADE,
    name                text         NOT NULL,
    sort_name           text         NOT NULL,
    overview            text,
    external_ids        jsonb        NOT NULL DEFAULT '{}',
    metadata_locked     boolean      NOT NULL DEFAULT false,
    added_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT music_artists_library_id_id_key UNIQUE (library_id, id),
    CONSTRAINT music_artists_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT music_artists_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE media.music_artists IS 'Music artists, per library. Names are not unique (homonymous artists exist).';

CREATE INDEX music_artists_library_sort_name_idx ON media.music_artists (library_id, sort_name, id);
CREATE INDEX music_artists_library_name_idx ON media.music_artists (library_id, name);
CREATE INDEX music_artists_external_ids_idx ON media.music_artists USING gin (external_ids jsonb_path_ops);

CREATE TRIGGER music_artists_library_type
    BEFORE INSERT OR UPDATE OF library_id ON media.music_artists
    FOR EACH ROW EXECUTE FUNCTION shared.enforce_library_type('music', 'mixed');
CREATE TRIGGER music_artists_default_sort_name
    BEFORE INSERT OR UPDATE OF name, sort_name ON media.music_artists
    FOR EACH ROW EXECUTE FUNCTION shared.default_sort_key('name', 'sort_name');
CREATE TRIGGER music_artists_touch_updated_at
    BEFORE UPDATE ON media.music_artists
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER music_artists_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON media.music_artists
    FOR EACH ROW EXECUTE FUNCTION media.sync_item_registry('music_artist');

CREATE TABLE media.music_albums (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    library_id          uuid         NOT NULL REFERENCES shared.libraries (id) ON DELETE CASCADE,
    -- Album artist; NULL for compilations ("Various Artists") or unknown.
    artist_id           uuid,
    title               text         NOT NULL,
    sort_title          text         NOT NULL,
    year                smallint,
    release_date        date,
    overview            text,
    external_ids        jsonb        NOT NULL DEFAULT '{}',
    metadata_locked     boolean      NOT NULL DEFAULT false,
    added_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT music_albums_artist_fkey FOREIGN KEY (library_id, artist_id)
        REFERENCES media.music_artists (library_id, id) ON DELETE SET NULL (artist_id),
    CONSTRAINT music_albums_library_id_id_key UNIQUE (library_id, id),
    CONSTRAINT music_albums_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT music_albums_year_check CHECK (year BETWEEN 1800 AND 2200),
    CONSTRAINT music_albums_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE media.music_albums IS 'Music albums; artist_id is the album artist (NULL for compilations).';

-- Albums of an artist (discography order).
CREATE INDEX music_albums_artist_year_idx ON media.music_albums (artist_id, year, sort_title)
    WHERE artist_id IS NOT NULL;
CREATE INDEX music_albums_library_sort_title_idx ON media.music_albums (library_id, sort_title, id);
CREATE INDEX music_albums_library_added_at_idx ON media.music_albums (library_id, added_at DESC);
CREATE INDEX music_albums_library_year_idx ON media.music_albums (library_id, year, sort_title);
CREATE INDEX music_albums_external_ids_idx ON media.music_albums USING gin (external_ids jsonb_path_ops);

CREATE TRIGGER music_albums_library_type
    BEFORE INSERT OR UPDATE OF library_id ON media.music_albums
    FOR EACH ROW EXECUTE FUNCTION shared.enforce_library_type('music', 'mixed');
CREATE TRIGGER music_albums_default_sort_title
    BEFORE INSERT OR UPDATE OF title, sort_title ON media.music_albums
    FOR EACH ROW EXECUTE FUNCTION shared.default_sort_key('title', 'sort_title');
CREATE TRIGGER music_albums_touch_updated_at
    BEFORE UPDATE ON media.music_albums
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER music_albums_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON media.music_albums
    FOR EACH ROW EXECUTE FUNCTION media.sync_item_registry('music_album');

CREATE TABLE media.music_tracks (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    library_id          uuid         NOT NULL,
    album_id            uuid         NOT NULL,
    -- Track artist (may differ from the album artist); NULL if unknown.
    artist_id           uuid,
    title               text         NOT NULL,
    disc_number         smallint     NOT NULL DEFAULT 1,
    track_number        smallint,
    duration_ms         integer,
    external_ids        jsonb        NOT NULL DEFAULT '{}',
    metadata_locked     boolean      NOT NULL DEFAULT false,
    primary_file_id     uuid,
    added_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT music_tracks_album_fkey FOREIGN KEY (library_id, album_id)
        REFERENCES media.music_albums (library_id, id) ON DELETE CASCADE,
    CONSTRAINT music_tracks_artist_fkey FOREIGN KEY (library_id, artist_id)
        REFERENCES media.music_artists (library_id, id) ON DELETE SET NULL (artist_id),
    CONSTRAINT music_tracks_primary_file_fkey FOREIGN KEY (library_id, primary_file_id)
        REFERENCES media.media_files (library_id, id) ON DELETE SET NULL (primary_file_id),
    CONSTRAINT music_tracks_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT music_tracks_disc_number_check CHECK (disc_number >= 0),
    CONSTRAINT music_tracks_track_number_check CHECK (track_number >= 0),
    CONSTRAINT music_tracks_duration_ms_check CHECK (duration_ms >= 0),
    CONSTRAINT music_tracks_external_ids_check CHECK (
        jsonb_typeof(external_ids) = 'object'
        AND NOT jsonb_path_exists(external_ids, '$.* ? (@.type() != "string")')
    )
);

COMMENT ON TABLE media.music_tracks IS 'Music tracks. (disc, track) is not unique: real libraries contain duplicates.';

-- Tracks of an album in order.
CREATE INDEX music_tracks_album_order_idx ON media.music_tracks (album_id, disc_number, track_number);
CREATE INDEX music_tracks_artist_id_idx ON media.music_tracks (artist_id) WHERE artist_id IS NOT NULL;
CREATE INDEX music_tracks_library_added_at_idx ON media.music_tracks (library_id, added_at DESC);
CREATE INDEX music_tracks_external_ids_idx ON media.music_tracks USING gin (external_ids jsonb_path_ops);
CREATE INDEX music_tracks_primary_file_id_idx ON media.music_tracks (primary_file_id)
    WHERE primary_file_id IS NOT NULL;

CREATE TRIGGER music_tracks_touch_updated_at
    BEFORE UPDATE ON media.music_tracks
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();
CREATE TRIGGER music_tracks_item_registry
    AFTER INSERT OR UPDATE OF id OR DELETE ON media.music_tracks
    FOR EACH ROW EXECUTE FUNCTION media.sync_item_registry('music_track');

-- ---------------------------------------------------------------------------
-- Item links: credits, genres, images, files
-- ---------------------------------------------------------------------------

CREATE TABLE media.credits (
    id              bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    person_id       uuid        NOT NULL REFERENCES media.people (id) ON DELETE CASCADE,
    item_type       text        NOT NULL,
    item_id         uuid        NOT NULL,
    role            text        NOT NULL,
    -- Character played, for actors and guest stars only.
    character_name  text,
    sort_order      integer     NOT NULL DEFAULT 0,

    CONSTRAINT credits_item_fkey FOREIGN KEY (item_id, item_type)
        REFERENCES media.items (id, item_type) ON DELETE CASCADE,
    -- NULLS NOT DISTINCT (PG15): one "director" credit per person and item
    -- even though character_name is NULL; an actor may still play several characters.
    CONSTRAINT credits_item_person_role_character_key
        UNIQUE NULLS NOT DISTINCT (item_id, person_id, role, character_name),
    CONSTRAINT credits_item_type_check CHECK (item_type IN ('movie', 'series', 'episode')),
    CONSTRAINT credits_role_check CHECK (role IN (
        'actor', 'guest_star', 'director', 'writer', 'producer', 'composer', 'creator'
    )),
    CONSTRAINT credits_character_check CHECK (character_name IS NULL OR role IN ('actor', 'guest_star'))
);

COMMENT ON TABLE media.credits IS 'Cast and crew of movies, series and episodes.';

-- Cast list of an item in billing order.
CREATE INDEX credits_item_order_idx ON media.credits (item_id, sort_order);
-- Filmography of a person.
CREATE INDEX credits_person_idx ON media.credits (person_id, item_type);

CREATE TABLE media.item_genres (
    genre_id        uuid        NOT NULL REFERENCES media.genres (id) ON DELETE CASCADE,
    item_type       text        NOT NULL,
    item_id         uuid        NOT NULL,

    PRIMARY KEY (item_id, genre_id),
    CONSTRAINT item_genres_item_fkey FOREIGN KEY (item_id, item_type)
        REFERENCES media.items (id, item_type) ON DELETE CASCADE,
    CONSTRAINT item_genres_item_type_check
        CHECK (item_type IN ('movie', 'series', 'music_artist', 'music_album', 'music_track'))
);

COMMENT ON TABLE media.item_genres IS 'Genre assignments of items.';

-- "All movies of genre X".
CREATE INDEX item_genres_genre_idx ON media.item_genres (genre_id, item_type);

CREATE TABLE media.images (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    item_type       text        NOT NULL,
    item_id         uuid        NOT NULL,
    kind            text        NOT NULL,
    -- Several images of one kind are allowed (e.g. backdrops); lowest first.
    sort_order      integer     NOT NULL DEFAULT 0,
    source_url      text,
    -- SHA-256 of the image bytes once downloaded/cached.
    content_hash    bytea,
    -- Path of the cached or local image file.
    path            text,
    width           integer,
    height          integer,
    mime            text,
    -- Compact placeholder shown while the image loads.
    blurhash        text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT images_item_fkey FOREIGN KEY (item_id, item_type)
        REFERENCES media.items (id, item_type) ON DELETE CASCADE,
    -- Also serves "images of an item".
    CONSTRAINT images_item_kind_hash_key UNIQUE (item_type, item_id, kind, content_hash),
    CONSTRAINT images_kind_check CHECK (kind IN ('poster', 'backdrop', 'logo', 'thumb', 'banner')),
    CONSTRAINT images_location_check CHECK (source_url IS NOT NULL OR path IS NOT NULL),
    CONSTRAINT images_content_hash_check CHECK (octet_length(content_hash) = 32),
    CONSTRAINT images_dimensions_check CHECK (width > 0 AND height > 0),
    CONSTRAINT images_mime_check CHECK (mime LIKE 'image/%')
);

COMMENT ON TABLE media.images IS 'Artwork of items (and photos of people, item_type ''person'').';

CREATE TRIGGER images_touch_updated_at
    BEFORE UPDATE ON media.images
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();

CREATE TABLE media.item_files (
    item_type       text        NOT NULL,
    item_id         uuid        NOT NULL,
    file_id         uuid        NOT NULL REFERENCES media.media_files (id) ON DELETE CASCADE,
    kind            text        NOT NULL DEFAULT 'main',
    -- Part number for items split over several files (CD1/CD2, part1/part2).
    part            smallint    NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),

    -- A file may belong to several items (a multi-episode file is linked to
    -- each of its episodes), but only once to the same item.
    PRIMARY KEY (item_id, file_id),
    CONSTRAINT item_files_item_fkey FOREIGN KEY (item_id, item_type)
        REFERENCES media.items (id, item_type) ON DELETE CASCADE,
    CONSTRAINT item_files_item_type_check CHECK (item_type IN ('movie', 'episode', 'music_track')),
    CONSTRAINT item_files_kind_check CHECK (kind IN ('main', 'extra', 'subtitle', 'trailer')),
    CONSTRAINT item_files_part_check CHECK (part >= 1)
);

COMMENT ON TABLE media.item_files IS 'Which files make up an item: main video/audio (by part), extras, external subtitles, trailers.';

-- One main file per part of an item (alternative versions are separate
-- items for now).
CREATE UNIQUE INDEX item_files_main_part_idx ON media.item_files (item_id, part) WHERE kind = 'main';
-- Reverse lookup: which items use this file (scan reconciliation, FK cascade).
CREATE INDEX item_files_file_id_idx ON media.item_files (file_id);
