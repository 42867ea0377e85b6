import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api/client.js';
import type { Client, Message, MessageContentPartParam, Run, RunStep } from '../api/types.js';
import { loadSteps } from './citation-sources.js';

const ACTIVE_STATUSES = new Set(['queued', 'in_progress', 'cancelling']);

export function isActive(run: Run | null): boolean {
  return run !== null && ACTIVE_STATUSES.has(run.status);
}

export interface OutgoingMessage {
  content: MessageContentPartParam[];
  attachments: Array<{ file_id: string; tools: Array<{ type: 'file_search' } | { type: 'code_interpreter' }> }>;
}

type AssistantStream = ReturnType<Client['beta']['threads']['runs']['stream']>;

export interface ThreadState {
  messages: Message[];
  /** The thread's latest run. */
  run: Run | null;
  /** That run's steps, live while it streams. */
  steps: RunStep[];
  streaming: boolean;
  error: string | null;
  /** Adds the user's message (creating the thread first when there is none) and streams a run of the assistant. */
  send(assistantId: string, message: OutgoingMessage, onThreadCreated: (threadId: string) => void): Promise<void>;
  submitToolOutputs(outputs: Array<{ tool_call_id: string; output: string }>): Promise<void>;
  cancel(): Promise<void>;
}

/** A thread's messages and latest run, following the run's stream event by event as AssistantStream reports it. */
export function useThread(client: Client, threadId: string | undefined): ThreadState {
  const [messages, setMessages] = useState<Message[]>([]);
  const [run, setRun] = useState<Run | null>(null);
  const [steps, setSteps] = useState<RunStep[]>([]);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = useRef(threadId);
  /** A thread this hook just created: its state is already here, so opening it must not reload it. */
  const createdHere = useRef<string | undefined>(undefined);

  const refreshSteps = useCallback(
    async (forThread: string, runId: string) => {
      const loaded = await loadSteps(client, forThread, runId);
      if (current.current === forThread) setSteps(loaded);
    },
    [client],
  );

  useEffect(() => {
    current.current = threadId;
    if (threadId !== undefined && createdHere.current === threadId) {
      createdHere.current = undefined;
      return;
    }
    setMessages([]);
    setRun(null);
    setSteps([]);
    setError(null);
    setStreaming(false);
    if (threadId === undefined) return;
    const load = async () => {
      const page = await client.beta.threads.messages.list(threadId, { order: 'asc', limit: 100 });
      const runs = await client.beta.threads.runs.list(threadId, { limit: 1 });
      if (current.current !== threadId) return;
      setMessages(page.data);
      const latest = runs.data[0] ?? null;
      setRun(latest);
      if (latest !== null) await refreshSteps(threadId, latest.id);
    };
    load().catch((caught: unknown) => current.current === threadId && setError(errorMessage(caught)));
  }, [client, threadId, refreshSteps]);

  // A run this page is not streaming (started elsewhere, or before a reload) is polled until it settles.
  useEffect(() => {
    if (threadId === undefined || run === null || streaming || !isActive(run)) return;
    const timer = window.setTimeout(async () => {
      try {
        const latest = await client.beta.threads.runs.retrieve(run.id, { thread_id: threadId });
        if (current.current !== threadId) return;
        setRun(latest);
        if (!isActive(latest)) {
          const page = await client.beta.threads.messages.list(threadId, { order: 'asc', limit: 100 });
          if (current.current === threadId) setMessages(page.data);
          await refreshSteps(threadId, latest.id);
        }
      } catch (caught) {
        setError(errorMessage(caught));
      }
    }, 1000);
    return () => window.clearTimeout(timer);
  }, [client, threadId, run, streaming, refreshSteps]);

  const follow = async (forThread: string, stream: AssistantStream) => {
    const here = () => current.current === forThread;
    const upsertMessage = (message: Message) => {
      if (!here()) return;
      const copy = structuredClone(message);
      setMessages((list) =>
        list.some((item) => item.id === copy.id)
          ? list.map((item) => (item.id === copy.id ? copy : item))
          : [...list, copy],
      );
    };
    const upsertStep = (step: RunStep) => {
      if (!here()) return;
      const copy = structuredClone(step);
      setSteps((list) =>
        list.some((item) => item.id === copy.id)
          ? list.map((item) => (item.id === copy.id ? copy : item))
          : [...list, copy],
      );
    };
    setStreaming(true);
    setError(null);
    stream
      .on('messageCreated', upsertMessage)
      .on('messageDelta', (_delta, snapshot) => upsertMessage(snapshot))
      .on('messageDone', upsertMessage)
      .on('runStepCreated', upsertStep)
      .on('runStepDelta', (_delta, snapshot) => upsertStep(snapshot))
      .on('runStepDone', upsertStep)
      .on('event', (event) => {
        if (!here() || !event.event.startsWith('thread.run.') || event.event.startsWith('thread.run.step.')) return;
        if (event.event === 'thread.run.created') setSteps([]);
        setRun(structuredClone(event.data as Run));
      })
      .on('error', (caught) => here() && setError(errorMessage(caught)));
    let finalRunId: string | undefined;
    try {
      await stream.done();
      finalRunId = stream.currentRun()?.id;
    } catch (caught) {
      if (here()) setError(errorMessage(caught));
    } finally {
      if (here()) setStreaming(false);
    }
    // The streamed steps carry search results without their text; the stored ones have it.
    if (finalRunId !== undefined && here()) await refreshSteps(forThread, finalRunId).catch(() => undefined);
  };

  const send: ThreadState['send'] = async (assistantId, message, onThreadCreated) => {
    setError(null);
    try {
      let forThread = threadId;
      if (forThread === undefined) {
        const thread = await client.beta.threads.create({ messages: [{ role: 'user', ...message }] });
        forThread = thread.id;
        createdHere.current = thread.id;
        current.current = thread.id;
        const page = await client.beta.threads.messages.list(thread.id, { order: 'asc' });
        setMessages(page.data);
        setRun(null);
        setSteps([]);
        onThreadCreated(thread.id);
      } else {
        const created = await client.beta.threads.messages.create(forThread, { role: 'user', ...message });
        setMessages((list) => [...list, created]);
      }
      await follow(forThread, client.beta.threads.runs.stream(forThread, { assistant_id: assistantId }));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  const submitToolOutputs: ThreadState['submitToolOutputs'] = async (outputs) => {
    if (threadId === undefined || run === null) return;
    const stream = client.beta.threads.runs.submitToolOutputsStream(run.id, {
      thread_id: threadId,
      tool_outputs: outputs,
    });
    await follow(threadId, stream);
  };

  const cancel = async () => {
    if (threadId === undefined || run === null) return;
    try {
      setRun(await client.beta.threads.runs.cancel(run.id, { thread_id: threadId }));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  return { messages, run, steps, streaming, error, send, submitToolOutputs, cancel };
}
