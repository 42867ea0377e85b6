import { type ScriptedUpstream, startScriptedUpstream } from '../../test/upstream/index.js';
import type { Abuse, AbuseContext } from './abuse.js';
import { ABUSES } from './abuses/index.js';
import { benchClient, sleep, waitForFile, waitForRun } from './api.js';
import { describeLoad, describeMachine } from './describe-machine.js';
import { type Measurement, measureWindow, type Window } from './measure.js';
import { formatReport, type Row } from './report.js';
import { type AbusedServer, API_KEY, startAbusedServer } from './server.js';
import { type AbuseBenchSettings, readSettings } from './settings.js';

/**
 * Abuses our server one at a time while a separate process polls `GET /health` every 10 ms, and reads the
 * server's memory around each: /health p50/p99/max beside the same poller's figures with no abuse (the
 * ceiling, measured first in the same run), RSS before/peak/after, and what the server answered.
 */
async function main(): Promise<void> {
  const settings = readSettings();
  console.log(`bench/abuse: ${describeMachine()}`);
  console.log(
    `/health polled every ${settings.intervalMs} ms from its own process; abuses bounded by ` +
      `${settings.timeoutSeconds} s, RSS "after" read ${settings.settleSeconds} s after each; ` +
      `embeddings: ${settings.embeddings === 'none' ? 'off (keyword only)' : 'scripted upstream'}`,
  );
  const upstream = await startScriptedUpstream();
  let abused = await startAbusedServer(upstream, settings);
  try {
    await warmUp(contextOf(abused, upstream, settings));
    console.error('baseline: no abuse');
    const baseline = await idleWindow(abused, settings);
    const rows: Row[] = [];
    for (const name of settings.abuses) {
      const abuse = ABUSES[name];
      console.error(`abuse: ${abuse.title}`);
      const row = await runAbuse(abuse, contextOf(abused, upstream, settings), windowOf(abused, settings));
      rows.push(row);
      console.error(`  ${row.measurement?.outcome ?? row.skipped}`);
      if (row.measurement?.spoiled) {
        console.error('  (the server is replaced by a fresh one for what follows)');
        await abused.close();
        abused = await startAbusedServer(upstream, settings);
        await warmUp(contextOf(abused, upstream, settings));
      }
    }
    console.error('baseline again, after the abuses');
    rows.push({
      title: 'baseline again, after the abuses',
      memoryGoal: false,
      measurement: await idleWindow(abused, settings),
    });
    console.log('');
    console.log(formatReport(baseline, rows));
    console.log('');
    console.log(`At the end: ${describeLoad()}`);
  } finally {
    await abused.close();
    await upstream.close();
  }
}

async function runAbuse(abuse: Abuse, context: AbuseContext, window: Window): Promise<Row> {
  const row = { title: abuse.title, memoryGoal: abuse.memoryGoal };
  // A queue left by an abuse that ended early must not answer this one's model calls.
  context.upstream.reset();
  context.upstream.respond({ text: 'Done.' });
  const prepared = await abuse.prepare(context).catch((error: unknown) => ({ skip: `could not prepare: ${error}` }));
  if ('skip' in prepared) {
    console.log(`note: ${abuse.name} skipped: ${prepared.skip}`);
    return { ...row, skipped: `skipped: ${prepared.skip}` };
  }
  return { ...row, measurement: await measureWindow(window, prepared.run) };
}

function idleWindow(abused: AbusedServer, settings: AbuseBenchSettings): Promise<Measurement> {
  return measureWindow(windowOf(abused, settings), async () => {
    await sleep(settings.baselineSeconds * 1000);
    return `idle for ${settings.baselineSeconds} s`;
  });
}

/** One run and one small ingestion, so no abuse pays for the first request's lazy loading. */
async function warmUp({ client, upstream }: AbuseContext): Promise<void> {
  upstream.respond({ text: 'Warm.' });
  const deadline = performance.now() + 60_000;
  const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Warm up.' }] });
  const run = await client.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
  await waitForRun(client, thread.id, run.id, deadline);
  const store = await client.vectorStores.create({ name: 'warm-up' });
  const file = await client.files.create({
    file: new File(['Warm up the ingestion.'], 'warm.txt'),
    purpose: 'assistants',
  });
  await client.vectorStores.files.create(store.id, { file_id: file.id });
  await waitForFile(client, store.id, file.id, deadline);
}

function contextOf(abused: AbusedServer, upstream: ScriptedUpstream, settings: AbuseBenchSettings): AbuseContext {
  return {
    client: benchClient(abused.server.url, API_KEY),
    serverUrl: abused.server.url,
    apiKey: API_KEY,
    upstream,
    settings,
    codeInterpreterDir: abused.codeInterpreterDir,
  };
}

function windowOf(abused: AbusedServer, settings: AbuseBenchSettings): Window {
  return {
    pid: abused.server.pid,
    serverUrl: abused.server.url,
    intervalMs: settings.intervalMs,
    timeoutMs: settings.timeoutSeconds * 1000,
    settleMs: settings.settleSeconds * 1000,
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
