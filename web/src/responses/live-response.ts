import type { Response, ResponseAnnotation, ResponseOutputItem, ResponseStreamEvent } from '../api/types.js';

/** A response as its stream has told it so far: the latest snapshot, the output items built up event by event, and every event. */
export interface LiveResponse {
  response: Response | null;
  /** By `output_index`. */
  items: ResponseOutputItem[];
  events: ResponseStreamEvent[];
  /** The stream's `error` event, when one came. */
  error: string | null;
}

export const NO_RESPONSE: LiveResponse = { response: null, items: [], events: [], error: null };

/** A response read whole (retrieved, not streamed): its output is its items, and there are no events. */
export function retrievedResponse(response: Response): LiveResponse {
  return { response, items: response.output, events: [], error: null };
}

type Item = ResponseOutputItem;

/** A copy of `items` with the item at `index` replaced by what `change` makes of a copy of it. */
function updateItem(items: Item[], index: number, change: (item: Item) => void): Item[] {
  const item = items[index];
  if (item === undefined) return items;
  const copy = structuredClone(item);
  change(copy);
  return items.map((current, at) => (at === index ? copy : current));
}

function updateText(
  items: Item[],
  index: number,
  contentIndex: number,
  change: (part: { text: string; annotations: ResponseAnnotation[] }) => void,
): Item[] {
  return updateItem(items, index, (item) => {
    if (item.type !== 'message') return;
    const part = item.content[contentIndex];
    if (part?.type === 'output_text') change(part);
  });
}

function withItems(items: Item[], index: number, item: Item): Item[] {
  const next = [...items];
  next[index] = item;
  return next;
}

function itemsAfter(items: Item[], event: ResponseStreamEvent): Item[] {
  switch (event.type) {
    case 'response.output_item.added':
    case 'response.output_item.done':
      return withItems(items, event.output_index, event.item);
    case 'response.content_part.added':
      return updateItem(items, event.output_index, (item) => {
        if (item.type === 'message' && event.part.type !== 'reasoning_text')
          item.content[event.content_index] = event.part;
      });
    case 'response.output_text.delta':
      return updateText(items, event.output_index, event.content_index, (part) => {
        part.text += event.delta;
      });
    case 'response.output_text.done':
      return updateText(items, event.output_index, event.content_index, (part) => {
        part.text = event.text;
      });
    case 'response.output_text.annotation.added':
      return updateText(items, event.output_index, event.content_index, (part) => {
        if (event.annotation !== null)
          part.annotations[event.annotation_index] = event.annotation as ResponseAnnotation;
      });
    case 'response.function_call_arguments.delta':
      return updateItem(items, event.output_index, (item) => {
        if (item.type === 'function_call') item.arguments += event.delta;
      });
    case 'response.function_call_arguments.done':
      return updateItem(items, event.output_index, (item) => {
        if (item.type === 'function_call') item.arguments = event.arguments;
      });
    case 'response.code_interpreter_call_code.delta':
      return updateItem(items, event.output_index, (item) => {
        if (item.type === 'code_interpreter_call') item.code = (item.code ?? '') + event.delta;
      });
    case 'response.code_interpreter_call_code.done':
      return updateItem(items, event.output_index, (item) => {
        if (item.type === 'code_interpreter_call') item.code = event.code;
      });
    case 'response.code_interpreter_call.interpreting':
      return updateItem(items, event.output_index, (item) => {
        if (item.type === 'code_interpreter_call') item.status = 'interpreting';
      });
    case 'response.file_search_call.searching':
      return updateItem(items, event.output_index, (item) => {
        if (item.type === 'file_search_call') item.status = 'searching';
      });
    default:
      return items;
  }
}

/** The state after one more event of the stream. */
export function applyEvent(live: LiveResponse, event: ResponseStreamEvent): LiveResponse {
  const events = [...live.events, event];
  switch (event.type) {
    case 'response.created':
    case 'response.queued':
    case 'response.in_progress':
      return { ...live, events, response: event.response };
    case 'response.completed':
    case 'response.failed':
    case 'response.incomplete':
      // The final snapshot holds the whole output: it is the authority over what the events built.
      return { ...live, events, response: event.response, items: event.response.output };
    case 'error':
      return { ...live, events, error: event.message };
    default:
      return { ...live, events, items: itemsAfter(live.items, event) };
  }
}
