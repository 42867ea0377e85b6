import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';

import type { BlobStoreSettings } from './files/open-blob-store.js';
import type { ApiKeyEntry } from './http/auth.js';
import { parseRateLimits, type RateLimitSettings } from './http/rate-limit-settings.js';

export type { ApiKeyEntry };

/** Everything the server reads from its environment, parsed once at start-up. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** Connections the kernel queues before the server accepts them. */
  readonly listenBacklog: number;
  /** Folder holding the SQLite database and, with the disk blob store, stored file bytes. */
  readonly dataDir: string;
  /** Where file bytes live (BLOB_STORE): `blobs/` under DATA_DIR, or an S3 bucket. */
  readonly blobStore: BlobStoreSettings;
  /** `postgres://…`: the PostgreSQL store, shared by any number of processes; undefined: SQLite under dataDir. */
  readonly databaseUrl: string | undefined;
  /** Connections to PostgreSQL one process keeps at most (besides the one listening for other processes). */
  readonly databasePoolSize: number;
  readonly openaiBaseUrl: string;
  readonly openaiApiKey: string | undefined;
  /** `undefined` means authentication is off: any bearer token is accepted. */
  readonly apiKeys: readonly ApiKeyEntry[] | undefined;
  /** `undefined` (EMBEDDING_MODEL=none) means keyword search only. */
  readonly embeddingModel: string | undefined;
  readonly embeddingDimensions: number;
  /** Largest JSON request body, in bytes. */
  readonly bodyLimitBytes: number;
  /** Largest uploaded file, in bytes (OpenAI: 512 MB). */
  readonly maxFileBytes: number;
  /** Most messages one thread may hold (OpenAI: 100,000). */
  readonly maxMessagesPerThread: number;
  readonly logLevel: string;
  /** Path of the model → provider routing file (docs/providers.md). */
  readonly modelsConfigPath: string | undefined;
  /** Seconds a run may wait for tool outputs (or in the queue) before it expires (OpenAI: 600). */
  readonly runExpiresAfterSeconds: number;
  /** Most model calls in one run before it fails (stops endless tool loops). */
  readonly maxModelCallsPerRun: number;
  /** Runs one process executes at once. */
  readonly runConcurrency: number;
  /** Context window assumed for models the built-in table does not know. */
  readonly defaultContextWindow: number;
  /**
   * Where each thread's /mnt/data lives on the host. The sandbox runs as an unprivileged user that
   * must be able to reach it, so by default it is under the system temp folder, not DATA_DIR.
   */
  readonly codeInterpreterDir: string;
  /** Wall time one code_interpreter call may take, in ms. */
  readonly codeInterpreterTimeoutMs: number;
  /** A thread's Python session closes after this long unused, in ms. */
  readonly codeInterpreterIdleMs: number;
  /** Memory one code_interpreter session may use, in MB. */
  readonly codeInterpreterMemoryMb: number;
  /** Disk one code_interpreter session's /mnt/data may use, in MB. */
  readonly codeInterpreterDiskMb: number;
  /** Most files one code_interpreter call may turn into Files. */
  readonly codeInterpreterMaxOutputFiles: number;
  /** Most bytes, in MB, of the files one code_interpreter call may turn into Files. */
  readonly codeInterpreterMaxOutputMb: number;
  /** How long a file_search call waits for files still being ingested, in ms. */
  readonly fileSearchIngestionWaitMs: number;
  /** Vector stores (or filtered parts of them) with at most this many vectors are searched exactly, larger ones through HNSW. */
  readonly fileSearchExactMax: number;
  /** Retries of a failed upstream call before its first token. */
  readonly upstreamMaxRetries: number;
  /** Give up on an upstream call that produced nothing for this long (ms), then retry. */
  readonly upstreamFirstTokenTimeoutMs: number;
  /** How often the run worker renews its leases, recovers orphaned runs and expires waiting ones (ms; under the 30 s lease). */
  readonly runSweepIntervalMs: number;
  /** How long a claimed run stays its worker's without renewal (ms); a dead worker's runs are recovered after it. */
  readonly runLeaseMs: number;
  /** How often file ingestion looks for waiting files and expires vector stores past their expires_at (ms). */
  readonly ingestionSweepIntervalMs: number;
  /** How long a file being ingested stays its worker's without renewal (ms); then another worker takes it over. */
  readonly ingestionLeaseMs: number;
  /** Processes extracting and chunking files at once (default: one per core but one). */
  readonly ingestionProcesses: number;
  /** Time one file may spend being extracted and chunked in its process (ms). */
  readonly ingestionTaskTimeoutMs: number;
  /** Heap one ingestion process may use (MB); a file needing more fails and the process is replaced. */
  readonly ingestionTaskMemoryMb: number;
  /** Uncompressed size a DOCX/PPTX may expand to (MB), measured by inflating it. */
  readonly ingestionMaxDecompressedMb: number;
  /** Pages a PDF may have. */
  readonly ingestionMaxPdfPages: number;
  /** Characters of text one file may yield. */
  readonly ingestionMaxTextChars: number;
  /** An embedding call (file_search) that has not answered after this long counts as failed (ms). */
  readonly embeddingTimeoutMs: number;
  /** Longest wait between retries while the embedding provider is unreachable (ms). */
  readonly embeddingRetryMaxDelayMs: number;
  /** Per-project request limits (RATE_LIMITS); `undefined` means none. */
  readonly rateLimits: RateLimitSettings | undefined;
  /** Bearer token GET /metrics requires; `undefined` means the endpoint is open. */
  readonly metricsToken: string | undefined;
  /** Bytes of Files one project may hold, in GB of 1024³ bytes (OpenAI's FAQ: 100 GB). */
  readonly projectStorageLimitGb: number;
}

export class ConfigError extends Error {}

const MB = 1024 * 1024;

/** Where runs go when OPENAI_BASE_URL is unset. */
export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const config: Config = {
    port: parseInteger(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    listenBacklog: parseInteger(env, 'LISTEN_BACKLOG', 4096, 1, 65_535),
    dataDir,
    blobStore: parseBlobStore(env, dataDir),
    databaseUrl: parseDatabaseUrl(env.DATABASE_URL),
    databasePoolSize: parseInteger(env, 'DATABASE_POOL_SIZE', 20, 1, 1000),
    openaiBaseUrl: (env.OPENAI_BASE_URL || DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, ''),
    openaiApiKey: env.OPENAI_API_KEY || undefined,
    apiKeys: parseApiKeys(env.API_KEYS),
    embeddingModel: env.EMBEDDING_MODEL === 'none' ? undefined : env.EMBEDDING_MODEL || 'text-embedding-3-large',
    embeddingDimensions: parseInteger(env, 'EMBEDDING_DIMENSIONS', 256, 1, 8192),
    bodyLimitBytes: parseInteger(env, 'BODY_LIMIT_BYTES', 16 * MB, 1024, 512 * MB),
    maxFileBytes: parseInteger(env, 'MAX_FILE_BYTES', 512 * MB, 1, 8 * 1024 * MB),
    maxMessagesPerThread: parseInteger(env, 'MAX_MESSAGES_PER_THREAD', 100_000, 1, 10_000_000),
    logLevel: env.LOG_LEVEL || 'info',
    modelsConfigPath: env.MODELS_CONFIG || undefined,
    runExpiresAfterSeconds: parseInteger(env, 'RUN_EXPIRES_AFTER_SECONDS', 600, 1, 7 * 24 * 3600),
    maxModelCallsPerRun: parseInteger(env, 'MAX_MODEL_CALLS_PER_RUN', 25, 1, 1000),
    runConcurrency: parseInteger(env, 'RUN_CONCURRENCY', 1000, 1, 100_000),
    defaultContextWindow: parseInteger(env, 'DEFAULT_CONTEXT_WINDOW', 8192, 256, 10_000_000),
    codeInterpreterDir: path.resolve(env.CODE_INTERPRETER_DIR || defaultSandboxDir(env.DATA_DIR || './data')),
    codeInterpreterTimeoutMs: parseInteger(env, 'CODE_INTERPRETER_TIMEOUT_MS', 60_000, 100, 3_600_000),
    codeInterpreterIdleMs: parseInteger(env, 'CODE_INTERPRETER_IDLE_MS', 3_600_000, 1_000, 7 * 24 * 3_600_000),
    codeInterpreterMemoryMb: parseInteger(env, 'CODE_INTERPRETER_MEMORY_MB', 1024, 64, 65_536),
    codeInterpreterDiskMb: parseInteger(env, 'CODE_INTERPRETER_DISK_MB', 1024, 1, 1_048_576),
    codeInterpreterMaxOutputFiles: parseInteger(env, 'CODE_INTERPRETER_MAX_OUTPUT_FILES', 20, 0, 10_000),
    codeInterpreterMaxOutputMb: parseInteger(env, 'CODE_INTERPRETER_MAX_OUTPUT_MB', 100, 0, 1_048_576),
    fileSearchIngestionWaitMs: parseInteger(env, 'FILE_SEARCH_INGESTION_WAIT_MS', 60_000, 0, 3_600_000),
    fileSearchExactMax: parseInteger(env, 'FILE_SEARCH_EXACT_MAX', 20_000, 0, 100_000_000),
    upstreamMaxRetries: parseInteger(env, 'UPSTREAM_MAX_RETRIES', 3, 0, 20),
    upstreamFirstTokenTimeoutMs: parseInteger(env, 'UPSTREAM_FIRST_TOKEN_TIMEOUT_MS', 120_000, 100, 3_600_000),
    runSweepIntervalMs: parseInteger(env, 'RUN_SWEEP_INTERVAL_MS', 5_000, 50, 10_000),
    runLeaseMs: parseInteger(env, 'RUN_LEASE_MS', 30_000, 1_000, 3_600_000),
    ingestionSweepIntervalMs: parseInteger(env, 'INGESTION_SWEEP_INTERVAL_MS', 5_000, 50, 3_600_000),
    ingestionLeaseMs: parseInteger(
      env,
      'INGESTION_LEASE_MS',
      Math.max(60_000, 3 * parseInteger(env, 'INGESTION_SWEEP_INTERVAL_MS', 5_000, 50, 3_600_000)),
      1_000,
      86_400_000,
    ),
    ingestionProcesses: parseInteger(env, 'INGESTION_PROCESSES', Math.max(1, availableParallelism() - 1), 1, 256),
    ingestionTaskTimeoutMs: parseInteger(env, 'INGESTION_TASK_TIMEOUT_MS', 300_000, 100, 86_400_000),
    ingestionTaskMemoryMb: parseInteger(env, 'INGESTION_TASK_MEMORY_MB', 1024, 64, 65_536),
    ingestionMaxDecompressedMb: parseInteger(env, 'INGESTION_MAX_DECOMPRESSED_MB', 256, 1, 65_536),
    ingestionMaxPdfPages: parseInteger(env, 'INGESTION_MAX_PDF_PAGES', 5_000, 1, 10_000_000),
    ingestionMaxTextChars: parseInteger(env, 'INGESTION_MAX_TEXT_CHARS', 100_000_000, 1_000, 2_000_000_000),
    embeddingTimeoutMs: parseInteger(env, 'EMBEDDING_TIMEOUT_MS', 30_000, 100, 600_000),
    embeddingRetryMaxDelayMs: parseInteger(env, 'EMBEDDING_RETRY_MAX_DELAY_MS', 60_000, 100, 3_600_000),
    rateLimits: loadRateLimits(env.RATE_LIMITS),
    metricsToken: env.METRICS_TOKEN || undefined,
    projectStorageLimitGb: parsePositiveNumber(env, 'PROJECT_STORAGE_LIMIT_GB', 100),
  };
  // A lease must outlive several renewals, or a live worker's work is taken for a dead one's.
  if (config.runLeaseMs < 2 * config.runSweepIntervalMs) {
    throw new ConfigError('RUN_LEASE_MS must be at least twice RUN_SWEEP_INTERVAL_MS (leases are renewed each sweep)');
  }
  if (config.ingestionLeaseMs < 2 * config.ingestionSweepIntervalMs) {
    throw new ConfigError(
      'INGESTION_LEASE_MS must be at least twice INGESTION_SWEEP_INTERVAL_MS (leases are renewed each sweep)',
    );
  }
  return Object.freeze(config);
}

function parseDatabaseUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError('DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/database)');
  }
  return raw;
}

/** `API_KEYS=key1=projectA,key2` → key1 in projectA, key2 in project `default`. */
export function parseApiKeys(raw: string | undefined): ApiKeyEntry[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const entries: ApiKeyEntry[] = [];
  for (const item of raw.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    const separator = trimmed.indexOf('=');
    const key = separator === -1 ? trimmed : trimmed.slice(0, separator).trim();
    const project = separator === -1 ? 'default' : trimmed.slice(separator + 1).trim();
    if (key === '' || project === '') throw new ConfigError(`API_KEYS: malformed entry '${trimmed}'`);
    entries.push(Object.freeze({ key, project }));
  }
  return entries;
}

/** BLOB_STORE and, for `s3`, the S3_* variables (README.md, "Object storage"). */
function parseBlobStore(env: NodeJS.ProcessEnv, dataDir: string): BlobStoreSettings {
  const kind = env.BLOB_STORE || 'disk';
  if (kind === 'disk') return Object.freeze({ kind, root: path.join(dataDir, 'blobs') });
  if (kind !== 's3') throw new ConfigError(`BLOB_STORE must be 'disk' or 's3', got '${kind}'`);
  const bucket = env.S3_BUCKET?.trim();
  if (!bucket) throw new ConfigError('BLOB_STORE=s3 needs S3_BUCKET, the name of the bucket that holds file bytes');
  const endpoint = env.S3_ENDPOINT || undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw new ConfigError(`S3_ENDPOINT must be an http:// or https:// URL, got '${endpoint}'`);
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY || undefined;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigError(
      "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS SDK's default credential chain",
    );
  }
  const prefix = (env.S3_PREFIX ?? '').replace(/^\/+/, '');
  return Object.freeze({
    kind,
    bucket,
    endpoint,
    region: env.S3_REGION || 'us-east-1',
    credentials: accessKeyId && secretAccessKey ? Object.freeze({ accessKeyId, secretAccessKey }) : undefined,
    forcePathStyle: parseBoolean(env, 'S3_FORCE_PATH_STYLE', endpoint !== undefined),
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
  });
}

function parseBoolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got '${env[name]}'`);
}

function parseInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  }
  return value;
}

function parsePositiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a number above 0, got '${raw}'`);
  return value;
}

function loadRateLimits(raw: string | undefined): RateLimitSettings | undefined {
  try {
    return parseRateLimits(raw, (file) => readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`RATE_LIMITS: ${(error as Error).message}`);
  }
}

/** One sandbox folder per data folder, so two servers on one machine never share work dirs. */
function defaultSandboxDir(dataDir: string): string {
  const digest = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12);
  return path.join(tmpdir(), `assistants-server-sandbox-${digest}`);
}
