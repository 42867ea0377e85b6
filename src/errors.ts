/**
 * The one error catalog: every error the server sends is a named entry here, with its status, type,
 * code, param and message template. Services throw them; only the HTTP error handler renders them,
 * always as OpenAI's `{ error: { message, type, param, code } }`. The SDK maps the status to its
 * exception classes (`BadRequestError`, `NotFoundError`, ...), so the status matters as much as the text.
 * `docs/errors.md` is generated from this file (`scripts/gen-error-docs.ts`), and
 * `test/errors-catalog.test.ts` fails when an entry is unused or the docs are out of date.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'rate_limit_error'
  /** What OpenAI sends for a requests-per-minute limit (`tokens` is its other rate-limit type). */
  | 'requests'
  | 'server_error';

export interface ErrorBody {
  message: string;
  type: ErrorType;
  param: string | null;
  code: string | null;
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly param: string | null;
  readonly code: string | null;

  constructor(
    status: number,
    message: string,
    options: { type?: ErrorType; param?: string | null; code?: string | null } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = options.type ?? 'invalid_request_error';
    this.param = options.param ?? null;
    this.code = options.code ?? null;
  }

  toBody(): { error: ErrorBody } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/**
 * One entry as documented. `{name}` in any field is a piece filled in per error; a field that is a
 * single piece whose value is `null`/`undefined` renders as `null` (an optional `param`).
 */
export interface ErrorSpec {
  status: number | `{${string}}`;
  type?: ErrorType;
  code: string | null;
  param: string | null;
  message: string;
}

/** A catalog entry: call it to get the error; `spec` is what the docs list. */
export interface CatalogEntry<Args extends unknown[]> {
  (...args: Args): ApiError;
  readonly spec: Readonly<Required<ErrorSpec>>;
}

type Piece = string | number | null | undefined;
type Holes<S> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | Holes<Rest> : never;
type SpecHoles<S extends ErrorSpec> = Holes<S['status']> | Holes<S['message']> | Holes<S['param']> | Holes<S['code']>;

// The pieces function is typed from the templates, so an entry cannot forget or misspell a piece.
function entry<const S extends ErrorSpec>(spec: [SpecHoles<S>] extends [never] ? S : never): CatalogEntry<[]>;
function entry<const S extends ErrorSpec, Args extends unknown[]>(
  spec: S,
  pieces: (...args: Args) => Record<SpecHoles<S>, Piece>,
): CatalogEntry<Args>;
function entry(spec: ErrorSpec, pieces?: (...args: unknown[]) => Record<string, Piece>): CatalogEntry<unknown[]> {
  const full = Object.freeze({ type: 'invalid_request_error' as const, ...spec });
  const create = (...args: unknown[]): ApiError => {
    const values = pieces?.(...args) ?? {};
    const status = typeof full.status === 'number' ? full.status : Number(fill(full.status, values));
    return new ApiError(status, fill(full.message, values), {
      type: full.type,
      param: fillNullable(full.param, values),
      code: fillNullable(full.code, values),
    });
  };
  return Object.assign(create, { spec: full });
}

function fill(template: string, values: Record<string, Piece>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name]));
}

function fillNullable(template: string | null, values: Record<string, Piece>): string | null {
  if (template === null) return null;
  const whole = /^\{(\w+)\}$/.exec(template);
  if (whole) return values[whole[1]!] == null ? null : String(values[whole[1]!]);
  return fill(template, values);
}

/** Resource names as OpenAI spells them in its 404 texts. */
export type ResourceName =
  | 'assistant'
  | 'thread'
  | 'message'
  | 'run'
  | 'step'
  | 'vector store'
  | 'vector store file'
  | 'file batch'
  | 'upload'
  | 'container'
  | 'container file';

const quoted = (values: readonly string[]) => values.map((value) => `'${value}'`);

export const errors = {
  // Routing and authentication.
  invalidUrl: entry(
    { status: 404, code: null, param: null, message: 'Invalid URL ({method} {url})' },
    (method: string, url: string) => ({
      method,
      url,
    }),
  ),
  /** The router could not percent-decode the path (`/v1/threads/%zz`). */
  badUrlEncoding: entry(
    {
      status: 400,
      code: 'invalid_url',
      param: null,
      message: 'Invalid URL ({method} {path}): the path is not valid percent-encoding.',
    },
    (method: string, path: string) => ({ method, path }),
  ),
  pathParamTooLong: entry(
    {
      status: 414,
      code: 'uri_too_long',
      param: null,
      message: 'Invalid URL: a path parameter is longer than {maxLength} characters.',
    },
    (maxLength: number) => ({ maxLength }),
  ),
  /** Refused by Node's HTTP parser before routing, like the next three: the request line alone is too long. */
  requestLineTooLong: entry(
    {
      status: 414,
      code: 'uri_too_long',
      param: null,
      message: 'The request URL is too long: the request line and headers may be at most {maxBytes} bytes.',
    },
    (maxBytes: number) => ({ maxBytes }),
  ),
  headersTooLarge: entry(
    {
      status: 431,
      code: 'headers_too_large',
      param: null,
      message: 'The request headers are too large: the request line and headers may be at most {maxBytes} bytes.',
    },
    (maxBytes: number) => ({ maxBytes }),
  ),
  malformedHttpRequest: entry({
    status: 400,
    code: 'invalid_http_request',
    param: null,
    message: 'The request is not valid HTTP/1.1, so it could not be read.',
  }),
  requestTimeout: entry({
    status: 408,
    code: 'request_timeout',
    param: null,
    message: 'The request was not received in time.',
  }),
  missingApiKey: entry({
    status: 401,
    code: null,
    param: null,
    message:
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
      '(i.e. Authorization: Bearer YOUR_KEY).',
  }),
  invalidApiKey: entry(
    { status: 401, code: 'invalid_api_key', param: null, message: 'Incorrect API key provided: {redactedKey}.' },
    (key: string) => ({ redactedKey: redactKey(key) }),
  ),
  /** Azure OpenAI's answer (`/openai/...?api-version=`), its code and first sentence as Azure sent them. */
  unsupportedApiVersion: entry(
    {
      status: 400,
      code: 'BadRequest',
      param: 'api-version',
      message: "API version not supported: '{value}'. Supported values are: {supported}.",
    },
    (value: string, supported: readonly string[]) => ({ value, supported: quoted(supported).join(', ') }),
  ),

  /** `routeClass` is GET, POST, DELETE or `create run`; `window` is `min` or a duration (`2s`), as `retryAfter` is. */
  rateLimitReached: entry(
    {
      status: 429,
      type: 'requests',
      code: 'rate_limit_exceeded',
      param: null,
      message:
        'Rate limit reached for {routeClass} requests in project {project}: Limit {limit} per {window}, ' +
        'Used {limit}, Requested 1. Please try again in {retryAfter}.',
    },
    (project: string, routeClass: string, limit: number, window: string, retryAfter: string) => ({
      project,
      routeClass,
      limit,
      window,
      retryAfter,
    }),
  ),

  // Request bodies and multipart forms.
  invalidJson: entry({
    status: 400,
    code: 'invalid_json',
    param: null,
    message:
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library " +
      'correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)',
  }),
  invalidUtf8Body: entry({
    status: 400,
    code: 'invalid_json',
    param: null,
    message:
      'We could not parse the JSON body of your request: it is not valid UTF-8. ' +
      '(HINT: The OpenAI API expects a JSON payload encoded as UTF-8.)',
  }),
  jsonTooDeep: entry(
    {
      status: 400,
      code: 'invalid_json',
      param: null,
      message:
        'We could not parse the JSON body of your request: its arrays and objects are nested more than ' +
        '{maxDepth} levels deep.',
    },
    (maxDepth: number) => ({ maxDepth }),
  ),
  unsupportedContentType: entry(
    {
      status: 415,
      code: 'unsupported_content_type',
      param: null,
      message: "Unsupported Content-Type '{contentType}'. This endpoint expects {expected}.",
    },
    (contentType: string, expected: 'application/json' | 'multipart/form-data') => ({ contentType, expected }),
  ),
  bodyTooLarge: entry(
    {
      status: 413,
      code: 'request_too_large',
      param: null,
      message: 'Request body too large. The maximum size is {limitBytes} bytes.',
    },
    (limitBytes: number) => ({ limitBytes }),
  ),
  fileTooLarge: entry(
    {
      status: 413,
      code: 'file_too_large',
      param: 'file',
      message: 'File too large. The maximum file size is {limitBytes} bytes.',
    },
    (limitBytes: number) => ({ limitBytes }),
  ),
  /** A 4xx the framework raised for a request it could not take (a bad Content-Length, a protocol error). */
  frameworkError: entry(
    { status: '{status}', code: null, param: null, message: '{detail}' },
    (status: number, detail: string) => ({
      status,
      detail: detail || 'Malformed request.',
    }),
  ),
  tooManyParts: entry(
    { status: 400, code: 'invalid_multipart', param: null, message: 'Too many parts in the multipart form: {detail}' },
    (detail: string) => ({ detail }),
  ),
  multipartTruncated: entry({
    status: 400,
    code: 'invalid_multipart',
    param: null,
    message: 'The multipart/form-data body ended before its closing boundary.',
  }),
  invalidMultipart: entry(
    { status: 400, code: 'invalid_multipart', param: null, message: 'Invalid multipart/form-data body: {detail}.' },
    (detail: string) => ({ detail }),
  ),
  fileFieldNotFile: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: '{field}',
      message: "Invalid '{field}': expected a file upload (a part with a filename), but got a text field.",
    },
    (field: string) => ({ field }),
  ),
  formFieldTooLong: entry(
    {
      status: 400,
      code: 'string_above_max_length',
      param: '{field}',
      message: "Invalid '{field}': the value is longer than {maxBytes} bytes.",
    },
    (field: string, maxBytes: number) => ({ field, maxBytes }),
  ),

  // Parameters, in OpenAI's wording (most come from the schema validator, `src/api/validation-error.ts`).
  missingParameter: entry(
    {
      status: 400,
      code: 'missing_required_parameter',
      param: '{param}',
      message: "Missing required parameter: '{param}'.",
    },
    (param: string) => ({ param }),
  ),
  unknownParameter: entry(
    { status: 400, code: 'unknown_parameter', param: '{param}', message: "Unknown parameter: '{param}'." },
    (param: string) => ({ param }),
  ),
  /** `expected` and `got` are worded with their article: "an integer or null", "a string". */
  invalidType: entry(
    {
      status: 400,
      code: 'invalid_type',
      param: '{param}',
      message: "Invalid type for '{param}': expected {expected}, but got {got} instead.",
    },
    (param: string, expected: string, got: string) => ({ param, expected, got }),
  ),
  /** `value` and `supported` come quoted from the schema: `'x'`, `'a', 'b', and 'c'`. */
  unsupportedValue: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: '{param}',
      message: 'Invalid value: {value}. Supported values are: {supported}.',
    },
    (param: string, value: string, supported: string) => ({ param, value, supported }),
  ),
  patternMismatch: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: '{param}',
      message:
        "Invalid '{param}': string does not match pattern. Expected a string that matches the pattern '{pattern}'.",
    },
    (param: string, pattern: string) => ({ param, pattern }),
  ),
  invalidFormat: entry(
    { status: 400, code: 'invalid_value', param: '{param}', message: "Invalid '{param}': expected a valid {format}." },
    (param: string, format: string) => ({ param, format }),
  ),
  /** A schema rule without a wording of its own; `detail` is the validator's description. */
  invalidParameter: entry(
    { status: 400, code: 'invalid_value', param: '{param}', message: "Invalid '{param}': {detail}." },
    (param: string, detail: string) => ({ param, detail }),
  ),
  invalidKey: entry(
    {
      status: 400,
      code: 'string_above_max_length',
      param: '{param}',
      message: "Invalid '{param}': invalid key '{key}'.",
    },
    (param: string, key: string) => ({ param, key }),
  ),
  keyTooLong: entry(
    {
      status: 400,
      code: 'string_above_max_length',
      param: '{param}',
      message:
        "Invalid '{param}': key '{key}' is too long. Expected keys with maximum length {max}, " +
        'but got a key with length {length} instead.',
    },
    (param: string, key: string, max: number) => ({ param, key, max, length: key.length }),
  ),
  stringTooLong: entry(
    {
      status: 400,
      code: 'string_above_max_length',
      param: '{param}',
      message:
        "Invalid '{param}': string too long. Expected a string with maximum length {max}, " +
        'but got a string with length {length} instead.',
    },
    (param: string, max: number, length: number) => ({ param, max, length }),
  ),
  stringTooShort: entry(
    {
      status: 400,
      code: 'string_below_min_length',
      param: '{param}',
      message:
        "Invalid '{param}': string too short. Expected a string with minimum length {min}, " +
        'but got a string with length {length} instead.',
    },
    (param: string, min: number, length: number) => ({ param, min, length }),
  ),
  arrayTooLong: entry(
    {
      status: 400,
      code: 'array_above_max_length',
      param: '{param}',
      message:
        "Invalid '{param}': array too long. Expected an array with maximum length {max}, " +
        'but got an array with length {length} instead.',
    },
    (param: string, max: number, length: number) => ({ param, max, length }),
  ),
  arrayTooShort: entry(
    {
      status: 400,
      code: 'array_below_min_length',
      param: '{param}',
      message:
        "Invalid '{param}': array too short. Expected an array with minimum length {min}, " +
        'but got an array with length {length} instead.',
    },
    (param: string, min: number, length: number) => ({ param, min, length }),
  ),
  tooManyProperties: entry(
    {
      status: 400,
      code: 'object_above_max_properties',
      param: '{param}',
      message:
        "Invalid '{param}': too many properties. Expected an object with at most {max} properties, " +
        'but got an object with {count} properties instead.',
    },
    (param: string, max: number, count: number) => ({ param, max, count }),
  ),
  tooFewProperties: entry(
    {
      status: 400,
      code: 'object_below_min_properties',
      param: '{param}',
      message:
        "Invalid '{param}': too few properties. Expected an object with at least {min} properties, " +
        'but got an object with {count} properties instead.',
    },
    (param: string, min: number, count: number) => ({ param, min, count }),
  ),
  /** `comparison` is the bound's operator (`<=`, `<`), `limit` its value. */
  integerAboveMax: entry(
    {
      status: 400,
      code: 'integer_above_max_value',
      param: '{param}',
      message:
        "Invalid '{param}': integer above maximum value. " +
        'Expected a value {comparison} {limit}, but got {value} instead.',
    },
    (param: string, comparison: string, limit: number, value: number) => ({ param, comparison, limit, value }),
  ),
  integerBelowMin: entry(
    {
      status: 400,
      code: 'integer_below_min_value',
      param: '{param}',
      message:
        "Invalid '{param}': integer below minimum value. " +
        'Expected a value {comparison} {limit}, but got {value} instead.',
    },
    (param: string, comparison: string, limit: number, value: number) => ({ param, comparison, limit, value }),
  ),
  decimalAboveMax: entry(
    {
      status: 400,
      code: 'decimal_above_max_value',
      param: '{param}',
      message:
        "Invalid '{param}': decimal above maximum value. " +
        'Expected a value {comparison} {limit}, but got {value} instead.',
    },
    (param: string, comparison: string, limit: number, value: number) => ({ param, comparison, limit, value }),
  ),
  decimalBelowMin: entry(
    {
      status: 400,
      code: 'decimal_below_min_value',
      param: '{param}',
      message:
        "Invalid '{param}': decimal below minimum value. " +
        'Expected a value {comparison} {limit}, but got {value} instead.',
    },
    (param: string, comparison: string, limit: number, value: number) => ({ param, comparison, limit, value }),
  ),

  // Pagination.
  invalidOrder: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: 'order',
      message: "Invalid value: '{value}'. Supported values are: 'asc' and 'desc'.",
    },
    (value: string) => ({ value }),
  ),
  limitNotInteger: entry(
    {
      status: 400,
      code: 'invalid_type',
      param: 'limit',
      message: "Invalid 'limit': expected an integer, but got '{value}' instead.",
    },
    (value: string) => ({ value }),
  ),
  cursorNotSingleId: entry(
    { status: 400, code: 'invalid_type', param: '{param}', message: "Invalid '{param}': expected a single object id." },
    (param: 'after' | 'before') => ({ param }),
  ),
  unknownCursor: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: '{param}',
      message: "Invalid '{param}': no object with id '{id}' in this list.",
    },
    (param: string, id: string) => ({ param, id }),
  ),

  // Objects that do not exist.
  notFound: entry(
    { status: 404, code: null, param: '{param}', message: "No {resource} found with id '{id}'." },
    (resource: ResourceName, id: string, param?: string) => ({ resource, id, param }),
  ),
  fileNotFound: entry(
    { status: 404, code: null, param: '{param}', message: 'No such File object: {id}' },
    (id: string, param: string = 'id') => ({ id, param }),
  ),
  playgroundNotBuilt: entry({
    status: 503,
    type: 'server_error',
    code: 'playground_not_built',
    param: null,
    message: 'The Playground is not built: run `npm run build`, which builds web/ into web/dist/.',
  }),
  modelNotFound: entry(
    { status: 404, code: 'model_not_found', param: 'model', message: "The model '{model}' does not exist" },
    (model: string) => ({ model }),
  ),

  // Files and uploads.
  invalidPurpose: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: 'purpose',
      message: "Invalid value: '{value}'. Supported values are: {supported}.",
    },
    (value: string, supported: readonly string[]) => ({ value, supported: quoted(supported).join(', ') }),
  ),
  invalidExpiresAfterAnchor: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: 'expires_after.anchor',
      message: "Invalid value: '{value}'. Supported values are: 'created_at'.",
    },
    (value: string) => ({ value }),
  ),
  invalidExpiresAfterSeconds: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: 'expires_after.seconds',
      message:
        "Invalid 'expires_after.seconds': expected an integer between 3600 and 2592000, but got '{value}' instead.",
    },
    (value: string) => ({ value }),
  ),
  uploadTooLarge: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: 'bytes',
      message: "Invalid 'bytes': the file would be {bytes} bytes, but the maximum file size is {maxBytes} bytes.",
    },
    (bytes: number, maxBytes: number) => ({ bytes, maxBytes }),
  ),
  invalidMimeType: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: 'mime_type',
      message: "Invalid 'mime_type': '{value}' is not a media type such as 'text/plain'.",
    },
    (value: string) => ({ value }),
  ),
  uploadSizeMismatch: entry(
    {
      status: 400,
      code: 'upload_size_mismatch',
      param: 'part_ids',
      message:
        'The number of bytes uploaded ({uploaded}) does not match the expected number of bytes ({expected}) ' +
        'for upload {uploadId}.',
    },
    (uploadId: string, uploaded: number, expected: number) => ({ uploadId, uploaded, expected }),
  ),
  md5Mismatch: entry(
    {
      status: 400,
      code: 'md5_mismatch',
      param: 'md5',
      message: 'The md5 checksum of the uploaded bytes ({actual}) does not match the provided md5 ({provided}).',
    },
    (actual: string, provided: string) => ({ actual, provided }),
  ),
  unknownUploadPart: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: 'part_ids[{index}]',
      message: "Invalid 'part_ids[{index}]': no part '{partId}' in upload {uploadId}.",
    },
    (index: number, partId: string, uploadId: string) => ({ index, partId, uploadId }),
  ),
  duplicateUploadPart: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: 'part_ids[{index}]',
      message: "Invalid 'part_ids[{index}]': part '{partId}' is listed twice.",
    },
    (index: number, partId: string) => ({ index, partId }),
  ),
  /** OpenAI's text, with its organization limit as our per-project one (PROJECT_STORAGE_LIMIT_GB). */
  storageQuotaExceeded: entry(
    {
      status: 400,
      code: null,
      param: null,
      message:
        'You have exceeded your file storage quota. Projects are limited to {limitGb} GB of files. ' +
        'Please delete old files or attempt with a smaller file size.',
    },
    (limitGb: number) => ({ limitGb }),
  ),
  uploadNotPending: entry(
    {
      status: 400,
      code: 'upload_not_pending',
      param: null,
      message: 'Upload {uploadId} is {status} and can no longer be changed.',
    },
    (uploadId: string, status: string) => ({ uploadId, status }),
  ),

  // Vector stores and file_search.
  vectorStoreSourcesConflict: entry({
    status: 400,
    code: 'invalid_value',
    param: 'tool_resources.file_search',
    message:
      "Provide exactly one of 'tool_resources.file_search.vector_store_ids' " +
      "and 'tool_resources.file_search.vector_stores'.",
  }),
  vectorStoreFileLimit: entry(
    {
      status: 400,
      code: 'vector_store_file_limit',
      param: '{param}',
      message: 'A vector store can hold at most {limit} files; {vectorStoreId} has {total}.',
    },
    (param: string, vectorStoreId: string, total: number, limit: number) => ({ param, vectorStoreId, total, limit }),
  ),
  /** `reason` is the extractor's description, the same text a failed ingestion shows in `last_error`. */
  unreadableFile: entry({ status: 400, code: 'invalid_file', param: null, message: '{reason}' }, (reason: string) => ({
    reason,
  })),
  /**
   * Extracting a file's text for the content endpoint needed more time or memory than the server gives one file
   * (INGESTION_TASK_TIMEOUT_MS, INGESTION_TASK_MEMORY_MB). `reason` names the limit; the code is the one a failed
   * ingestion's `last_error` shows for the same file.
   */
  fileContentLimitExceeded: entry(
    { status: 400, code: 'invalid_file', param: null, message: '{reason}' },
    (reason: string) => ({ reason }),
  ),
  batchFilesConflict: entry({
    status: 400,
    code: 'invalid_value',
    param: 'files',
    message: "Provide either 'file_ids' or 'files', not both.",
  }),
  batchNotCancellable: entry(
    { status: 400, code: 'invalid_state', param: null, message: "Cannot cancel a file batch with status '{status}'." },
    (status: string) => ({ status }),
  ),
  invalidFileStatusFilter: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: 'filter',
      message: "Invalid value: '{value}'. Supported values are: {supported}.",
    },
    (value: string, supported: readonly string[]) => ({ value, supported: quoted(supported).join(', ') }),
  ),
  searchVectorStoreExpired: entry(
    {
      status: 400,
      code: 'vector_store_expired',
      param: 'vector_store_id',
      message: 'Vector store {vectorStoreId} has expired and can no longer be searched.',
    },
    (vectorStoreId: string) => ({ vectorStoreId }),
  ),
  emptySearchQuery: entry({
    status: 400,
    code: 'invalid_value',
    param: 'query',
    message: "Invalid 'query': expected a non-empty string.",
  }),
  invalidChunkingStrategyType: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: '{param}',
      message: "Invalid value: {value}. Supported values are: 'auto' and 'static'.",
    },
    (param: string, value: unknown) => ({ param, value: JSON.stringify(value ?? null) }),
  ),
  chunkOverlapTooLarge: entry(
    {
      status: 400,
      code: 'integer_above_max_value',
      param: '{param}',
      message:
        "Invalid '{param}': chunk_overlap_tokens must not exceed half of max_chunk_size_tokens. " +
        'Expected a value <= {max}, but got {value} instead.',
    },
    (param: string, max: number, value: number) => ({ param, max, value }),
  ),

  // Threads, messages and runs.
  tooManyMessages: entry(
    {
      status: 400,
      code: 'thread_message_limit',
      param: 'thread_id',
      message: 'Thread {threadId} already has the maximum of {limit} messages.',
    },
    (threadId: string, limit: number) => ({ threadId, limit }),
  ),
  tooManyAdditionalMessages: entry(
    {
      status: 400,
      code: 'thread_message_limit',
      param: 'additional_messages',
      message: 'Thread {threadId} has {count} messages; {adding} more would exceed the maximum of {limit} messages.',
    },
    (threadId: string, count: number, adding: number, limit: number) => ({ threadId, count, adding, limit }),
  ),
  threadBusyForMessage: entry(
    {
      status: 400,
      code: null,
      param: null,
      message: "Can't add messages to {threadId} while a run {runId} is active.",
    },
    (threadId: string, runId: string) => ({ threadId, runId }),
  ),
  threadBusyForRun: entry(
    { status: 400, code: null, param: null, message: 'Thread {threadId} already has an active run {runId}.' },
    (threadId: string, runId: string) => ({ threadId, runId }),
  ),
  cannotCancel: entry(
    { status: 400, code: null, param: null, message: "Cannot cancel run with status '{status}'." },
    (status: string) => ({ status }),
  ),
  notAcceptingToolOutputs: entry(
    { status: 400, code: null, param: null, message: 'Runs in status "{status}" do not accept tool outputs.' },
    (status: string) => ({ status }),
  ),
  toolOutputsMismatch: entry(
    {
      status: 400,
      code: null,
      param: 'tool_outputs',
      message: 'Expected tool outputs for call_ids {expected}, got {received}',
    },
    (expected: readonly string[], received: readonly string[]) => ({
      expected: `[${quoted(expected).join(', ')}]`,
      received: `[${quoted(received).join(', ')}]`,
    }),
  ),
  /** A run that can search must not depend on an expired vector store: OpenAI refuses it up front. */
  vectorStoreExpired: entry(
    {
      status: 400,
      code: 'vector_store_expired',
      param: 'tool_resources.file_search.vector_store_ids',
      message:
        'Vector store {vectorStoreId} has expired. ' +
        'Create a new vector store (or remove this one from the assistant or thread) and try again.',
    },
    (vectorStoreId: string) => ({ vectorStoreId }),
  ),
  lastEventIdInvalid: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: 'Last-Event-ID',
      message: "Invalid 'Last-Event-ID': expected an event id from this stream, got '{value}'.",
    },
    (value: string) => ({ value }),
  ),
  invalidInclude: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: 'include',
      message:
        "Invalid value: '{value}'. Supported values are: 'step_details.tool_calls[*].file_search.results[*].content'.",
    },
    (value: string) => ({ value }),
  ),

  // Conversations and the input items of conversations and responses.
  conversationNotFound: entry(
    { status: 404, code: null, param: null, message: "Conversation with id '{id}' not found." },
    (id: string) => ({ id }),
  ),
  conversationItemNotFound: entry(
    { status: 404, code: null, param: null, message: "Item with id '{id}' not found." },
    (id: string) => ({ id }),
  ),
  /** An `item_reference` naming no item of the project. */
  unknownItemReference: entry(
    { status: 400, code: 'invalid_value', param: '{param}', message: "Item with id '{id}' not found." },
    (param: string, id: string) => ({ param, id }),
  ),
  /** `what` is `Input items` or `Content parts`; `served` lists the types the server takes there. */
  unservedInputType: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: '{param}',
      message: "{what} of type '{type}' are not supported by this server. Supported types are: {served}.",
    },
    (param: string, what: 'Input items' | 'Content parts', type: string, served: readonly string[]) => ({
      param,
      what,
      type,
      served: quoted(served).join(', '),
    }),
  ),

  // Responses.
  responseNotFound: entry(
    { status: 404, code: null, param: null, message: "Response with id '{id}' not found." },
    (id: string) => ({ id }),
  ),
  previousResponseNotFound: entry(
    {
      status: 400,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
      message: "Previous response with id '{id}' not found.",
    },
    (id: string) => ({ id }),
  ),
  conversationWithPreviousResponse: entry({
    status: 400,
    code: 'mutually_exclusive_parameters',
    param: 'conversation',
    message:
      "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
  }),
  backgroundWithoutStore: entry({
    status: 400,
    code: 'invalid_value',
    param: 'background',
    message: "Background responses must be stored: 'store' cannot be false when 'background' is true.",
  }),
  /** Tools the Responses API defines that this server does not run (web search, image generation, MCP, ...). */
  unservedTool: entry(
    {
      status: 400,
      code: 'invalid_value',
      param: '{param}',
      message: "Tools of type '{type}' are not supported by this server. Supported types are: {served}.",
    },
    (param: string, type: string, served: readonly string[]) => ({ param, type, served: quoted(served).join(', ') }),
  ),
  /** A `function_call_output` in a response's input whose call is nowhere to be found. */
  outputWithoutCall: entry(
    {
      status: 400,
      code: null,
      param: '{param}',
      message: 'No tool call found for function call output with call_id {callId}.',
    },
    (param: string, callId: string) => ({ param, callId }),
  ),
  cancelNotBackground: entry({
    status: 400,
    code: null,
    param: null,
    message: 'Only responses created with background set to true can be cancelled.',
  }),
  conversationBusy: entry(
    {
      status: 400,
      code: 'conversation_locked',
      param: 'conversation',
      message: 'Another response ({responseId}) is in progress on conversation {id}; wait for it to finish.',
    },
    (id: string, responseId: string) => ({ id, responseId }),
  ),

  // Containers (code_interpreter's sandboxes for the Responses API).
  /** OpenAI's text for any use of a container idle past its `expires_after`. */
  containerExpired: entry({
    status: 400,
    code: null,
    param: null,
    message: 'Container is expired.',
  }),
  containerOptionUnsupported: entry(
    { status: 400, code: 'invalid_value', param: '{param}', message: "Invalid '{param}': {reason}" },
    (param: string, reason: string) => ({ param, reason }),
  ),
  containerFileSourceMissing: entry({
    status: 400,
    code: 'missing_required_parameter',
    param: 'file',
    message: "Missing required parameter: either 'file' (a multipart/form-data upload) or 'file_id'.",
  }),
  containerFileSourceAmbiguous: entry({
    status: 400,
    code: 'invalid_value',
    param: 'file_id',
    message: "Give either 'file' or 'file_id', not both.",
  }),

  // The server's own failures: the text never leaks the cause.
  internal: entry({
    status: 500,
    type: 'server_error',
    code: null,
    param: null,
    message: 'The server had an error while processing your request. Sorry about that!',
  }),
} as const;

/** OpenAI shows the first and last characters of a rejected key only. */
function redactKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 20))}${key.slice(-4)}`;
}
