import { type CompletionScript, startScriptedUpstream } from '../../test/upstream/index.js';

/** What the bench asks the upstream's process (upstream-control.ts sends these). */
export type UpstreamCommand =
  | { id: number; kind: 'respond'; script: CompletionScript }
  | { id: number; kind: 'model-calls' }
  | { id: number; kind: 'last-model-request' };

/*
 * The scripted upstream (test/upstream/) in a process of its own, as a provider is on another machine: it then
 * never shares an event loop with the bench's SSE client, which in part 2 would otherwise read our server's
 * 1,000 streams and write the upstream's 1,000 streams on one loop. Prints one JSON line with its base URL,
 * then answers commands over the IPC channel.
 */
const upstream = await startScriptedUpstream();
console.log(JSON.stringify({ baseURL: upstream.baseURL }));

process.on('message', (command: UpstreamCommand) => {
  const modelRequests = () => upstream.requests.filter((request) => request.path === '/v1/chat/completions');
  switch (command.kind) {
    case 'respond':
      upstream.respond(command.script);
      // Forget what was recorded so far: the bench only asks about requests since the last script.
      upstream.requests.splice(0);
      process.send!({ id: command.id, value: null });
      return;
    case 'model-calls':
      process.send!({ id: command.id, value: modelRequests().length });
      return;
    case 'last-model-request':
      process.send!({ id: command.id, value: modelRequests().at(-1)?.body ?? null });
      return;
  }
});
process.on('disconnect', () => {
  void upstream.close().then(() => process.exit(0));
});
