/** The SDK's types under short names, so components never spell the SDK's namespaces. */
import type OpenAI from 'openai';

export type Client = OpenAI;
export type Assistant = OpenAI.Beta.Assistant;
export type AssistantTool = OpenAI.Beta.AssistantTool;
export type AssistantCreateParams = OpenAI.Beta.AssistantCreateParams;
export type Message = OpenAI.Beta.Threads.Message;
export type MessageContent = OpenAI.Beta.Threads.MessageContent;
export type MessageContentPartParam = OpenAI.Beta.Threads.MessageContentPartParam;
export type TextContentBlock = OpenAI.Beta.Threads.TextContentBlock;
export type Annotation = OpenAI.Beta.Threads.Annotation;
export type Run = OpenAI.Beta.Threads.Run;
export type RunStep = OpenAI.Beta.Threads.Runs.RunStep;
export type ToolCall = OpenAI.Beta.Threads.Runs.ToolCall;
export type RequiredToolCall = OpenAI.Beta.Threads.RequiredActionFunctionToolCall;
export type VectorStore = OpenAI.VectorStore;
export type VectorStoreFile = OpenAI.VectorStores.VectorStoreFile;
export type FileObject = OpenAI.FileObject;
export type Model = OpenAI.Model;
export type FunctionDefinition = OpenAI.FunctionDefinition;
