-- 0008_library.sql
--
-- What the library scanner needs on top of the catalogue schema (0002, 0004):
--   * files are compared byte-wise: the scanner merges a sorted directory walk with the
--     library's files read in path order, so path sorts in "C" collation (its unique index too);
--   * each file has a kind (video, audio, subtitle, image, nfo) and the scanner's identification;
--   * scans record a phase, moves and a sample of their errors;
--   * look-up indexes for the scanner's find-or-create of movies, series, artists and albums.

DO $$
DECLARE
    s text;
BEGIN
    FOREACH s IN ARRAY ARRAY['media', 'c'] LOOP
        EXECUTE format('ALTER TABLE %I.media_files ALTER COLUMN path TYPE text COLLATE "C"', s);
        EXECUTE format($f$ALTER TABLE %I.media_files
            ADD COLUMN kind text NOT NULL DEFAULT 'video',
            ADD COLUMN identification jsonb,
            ADD CONSTRAINT media_files_kind_check
                CHECK (kind IN ('video', 'audio', 'subtitle', 'image', 'nfo')),
            ADD CONSTRAINT media_files_identification_check
                CHECK (identification IS NULL OR jsonb_typeof(identification) = 'object')$f$, s);
        -- The scanner's "identify" phase walks these in id order, batch by batch: files not
        -- identified yet, and extras/subtitles that may still need their item.
        EXECUTE format($f$CREATE INDEX media_files_unidentified_idx ON %I.media_files (library_id, id)
            WHERE identification IS NULL AND missing_since IS NULL
              AND kind IN ('video', 'audio', 'subtitle')$f$, s);
        EXECUTE format($f$CREATE INDEX media_files_attachable_idx ON %I.media_files (library_id, id)
            WHERE (identification->>'kind') IN ('extra', 'subtitle') AND missing_since IS NULL$f$, s);
    END LOOP;
END
$$;

COMMENT ON COLUMN media.media_files.kind IS 'video | audio | subtitle | image | nfo, from the extension.';
COMMENT ON COLUMN media.media_files.identification IS 'What FilenameParser made of the path (see revenge identify).';

ALTER TABLE shared.library_scans
    ADD COLUMN phase text,
    ADD COLUMN moved integer NOT NULL DEFAULT 0,
    -- The first errors of the scan ({path, error}); the counter has them all.
    ADD COLUMN error_samples jsonb NOT NULL DEFAULT '[]',
    ADD CONSTRAINT library_scans_moved_check CHECK (moved >= 0),
    ADD CONSTRAINT library_scans_error_samples_check CHECK (jsonb_typeof(error_samples) = 'array');

-- Find-or-create keys of the scanner (case-insensitive titles).
CREATE INDEX movies_library_title_year_idx ON media.movies (library_id, lower(title), year);
CREATE INDEX series_library_title_idx ON media.series (library_id, lower(title));
CREATE INDEX music_artists_library_lower_name_idx ON media.music_artists (library_id, lower(name));
CREATE INDEX music_albums_library_artist_title_idx ON media.music_albums (library_id, artist_id, lower(title));
CREATE INDEX adult_movies_library_title_year_idx ON c.movies (library_id, lower(title), year);
