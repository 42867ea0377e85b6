import OpenAI, { APIError, toFile } from 'openai';

type VectorStoreFile = Awaited<ReturnType<OpenAI['vectorStores']['files']['retrieve']>>;
type Run = Awaited<ReturnType<OpenAI['beta']['threads']['runs']['retrieve']>>;

const POLL_MS = 200;

/** The SDK without retries, so every status the server sends is the one we report. */
export function benchClient(serverUrl: string, apiKey: string): OpenAI {
  return new OpenAI({ baseURL: `${serverUrl}/v1`, apiKey, maxRetries: 0, timeout: 600_000 });
}

/** One request's HTTP status (0 for a transport failure) and how long it took. */
export interface Answer {
  status: number;
  ms: number;
}

export async function answerOf(request: () => Promise<unknown>): Promise<Answer> {
  const started = performance.now();
  try {
    await request();
    return { status: 200, ms: performance.now() - started };
  } catch (error) {
    const status = error instanceof APIError && typeof error.status === 'number' ? error.status : 0;
    return { status, ms: performance.now() - started };
  }
}

/** `400×10 (median 12 ms)`: what a series of identical requests got. */
export function describeAnswers(answers: readonly Answer[]): string {
  const counts = new Map<number, number>();
  for (const answer of answers) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  const statuses = [...counts].map(([status, count]) => `${status === 0 ? 'transport error' : status}×${count}`);
  const sorted = answers.map((answer) => answer.ms).sort((left, right) => left - right);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
  return `${statuses.join(', ')} (median ${median.toFixed(0)} ms)`;
}

/** Uploads `bytes` as a File and adds it to the vector store; resolves with the vector store file's id. */
export async function uploadAndAttach(client: OpenAI, storeId: string, filename: string, bytes: Uint8Array) {
  const file = await client.files.create({ file: await toFile(bytes, filename), purpose: 'assistants' });
  await client.vectorStores.files.create(storeId, { file_id: file.id });
  return file.id;
}

/** Polls a vector store file until it leaves `in_progress`; undefined past `deadline` (performance.now()). */
export async function waitForFile(
  client: OpenAI,
  storeId: string,
  fileId: string,
  deadline: number,
): Promise<VectorStoreFile | undefined> {
  while (performance.now() < deadline) {
    const file = await client.vectorStores.files.retrieve(fileId, { vector_store_id: storeId });
    if (file.status !== 'in_progress') return file;
    await sleep(POLL_MS);
  }
  return undefined;
}

/** `failed: invalid_file: The DOCX …`, the message cut to stay readable in a report. */
export function describeFile(file: VectorStoreFile | undefined): string {
  if (!file) return 'still in_progress at the deadline';
  const error = file.last_error ? `: ${file.last_error.code}: ${shorten(file.last_error.message, 110)}` : '';
  return `${file.status}${error}`;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'expired', 'incomplete', 'requires_action']);

/** Polls a run until it ends (or needs tool outputs); undefined past `deadline`. */
export async function waitForRun(client: OpenAI, threadId: string, runId: string, deadline: number) {
  while (performance.now() < deadline) {
    const run: Run = await client.beta.threads.runs.retrieve(runId, { thread_id: threadId });
    if (TERMINAL.has(run.status)) return run;
    await sleep(POLL_MS);
  }
  return undefined;
}

export function describeRun(run: Run | undefined, seconds: number): string {
  if (!run) return `run unfinished after ${seconds.toFixed(1)} s`;
  const error = run.last_error ? ` (${run.last_error.code}: ${shorten(run.last_error.message, 80)})` : '';
  return `run ${run.status} in ${seconds.toFixed(1)} s${error}`;
}

export function shorten(text: string, length: number): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length <= length ? oneLine : `${oneLine.slice(0, length - 1)}…`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Seconds since `started` (a performance.now() value). */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
