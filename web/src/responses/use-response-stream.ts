import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import { RESPONSES_KEY, rememberInSession } from '../api/session-list.js';
import type { Client, ResponseCreateParams } from '../api/types.js';
import { applyEvent, type LiveResponse, NO_RESPONSE, retrievedResponse } from './live-response.js';

export const RESPONSES_CHANGED = 'playground:responses-changed';

/** Asked for on every retrieve, so a retrieved response shows what its stream showed. */
const INCLUDE = ['file_search_call.results', 'code_interpreter_call.outputs'] as const;
const SETTLED = new Set(['completed', 'failed', 'incomplete', 'cancelled']);

export interface ResponseStreamState {
  live: LiveResponse;
  streaming: boolean;
  error: string | null;
  /** Streams a new response (`POST /v1/responses` with `stream: true`), event by event. */
  send(params: ResponseCreateParams, title: string): Promise<void>;
  /** Shows a stored response (`GET /v1/responses/{id}`). */
  show(responseId: string): Promise<void>;
  /** Streams a stored response's events again (`GET /v1/responses/{id}?stream=true`), from the first. */
  replay(responseId: string): Promise<void>;
  /** Cancels the shown background response. */
  cancel(): Promise<void>;
  clear(): void;
}

/** The response the Responses view shows: one streamed from here, or one retrieved. */
export function useResponseStream(client: Client): ResponseStreamState {
  const [live, setLive] = useState<LiveResponse>(NO_RESPONSE);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const controller = useRef<AbortController | null>(null);

  useEffect(() => () => controller.current?.abort(), []);

  const stop = () => {
    controller.current?.abort();
    controller.current = null;
  };

  const retrieve = (responseId: string) => client.responses.retrieve(responseId, { include: [...INCLUDE] });

  const send: ResponseStreamState['send'] = async (params, title) => {
    stop();
    const here = new AbortController();
    controller.current = here;
    setLive(NO_RESPONSE);
    setError(null);
    setStreaming(true);
    let responseId: string | undefined;
    let settled = false;
    try {
      const stream = await client.responses.create(params, { signal: here.signal });
      for await (const event of stream) {
        if (here.signal.aborted) break;
        if (event.type === 'response.created') {
          responseId = event.response.id;
          if (params.store !== false) {
            rememberInSession(RESPONSES_KEY, { id: responseId, title, createdAt: event.response.created_at });
            window.dispatchEvent(new Event(RESPONSES_CHANGED));
          }
        }
        if ('response' in event && SETTLED.has(event.response.status ?? '')) settled = true;
        setLive((current) => applyEvent(current, event));
      }
      // A cancelled response's stream ends without a final event: its state is read back.
      if (!settled && responseId !== undefined && params.store !== false && !here.signal.aborted) {
        const response = await retrieve(responseId);
        setLive((current) => ({ ...current, response, items: response.output }));
      }
    } catch (caught) {
      if (!here.signal.aborted) setError(errorMessage(caught));
    } finally {
      if (controller.current === here) {
        controller.current = null;
        setStreaming(false);
      }
    }
  };

  const show: ResponseStreamState['show'] = async (responseId) => {
    stop();
    setStreaming(false);
    setError(null);
    try {
      setLive(retrievedResponse(await retrieve(responseId)));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const replay: ResponseStreamState['replay'] = async (responseId) => {
    stop();
    const here = new AbortController();
    controller.current = here;
    setLive(NO_RESPONSE);
    setError(null);
    setStreaming(true);
    try {
      const stream = await client.responses.retrieve(
        responseId,
        { stream: true, include: [...INCLUDE] },
        { signal: here.signal },
      );
      for await (const event of stream) {
        if (here.signal.aborted) break;
        setLive((current) => applyEvent(current, event));
      }
    } catch (caught) {
      if (!here.signal.aborted) setError(errorMessage(caught));
    } finally {
      if (controller.current === here) {
        controller.current = null;
        setStreaming(false);
      }
    }
  };

  const cancel = async () => {
    const responseId = live.response?.id;
    if (responseId === undefined) return;
    try {
      const response = await client.responses.cancel(responseId);
      setLive((current) => ({ ...current, response }));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const clear = () => {
    stop();
    setStreaming(false);
    setLive(NO_RESPONSE);
    setError(null);
  };

  return { live, streaming, error, send, show, replay, cancel, clear };
}
