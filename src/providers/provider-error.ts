import { AISDKError, APICallError } from '@ai-sdk/provider';

export type ProviderErrorCode =
  | 'server_error'
  | 'rate_limit_exceeded'
  | 'invalid_prompt'
  | 'authentication_failed'
  | 'timeout'
  | 'invalid_response';

export interface ProviderErrorOptions {
  readonly status?: number;
  readonly retryable?: boolean;
  /** How long the upstream asked us to wait before retrying (from `retry-after-ms` / `retry-after`). */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/**
 * Every failure of an upstream model call, reduced to what the run engine needs: a code it can put in
 * `last_error`, a message a person can act on, and whether trying again could help.
 */
export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: ProviderErrorCode, message: string, options: ProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProviderError';
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Turns anything an AI SDK model call can throw (or put in an `error` stream part) into a `ProviderError`. */
export function toProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (APICallError.isInstance(error)) return fromApiCallError(error);
  if (AISDKError.isInstance(error)) return fromSdkError(error);
  if (error instanceof Error) return fromNetworkError(error);
  return fromStreamErrorValue(error);
}

function fromApiCallError(error: APICallError): ProviderError {
  const status = error.statusCode;
  const options = { status, cause: error, retryAfterMs: parseRetryAfter(error.responseHeaders) };
  if (status === undefined) {
    // The usual cause on a new install is the provider's address: say where it is set.
    const hint = `(${originOf(error.url) ?? 'its address is'} set by OPENAI_BASE_URL or MODELS_CONFIG)`;
    return new ProviderError('server_error', `Could not reach the upstream model provider: ${error.message} ${hint}`, {
      ...options,
      retryable: error.isRetryable,
    });
  }
  if (status < 400) {
    // The SDK reports a body that broke off after a 200 (socket closed mid-stream) as an APICallError too.
    const detail = `Connection to the upstream model provider was lost mid-response: ${causeChain(error)}`;
    return new ProviderError('server_error', detail, { ...options, retryable: error.isRetryable });
  }
  const message = `Upstream model provider returned ${status}: ${describeBody(error)}`;
  if (status === 401 || status === 403) return new ProviderError('authentication_failed', message, options);
  if (status === 429) return new ProviderError('rate_limit_exceeded', message, { ...options, retryable: true });
  if (status === 408) return new ProviderError('timeout', message, { ...options, retryable: true });
  if (status >= 500 || status === 409) {
    return new ProviderError('server_error', message, { ...options, retryable: true });
  }
  return new ProviderError('invalid_prompt', message, options);
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function describeBody(error: APICallError): string {
  // The SDK's message is the upstream's `error.message` when the body parsed; otherwise show the raw body.
  const parsedMessage = error.data === undefined ? undefined : error.message;
  const text = parsedMessage || error.responseBody || error.message;
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}

const INVALID_RESPONSE_ERRORS = new Set([
  'AI_InvalidResponseDataError',
  'AI_JSONParseError',
  'AI_TypeValidationError',
  'AI_EmptyResponseBodyError',
  'AI_NoContentGeneratedError',
]);

function fromSdkError(error: AISDKError): ProviderError {
  if (INVALID_RESPONSE_ERRORS.has(error.name)) {
    return new ProviderError(
      'invalid_response',
      `Upstream model provider sent an invalid response: ${firstLine(error.message)}`,
      { cause: error },
    );
  }
  // InvalidPromptError, UnsupportedFunctionalityError, InvalidArgumentError: our request cannot be expressed.
  return new ProviderError('invalid_prompt', `The request cannot be sent to this model provider: ${error.message}`, {
    cause: error,
  });
}

function fromNetworkError(error: Error): ProviderError {
  return new ProviderError('server_error', `Connection to the upstream model provider failed: ${causeChain(error)}`, {
    cause: error,
    retryable: true,
  });
}

/** Error payloads that arrive inside a stream, e.g. `{"error":{"message":...,"type":"overloaded_error"}}`. */
function fromStreamErrorValue(value: unknown): ProviderError {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const message = typeof record.message === 'string' ? record.message : JSON.stringify(value);
  const kind = `${String(record.type ?? '')} ${String(record.code ?? '')}`;
  const code: ProviderErrorCode = /rate_limit/.test(kind) ? 'rate_limit_exceeded' : 'server_error';
  return new ProviderError(code, `Upstream model provider reported an error mid-stream: ${message}`, {
    cause: value,
    retryable: true,
  });
}

function parseRetryAfter(headers: Record<string, string> | undefined): number | undefined {
  if (headers === undefined) return undefined;
  const milliseconds = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) {
    return milliseconds;
  }
  const raw = headers['retry-after'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

/** `Failed to process successful response: terminated: other side closed`: undici hides the useful part in causes. */
function causeChain(error: Error): string {
  const messages: string[] = [];
  for (let current: unknown = error; current instanceof Error && messages.length < 4; current = current.cause) {
    messages.push(current.message);
  }
  return messages.join(': ');
}
