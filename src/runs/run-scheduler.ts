/** What the API side needs from whoever executes runs: a nudge when work arrives, and cancellation. */
export interface RunScheduler {
  /** New or requeued work is waiting. */
  wake(): void;
  /** Stop executing `runId` now (its status already says `cancelling`). */
  cancel(runId: string): void;
}
