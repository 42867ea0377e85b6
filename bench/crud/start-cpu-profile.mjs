import { isMainThread } from 'node:worker_threads';

/*
 * The preload NODE_OPTIONS names when BENCH_CPU_PROF is set: start-cpu-profile.ts in the server's main thread
 * only. Worker threads (the token-count pool) run NODE_OPTIONS' `--import`s too, before tsx's loader is active
 * there: a `.ts` preload fails to load, the worker never starts and the task given to it never settles — every
 * streamed run then waited forever at its first token count (measured). Hence plain JavaScript for this file,
 * as bench/abuse/start-cpu-profile.mjs does.
 */
if (isMainThread) await import('./start-cpu-profile.ts');
