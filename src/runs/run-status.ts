import type { Message, Run, RunStep } from '../api/types.js';

export type RunStatus = Run['status'];
export type RunStepStatus = RunStep['status'];
export type MessageStatus = Message['status'];

/** Statuses after which nothing about a run changes again. */
export const TERMINAL_RUN_STATUSES = [
  'completed',
  'incomplete',
  'failed',
  'cancelled',
  'expired',
] as const satisfies readonly RunStatus[];

/** A row the writer has not stored yet: the only status a new run, step or message may start from. */
export const NEW = 'new';

/**
 * Every status change the engine makes, as data; the run writer refuses any other. `requires_action → queued`
 * is a tool-output submission; `queued/requires_action → cancelled` a cancel of a run nobody executes (it passes
 * `cancelling` in the same write); `in_progress → cancelling` a cancel the worker still has to carry out.
 * `in_progress → cancelled` is the worker ending a run whose cancel it noticed first.
 */
const RUN_TRANSITIONS: Readonly<Record<RunStatus | typeof NEW, readonly RunStatus[]>> = {
  new: ['queued'],
  queued: ['in_progress', 'cancelled', 'failed', 'expired'],
  in_progress: ['requires_action', 'completed', 'incomplete', 'failed', 'cancelling', 'cancelled'],
  requires_action: ['queued', 'cancelled', 'expired'],
  cancelling: ['cancelled'],
  completed: [],
  incomplete: [],
  failed: [],
  cancelled: [],
  expired: [],
};

/** A figure's message_creation step is stored already completed; every other step starts in_progress. */
const STEP_TRANSITIONS: Readonly<Record<RunStepStatus | typeof NEW, readonly RunStepStatus[]>> = {
  new: ['in_progress', 'completed'],
  in_progress: ['completed', 'failed', 'cancelled', 'expired'],
  completed: [],
  failed: [],
  cancelled: [],
  expired: [],
};

/** The run's own messages: streamed ones start in_progress, a figure's message is stored completed. */
const MESSAGE_TRANSITIONS: Readonly<Record<MessageStatus | typeof NEW, readonly MessageStatus[]>> = {
  new: ['in_progress', 'completed'],
  in_progress: ['completed', 'incomplete'],
  completed: [],
  incomplete: [],
};

const TABLES = { run: RUN_TRANSITIONS, step: STEP_TRANSITIONS, message: MESSAGE_TRANSITIONS } as const;

export type RunRowKind = keyof typeof TABLES;

/** A write that would move a run, step or message along an edge the tables do not have: a bug in the engine. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly kind: RunRowKind,
    readonly id: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`illegal ${kind} transition for ${id}: ${from} → ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/** Rewriting a row with its own status (new usage, metadata, outputs) is always allowed. */
export function canTransition(kind: RunRowKind, from: string, to: string): boolean {
  if (from === to) return true;
  const allowed = (TABLES[kind] as Readonly<Record<string, readonly string[]>>)[from];
  return allowed?.includes(to) ?? false;
}

export function assertTransition(kind: RunRowKind, id: string, from: string, to: string): void {
  if (!canTransition(kind, from, to)) throw new IllegalTransitionError(kind, id, from, to);
}

export function isTerminal(status: RunStatus): boolean {
  return (TERMINAL_RUN_STATUSES as readonly RunStatus[]).includes(status);
}
