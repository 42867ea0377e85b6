/**
 * The one error catalog. Services throw these; only the HTTP error handler renders them,
 * always as OpenAI's `{ error: { message, type, param, code } }`. The SDK maps the status to its
 * exception classes (`BadRequestError`, `NotFoundError`, ...), so the status matters as much as the text.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'rate_limit_error'
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

  constructor(status: number, message: string, options: { type?: ErrorType; param?: string | null; code?: string | null } = {}) {
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
  | 'upload';

export const errors = {
  notFound(resource: ResourceName, id: string, param?: string): ApiError {
    return new ApiError(404, `No ${resource} found with id '${id}'.`, { param: param ?? null });
  },
  fileNotFound(id: string, param?: string): ApiError {
    return new ApiError(404, `No such File object: ${id}`, { param: param ?? 'id' });
  },
  invalidUrl(method: string, url: string): ApiError {
    return new ApiError(404, `Invalid URL (${method} ${url})`);
  },
  missingApiKey(): ApiError {
    return new ApiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      { code: null },
    );
  },
  invalidApiKey(key: string): ApiError {
    return new ApiError(401, `Incorrect API key provided: ${redactKey(key)}.`, { code: 'invalid_api_key' });
  },
  invalidJson(): ApiError {
    return new ApiError(
      400,
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      { code: 'invalid_json' },
    );
  },
  unsupportedContentType(contentType: string, expected: string): ApiError {
    return new ApiError(415, `Unsupported Content-Type '${contentType}'. This endpoint expects ${expected}.`, {
      code: 'unsupported_content_type',
    });
  },
  bodyTooLarge(limitBytes: number): ApiError {
    return new ApiError(413, `Request body too large. The maximum size is ${limitBytes} bytes.`, { code: 'request_too_large' });
  },
  fileTooLarge(limitBytes: number): ApiError {
    return new ApiError(413, `File too large. The maximum file size is ${limitBytes} bytes.`, {
      param: 'file',
      code: 'file_too_large',
    });
  },
  missingParameter(param: string): ApiError {
    return new ApiError(400, `Missing required parameter: '${param}'.`, { param, code: 'missing_required_parameter' });
  },
  unknownParameter(param: string): ApiError {
    return new ApiError(400, `Unknown parameter: '${param}'.`, { param, code: 'unknown_parameter' });
  },
  invalidValue(param: string, message: string, code = 'invalid_value'): ApiError {
    return new ApiError(400, message, { param, code });
  },
  invalidRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
    return new ApiError(400, message, { param, code });
  },
  tooManyMessages(threadId: string, limit: number): ApiError {
    return new ApiError(400, `Thread ${threadId} already has the maximum of ${limit} messages.`, {
      param: 'thread_id',
      code: 'thread_message_limit',
    });
  },
  internal(): ApiError {
    return new ApiError(500, 'The server had an error while processing your request. Sorry about that!', {
      type: 'server_error',
    });
  },
} as const;

/** OpenAI shows the first and last characters of a rejected key only. */
function redactKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(key.length - 7, 20))}${key.slice(-4)}`;
}

/** Errors of the run engine's API, with OpenAI's texts. */
export const runErrors = {
  threadBusyForMessage(threadId: string, runId: string): ApiError {
    return new ApiError(400, `Can't add messages to ${threadId} while a run ${runId} is active.`, { code: null });
  },
  threadBusyForRun(threadId: string, runId: string): ApiError {
    return new ApiError(400, `Thread ${threadId} already has an active run ${runId}.`, { code: null });
  },
  cannotCancel(status: string): ApiError {
    return new ApiError(400, `Cannot cancel run with status '${status}'.`, { code: null });
  },
  notAcceptingToolOutputs(status: string): ApiError {
    return new ApiError(400, `Runs in status "${status}" do not accept tool outputs.`, { code: null });
  },
  toolOutputsMismatch(expected: readonly string[], received: readonly string[]): ApiError {
    const list = (ids: readonly string[]) => `[${ids.map((id) => `'${id}'`).join(', ')}]`;
    return new ApiError(400, `Expected tool outputs for call_ids ${list(expected)}, got ${list(received)}`, {
      param: 'tool_outputs',
      code: null,
    });
  },
} as const;
