import type { ResponseSettings } from '../api/response-settings.js';
import type { Message, Run, RunStep } from '../api/types.js';
import type { StoredRun } from '../store/run-repository.js';
import type { StepToolCall } from '../tools/builtin-tool.js';
import {
  type ConversationItem,
  type ItemAnnotation,
  type MessageItem,
  type MessageItemOptions,
  messageToItem,
  type OutputTextPart,
  type ResponseItem,
  type StepItemOptions,
  toItemAnnotation,
  toolCallItemId,
  toolCallToItem,
} from './items.js';
import { presentResponse, responseSettingsOf } from './serialize-response.js';

/** One event of the Responses stream family, numbered in translation order. */
export type ResponseStreamEvent = { type: string; sequence_number: number; [key: string]: unknown };

/** An entry of a run's event log, as `RunRepository.events` returns it (only `event` and `data` are read). */
export interface LoggedRunEvent {
  event: string;
  data: unknown;
}

/** What the items of the stream need beyond the log: as for `messageToItem` and `stepToItems`. */
export interface TranslatorOptions extends MessageItemOptions {
  fileSearchQueries?: StepItemOptions['fileSearchQueries'];
  fileAttributes?: StepItemOptions['fileAttributes'];
  imageUrl?: StepItemOptions['imageUrl'];
}

/** The Assistants events after which a response's stream has nothing more to say. */
const RESPONSE_STREAM_END_EVENTS: ReadonlySet<string> = new Set([
  'thread.run.completed',
  'thread.run.incomplete',
  'thread.run.failed',
  'thread.run.cancelled',
  'thread.run.expired',
]);

/** Whether an event of the run's log ends the Responses stream (the run ended; `cancelled` ends it silently). */
export function endsResponseStream(event: string): boolean {
  return RESPONSE_STREAM_END_EVENTS.has(event);
}

/** Translates a whole log at once: what a stream (or a resumed one, skipping up to `starting_after`) sends. */
export function translateRunEvents(
  stored: StoredRun,
  records: Iterable<LoggedRunEvent>,
  options: TranslatorOptions = {},
): ResponseStreamEvent[] {
  const translator = new ResponseStreamTranslator(stored, options);
  const events: ResponseStreamEvent[] = [];
  for (const record of records) {
    events.push(...translator.translate(record));
    if (translator.ended) break;
  }
  return events;
}

type MessageSlot = {
  kind: 'message';
  item: MessageItem;
  /** Content parts the stream has opened (`content_part.added`). */
  partsAdded: number;
  done: boolean;
};

type CallSlot = {
  kind: 'call';
  item: ResponseItem;
  callType: StepToolCall['type'];
  /** code_interpreter: `code_interpreter_call_code.done` sent; `interpreting`/`completed` sent. */
  codeDone: boolean;
  interpreted: boolean;
  done: boolean;
};

type Slot = MessageSlot | CallSlot;

type StepDelta = {
  id: string;
  delta?: { step_details?: { type?: string; tool_calls?: Array<Record<string, unknown> & { index: number }> } };
};

type MessageDelta = {
  id: string;
  delta?: {
    content?: Array<{
      index: number;
      type: string;
      text?: { value?: string; annotations?: Array<Parameters<typeof toItemAnnotation>[0] & { index: number }> };
    }>;
  };
};

/**
 * Turns a response run's event log (Assistants-shaped, as the engine writes it) into the Responses event family,
 * one log entry at a time. Deterministic: the same log gives the same events with the same `sequence_number`s
 * (from 0), so a stream resumes by translating again and skipping. Items take their `output_index` in the order
 * they appear; a message's text is its content part 0.
 *
 *   thread.run.created → response.created; thread.run.queued → response.queued (background responses only);
 *   thread.run.in_progress → response.in_progress; thread.message.created → output_item.added (message);
 *   message text deltas → content_part.added (first), output_text.delta, output_text.annotation.added;
 *   thread.message.completed/incomplete → output_text.done, content_part.done, output_item.done;
 *   a tool call's first step delta → output_item.added (+ file_search_call.in_progress/searching,
 *   code_interpreter_call.in_progress); its later deltas → function_call_arguments.delta or
 *   code_interpreter_call_code.delta; code_interpreter outputs → code_interpreter_call_code.done, .interpreting,
 *   .completed; the step's end → function_call_arguments.done / file_search_call.completed, output_item.done per
 *   call; thread.run.completed/incomplete/failed/expired → response.completed/incomplete/failed/failed with the
 *   whole output; thread.run.cancelled ends the stream with no event (the spec has no `response.cancelled`).
 */
export class ResponseStreamTranslator {
  readonly #settings: ResponseSettings;
  readonly #options: TranslatorOptions;
  readonly #slots: Slot[] = [];
  /** Message id → output index. */
  readonly #messages = new Map<string, number>();
  /** `stepId:callIndex` → output index. */
  readonly #calls = new Map<string, number>();
  #run: Run;
  #sequence = 0;
  #ended = false;

  constructor(stored: StoredRun, options: TranslatorOptions = {}) {
    this.#settings = responseSettingsOf(stored);
    this.#run = stored.run;
    this.#options = options;
  }

  /** The run's log has reached an event that ends the Responses stream. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The output so far, each item as last sent (copies). */
  get output(): ConversationItem[] {
    return this.#slots.map((slot) => structuredClone(slot.item));
  }

  /** The Responses events for one entry of the run's log (none for entries a Response does not show). */
  translate(record: LoggedRunEvent): ResponseStreamEvent[] {
    if (this.#ended) return [];
    const out = new EventBatch();
    const { event, data } = record;
    if (event.startsWith('thread.run.step.')) this.#stepEvent(event.slice('thread.run.step.'.length), data, out);
    else if (event.startsWith('thread.run.')) this.#runEvent(event.slice('thread.run.'.length), data as Run, out);
    else if (event === 'thread.message.delta') this.#messageDelta(data as MessageDelta, out);
    else if (event.startsWith('thread.message.'))
      this.#messageEvent(event.slice('thread.message.'.length), data as Message, out);
    return out.bodies.map((body) => ({ ...body, sequence_number: this.#sequence++ }));
  }

  #runEvent(phase: string, run: Run, out: EventBatch): void {
    this.#run = run;
    switch (phase) {
      case 'created':
        out.push({ type: 'response.created', response: this.#response([]) });
        return;
      case 'queued':
        if (this.#settings.echo.background) out.push({ type: 'response.queued', response: this.#response([]) });
        return;
      case 'in_progress':
        out.push({ type: 'response.in_progress', response: this.#response([]) });
        return;
      case 'completed':
      case 'incomplete':
      case 'failed':
      case 'expired': {
        this.#closeOpenItems(out);
        const type = phase === 'expired' ? 'response.failed' : `response.${phase}`;
        out.push({ type, response: this.#response(this.output) });
        this.#ended = true;
        return;
      }
      case 'cancelled':
        this.#ended = true;
        return;
      default:
        // cancelling, requires_action: still running as far as a Response shows.
        return;
    }
  }

  #response(output: readonly ConversationItem[]) {
    return presentResponse(this.#run, this.#settings, output);
  }

  /** Items the log left open when the run ended (it ends steps and messages first, so normally none). */
  #closeOpenItems(out: EventBatch): void {
    for (const [index, slot] of this.#slots.entries()) {
      if (slot.done) continue;
      slot.item = { ...slot.item, status: 'incomplete' } as typeof slot.item;
      slot.done = true;
      out.push({ type: 'response.output_item.done', output_index: index, item: slot.item });
    }
  }

  // --- messages ---

  #messageEvent(phase: string, message: Message, out: EventBatch): void {
    if (phase === 'created') {
      if (this.#messages.has(message.id)) return;
      const item = messageToItem(message, this.#options);
      const slot: MessageSlot = { kind: 'message', item: { ...item, content: [] }, partsAdded: 0, done: false };
      this.#messages.set(message.id, this.#slots.length);
      this.#slots.push(slot);
      out.push({ type: 'response.output_item.added', output_index: this.#slots.length - 1, item: slot.item });
      return;
    }
    if (phase !== 'completed' && phase !== 'incomplete') return;
    const index = this.#messages.get(message.id);
    if (index === undefined) return;
    const slot = this.#slots[index] as MessageSlot;
    if (slot.done) return;
    const final = messageToItem(message, this.#options);
    for (const [contentIndex, part] of final.content.entries()) {
      const where = { item_id: final.id, output_index: index, content_index: contentIndex };
      if (contentIndex >= slot.partsAdded) {
        const empty = part.type === 'output_text' ? emptyTextPart() : part;
        out.push({ type: 'response.content_part.added', ...where, part: empty });
        slot.partsAdded = contentIndex + 1;
      }
      if (part.type === 'output_text') {
        out.push({ type: 'response.output_text.done', ...where, text: part.text, logprobs: [] });
      }
      out.push({ type: 'response.content_part.done', ...where, part });
    }
    slot.item = final;
    slot.done = true;
    out.push({ type: 'response.output_item.done', output_index: index, item: final });
  }

  #messageDelta(delta: MessageDelta, out: EventBatch): void {
    const index = this.#messages.get(delta.id);
    if (index === undefined) return;
    const slot = this.#slots[index] as MessageSlot;
    if (slot.done) return;
    for (const content of delta.delta?.content ?? []) {
      // Figures (`image_file` parts) are code_interpreter outputs, not parts of a Responses message.
      if (content.type !== 'text' || !content.text) continue;
      const where = { item_id: slot.item.id, output_index: index, content_index: 0 };
      if (slot.partsAdded === 0) {
        slot.item.content.push(emptyTextPart());
        slot.partsAdded = 1;
        out.push({ type: 'response.content_part.added', ...where, part: emptyTextPart() });
      }
      const part = slot.item.content[0] as OutputTextPart;
      const text = content.text.value ?? '';
      if (text !== '') {
        part.text += text;
        out.push({ type: 'response.output_text.delta', ...where, delta: text, logprobs: [] });
      }
      for (const annotation of content.text.annotations ?? []) {
        const converted: ItemAnnotation = toItemAnnotation(annotation, this.#options);
        part.annotations[annotation.index] = converted;
        out.push({
          type: 'response.output_text.annotation.added',
          ...where,
          annotation_index: annotation.index,
          annotation: converted,
        });
      }
    }
  }

  // --- tool calls ---

  #stepEvent(phase: string, data: unknown, out: EventBatch): void {
    if (phase === 'delta') {
      this.#stepDelta(data as StepDelta, out);
      return;
    }
    if (phase !== 'completed' && phase !== 'failed' && phase !== 'cancelled' && phase !== 'expired') return;
    const step = data as RunStep;
    if (step.step_details.type !== 'tool_calls') return;
    for (const [callIndex, call] of step.step_details.tool_calls.entries()) {
      const index = this.#callSlot(step.id, callIndex, call, out);
      const slot = this.#slots[index] as CallSlot;
      if (slot.done) continue;
      const final = toolCallToItem(call, step.status, this.#stepItemOptions());
      const where = { item_id: final.id, output_index: index };
      if (final.type === 'function_call') {
        out.push({
          type: 'response.function_call_arguments.done',
          ...where,
          name: final.name,
          arguments: final.arguments,
        });
      } else if (final.type === 'file_search_call') {
        if (final.status === 'completed') out.push({ type: 'response.file_search_call.completed', ...where });
      } else if (final.type === 'code_interpreter_call') {
        if (!slot.codeDone) {
          slot.codeDone = true;
          out.push({ type: 'response.code_interpreter_call_code.done', ...where, code: final.code ?? '' });
        }
        if (final.status === 'completed' && !slot.interpreted) {
          slot.interpreted = true;
          out.push({ type: 'response.code_interpreter_call.interpreting', ...where });
          out.push({ type: 'response.code_interpreter_call.completed', ...where });
        }
      }
      slot.item = final;
      slot.done = true;
      out.push({ type: 'response.output_item.done', output_index: index, item: final });
    }
  }

  #stepItemOptions(): StepItemOptions {
    return {
      include: this.#settings.include,
      containerId: this.#options.containerId ?? null,
      ...(this.#options.fileSearchQueries ? { fileSearchQueries: this.#options.fileSearchQueries } : {}),
      ...(this.#options.fileAttributes ? { fileAttributes: this.#options.fileAttributes } : {}),
      ...(this.#options.imageUrl ? { imageUrl: this.#options.imageUrl } : {}),
    };
  }

  #stepDelta(delta: StepDelta, out: EventBatch): void {
    const details = delta.delta?.step_details;
    if (details?.type !== 'tool_calls') return;
    for (const change of details.tool_calls ?? []) {
      const key = `${delta.id}:${change.index}`;
      let index = this.#calls.get(key);
      if (index === undefined) {
        const start = startingCall(change);
        if (!start) continue;
        this.#closeStreamedFunctionCalls(out);
        index = this.#callSlot(delta.id, change.index, start, out);
      }
      const slot = this.#slots[index] as CallSlot;
      if (slot.done) continue;
      this.#callChange(slot, index, change, out);
    }
  }

  /**
   * A function call whose arguments have all streamed is done when the next call starts, as OpenAI closes each call
   * before the next (built-in calls end when they have run, with their step).
   */
  #closeStreamedFunctionCalls(out: EventBatch): void {
    for (const [index, slot] of this.#slots.entries()) {
      if (slot.kind !== 'call' || slot.done || slot.item.type !== 'function_call') continue;
      const item = { ...slot.item, status: 'completed' as const };
      const where = { item_id: item.id, output_index: index };
      out.push({ type: 'response.function_call_arguments.done', ...where, name: item.name, arguments: item.arguments });
      slot.item = item;
      slot.done = true;
      out.push({ type: 'response.output_item.done', output_index: index, item });
    }
  }

  /** The output index of a step's call, announcing the call (`output_item.added`) the first time it is seen. */
  #callSlot(stepId: string, callIndex: number, call: StepToolCall, out: EventBatch): number {
    const key = `${stepId}:${callIndex}`;
    const known = this.#calls.get(key);
    if (known !== undefined) return known;
    const item = startItem(call, this.#options.containerId ?? null);
    const index = this.#slots.length;
    this.#slots.push({ kind: 'call', item, callType: call.type, codeDone: false, interpreted: false, done: false });
    this.#calls.set(key, index);
    out.push({ type: 'response.output_item.added', output_index: index, item });
    const where = { item_id: item.id, output_index: index };
    if (item.type === 'file_search_call') {
      out.push({ type: 'response.file_search_call.in_progress', ...where });
      out.push({ type: 'response.file_search_call.searching', ...where });
      (item as { status: string }).status = 'searching';
    } else if (item.type === 'code_interpreter_call') {
      out.push({ type: 'response.code_interpreter_call.in_progress', ...where });
    }
    return index;
  }

  /** A later delta of a call: more arguments or code, or code_interpreter's outputs (its code has run). */
  #callChange(slot: CallSlot, index: number, change: Record<string, unknown>, out: EventBatch): void {
    const where = { item_id: slot.item.id, output_index: index };
    if (slot.item.type === 'function_call') {
      const piece = (change.function as { arguments?: unknown } | undefined)?.arguments;
      if (typeof piece === 'string' && piece !== '') {
        slot.item.arguments += piece;
        out.push({ type: 'response.function_call_arguments.delta', ...where, delta: piece });
      }
      return;
    }
    if (slot.item.type !== 'code_interpreter_call') return;
    const details = change.code_interpreter as { input?: unknown; outputs?: unknown } | undefined;
    if (typeof details?.input === 'string' && details.input !== '' && !slot.codeDone) {
      slot.item.code = (slot.item.code ?? '') + details.input;
      out.push({ type: 'response.code_interpreter_call_code.delta', ...where, delta: details.input });
    }
    if (Array.isArray(details?.outputs) && details.outputs.length > 0 && !slot.interpreted) {
      if (!slot.codeDone) {
        slot.codeDone = true;
        out.push({ type: 'response.code_interpreter_call_code.done', ...where, code: slot.item.code ?? '' });
      }
      slot.interpreted = true;
      out.push({ type: 'response.code_interpreter_call.interpreting', ...where });
      out.push({ type: 'response.code_interpreter_call.completed', ...where });
      slot.item.status = 'completed';
    }
  }
}

/** The events one log entry becomes, each a snapshot (items keep changing after they are sent). */
class EventBatch {
  readonly bodies: Array<{ type: string; [key: string]: unknown }> = [];

  push(body: { type: string; [key: string]: unknown }): void {
    this.bodies.push(structuredClone(body));
  }
}

function emptyTextPart(): OutputTextPart {
  return { type: 'output_text', text: '', annotations: [], logprobs: [] };
}

/** The call a first delta announces (`{index, id, type, ...}`); undefined for a delta of a call never announced. */
function startingCall(change: Record<string, unknown>): StepToolCall | undefined {
  if (typeof change.id !== 'string') return undefined;
  switch (change.type) {
    case 'function': {
      const fn = (change.function ?? {}) as { name?: unknown };
      return {
        id: change.id,
        type: 'function',
        function: { name: typeof fn.name === 'string' ? fn.name : '', arguments: '', output: null },
      };
    }
    case 'file_search':
      return { id: change.id, type: 'file_search', file_search: {} };
    case 'code_interpreter':
      return { id: change.id, type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } };
    default:
      return undefined;
  }
}

/** A call as `output_item.added` shows it: in progress, with nothing streamed yet. */
function startItem(call: StepToolCall, containerId: string | null): ResponseItem {
  switch (call.type) {
    case 'function':
      return {
        id: toolCallItemId('function_call', call.id),
        type: 'function_call',
        call_id: call.id,
        name: call.function.name,
        arguments: '',
        status: 'in_progress',
      };
    case 'file_search':
      return {
        id: toolCallItemId('file_search_call', call.id),
        type: 'file_search_call',
        status: 'in_progress',
        queries: [],
        results: null,
      };
    case 'code_interpreter':
      return {
        id: toolCallItemId('code_interpreter_call', call.id),
        type: 'code_interpreter_call',
        status: 'in_progress',
        code: '',
        container_id: containerId ?? '',
        outputs: null,
      };
  }
}
