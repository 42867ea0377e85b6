import OpenAI, { toFile } from 'openai-v4-46';
import { VERSION } from 'openai-v4-46/version';
import type { NamedContent, SdkGeneration, SdkOperations } from './sdk-adapter.js';

/**
 * The 4.x OpenAI's Next.js assistants quickstart locks (4.46.0; 4.46.1 only made its imports relative): path ids as
 * leading arguments (`runs.retrieve(threadId, runId)`), vector stores under `beta`, node-fetch as its transport.
 * package.json's overrides give it web-streams-polyfill 3.2.1, within its range: 3.3's types reference TypeScript's
 * DOM library, which would put DOM types into the whole project's type check.
 */
export const openaiV4_46: SdkGeneration = { label: `openai ${VERSION}`, connect };

function connect(baseURL: string): SdkOperations {
  const client = new OpenAI({ baseURL, apiKey: 'test-key', maxRetries: 0, timeout: 60_000 });
  const upload = ({ name, content }: NamedContent) => toFile(Buffer.from(content), name);
  return {
    uploadFile: async (file) => client.files.create({ file: await upload(file), purpose: 'assistants' }),
    downloadFile: async (fileId) => Buffer.from(await (await client.files.content(fileId)).arrayBuffer()),
    createVectorStore: (name) => client.beta.vectorStores.create({ name }),
    retrieveVectorStore: (vectorStoreId) => client.beta.vectorStores.retrieve(vectorStoreId),
    createAndPollStoreFile: (vectorStoreId, fileId) =>
      client.beta.vectorStores.files.createAndPoll(vectorStoreId, { file_id: fileId }),
    uploadAndPollStoreFile: async (vectorStoreId, file) =>
      client.beta.vectorStores.files.uploadAndPoll(vectorStoreId, await upload(file)),
    createAndPollBatch: (vectorStoreId, fileIds) =>
      client.beta.vectorStores.fileBatches.createAndPoll(vectorStoreId, { file_ids: fileIds }),
    uploadAndPollBatch: async (vectorStoreId, files) =>
      client.beta.vectorStores.fileBatches.uploadAndPoll(vectorStoreId, {
        files: await Promise.all(files.map(upload)),
      }),
    createAssistant: (params) => client.beta.assistants.create(params),
    createThread: (text) => client.beta.threads.create({ messages: [{ role: 'user', content: text }] }),
    createAndPollRun: (threadId, assistantId) =>
      client.beta.threads.runs.createAndPoll(threadId, { assistant_id: assistantId }),
    retrieveRun: (threadId, runId) => client.beta.threads.runs.retrieve(threadId, runId),
    listMessages: async (threadId) => (await client.beta.threads.messages.list(threadId, { order: 'asc' })).data,
    retrieveMessage: (threadId, messageId) => client.beta.threads.messages.retrieve(threadId, messageId),
    streamRun: (threadId, assistantId) => client.beta.threads.runs.stream(threadId, { assistant_id: assistantId }),
    submitToolOutputsStream: (threadId, runId, outputs) =>
      client.beta.threads.runs.submitToolOutputsStream(threadId, runId, { tool_outputs: outputs }),
  };
}
