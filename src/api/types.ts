/** Names for the contract's generated types, so the rest of the code never spells `components[...]`. */
import type { components } from './generated/openapi.js';

type Schemas = components['schemas'];

export type Assistant = Schemas['AssistantObject'];
export type CreateAssistantRequest = Schemas['CreateAssistantRequest'];
export type ModifyAssistantRequest = Schemas['ModifyAssistantRequest'];

export type Thread = Schemas['ThreadObject'];
export type CreateThreadRequest = Schemas['CreateThreadRequest'];
export type ModifyThreadRequest = Schemas['ModifyThreadRequest'];

export type Message = Schemas['MessageObject'];
export type MessageContent = Message['content'][number];
export type MessageAttachment = NonNullable<Message['attachments']>[number];
export type CreateMessageRequest = Schemas['CreateMessageRequest'];
export type ModifyMessageRequest = Schemas['ModifyMessageRequest'];

export type OpenAIFile = Schemas['OpenAIFile'];
export type Upload = Schemas['Upload'];
export type UploadPart = Schemas['UploadPart'];
export type CreateUploadRequest = Schemas['CreateUploadRequest'];
export type CompleteUploadRequest = Schemas['CompleteUploadRequest'];

export type Metadata = Schemas['Metadata'];

export type Model = Schemas['Model'];
export type ListModelsResponse = Schemas['ListModelsResponse'];

/** `tool_resources` as assistants and threads store them (after any create-time helpers ran). */
export type ToolResources = NonNullable<Assistant['tool_resources']>;

export type Run = Schemas['RunObject'];
export type RunStep = Schemas['RunStepObject'];
export type CreateRunRequest = Schemas['CreateRunRequest'];
export type CreateThreadAndRunRequest = Schemas['CreateThreadAndRunRequest'];
export type SubmitToolOutputsRequest = Schemas['SubmitToolOutputsRunRequest'];
export type ModifyRunRequest = Schemas['ModifyRunRequest'];
export type StreamEventName = Schemas['AssistantStreamEvent']['event'];

export type VectorStore = Schemas['VectorStoreObject'];
export type VectorStoreFile = Schemas['VectorStoreFileObject'];
export type VectorStoreFileBatch = Schemas['VectorStoreFileBatchObject'];
export type VectorStoreFileAttributes = Schemas['VectorStoreFileAttributes'];
export type CreateVectorStoreRequest = Schemas['CreateVectorStoreRequest'];
export type UpdateVectorStoreRequest = Schemas['UpdateVectorStoreRequest'];
export type CreateVectorStoreFileRequest = Schemas['CreateVectorStoreFileRequest'];
/** The generated type is `unknown` (the schema is an `anyOf` of required-field variants). */
export interface CreateVectorStoreFileBatchRequest {
  file_ids?: string[];
  files?: CreateVectorStoreFileRequest[];
  chunking_strategy?: unknown;
  attributes?: VectorStoreFileAttributes;
}
export type VectorStoreSearchRequest = Schemas['VectorStoreSearchRequest'];
export type VectorStoreSearchResultsPage = Schemas['VectorStoreSearchResultsPage'];
