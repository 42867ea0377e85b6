export { BubblewrapSandbox, type BubblewrapSandboxOptions } from './bubblewrap-sandbox.js';
export { DiskQuotaError } from './disk-quota.js';
export type { ExecuteOptions, ExecutionResult, Sandbox, SandboxSession } from './sandbox.js';
export { SandboxSessionClosedError, SandboxStartError, SandboxUnavailableError } from './sandbox.js';
export { CodeSessions, type CodeSessionsOptions } from './sessions.js';
export { removeOrphanedWorkDirs } from './work-dir-claims.js';
export type { WorkDirFile, WorkDirSnapshot } from './work-dir-snapshot.js';
