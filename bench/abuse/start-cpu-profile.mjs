import { isMainThread } from 'node:worker_threads';

/*
 * bench/crud's profiler preload, in the server's main thread only. Worker threads (the token-count pool)
 * run NODE_OPTIONS' `--import`s too, but without tsx's loader yet: a `.ts` preload fails there, and the
 * pool's unhandled 'error' then ends the server (measured). Hence plain JavaScript for this file.
 */
if (isMainThread) await import('../crud/start-cpu-profile.ts');
