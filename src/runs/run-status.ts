import type { components } from '../api/generated/openapi.js';

export type RunStatus = components['schemas']['RunObject']['status'];
export type RunStepStatus = components['schemas']['RunStepObject']['status'];

/** Statuses after which nothing about a run changes again. */
export const TERMINAL_RUN_STATUSES = ['completed', 'incomplete', 'failed', 'cancelled', 'expired'] as const satisfies readonly RunStatus[];

/** Statuses that hold a thread's lock: no new message or run may be added meanwhile. */
export const ACTIVE_RUN_STATUSES = ['queued', 'in_progress', 'requires_action', 'cancelling'] as const satisfies readonly RunStatus[];

/**
 * Every transition the engine may make, as data. `requires_action → queued` is the tool-output
 * submission; `queued/in_progress/requires_action → cancelling` a cancel request; `requires_action → expired`
 * an unanswered tool call.
 */
const TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['in_progress', 'cancelling', 'cancelled', 'failed', 'expired'],
  in_progress: ['requires_action', 'completed', 'incomplete', 'failed', 'cancelling', 'expired'],
  requires_action: ['queued', 'in_progress', 'cancelling', 'cancelled', 'expired', 'failed'],
  cancelling: ['cancelled', 'failed', 'completed', 'incomplete'],
  completed: [],
  incomplete: [],
  failed: [],
  cancelled: [],
  expired: [],
};

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isTerminal(status: RunStatus): boolean {
  return (TERMINAL_RUN_STATUSES as readonly RunStatus[]).includes(status);
}

export function isActive(status: RunStatus): boolean {
  return (ACTIVE_RUN_STATUSES as readonly RunStatus[]).includes(status);
}
