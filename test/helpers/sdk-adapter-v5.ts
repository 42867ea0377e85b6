import OpenAI, { toFile } from 'openai-v5';
import { VERSION } from 'openai-v5/version';
import type { NamedContent, SdkGeneration, SdkOperations } from './sdk-adapter.js';

/** 5.x (LangChain 0.3's): vector stores out of `beta`, path ids after the body, as in 7.x. */
export const openaiV5: SdkGeneration = { label: `openai ${VERSION}`, connect };

function connect(baseURL: string): SdkOperations {
  const client = new OpenAI({ baseURL, apiKey: 'test-key', maxRetries: 0, timeout: 60_000 });
  const upload = ({ name, content }: NamedContent) => toFile(Buffer.from(content), name);
  return {
    uploadFile: async (file) => client.files.create({ file: await upload(file), purpose: 'assistants' }),
    downloadFile: async (fileId) => Buffer.from(await (await client.files.content(fileId)).arrayBuffer()),
    createVectorStore: (name) => client.vectorStores.create({ name }),
    retrieveVectorStore: (vectorStoreId) => client.vectorStores.retrieve(vectorStoreId),
    createAndPollStoreFile: (vectorStoreId, fileId) =>
      client.vectorStores.files.createAndPoll(vectorStoreId, { file_id: fileId }),
    uploadAndPollStoreFile: async (vectorStoreId, file) =>
      client.vectorStores.files.uploadAndPoll(vectorStoreId, await upload(file)),
    createAndPollBatch: (vectorStoreId, fileIds) =>
      client.vectorStores.fileBatches.createAndPoll(vectorStoreId, { file_ids: fileIds }),
    uploadAndPollBatch: async (vectorStoreId, files) =>
      client.vectorStores.fileBatches.uploadAndPoll(vectorStoreId, { files: await Promise.all(files.map(upload)) }),
    createAssistant: (params) => client.beta.assistants.create(params),
    createThread: (text) => client.beta.threads.create({ messages: [{ role: 'user', content: text }] }),
    createAndPollRun: (threadId, assistantId) =>
      client.beta.threads.runs.createAndPoll(threadId, { assistant_id: assistantId }),
    retrieveRun: (threadId, runId) => client.beta.threads.runs.retrieve(runId, { thread_id: threadId }),
    listMessages: async (threadId) => (await client.beta.threads.messages.list(threadId, { order: 'asc' })).data,
    retrieveMessage: (threadId, messageId) => client.beta.threads.messages.retrieve(messageId, { thread_id: threadId }),
    streamRun: (threadId, assistantId) => client.beta.threads.runs.stream(threadId, { assistant_id: assistantId }),
    submitToolOutputsStream: (threadId, runId, outputs) =>
      client.beta.threads.runs.submitToolOutputsStream(runId, { thread_id: threadId, tool_outputs: outputs }),
  };
}
