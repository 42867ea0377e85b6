import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/**
 * Which backend the test servers use. scripts/run-tests.mjs runs the suite twice: pass 1 on SQLite and the disk
 * blob store (TEST_BACKEND unset or `sqlite`), pass 2 — when TEST_DATABASE_URL is set — on PostgreSQL and S3
 * (`postgres`). In pass 2 every server gets a database and a bucket of its own, both named after its data
 * directory, so a server restarted on the same `dataDir` finds its data again.
 */
export type TestBackend = 'sqlite' | 'postgres';

export function testBackend(): TestBackend {
  const backend = process.env.TEST_BACKEND || 'sqlite';
  if (backend !== 'sqlite' && backend !== 'postgres') throw new Error(`TEST_BACKEND=${backend}: sqlite or postgres`);
  return backend;
}

/** What pass 2 needs from scripts/run-tests.mjs (which sets all of it); a clear error when a piece is missing. */
function postgresPass(): { databaseUrl: string; runId: string; s3Endpoint: string; s3Dir: string } {
  const { TEST_DATABASE_URL, TEST_RUN_ID, TEST_S3_ENDPOINT, TEST_S3_DIR } = process.env;
  if (!TEST_DATABASE_URL || !TEST_RUN_ID || !TEST_S3_ENDPOINT || !TEST_S3_DIR) {
    throw new Error(
      'TEST_BACKEND=postgres needs TEST_DATABASE_URL, TEST_RUN_ID, TEST_S3_ENDPOINT and TEST_S3_DIR: run the tests ' +
        'through `TEST_DATABASE_URL=… node scripts/run-tests.mjs --backend=postgres [files]`, which sets them.',
    );
  }
  return { databaseUrl: TEST_DATABASE_URL, runId: TEST_RUN_ID, s3Endpoint: TEST_S3_ENDPOINT, s3Dir: TEST_S3_DIR };
}

function digest(dataDir: string): string {
  return createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
}

/**
 * The database of the servers on `dataDir`: `asst_test_<runner pid>_<digest>`. scripts/run-tests.mjs drops
 * the databases of its pass by that prefix and pid (keep the two in step).
 */
export function databaseNameFor(dataDir: string): string {
  return `asst_test_${postgresPass().runId}_${digest(dataDir)}`;
}

/** TEST_DATABASE_URL with the database of `dataDir` in place of its own. */
export function databaseUrlFor(dataDir: string): string {
  const url = new URL(postgresPass().databaseUrl);
  url.pathname = `/${databaseNameFor(dataDir)}`;
  return url.toString();
}

/** The bucket of the servers on `dataDir` (S3 bucket names: 3–63 characters, lowercase letters, digits, hyphens). */
export function bucketFor(dataDir: string): string {
  return `asst-${postgresPass().runId}-${digest(dataDir)}`;
}

/** s3rver's default credentials; it checks request signatures against them. */
const S3_ACCESS_KEY_ID = 'S3RVER';
const S3_SECRET_ACCESS_KEY = 'S3RVER';
const S3_REGION = 'us-east-1';

/**
 * The environment that puts a server on `dataDir` on the pass's backend: nothing in pass 1; in pass 2
 * DATABASE_URL for its database (created when missing) and the BLOB_STORE=s3 settings for its bucket (created
 * when missing). What the test sets itself (`own`: DATABASE_URL, BLOB_STORE) is left to it.
 */
export async function backendEnv(dataDir: string, own: Record<string, string> = {}): Promise<Record<string, string>> {
  if (testBackend() === 'sqlite') return {};
  const env: Record<string, string> = {};
  if (own.DATABASE_URL === undefined) env.DATABASE_URL = await ensureDatabaseFor(dataDir);
  if (own.BLOB_STORE === undefined) {
    const bucket = bucketFor(dataDir);
    await ensureBucket(bucket);
    Object.assign(env, {
      BLOB_STORE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: postgresPass().s3Endpoint,
      S3_REGION,
      S3_ACCESS_KEY_ID,
      S3_SECRET_ACCESS_KEY,
      S3_FORCE_PATH_STYLE: 'true',
    });
  }
  return env;
}

const ensured = new Set<string>();

/** The PostgreSQL URL of `dataDir`'s database, created when missing (pass 2 only). */
export async function ensureDatabaseFor(dataDir: string): Promise<string> {
  await ensureDatabase(databaseNameFor(dataDir));
  return databaseUrlFor(dataDir);
}

async function ensureDatabase(name: string): Promise<void> {
  if (ensured.has(`db:${name}`)) return;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: postgresPass().databaseUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // duplicate_database: another process created it meanwhile
      });
    }
  } finally {
    await client.end();
  }
  ensured.add(`db:${name}`);
}

async function ensureBucket(bucket: string): Promise<void> {
  if (ensured.has(`bucket:${bucket}`)) return;
  // The AWS SDK's notice that its releases from 2027 need Node 22 (the server silences it too).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { S3Client, CreateBucketCommand, HeadBucketCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint: postgresPass().s3Endpoint,
    region: S3_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: S3_ACCESS_KEY_ID, secretAccessKey: S3_SECRET_ACCESS_KEY },
  });
  try {
    const exists = await client.send(new HeadBucketCommand({ Bucket: bucket })).then(
      () => true,
      () => false,
    );
    if (!exists) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  ensured.add(`bucket:${bucket}`);
}

const S3RVER_OBJECT = '._S3rver_object';

/**
 * The keys of the objects in the bucket of `dataDir` (sorted), or undefined outside pass 2. Read from the folder
 * where this pass's s3rver keeps them (`<bucket>/<key>._S3rver_object`): synchronous, as the disk listing is.
 */
export function bucketKeys(dataDir: string): string[] | undefined {
  if (testBackend() !== 'postgres') return undefined;
  const root = path.join(postgresPass().s3Dir, bucketFor(dataDir));
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(S3RVER_OBJECT))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).slice(0, -S3RVER_OBJECT.length))
    .sort();
}

/** Removes what the pass's backend keeps for `dataDir` and can remove at once: its bucket. Databases go at the end of the pass. */
export function removeBackendData(dataDir: string): void {
  if (testBackend() !== 'postgres') return;
  rmSync(path.join(postgresPass().s3Dir, bucketFor(dataDir)), { recursive: true, force: true });
}
