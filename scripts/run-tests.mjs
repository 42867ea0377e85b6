// Runs the test suite once per backend (`npm run test:quick`; `npm test` runs it under c8):
//
//   pass 1  SQLite and the disk blob store — always;
//   pass 2  PostgreSQL and S3 — only when TEST_DATABASE_URL is set (`bash scripts/setup-postgres.sh` prints one):
//           every server the tests start (test/helpers/test-server.ts) gets a database of its own on that cluster
//           and a bucket of its own on one local S3 server (s3rver) started here for the pass.
//
// Each pass leaves out the few files that cannot mean anything on its backend (LEFT_OUT, with the reason); the
// summary at the end lists them.
//
//   node scripts/run-tests.mjs [--coverage] [--backend=sqlite|postgres] [test files...]
//
// --backend runs one pass only (postgres needs TEST_DATABASE_URL); files default to test/*.test.ts. The exit code is
// non-zero when any pass fails. --coverage (`npm run test:coverage`) runs it all under c8 with .c8rc.json's gate;
// when pass 2 does not run, the gate leaves out src/store/postgres/, which only pass 2 can exercise (pass 1 alone
// would measure it as untested code and fail the gate on every machine without PostgreSQL). Each pass is one `node --test` process, so coverage (NODE_V8_COVERAGE, set by c8)
// reaches every test process and every server either pass starts. The databases of a pass are dropped when it ends,
// and those a run killed before its end left behind are dropped by the next run.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(import.meta.dirname, '..');
const NODE_TEST = ['--import', 'tsx', '--test', '--test-concurrency=2'];

/**
 * Test files a pass leaves out, and why. Pass 2 leaves out the files about the SQLite dialect itself (running them
 * again would only repeat pass 1); pass 1 leaves out the files that need PostgreSQL itself (several processes on
 * one database, the PostgreSQL dialect's own tests). Every run prints what it left out; nothing is skipped silently.
 */
const LEFT_OUT = {
  sqlite: new Map([
    ['test/multi-process.test.ts', 'several API and worker processes on one database: the SQLite store is one process'],
    ['test/postgres-file-search.test.ts', "the PostgreSQL dialect's search index, against SQLite's as the reference"],
  ]),
  postgres: new Map([
    ['test/migrations-frozen.test.ts', "pins the text of the SQLite dialect's migrations; it starts no server"],
  ]),
};

/**
 * The prefix of every database pass 2 creates: `${DATABASE_PREFIX}${runner pid}_${digest of the data dir}`
 * (test/helpers/test-backend.ts names them; keep the two in step).
 */
const DATABASE_PREFIX = 'asst_test_';

async function main() {
  const { backend, files, coverage } = parseArgs(process.argv.slice(2));
  const databaseUrl = process.env.TEST_DATABASE_URL || undefined;
  if (backend === 'postgres' && !databaseUrl) {
    fail('--backend=postgres needs TEST_DATABASE_URL (bash scripts/setup-postgres.sh prints one)');
  }
  if (coverage) {
    process.exitCode = await underCoverage(databaseUrl !== undefined && backend !== 'sqlite');
    return;
  }
  const passes = [];
  if (backend !== 'postgres') passes.push({ backend: 'sqlite', name: 'pass 1 (SQLite + disk)' });
  if (databaseUrl && backend !== 'sqlite') passes.push({ backend: 'postgres', name: 'pass 2 (PostgreSQL + S3)' });
  const results = [];
  for (const pass of passes) {
    const leftOut = LEFT_OUT[pass.backend];
    const kept = files.filter((file) => !leftOut.has(file));
    const left = files.filter((file) => leftOut.has(file)).map((file) => `${file} — ${leftOut.get(file)}`);
    let outcome = { ok: true, ms: 0 };
    if (kept.length > 0) {
      outcome =
        pass.backend === 'sqlite'
          ? await runPass(kept, { TEST_BACKEND: 'sqlite' })
          : await postgresPass(kept, databaseUrl);
    }
    results.push({ ...pass, ...outcome, ran: kept.length, left });
  }
  log('summary');
  for (const result of results) {
    const outcome = result.ran === 0 ? 'no test file to run' : result.ok ? 'passed' : 'FAILED';
    log(`  ${result.name}: ${outcome}, ${result.ran} file(s) in ${(result.ms / 1000).toFixed(1)} s`);
    for (const line of result.left) log(`    left out: ${line}`);
  }
  if (!databaseUrl && backend === undefined) {
    log('  pass 2 (PostgreSQL + S3): not run, TEST_DATABASE_URL is not set (README.md, "Quick start")');
  }
  process.exitCode = results.every((result) => result.ok) ? 0 : 1;
}

function parseArgs(args) {
  let backend;
  let coverage = false;
  const files = [];
  for (const arg of args) {
    if (arg === '--coverage') coverage = true;
    else if (arg.startsWith('--backend=')) backend = arg.slice('--backend='.length);
    else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
    else files.push(path.relative(ROOT, path.resolve(arg)));
  }
  if (backend !== undefined && backend !== 'sqlite' && backend !== 'postgres') fail(`unknown backend ${backend}`);
  if (files.length === 0) {
    for (const name of readdirSync(path.join(ROOT, 'test')).sort()) {
      if (name.endsWith('.test.ts')) files.push(`test/${name}`);
    }
  }
  return { backend, files, coverage };
}

/** The heap c8 gets to merge the coverage files (MB). */
const C8_HEAP_MB = 10_240;

/** This runner again (same arguments but --coverage) under c8; resolves to its exit code. */
async function underCoverage(postgresPassRuns) {
  const config = JSON.parse(readFileSync(path.join(ROOT, '.c8rc.json'), 'utf8'));
  const configDir = mkdtempSync(path.join(tmpdir(), 'assistants-c8-'));
  const configPath = path.join(configDir, 'c8rc.json');
  if (!postgresPassRuns) {
    config.exclude = [...(config.exclude ?? []), 'src/store/postgres/**'];
    log('coverage: the gate leaves out src/store/postgres/ — only the PostgreSQL pass (TEST_DATABASE_URL) tests it');
  }
  writeFileSync(configPath, JSON.stringify(config));
  const args = process.argv.slice(2).filter((arg) => arg !== '--coverage');
  const c8 = path.join(ROOT, 'node_modules/c8/bin/c8.js');
  // Merging the coverage of both passes (~1,500 processes, 3 GB of V8 JSON) takes ~6.5 GB: more than Node's default
  // heap. The flag is c8's own; the tests it runs keep the default.
  const heap = `--max-old-space-size=${C8_HEAP_MB}`;
  const child = spawn(
    process.execPath,
    [heap, c8, '--config', configPath, process.execPath, import.meta.filename, ...args],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  const code = await new Promise((resolve) => child.once('exit', (exitCode) => resolve(exitCode ?? 1)));
  rmSync(configDir, { recursive: true, force: true });
  return code;
}

/** One `node --test` run of `files` with `env` added; resolves when it ends. */
function runPass(files, env) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...NODE_TEST, ...files], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve({ ok: code === 0 && signal === null, ms: Date.now() - started });
    });
  });
}

async function postgresPass(files, databaseUrl) {
  const runId = String(process.pid);
  const s3Dir = mkdtempSync(path.join(tmpdir(), 'assistants-test-s3-'));
  let s3;
  try {
    await dropDatabases(databaseUrl, (name) => !processAlive(runnerPid(name)));
    s3 = await startS3(s3Dir);
    log(`pass 2: PostgreSQL at ${redact(databaseUrl)}, S3 at ${s3.endpoint}`);
    return await runPass(files, {
      TEST_BACKEND: 'postgres',
      TEST_RUN_ID: runId,
      TEST_S3_ENDPOINT: s3.endpoint,
      TEST_S3_DIR: s3Dir,
    });
  } finally {
    await s3?.stop();
    rmSync(s3Dir, { recursive: true, force: true });
    await dropDatabases(databaseUrl, (name) => runnerPid(name) === Number(runId));
  }
}

/** The pid of the runner that created a test database, from its name (NaN for other names). */
function runnerPid(name) {
  return Number(name.slice(DATABASE_PREFIX.length).split('_')[0]);
}

function processAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Drops the test databases whose name `which` accepts, closing their connections first. */
async function dropDatabases(databaseUrl, which) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
      DATABASE_PREFIX,
    ]);
    const names = rows.map((row) => row.datname).filter(which);
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    if (names.length > 0) log(`dropped ${names.length} test database(s)`);
  } finally {
    await client.end();
  }
}

/** s3rver in a child process on a free port, storing under `directory`. */
async function startS3(directory) {
  const program = `
    import S3rver from 's3rver';
    const server = new S3rver({ address: '127.0.0.1', port: 0, directory: process.argv[1], silent: true });
    const { port } = await server.run();
    console.log(JSON.stringify({ port }));
    const stop = () => server.close(() => process.exit(0));
    process.on('SIGTERM', stop);
    // The runner gone (even killed) closes this pipe: never outlive it.
    process.stdin.on('end', stop).resume();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '--eval', program, directory], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line).port));
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code} before listening`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function redact(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function log(message) {
  console.log(`[run-tests] ${message}`);
}

function fail(message) {
  console.error(`[run-tests] ${message}`);
  process.exit(2);
}

await main();
