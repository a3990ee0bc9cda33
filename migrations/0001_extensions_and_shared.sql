-- 0001_extensions_and_shared.sql
--
-- Extensions and the `shared` schema: accounts, authentication, libraries,
-- scan bookkeeping, server settings and the audit log, plus the generic
-- trigger functions used by later migrations.
--
-- Applied by the migrator inside a single transaction; do not add
-- BEGIN/COMMIT or CREATE INDEX CONCURRENTLY here.

-- citext is a "trusted" extension (PG13+), so the database owner can create
-- it without superuser rights. gen_random_uuid() is core since PG13, so
-- pgcrypto is not needed. Search-related extensions (pg_trgm, unaccent) are
-- left to the migration that introduces search.
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;

CREATE SCHEMA shared;
COMMENT ON SCHEMA shared IS
    'Accounts, authentication, libraries, settings and auditing shared by all content schemas.';

-- ---------------------------------------------------------------------------
-- Generic trigger functions
-- ---------------------------------------------------------------------------

-- Sets updated_at on every real change. Attach as
--   BEFORE UPDATE ... FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
-- so that no-op updates (common in metadata refreshes) keep the old value.
CREATE FUNCTION shared.touch_updated_at()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION shared.touch_updated_at() IS
    'BEFORE UPDATE row trigger: sets NEW.updated_at to now().';

-- Fills a sort key column from its source column when the application did not
-- provide one, so that sort columns can be NOT NULL without every writer
-- having to compute them. The application is still expected to supply a
-- proper sort key (leading articles stripped etc.); this is only a fallback.
-- Usage: EXECUTE FUNCTION shared.default_sort_key('title', 'sort_title')
CREATE FUNCTION shared.default_sort_key()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    src_col text := TG_ARGV[0];
    dst_col text := TG_ARGV[1];
    rec     jsonb := to_jsonb(NEW);
BEGIN
    IF coalesce(btrim(rec ->> dst_col), '') = '' THEN
        NEW := jsonb_populate_record(NEW, jsonb_build_object(dst_col, rec -> src_col));
    END IF;
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION shared.default_sort_key() IS
    'BEFORE INSERT/UPDATE row trigger: copies column TG_ARGV[0] into TG_ARGV[1] when the latter is NULL or blank.';

-- Role-independent safeguard that keeps content in libraries of the right
-- type (and, above all, keeps adult content out of ordinary libraries and
-- vice versa). The allowed library types are passed as trigger arguments.
-- Usage: BEFORE INSERT OR UPDATE OF library_id ... EXECUTE FUNCTION
--        shared.enforce_library_type('movies', 'mixed')
CREATE FUNCTION shared.enforce_library_type()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    lib_type text;
BEGIN
    SELECT l.type INTO lib_type
      FROM shared.libraries AS l
     WHERE l.id = NEW.library_id;

    -- A missing library is reported by the foreign key, with a better message.
    IF FOUND AND NOT (lib_type = ANY (TG_ARGV)) THEN
        RAISE EXCEPTION '%.% rows cannot belong to library % of type %',
                TG_TABLE_SCHEMA, TG_TABLE_NAME, NEW.library_id, lib_type
            USING ERRCODE = 'check_violation',
                  HINT = format('Allowed library types: %s', array_to_string(TG_ARGV, ', '));
    END IF;
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION shared.enforce_library_type() IS
    'BEFORE INSERT/UPDATE OF library_id row trigger: rejects rows whose library type is not among TG_ARGV.';

-- ---------------------------------------------------------------------------
-- Users and authentication
-- ---------------------------------------------------------------------------

CREATE TABLE shared.users (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    username            citext      NOT NULL,
    email               citext,
    display_name        text,
    -- Argon2id PHC string, e.g. $argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>
    password_hash       text        NOT NULL,
    is_admin            boolean     NOT NULL DEFAULT false,
    can_view_adult      boolean     NOT NULL DEFAULT false,
    can_download        boolean     NOT NULL DEFAULT true,
    can_transcode       boolean     NOT NULL DEFAULT true,
    -- Highest content rating the user may see (e.g. 'PG-13'); NULL = unrestricted.
    -- Mapping ratings of different countries onto an order is done by the application.
    max_content_rating  text,
    disabled_at         timestamptz,
    last_login_at       timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_username_check
        CHECK (char_length(username) BETWEEN 1 AND 64 AND username::text = btrim(username::text)),
    CONSTRAINT users_email_check
        CHECK (email IS NULL OR email::text ~ '^[^@\s]+@[^@\s]+$'),
    CONSTRAINT users_display_name_check
        CHECK (display_name IS NULL OR btrim(display_name) <> ''),
    CONSTRAINT users_password_hash_check
        CHECK (starts_with(password_hash, '$argon2id$')),
    CONSTRAINT users_max_content_rating_check
        CHECK (max_content_rating IS NULL OR btrim(max_content_rating) <> '')
);

COMMENT ON TABLE shared.users IS 'Local user accounts.';
COMMENT ON COLUMN shared.users.password_hash IS 'Argon2id hash in PHC string format; plaintext is never stored.';
COMMENT ON COLUMN shared.users.can_view_adult IS 'Grants access to the isolated adult schema "c". Off by default.';
COMMENT ON COLUMN shared.users.disabled_at IS 'Non-NULL = account disabled (login refused, sessions should be revoked).';

CREATE TRIGGER users_touch_updated_at
    BEFORE UPDATE ON shared.users
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();

CREATE TABLE shared.sessions (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Only the SHA-256 of the bearer token is stored; a database leak does not
    -- leak usable tokens. Lookups hash the presented token and match exactly.
    token_hash      bytea       NOT NULL,
    user_id         uuid        NOT NULL REFERENCES shared.users (id) ON DELETE CASCADE,
    device_id       text,
    device_name     text,
    client_name     text,
    client_version  text,
    ip              inet,
    user_agent      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,

    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash),
    CONSTRAINT sessions_token_hash_check CHECK (octet_length(token_hash) = 32),
    CONSTRAINT sessions_expires_at_check CHECK (expires_at > created_at),
    CONSTRAINT sessions_revoked_at_check CHECK (revoked_at IS NULL OR revoked_at >= created_at)
);

COMMENT ON TABLE shared.sessions IS 'Login sessions; token_hash = SHA-256(token), 32 bytes.';

-- Per-user listing ("your devices"), most recently used first.
CREATE INDEX sessions_user_last_seen_idx ON shared.sessions (user_id, last_seen_at DESC);
-- Periodic cleanup: DELETE ... WHERE expires_at < now() OR revoked_at < now() - interval '...'.
CREATE INDEX sessions_expires_at_idx ON shared.sessions (expires_at);
CREATE INDEX sessions_revoked_at_idx ON shared.sessions (revoked_at) WHERE revoked_at IS NOT NULL;

CREATE TABLE shared.api_keys (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    -- SHA-256 of the key, like sessions.token_hash.
    key_hash        bytea       NOT NULL,
    name            text        NOT NULL,
    -- NULL = server-level key (integrations), not tied to a user account.
    user_id         uuid        REFERENCES shared.users (id) ON DELETE CASCADE,
    scopes          text[]      NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    expires_at      timestamptz,
    revoked_at      timestamptz,

    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
    CONSTRAINT api_keys_key_hash_check CHECK (octet_length(key_hash) = 32),
    CONSTRAINT api_keys_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT api_keys_scopes_check CHECK (array_position(scopes, NULL) IS NULL AND '' <> ALL (scopes)),
    CONSTRAINT api_keys_expires_at_check CHECK (expires_at IS NULL OR expires_at > created_at)
);

COMMENT ON TABLE shared.api_keys IS 'API keys; only SHA-256(key) is stored. user_id NULL = server-level key.';

CREATE INDEX api_keys_user_id_idx ON shared.api_keys (user_id) WHERE user_id IS NOT NULL;

-- ---------------------------------------------------------------------------
-- Libraries and scans
-- ---------------------------------------------------------------------------

CREATE TABLE shared.libraries (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name            citext      NOT NULL,
    -- 'adult' libraries hold both adult movies and scenes; their content lives
    -- in schema "c", everything else in schema "media".
    type            text        NOT NULL,
    -- Derived, so it can never disagree with type.
    is_adult        boolean     NOT NULL GENERATED ALWAYS AS (type = 'adult') STORED,
    paths           text[]      NOT NULL,
    settings        jsonb       NOT NULL DEFAULT '{}',
    -- NULL = no periodic scan (manual / file-watcher only).
    scan_interval   interval,
    last_scan_at    timestamptz,
    enabled         boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT libraries_name_key UNIQUE (name),
    CONSTRAINT libraries_name_check CHECK (btrim(name::text) <> ''),
    CONSTRAINT libraries_type_check CHECK (type IN ('movies', 'tvshows', 'music', 'mixed', 'adult')),
    CONSTRAINT libraries_paths_check
        CHECK (cardinality(paths) > 0 AND array_position(paths, NULL) IS NULL AND '' <> ALL (paths)),
    CONSTRAINT libraries_settings_check CHECK (jsonb_typeof(settings) = 'object'),
    CONSTRAINT libraries_scan_interval_check CHECK (scan_interval IS NULL OR scan_interval >= interval '1 minute')
);

COMMENT ON TABLE shared.libraries IS 'Media libraries: a named set of root folders of one content type.';
COMMENT ON COLUMN shared.libraries.type IS
    'movies | tvshows | music | mixed | adult. Immutable after creation (enforced by trigger): '
    'content tables check the type on insert, so changing it would break that invariant.';
COMMENT ON COLUMN shared.libraries.is_adult IS 'Generated: type = ''adult''.';

-- No "WHEN (OLD.* IS DISTINCT FROM NEW.*)" here: PostgreSQL forbids whole-row
-- NEW references in BEFORE trigger conditions on tables with generated columns.
CREATE TRIGGER libraries_touch_updated_at
    BEFORE UPDATE ON shared.libraries
    FOR EACH ROW EXECUTE FUNCTION shared.touch_updated_at();

-- The library type is fixed once created: content rows were validated against
-- it (shared.enforce_library_type), and an ordinary library must never turn
-- into an adult one or back. To change the type, create a new library.
CREATE FUNCTION shared.libraries_forbid_type_change()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'library type cannot be changed (library %: % -> %)', OLD.id, OLD.type, NEW.type
        USING ERRCODE = 'check_violation',
              HINT = 'Create a new library of the desired type instead.';
END;
$$;

CREATE TRIGGER libraries_forbid_type_change
    BEFORE UPDATE OF type ON shared.libraries
    FOR EACH ROW WHEN (OLD.type IS DISTINCT FROM NEW.type)
    EXECUTE FUNCTION shared.libraries_forbid_type_change();

CREATE TABLE shared.library_scans (
    id              bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    library_id      uuid        NOT NULL REFERENCES shared.libraries (id) ON DELETE CASCADE,
    status          text        NOT NULL DEFAULT 'running',
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    scanned         integer     NOT NULL DEFAULT 0,
    added           integer     NOT NULL DEFAULT 0,
    updated         integer     NOT NULL DEFAULT 0,
    removed         integer     NOT NULL DEFAULT 0,
    errors          integer     NOT NULL DEFAULT 0,
    duration_ms     bigint,
    error           text,
    -- Id in the job queue that ran the scan; no FK because the queue is not
    -- part of this schema (and may live outside PostgreSQL).
    job_id          bigint,

    CONSTRAINT library_scans_status_check
        CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
    -- A running scan has no end; a finished one has.
    CONSTRAINT library_scans_finished_check
        CHECK ((status = 'running') = (finished_at IS NULL)),
    CONSTRAINT library_scans_finished_at_check
        CHECK (finished_at IS NULL OR finished_at >= started_at),
    CONSTRAINT library_scans_counters_check
        CHECK (scanned >= 0 AND added >= 0 AND updated >= 0 AND removed >= 0 AND errors >= 0),
    CONSTRAINT library_scans_duration_ms_check
        CHECK (duration_ms IS NULL OR duration_ms >= 0)
);

COMMENT ON TABLE shared.library_scans IS 'History of library scans with counters.';

-- Scan history of a library, newest first.
CREATE INDEX library_scans_library_started_idx ON shared.library_scans (library_id, started_at DESC);
-- At most one running scan per library; also serves "is a scan running?".
CREATE UNIQUE INDEX library_scans_one_running_idx ON shared.library_scans (library_id)
    WHERE status = 'running';

-- ---------------------------------------------------------------------------
-- Settings and audit
-- ---------------------------------------------------------------------------

CREATE TABLE shared.server_settings (
    key             text        PRIMARY KEY,
    value           jsonb       NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      uuid        REFERENCES shared.users (id) ON DELETE SET NULL,

    -- Dotted lowercase keys, e.g. 'transcoding.hw_accel'.
    CONSTRAINT server_settings_key_check CHECK (key ~ '^[a-z0-9_]+(\.[a-z0-9_]+)*$')
);

COMMENT ON TABLE shared.server_settings IS 'Server-wide key/value settings (values are JSON).';

CREATE TRIGGER server_settings_touch_updated_at
    BEFORE UPDATE ON shared.server_settings
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION shared.touch_updated_at();

CREATE TABLE shared.audit_log (
    id              bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    user_id         uuid        REFERENCES shared.users (id) ON DELETE SET NULL,
    -- Snapshot of the actor's username, so entries stay readable after the
    -- user is deleted (user_id becomes NULL).
    username        text,
    action          text        NOT NULL,
    target_type     text,
    target_id       text,
    ip              inet,
    details         jsonb       NOT NULL DEFAULT '{}',

    CONSTRAINT audit_log_action_check CHECK (btrim(action) <> ''),
    CONSTRAINT audit_log_target_check CHECK (target_id IS NULL OR target_type IS NOT NULL),
    CONSTRAINT audit_log_details_check CHECK (jsonb_typeof(details) = 'object')
);

COMMENT ON TABLE shared.audit_log IS 'Append-only log of security-relevant and administrative actions.';

CREATE INDEX audit_log_occurred_at_idx ON shared.audit_log (occurred_at DESC);
CREATE INDEX audit_log_user_occurred_at_idx ON shared.audit_log (user_id, occurred_at DESC)
    WHERE user_id IS NOT NULL;
