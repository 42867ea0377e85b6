#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import { type ServerRole, startServer } from './server.js';

const USAGE = `Usage: assistants-server [all | serve | worker]

Starts the OpenAI Assistants API v2 server. Configuration comes from environment variables
(PORT, HOST, DATA_DIR, DATABASE_URL, API_KEYS, OPENAI_BASE_URL, OPENAI_API_KEY, ...); see README.md.

  all     the HTTP API and the workers in one process (the default)
  serve   the HTTP API only, with workers in other processes on the same PostgreSQL database
          (DATABASE_URL); on the embedded SQLite store, the same as 'all'
  worker  runs, file ingestion and expiry sweeps only (needs DATABASE_URL)`;

const ROLES: Readonly<Record<string, ServerRole>> = { all: 'all', serve: 'api', worker: 'worker' };

async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'all';
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return;
  }
  const role = ROLES[command];
  if (role === undefined) {
    console.error(`Unknown command '${command}'.\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const server = await startServer(loadConfig(), role);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    server.log.info({ signal }, `${signal} received, shutting down`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
