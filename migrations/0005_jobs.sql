-- The job queue: River's data model and state machine in plain PostgreSQL.
-- Finalized states (completed, cancelled, discarded) carry finalized_at; nothing else does.

CREATE SCHEMA jobs;
COMMENT ON SCHEMA jobs IS 'PostgreSQL-native job queue (River semantics): jobs, queues, leader lease, clients.';

CREATE TYPE jobs.job_state AS ENUM (
    'available', 'cancelled', 'completed', 'discarded', 'pending', 'retryable', 'running', 'scheduled'
);

-- Unique jobs count only in the states listed in unique_states (bit i set = state i below).
-- Order matches jobs.state_bit().
CREATE FUNCTION jobs.state_bit(state jobs.job_state) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE state
        WHEN 'available' THEN 0 WHEN 'cancelled' THEN 1 WHEN 'completed' THEN 2 WHEN 'discarded' THEN 3
        WHEN 'pending' THEN 4 WHEN 'retryable' THEN 5 WHEN 'running' THEN 6 WHEN 'scheduled' THEN 7
    END
$$;

CREATE FUNCTION jobs.state_in_bitmask(bitmask bit(8), state jobs.job_state) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT get_bit(bitmask, 7 - jobs.state_bit(state)) = 1
$$;

CREATE TABLE jobs.job (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state         jobs.job_state NOT NULL DEFAULT 'available',
    attempt       smallint NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts  smallint NOT NULL DEFAULT 25 CHECK (max_attempts > 0),
    priority      smallint NOT NULL DEFAULT 1 CHECK (priority BETWEEN 1 AND 4),
    queue         text NOT NULL DEFAULT 'default' CHECK (char_length(queue) BETWEEN 1 AND 128),
    kind          text NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 128),
    args          jsonb NOT NULL DEFAULT '{}',
    metadata      jsonb NOT NULL DEFAULT '{}',
    -- One entry per failed attempt: {"attempt": n, "at": timestamp, "error": message}.
    errors        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(errors) = 'array'),
    attempted_by  text[] NOT NULL DEFAULT '{}',
    tags          text[] NOT NULL DEFAULT '{}',
    scheduled_at  timestamptz NOT NULL DEFAULT now(),
    attempted_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finalized_at  timestamptz,
    unique_key    bytea,
    unique_states bit(8),
    CONSTRAINT finalized_state_has_finalized_at CHECK (
        (state IN ('cancelled', 'completed', 'discarded')) = (finalized_at IS NOT NULL)
    ),
    CONSTRAINT unique_key_has_states CHECK ((unique_key IS NULL) = (unique_states IS NULL))
);

-- The fetch path: available jobs of a queue in priority, scheduled_at, id order.
CREATE INDEX job_fetch_idx ON jobs.job (queue, priority, scheduled_at, id) WHERE state = 'available';
-- The scheduler: scheduled/retryable jobs coming due.
CREATE INDEX job_due_idx ON jobs.job (scheduled_at) WHERE state IN ('scheduled', 'retryable');
-- The rescuer: running jobs by start time.
CREATE INDEX job_running_idx ON jobs.job (attempted_at) WHERE state = 'running';
-- The cleaner and finalized listings.
CREATE INDEX job_finalized_idx ON jobs.job (state, finalized_at) WHERE finalized_at IS NOT NULL;
-- Admin and dashboard queries: by state/queue/kind, newest first.
CREATE INDEX job_state_queue_idx ON jobs.job (state, queue, id DESC);
CREATE INDEX job_kind_idx ON jobs.job (kind, id DESC);
-- "Latest errors" on the dashboard.
CREATE INDEX job_errors_idx ON jobs.job (attempted_at DESC) WHERE errors <> '[]'::jsonb;
-- Unique jobs: at most one row per key among the states that count for it.
CREATE UNIQUE INDEX job_unique_idx ON jobs.job (unique_key)
    WHERE unique_key IS NOT NULL AND jobs.state_in_bitmask(unique_states, state);

-- Queues: a row appears when a queue is paused (or first configured) and stays.
CREATE TABLE jobs.queue (
    name       text PRIMARY KEY CHECK (char_length(name) BETWEEN 1 AND 128),
    paused_at  timestamptz,
    metadata   jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The leader lease: one row per election name; the holder renews it before expires_at.
CREATE TABLE jobs.leader (
    name       text PRIMARY KEY DEFAULT 'default',
    leader_id  text NOT NULL,
    elected_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

-- Executors that are alive (heartbeat). A running job whose executor stopped heartbeating is
-- rescued without waiting for the long stuck-job threshold.
CREATE TABLE jobs.client (
    id           text PRIMARY KEY,
    hostname     text NOT NULL,
    pid          integer NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- Wake producers: one NOTIFY per queue per statement, not per row (batch inserts stay cheap).
CREATE FUNCTION jobs.notify_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    q text;
BEGIN
    FOR q IN SELECT DISTINCT queue FROM new_rows WHERE state = 'available' LOOP
        PERFORM pg_notify('revenge_jobs_insert', q);
    END LOOP;
    RETURN NULL;
END
$$;

CREATE TRIGGER job_notify_insert AFTER INSERT ON jobs.job
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION jobs.notify_insert();

-- Jobs made available by an UPDATE (scheduler, retry) are announced by the statement that
-- does it: an UPDATE trigger would tax every fetch and completion.

-- The queue table churns: keep autovacuum close behind it.
ALTER TABLE jobs.job SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02,
                          fillfactor = 90);
