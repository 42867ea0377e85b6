import { errors } from '../errors.js';
import { type IdPrefix, newId, nowSeconds } from '../ids.js';
import type { ConversationItem, NewThreadRow, Store, ThreadRow } from '../store/store.js';
import {
  type JsonObject,
  optionalString,
  requireArray,
  requireObject,
  requireOneOf,
  requireString,
} from './input-fields.js';
import { type InputFileSupport, readInputFile } from './input-file.js';
import { type InputFileReader, messageItemToRow } from './input-message.js';
import { toolCallItemId } from './items.js';

/**
 * The `input` of a response, or the `items` of a conversation, as thread rows: user and assistant messages become
 * Assistants messages, the other items are kept as the items the APIs show. Every row gets a new id of its type's
 * prefix: a client's `id` on an input item is not kept, as ids are unique across the store and the same output item
 * is often sent again as input elsewhere (`item_reference` names an existing item instead).
 */

/** The item types the server takes as input, in the order error messages list them. */
export const SERVED_INPUT_ITEM_TYPES = [
  'message',
  'function_call',
  'function_call_output',
  'item_reference',
  'reasoning',
  'file_search_call',
  'code_interpreter_call',
] as const;

const ITEM_STATUSES = ['in_progress', 'completed', 'incomplete'] as const;

export interface InputItemsContext {
  store: Store;
  project: string;
  /** Where the list sits in the request, for error params: `input` or `items`. */
  param: string;
  /**
   * The item an `item_reference` names, anywhere the caller allows (a conversation's thread, the threads of a
   * `previous_response_id` chain); undefined when there is none.
   */
  findRow: (id: string) => Promise<ThreadRow | undefined>;
  /**
   * What reading `input_file` parts needs (the files' blobs, the text extractor, the size limit). Without it
   * `input_file` parts are refused as unserved.
   */
  inputFiles?: InputFileSupport;
}

export interface InputItemsOptions {
  /** The response whose `input` the rows are (`GET /responses/{id}/input_items`). */
  inputOf?: string;
  /**
   * Refuse a `function_call_output` whose call is neither in the same input nor stored (a response's input, as
   * OpenAI does); true unless told. A conversation may be given items in any order.
   */
  requireCalls?: boolean;
}

/** Validates and converts `input` (a string is one user message); nothing is stored. */
export async function toThreadRows(
  context: InputItemsContext,
  threadId: string,
  input: string | readonly unknown[],
  options: InputItemsOptions = {},
): Promise<NewThreadRow[]> {
  const items = typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : input;
  const createdAt = nowSeconds();
  const rows: ThreadRow[] = [];
  for (const [index, value] of items.entries()) {
    const param = typeof input === 'string' ? context.param : `${context.param}[${index}]`;
    const item = requireObject(value, param);
    const kind = itemKind(item, param);
    if (kind === 'message') {
      const { row, files } = await messageItemToRow(item, param, threadId, createdAt, inputFileReader(context));
      await requireFiles(context, files);
      rows.push(row);
    } else if (kind === 'item_reference') {
      rows.push(await referencedRow(context, item, param, threadId, createdAt));
    } else {
      const kept = keptItem(kind, item, param);
      if (kind === 'function_call') kept.id = await functionCallId(context, rows, String(kept.call_id), kept.id);
      rows.push({ kind: 'item', item: kept });
    }
  }
  if (options.requireCalls !== false) await requireCalls(context, rows, typeof input === 'string' ? [] : input);
  return rows.map((row) => ({ row, inputOf: options.inputOf ?? null }));
}

/**
 * A function call's item id is derived from its call id (as for the calls responses make) unless that id is taken,
 * so the call an output answers can be found by its call id (`requireCalls`).
 */
async function functionCallId(
  context: InputItemsContext,
  rows: readonly ThreadRow[],
  callId: string,
  fallback: string,
): Promise<string> {
  const derived = toolCallItemId('function_call', callId);
  const taken = rows.some((row) => row.kind === 'item' && row.item.id === derived) || (await context.findRow(derived));
  return taken ? fallback : derived;
}

/** Every function call output answers a call of the same input or one stored in the project. */
async function requireCalls(context: InputItemsContext, rows: readonly ThreadRow[], items: readonly unknown[]) {
  const called = new Set(
    rows.flatMap((row) => (row.kind === 'item' && row.item.type === 'function_call' ? [String(row.item.call_id)] : [])),
  );
  for (const [index, row] of rows.entries()) {
    if (row.kind !== 'item' || row.item.type !== 'function_call_output') continue;
    const callId = String(row.item.call_id);
    if (called.has(callId)) continue;
    const stored = await context.findRow(toolCallItemId('function_call', callId));
    if (stored?.kind === 'item' && stored.item.call_id === callId) continue;
    const param = items.length > 0 ? `${context.param}[${index}].call_id` : context.param;
    throw errors.outputWithoutCall(param, callId);
  }
}

type ItemKind = (typeof SERVED_INPUT_ITEM_TYPES)[number];

function inputFileReader(context: InputItemsContext): InputFileReader | undefined {
  const support = context.inputFiles;
  if (!support) return undefined;
  return (part, param) => readInputFile(support, context.store, context.project, part, param);
}

/** Image parts must name files of the project (OpenAI's file 404, naming the part). */
async function requireFiles(context: InputItemsContext, files: Array<{ fileId: string; param: string }>) {
  if (files.length === 0) return;
  const found = await context.store.files.existing(context.project, [...new Set(files.map((file) => file.fileId))]);
  const missing = files.find((file) => !found.has(file.fileId));
  if (missing) throw errors.fileNotFound(missing.fileId, missing.param);
}

/** A message may leave out `type` (EasyInputMessage), and an item reference may too. */
function itemKind(item: JsonObject, param: string): ItemKind {
  const type = item.type;
  if (type === undefined || type === null) return 'role' in item ? 'message' : 'item_reference';
  if (typeof type === 'string' && !(SERVED_INPUT_ITEM_TYPES as readonly string[]).includes(type)) {
    throw errors.unservedInputType(`${param}.type`, 'Input items', type, SERVED_INPUT_ITEM_TYPES);
  }
  return requireOneOf(type, SERVED_INPUT_ITEM_TYPES, `${param}.type`);
}

const ID_PREFIX: Record<string, IdPrefix> = {
  message: 'msg_',
  function_call: 'fc_',
  function_call_output: 'fco_',
  reasoning: 'rs_',
  file_search_call: 'fs_',
  code_interpreter_call: 'ci_',
};

/** A tool call, tool output or reasoning item, with the fields its item type shows and a new id. */
function keptItem(kind: Exclude<ItemKind, 'message' | 'item_reference'>, item: JsonObject, param: string) {
  const id = newId(ID_PREFIX[kind]!);
  switch (kind) {
    case 'function_call':
      return {
        id,
        type: kind,
        call_id: requireString(item, 'call_id', param),
        name: requireString(item, 'name', param),
        arguments: requireString(item, 'arguments', param),
        status: status(item, param),
      };
    case 'function_call_output': {
      const output = item.output;
      if (typeof output !== 'string') requireArray(item, 'output', param);
      return { id, type: kind, call_id: requireString(item, 'call_id', param), output, status: status(item, param) };
    }
    case 'reasoning':
      return {
        id,
        type: kind,
        summary: requireArray(item, 'summary', param),
        ...optionalFields(item, ['content', 'encrypted_content', 'status']),
      };
    case 'file_search_call':
      return {
        id,
        type: kind,
        status: requireString(item, 'status', param),
        queries: requireArray(item, 'queries', param),
        results: item.results ?? null,
      };
    case 'code_interpreter_call':
      return {
        id,
        type: kind,
        status: requireString(item, 'status', param),
        code: optionalString(item, 'code', param) ?? null,
        container_id: requireString(item, 'container_id', param),
        outputs: item.outputs ?? null,
      };
  }
}

function status(item: JsonObject, param: string): (typeof ITEM_STATUSES)[number] {
  return item.status === undefined || item.status === null
    ? 'completed'
    : requireOneOf(item.status, ITEM_STATUSES, `${param}.status`);
}

function optionalFields(item: JsonObject, names: readonly string[]): JsonObject {
  return Object.fromEntries(names.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]));
}

/** A copy of the item a reference names, with a new id (and, for a message, this thread). */
async function referencedRow(
  context: InputItemsContext,
  item: JsonObject,
  param: string,
  threadId: string,
  createdAt: number,
): Promise<ThreadRow> {
  const id = requireString(item, 'id', param);
  const found = await context.findRow(id);
  if (!found) throw errors.unknownItemReference(`${param}.id`, id);
  if (found.kind === 'message') {
    const message = found.message;
    return {
      kind: 'message',
      message: { ...message, id: newId('msg_'), thread_id: threadId, created_at: createdAt, run_id: null },
    };
  }
  const copy: ConversationItem = { ...found.item, id: newId(ID_PREFIX[found.item.type] ?? 'msg_') };
  return { kind: 'item', item: copy };
}
