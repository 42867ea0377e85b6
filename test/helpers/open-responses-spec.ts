/**
 * What the Open Responses specification (openresponses/openresponses, `schema/` and the OpenAPI document it builds,
 * version 2026-04-24) requires of a response object and of its stream events, restated as checks. Its compliance
 * suite parses every response with a schema generated from that spec; the spec is stricter than OpenAI's own in a
 * few places (sampling settings and `service_tier` are never null, `logprobs` sits on every `output_text`). Each
 * check returns the problems it found, as `path: what is wrong`, so one assertion shows them all.
 */

type Json = Record<string, unknown>;
type Check = (value: unknown, path: string) => string[];

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isInteger = (value: unknown): boolean => Number.isInteger(value);

const string: Check = (value, path) => (typeof value === 'string' ? [] : [`${path}: expected a string`]);
const number: Check = (value, path) => (typeof value === 'number' ? [] : [`${path}: expected a number`]);
const integer: Check = (value, path) => (isInteger(value) ? [] : [`${path}: expected an integer`]);
const boolean: Check = (value, path) => (typeof value === 'boolean' ? [] : [`${path}: expected a boolean`]);
const anything: Check = () => [];
const nullable =
  (check: Check): Check =>
  (value, path) =>
    value === null ? [] : check(value, path);
const oneOf =
  (...allowed: string[]): Check =>
  (value, path) =>
    allowed.includes(value as string) ? [] : [`${path}: expected one of ${allowed.join(', ')}, got ${String(value)}`];
const arrayOf =
  (check: Check): Check =>
  (value, path) =>
    Array.isArray(value)
      ? value.flatMap((entry, index) => check(entry, `${path}[${index}]`))
      : [`${path}: expected an array`];

/** An object whose listed fields must all be present (a present `null` counts) and pass their checks. */
function object(fields: Record<string, Check>): Check {
  return (value, path) => {
    if (!isObject(value)) return [`${path}: expected an object`];
    return Object.entries(fields).flatMap(([name, check]) =>
      name in value ? check(value[name], `${path}.${name}`) : [`${path}.${name}: required, missing`],
    );
  };
}

/** A union told apart by `type`: the check for that type, or a problem naming the types the spec allows. */
function byType(variants: Record<string, Check>): Check {
  return (value, path) => {
    if (!isObject(value)) return [`${path}: expected an object`];
    const check = variants[value.type as string];
    if (!check) return [`${path}.type: '${String(value.type)}' is none of ${Object.keys(variants).join(', ')}`];
    return check(value, path);
  };
}

const itemStatus = oneOf('in_progress', 'completed', 'incomplete');

const logprobs = arrayOf(
  object({ token: string, logprob: number, bytes: arrayOf(integer), top_logprobs: arrayOf(anything) }),
);

const annotation = byType({
  url_citation: object({ url: string, start_index: integer, end_index: integer, title: string }),
  file_citation: object({ file_id: string, filename: string, index: integer }),
});

/** Content parts a message may hold (the spec's generated schema requires `logprobs` on `output_text`). */
const contentPart = byType({
  input_text: object({ text: string }),
  output_text: object({ text: string, annotations: arrayOf(annotation), logprobs }),
  text: object({ text: string }),
  summary_text: object({ text: string }),
  reasoning_text: object({ text: string }),
  refusal: object({ refusal: string }),
  input_image: object({ image_url: nullable(string) }),
  input_file: object({}),
});

const fileSearchResult = object({
  file_id: string,
  filename: string,
  text: string,
  attributes: anything,
  score: nullable(number),
  vector_store_id: nullable(string),
});

/**
 * Output items (`ItemField`): the file_search_call variant, its results and the file_search tool below are as in the
 * spec version the suite's file-search check comes with (every result names its `vector_store_id`, nullable; the
 * tool echoes `max_num_results`, `ranking_options` and `filters`, nullable, all present).
 */
export const checkOutputItem: Check = byType({
  message: object({
    id: string,
    status: itemStatus,
    role: oneOf('user', 'assistant', 'system', 'developer'),
    content: arrayOf(contentPart),
  }),
  function_call: object({ id: string, call_id: string, name: string, arguments: string, status: itemStatus }),
  function_call_output: object({ id: string, call_id: string, output: anything, status: itemStatus }),
  reasoning: object({ id: string, summary: arrayOf(contentPart) }),
  file_search_call: object({
    id: string,
    status: oneOf('in_progress', 'searching', 'completed', 'incomplete', 'failed'),
    queries: arrayOf(string),
    results: nullable(arrayOf(fileSearchResult)),
  }),
});

const tool = byType({
  function: object({
    name: string,
    description: nullable(string),
    parameters: nullable(anything),
    strict: nullable(boolean),
  }),
  file_search: object({
    vector_store_ids: arrayOf(string),
    max_num_results: integer,
    ranking_options: object({ ranker: oneOf('auto', 'default-2024-11-15'), score_threshold: number }),
    filters: nullable(anything),
  }),
});

const toolChoice: Check = (value, path) => {
  if (typeof value === 'string') return oneOf('none', 'auto', 'required')(value, path);
  return byType({
    function: object({}),
    file_search: object({}),
    allowed_tools: object({ tools: arrayOf(anything), mode: oneOf('none', 'auto', 'required') }),
  })(value, path);
};

const textField = object({
  format: byType({
    text: object({}),
    json_object: object({}),
    json_schema: object({ name: string, description: nullable(string), schema: anything, strict: boolean }),
  }),
});

const usage = object({
  input_tokens: integer,
  output_tokens: integer,
  total_tokens: integer,
  input_tokens_details: object({ cached_tokens: integer }),
  output_tokens_details: object({ reasoning_tokens: integer }),
});

/** The spec's `ResponseResource`: every field required, these the only nullable ones. */
export const checkResponseResource: Check = object({
  id: string,
  object: oneOf('response'),
  created_at: integer,
  completed_at: nullable(integer),
  status: string,
  incomplete_details: nullable(object({ reason: string })),
  model: string,
  previous_response_id: nullable(string),
  instructions: nullable(string),
  output: arrayOf(checkOutputItem),
  error: nullable(object({ code: string, message: string })),
  tools: arrayOf(tool),
  tool_choice: toolChoice,
  truncation: oneOf('auto', 'disabled'),
  parallel_tool_calls: boolean,
  text: textField,
  top_p: number,
  presence_penalty: number,
  frequency_penalty: number,
  top_logprobs: integer,
  temperature: number,
  reasoning: nullable(object({ effort: nullable(string), summary: nullable(string) })),
  usage: nullable(usage),
  max_output_tokens: nullable(integer),
  max_tool_calls: nullable(integer),
  store: boolean,
  background: boolean,
  service_tier: string,
  metadata: anything,
  safety_identifier: nullable(string),
  prompt_cache_key: nullable(string),
});

const withResponse = object({ sequence_number: integer, response: checkResponseResource });
const itemEvent = object({ sequence_number: integer, output_index: integer, item: nullable(checkOutputItem) });
const partEvent = object({
  sequence_number: integer,
  item_id: string,
  output_index: integer,
  content_index: integer,
  part: contentPart,
});
const textSpan = { sequence_number: integer, item_id: string, output_index: integer, content_index: integer };

/**
 * The stream events the spec defines. Its compliance suite validates every event of a stream against this union, so
 * an event of another type (OpenAI's `response.file_search_call.*`, `response.code_interpreter_call.*`) counts as
 * a failure there; the checks below cover only the events of text and function-call streams.
 */
export const checkStreamEvent: Check = byType({
  'response.created': withResponse,
  'response.queued': withResponse,
  'response.in_progress': withResponse,
  'response.completed': withResponse,
  'response.failed': withResponse,
  'response.incomplete': withResponse,
  'response.output_item.added': itemEvent,
  'response.output_item.done': itemEvent,
  'response.content_part.added': partEvent,
  'response.content_part.done': partEvent,
  // The generated schemas the suite parses with require `logprobs` on the delta and the done event.
  'response.output_text.delta': object({ ...textSpan, delta: string, logprobs }),
  'response.output_text.done': object({ ...textSpan, text: string, logprobs }),
  'response.output_text.annotation.added': object({
    ...textSpan,
    annotation_index: integer,
    annotation: nullable(annotation),
  }),
  'response.refusal.delta': object({ ...textSpan, delta: string }),
  'response.refusal.done': object({ ...textSpan, refusal: string }),
  'response.function_call_arguments.delta': object({
    sequence_number: integer,
    item_id: string,
    output_index: integer,
    delta: string,
  }),
  'response.function_call_arguments.done': object({
    sequence_number: integer,
    item_id: string,
    output_index: integer,
    arguments: string,
  }),
  error: object({ sequence_number: integer }),
});

/** Problems of a response object against the spec (empty when it conforms). */
export function responseResourceProblems(response: unknown): string[] {
  return checkResponseResource(response, 'response');
}

/** Problems of one stream event against the spec (empty when it conforms). */
export function streamEventProblems(event: unknown): string[] {
  const type = isObject(event) ? String(event.type) : 'event';
  return checkStreamEvent(event, type);
}
