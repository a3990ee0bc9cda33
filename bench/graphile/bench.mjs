#!/usr/bin/env node
// Peer benchmark: graphile-worker 0.18.0 measured on the same PostgreSQL
// server as Revenge's own job queue.
//
//   node bench.mjs --connection postgres://user:pass@127.0.0.1:PORT/db \
//                  --mode default|batched [--jobs 100000] [--latency-jobs 200] \
//                  [--concurrency 10] [--latency-gap-ms 15] [--timeout 900] \
//                  [--allow-no-checkpoint]
//
// Phases (each preceded by `VACUUM ANALYZE` + `CHECKPOINT`):
//   1. insert: N no-op jobs in ONE call of WorkerUtils.addJobs (one SQL call of
//      graphile_worker.add_jobs) -> inserts_per_s
//   2. drain:  a runner with `concurrency` workers on the shared (unnamed)
//      queue, all jobs of one task identifier; from just before run() until
//      every job has completed AND the jobs table is empty -> jobs_per_s
//   3. latency: with that runner idle, `latency-jobs` jobs inserted one at a
//      time (await addJob, then a `latency-gap-ms` pause); for each, the time
//      from just before addJob() to the start of the task function
//      (performance.now(), same process) -> p50 / p99 (nearest rank)
//
// Human-readable lines go to stdout; the LAST stdout line is one JSON object.
// Exit codes: 0 ok, 1 bad usage, 2 database/setup problem, 3 overall timeout,
// 4 benchmark failure (jobs failed, lost or not started).

import { EventEmitter } from "node:events";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";

// Skip graphile-worker's per-job "Completed task ..." message construction; the
// logger below drops info/debug output anyway. Must be set before the import.
process.env.NO_LOG_SUCCESS = "1";
let gw, pg;
try {
  gw = await import("graphile-worker");
  ({ default: pg } = await import("pg"));
} catch (e) {
  console.error(
    `error: cannot load graphile-worker/pg (${e.message}); run \`npm ci\` in bench/graphile first`,
  );
  process.exit(2);
}
const { run, runMigrations, makeWorkerUtils, Logger } = gw;

const require = createRequire(import.meta.url);
const pkgVersion = (name) => {
  // graphile-worker's "exports" hides package.json: walk up from its entry.
  let dir = dirname(require.resolve(name));
  while (dir !== dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      if (pkg.name === name) return pkg.version;
    } catch {}
    dir = dirname(dir);
  }
  return "?";
};
const GW_VERSION = pkgVersion("graphile-worker");
const PG_VERSION = pkgVersion("pg");
const PEER = "graphile-worker 0.18.0";
if (GW_VERSION !== "0.18.0")
  console.error(`warning: installed graphile-worker is ${GW_VERSION}, not 0.18.0 (run npm ci)`);
const TASK = "bench_noop";
const SCHEMA = "graphile_worker";

// ---------------------------------------------------------------- arguments
function usage(msg) {
  if (msg) console.error(`error: ${msg}`);
  console.error(
    "usage: node bench.mjs --connection postgres://user:pass@host:port/db " +
      "--mode default|batched [--jobs 100000] [--latency-jobs 200] " +
      "[--concurrency 10] [--latency-gap-ms 15] [--timeout 900] " +
      "[--allow-no-checkpoint]",
  );
  process.exit(1);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      connection: { type: "string" },
      mode: { type: "string" },
      jobs: { type: "string", default: "100000" },
      "latency-jobs": { type: "string", default: "200" },
      concurrency: { type: "string", default: "10" },
      "latency-gap-ms": { type: "string", default: "15" },
      timeout: { type: "string", default: "900" },
      "allow-no-checkpoint": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  usage(e.message);
}
if (args.help) usage();
const connectionString = args.connection;
if (!connectionString) usage("--connection is required");
const mode = args.mode;
if (mode !== "default" && mode !== "batched")
  usage("--mode must be 'default' or 'batched'");
const intArg = (name, min) => {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < min) usage(`--${name} must be an integer >= ${min}`);
  return v;
};
const N = intArg("jobs", 1);
const LAT_N = intArg("latency-jobs", 1);
const CONCURRENCY = intArg("concurrency", 1);
const GAP_MS = intArg("latency-gap-ms", 0);
const TIMEOUT_S = intArg("timeout", 1);

function redact(cs) {
  try {
    const u = new URL(cs);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparsable connection string>";
  }
}

// ------------------------------------------------------------ global state
let admin = null; // our own pg.Client for preparation / bookkeeping
let utils = null; // graphile-worker WorkerUtils (producer side, own pool)
let runner = null;
let finished = false;

class BenchError extends Error {
  constructor(message, code = 2) {
    super(message);
    this.exitCode = code;
  }
}

async function cleanup() {
  const steps = [
    ["runner", async () => runner && (await runner.stop("benchmark finished"))],
    ["worker utils", async () => utils && (await utils.release())],
    ["admin client", async () => admin && (await admin.end())],
  ];
  for (const [name, fn] of steps) {
    try {
      await Promise.race([
        fn(),
        sleep(15_000).then(() => {
          throw new Error("timed out after 15 s");
        }),
      ]);
    } catch (e) {
      console.error(`warning: stopping ${name} failed: ${e.message}`);
    }
  }
  runner = utils = admin = null;
}

// Overall watchdog: never hang.
const watchdog = setTimeout(async () => {
  console.error(`error: overall timeout of ${TIMEOUT_S} s exceeded; aborting`);
  try {
    await Promise.race([runner?.kill("timeout"), sleep(5000)]);
  } catch {}
  process.exit(3);
}, TIMEOUT_S * 1000);

for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, async () => {
    console.error(`interrupted by ${sig}; stopping`);
    await cleanup();
    process.exit(130);
  });
}

// ---------------------------------------------------------------- logging
// Keep graphile-worker's warnings and errors, drop info/debug noise.
const logger = new Logger((scope) => (level, message) => {
  if (level === "error" || level === "warning") {
    const where = scope.label ? `${scope.label}` : "core";
    console.error(`[graphile-worker ${where}] ${level.toUpperCase()}: ${message}`);
  }
});

const fmt = (x, d = 1) =>
  Number(x).toLocaleString("en-US", {
    minimumFractionDigits: d,
    maximumFractionDigits: d,
  });

// --------------------------------------------------------------- helpers
async function connectAdmin() {
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: 10_000,
    application_name: "graphile-bench-admin",
  });
  client.on("error", (e) => console.error(`admin connection error: ${e.message}`));
  try {
    await client.connect();
  } catch (e) {
    throw new BenchError(
      `cannot connect to PostgreSQL at ${redact(connectionString)}: ` +
        `${e.code ? e.code + " " : ""}${e.message || e}`,
    );
  }
  return client;
}

async function prepare(label) {
  const t0 = performance.now();
  await admin.query("VACUUM ANALYZE");
  let what = "VACUUM ANALYZE + CHECKPOINT";
  try {
    await admin.query("CHECKPOINT");
  } catch (e) {
    what = "VACUUM ANALYZE (no CHECKPOINT)";
    const msg =
      `CHECKPOINT failed (${e.code || "?"}: ${e.message}). It needs a ` +
      `superuser or, on PostgreSQL 15+, a role granted pg_checkpoint ` +
      `(GRANT pg_checkpoint TO <role>).`;
    if (!args["allow-no-checkpoint"])
      throw new BenchError(`${msg} Re-run with such a role, or pass --allow-no-checkpoint.`);
    console.error(`warning: ${msg} Continuing without CHECKPOINT (--allow-no-checkpoint).`);
  }
  console.log(
    `prep (${label}): ${what} in ${fmt(performance.now() - t0)} ms`,
  );
}

async function jobCount() {
  const { rows } = await admin.query(
    `select count(*)::int as n from ${SCHEMA}._private_jobs`,
  );
  return rows[0].n;
}

function percentile(sorted, p) {
  // nearest-rank
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

function waitFor(predicate, what, ms) {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + ms;
    const tick = () => {
      if (predicate()) return resolve();
      if (performance.now() > deadline)
        return reject(new BenchError(`timed out after ${ms} ms waiting for ${what}`, 4));
      setTimeout(tick, 1);
    };
    tick();
  });
}

// ------------------------------------------------------------------- main
async function main() {
  console.log(`peer: ${PEER}  (node ${process.version}, graphile-worker ${GW_VERSION}, pg ${PG_VERSION})`);
  console.log(
    `mode: ${mode}  jobs: ${N}  latency-jobs: ${LAT_N}  concurrency: ${CONCURRENCY}` +
      `  latency gap: ${GAP_MS} ms`,
  );
  console.log(`connection: ${redact(connectionString)}`);
  console.log(`host load average at start: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);

  admin = await connectAdmin();
  {
    const { rows } = await admin.query(
      `select current_setting('server_version') as v,
              current_setting('fsync') as fsync,
              current_setting('synchronous_commit') as sc,
              (select rolsuper from pg_roles where rolname = current_user) as su,
              pg_has_role(current_user, 'pg_checkpoint', 'MEMBER') as ckpt`,
    ).catch(async () =>
      // pg_checkpoint does not exist before PostgreSQL 15
      admin.query(
        `select current_setting('server_version') as v,
                current_setting('fsync') as fsync,
                current_setting('synchronous_commit') as sc,
                (select rolsuper from pg_roles where rolname = current_user) as su,
                false as ckpt`,
      ),
    );
    const r = rows[0];
    console.log(
      `server: PostgreSQL ${r.v}, fsync=${r.fsync}, synchronous_commit=${r.sc}, ` +
        `superuser=${r.su}, pg_checkpoint=${r.ckpt}`,
    );
  }

  // ---- schema: install/migrate, then empty the tables
  try {
    await runMigrations({ connectionString, logger });
  } catch (e) {
    throw new BenchError(`graphile-worker runMigrations failed: ${e.message}`);
  }
  await admin.query(
    `TRUNCATE ${SCHEMA}._private_jobs, ${SCHEMA}._private_job_queues,
              ${SCHEMA}._private_tasks, ${SCHEMA}._private_known_crontabs
     RESTART IDENTITY`,
  );
  console.log(`schema: ${SCHEMA} migrated and emptied`);

  utils = await makeWorkerUtils({ connectionString, logger });

  // ---- runner options for the mode
  const events = new EventEmitter();
  const preset =
    mode === "batched"
      ? {
          worker: {
            localQueue: { size: 500 },
            completeJobBatchDelay: 0,
            failJobBatchDelay: 0,
          },
        }
      : { worker: {} };

  let completed = 0;
  let failed = 0;
  let started = 0;
  let firstStart = null;
  let localQueueFetches = 0;
  let localQueueJobs = 0;
  let effective = null;
  const latT0 = new Map(); // latency job index -> performance.now() before addJob
  const latencies = new Map(); // index -> ms
  let latencyPhase = false;

  events.on("pool:create", ({ ctx }) => {
    const w = ctx.resolvedPreset.worker;
    effective = {
      concurrentJobs: w.concurrentJobs,
      pollInterval: w.pollInterval,
      maxPoolSize: w.maxPoolSize,
      preparedStatements: w.preparedStatements,
      localQueue: w.localQueue ?? null,
      completeJobBatchDelay: w.completeJobBatchDelay ?? "(unset => -1, disabled)",
      failJobBatchDelay: w.failJobBatchDelay ?? "(unset => -1, disabled)",
    };
  });
  let localQueueActive = false;
  events.on("localQueue:init", () => (localQueueActive = true));
  events.on("localQueue:getJobs:complete", ({ jobs }) => {
    localQueueFetches++;
    localQueueJobs += jobs.length;
  });
  events.on("job:start", () => {
    started++;
    if (firstStart === null) firstStart = performance.now();
  });
  events.on("job:complete", ({ error }) => {
    completed++;
    if (error) failed++;
  });

  const taskList = {
    [TASK]: async (payload) => {
      if (latencyPhase && payload && payload.lat !== undefined) {
        const now = performance.now();
        const t0 = latT0.get(payload.lat);
        if (t0 !== undefined && !latencies.has(payload.lat))
          latencies.set(payload.lat, now - t0);
      }
      // no-op
    },
  };

  // ---- phase 1: bulk insert
  await prepare("before insert");
  const specs = new Array(N);
  for (let i = 0; i < N; i++) specs[i] = { identifier: TASK, payload: {} };
  const i0 = performance.now();
  const inserted = await utils.addJobs(specs);
  const i1 = performance.now();
  if (inserted.length !== N)
    throw new BenchError(`addJobs returned ${inserted.length} rows, expected ${N}`, 4);
  const insertMs = i1 - i0;
  const insertsPerS = N / (insertMs / 1000);
  console.log(
    `insert: ${N} jobs in one addJobs() call: ${fmt(insertMs)} ms => ${fmt(insertsPerS, 0)} inserts/s`,
  );
  const queued = await jobCount();
  if (queued !== N) throw new BenchError(`jobs table holds ${queued} rows, expected ${N}`, 4);

  // ---- phase 2: drain with the runner
  await prepare("before drain");
  const r0 = performance.now();
  runner = await run({
    connectionString,
    concurrency: CONCURRENCY,
    taskList,
    parsedCronItems: [],
    noHandleSignals: true,
    logger,
    events,
    preset,
  });
  const rStarted = performance.now();
  runner.promise.catch((e) => console.error(`runner error: ${e?.message || e}`));
  console.log(`effective worker settings: ${JSON.stringify(effective)}`);
  console.log(`local queue active: ${localQueueActive}`);
  await waitFor(() => completed >= N, `${N} job:complete events`, TIMEOUT_S * 1000);
  const rEvents = performance.now();
  // Completion may be batched (completeJobBatchDelay): wait until the rows are
  // really gone from the database.
  while ((await jobCount()) !== 0) {
    if (performance.now() - rEvents > 60_000)
      throw new BenchError("jobs still in the table 60 s after all completions", 4);
    await sleep(5);
  }
  const r1 = performance.now();
  if (failed) throw new BenchError(`${failed} jobs failed during the drain`, 4);
  const drainMs = r1 - r0;
  const jobsPerS = N / (drainMs / 1000);
  console.log(
    `drain: ${N} jobs, ${CONCURRENCY} workers, one queue: ${fmt(drainMs)} ms => ` +
      `${fmt(jobsPerS, 0)} jobs/s (run() start ${fmt(rStarted - r0)} ms, ` +
      `first job start -> table empty: ${fmt(r1 - firstStart)} ms = ` +
      `${fmt(N / ((r1 - firstStart) / 1000), 0)} jobs/s; last event -> table empty ${fmt(r1 - rEvents)} ms)`,
  );
  if (localQueueActive)
    console.log(
      `local queue: ${localQueueFetches} fetches, ${localQueueJobs} jobs (avg ${fmt(localQueueJobs / Math.max(1, localQueueFetches))}/fetch)`,
    );

  // ---- phase 3: latency, runner idle
  await prepare("before latency");
  await sleep(500); // let the runner settle back into its idle/waiting state
  const startedBefore = started;
  latencyPhase = true;
  for (let i = 0; i < LAT_N; i++) {
    const t0 = performance.now();
    latT0.set(i, t0);
    await utils.addJob(TASK, { lat: i });
    if (GAP_MS) await sleep(GAP_MS);
  }
  await waitFor(
    () => latencies.size >= LAT_N,
    `${LAT_N} latency jobs to start`,
    Math.max(30_000, TIMEOUT_S * 100),
  );
  await waitFor(
    () => completed >= N + LAT_N,
    `${LAT_N} latency jobs to complete`,
    30_000,
  );
  latencyPhase = false;
  if (started - startedBefore !== LAT_N)
    console.error(`warning: ${started - startedBefore} job starts seen during latency phase, expected ${LAT_N}`);
  const lats = [...latencies.values()].sort((a, b) => a - b);
  const p50 = percentile(lats, 50);
  const p99 = percentile(lats, 99);
  const mean = lats.reduce((s, x) => s + x, 0) / lats.length;
  console.log(
    `latency (enqueue -> task start, ${LAT_N} jobs one at a time, ${GAP_MS} ms apart): ` +
      `p50 ${fmt(p50, 2)} ms, p99 ${fmt(p99, 2)} ms, min ${fmt(lats[0], 2)}, ` +
      `mean ${fmt(mean, 2)}, max ${fmt(lats[lats.length - 1], 2)} ms`,
  );

  console.log(`host load average at end: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  await cleanup();
  if (failed) throw new BenchError(`${failed} jobs failed`, 4);

  const result = {
    peer: PEER,
    mode,
    inserts_per_s: Math.round(insertsPerS),
    jobs_per_s: Math.round(jobsPerS),
    latency_p50_ms: Number(p50.toFixed(3)),
    latency_p99_ms: Number(p99.toFixed(3)),
    jobs: N,
    concurrency: CONCURRENCY,
  };
  console.log(JSON.stringify(result));
}

try {
  await main();
  finished = true;
} catch (e) {
  console.error(`error: ${e.message || e}`);
  await cleanup();
  clearTimeout(watchdog);
  process.exit(e instanceof BenchError ? e.exitCode : 2);
}
clearTimeout(watchdog);
// Everything is released; if some handle still lingers, do not hang on it.
setTimeout(() => process.exit(0), 2000).unref();
