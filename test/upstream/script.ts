import type { IncomingHttpHeaders } from 'node:http';

/** One request the scripted upstream received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text when it was not JSON. */
  readonly body: any;
  /** True when the connection closed before the response was complete: the client went away (or a test dropped it). */
  clientDisconnected: boolean;
  /** Resolves when the response has ended or the client has disconnected. */
  readonly done: Promise<void>;
}

/** A tool call the model "makes". Arguments are streamed in `argumentChunks` pieces. */
export interface ScriptedToolCall {
  /** Defaults to a fresh `call_...` id; `null` sends no id at all (some upstreams do that). */
  readonly id?: string | null;
  readonly name: string;
  readonly arguments: string | Record<string, unknown>;
  /** How many deltas the arguments are split into (default 3). */
  readonly argumentChunks?: number;
}

export interface ScriptedUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** A normal completion: text chunks and/or tool calls, then a finish reason and usage. */
export interface CompletionScript {
  /** One string is split into word-sized chunks; an array is sent chunk by chunk as given. */
  readonly text?: string | readonly string[];
  readonly toolCalls?: readonly ScriptedToolCall[];
  /** Defaults to `tool_calls` when there are tool calls, else `stop`. */
  readonly finishReason?: string;
  /** Defaults to a count derived from the request; `null` sends no usage even when asked. */
  readonly usage?: ScriptedUsage | null;
  /** Pause between chunks, to let tests observe a stream in flight. */
  readonly chunkDelayMs?: number;
}

/** An HTTP error with the provider's error body. */
export interface ErrorScript {
  readonly error: {
    readonly status: number;
    readonly message: string;
    readonly type?: string;
    readonly code?: string;
    /** Sent as the `retry-after` header (seconds). */
    readonly retryAfter?: number;
  };
}

/** Starts a stream normally, then sends a line that is not JSON and closes. */
export interface MalformedScript {
  readonly malformed: { readonly textBefore?: readonly string[] };
}

/** Sends the response headers and then nothing, until the client gives up. */
export interface HangScript {
  readonly hang: true;
}

/** The test drives the stream itself (see `ControlledResponse`). */
export interface ControlledScript {
  readonly controlled: ControlledResponse;
}

export type ScriptedResponse = CompletionScript | ErrorScript | MalformedScript | HangScript | ControlledScript;

export type ScriptEntry = ScriptedResponse | ((request: RecordedRequest, callNumber: number) => ScriptedResponse);

/** The sink a controlled response writes to, supplied by the server when the request arrives. */
export interface ControlledSink {
  write(chunk: Record<string, unknown>): void;
  end(): void;
  destroy(): void;
}

/**
 * An OpenAI chat stream the test writes piece by piece. Pieces written before the request arrives are
 * buffered. `connected` resolves once the upstream has the request and has sent the headers.
 */
export class ControlledResponse {
  readonly connected: Promise<void>;
  #sink: ControlledSink | undefined;
  #pending: Array<(sink: ControlledSink) => void> = [];
  #resolveConnected!: () => void;

  constructor() {
    this.connected = new Promise((resolve) => {
      this.#resolveConnected = resolve;
    });
  }

  attach(sink: ControlledSink): void {
    this.#sink = sink;
    for (const action of this.#pending) action(sink);
    this.#pending = [];
    this.#resolveConnected();
  }

  text(text: string): void {
    this.#do((sink) => sink.write({ delta: { content: text } }));
  }

  /** Ends the stream with a finish reason, usage and `[DONE]`. */
  finish(finishReason = 'stop', usage: ScriptedUsage = { promptTokens: 1, completionTokens: 1 }): void {
    this.#do((sink) => {
      sink.write({ delta: {}, finish_reason: finishReason, usage });
      sink.end();
    });
  }

  /** Ends the stream with `[DONE]` but no finish reason (a truncated upstream). */
  endWithoutFinish(): void {
    this.#do((sink) => sink.end());
  }

  /** Cuts the TCP connection mid-stream, as a crashing upstream or proxy would. */
  dropConnection(): void {
    this.#do((sink) => sink.destroy());
  }

  #do(action: (sink: ControlledSink) => void): void {
    if (this.#sink === undefined) this.#pending.push(action);
    else action(this.#sink);
  }
}
