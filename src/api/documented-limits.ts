// biome-ignore lint/suspicious/noExplicitAny: the spec's schemas are walked and edited as untyped JSON.
type Schema = Record<string, any>;

/** Limits OpenAI documents in prose or enforces server-side, turned into schema keywords. */
export const LIMITS = {
  metadataPairs: 16,
  metadataKeyLength: 64,
  metadataValueLength: 512,
  functionDescriptionLength: 1024,
  functionNameLength: 64,
  /** As the assistant's (the spec states it on assistants only): runs override or extend those instructions. */
  runInstructionsLength: 256_000,
  /**
   * A message's text (string content, or each text part). The spec stated `maxLength: 256000` on
   * `CreateMessageRequest.content` from openai/openai-openapi 5fd86c8 (PR #219, 2024-04-09, raised from 32,768)
   * until content became string-or-parts (451aa0b, 2024-05-09) and the bound fell out of the text.
   */
  messageTextLength: 256_000,
  /**
   * Messages a thread may be created with. Not in the spec; OpenAI's API refused more with "ensure this value
   * has at most 32 items" for `thread.messages` (openai-php/client#269), and clients still split initial
   * messages at 32 for Assistants v2 (dimagi/open-chat-studio#688).
   */
  threadCreateMessages: 32,
} as const;

/**
 * Adds the documented limits the spec states only in descriptions, so one validator enforces
 * them with OpenAI-style messages. Mutates and returns the (already copied) components.
 */
export function applyDocumentedLimits(components: { schemas: Record<string, unknown> }): {
  schemas: Record<string, unknown>;
} {
  const schemas = components.schemas as Record<string, Schema>;

  const metadataMap = schemas.Metadata?.anyOf?.find((branch: Schema) => branch.type === 'object');
  if (metadataMap) {
    metadataMap.maxProperties = LIMITS.metadataPairs;
    metadataMap.propertyNames = { type: 'string', maxLength: LIMITS.metadataKeyLength };
    metadataMap.additionalProperties = { type: 'string', maxLength: LIMITS.metadataValueLength };
  }

  const functionObject = schemas.FunctionObject;
  if (functionObject?.properties) {
    functionObject.properties.description.maxLength = LIMITS.functionDescriptionLength;
    functionObject.properties.name.pattern = `^[a-zA-Z0-9_-]{1,${LIMITS.functionNameLength}}$`;
  }

  applyRunAndMessageLimits(schemas);

  // The spec puts `required: [file_id, tools]` on the attachments array instead of its items.
  const attachments = schemas.CreateMessageRequest?.properties?.attachments?.anyOf?.find(
    (branch: Schema) => branch.type === 'array',
  );
  if (attachments) {
    delete attachments.required;
    attachments.items.required = ['file_id'];
    attachments.items.additionalProperties = false;
  }
  return components;
}

/** Limits the spec leaves out for runs and messages; where each comes from is noted on `LIMITS`. */
function applyRunAndMessageLimits(schemas: Record<string, Schema>): void {
  for (const name of ['CreateRunRequest', 'CreateThreadAndRunRequest']) {
    for (const field of ['instructions', 'additional_instructions']) {
      const text = stringBranch(schemas[name]?.properties?.[field]);
      if (text) text.maxLength = LIMITS.runInstructionsLength;
    }
  }
  const contentBranches: Schema[] = schemas.CreateMessageRequest?.properties?.content?.oneOf ?? [];
  const content = contentBranches.find((branch) => branch.type === 'string');
  if (content) content.maxLength = LIMITS.messageTextLength;
  const partText = schemas.MessageRequestContentTextObject?.properties?.text;
  if (partText) partText.maxLength = LIMITS.messageTextLength;
  const threadMessages = schemas.CreateThreadRequest?.properties?.messages;
  if (threadMessages?.type === 'array') threadMessages.maxItems = LIMITS.threadCreateMessages;
}

/** The string schema of an optional string field: itself, or its branch of `anyOf: [string, null]`. */
function stringBranch(schema: Schema | undefined): Schema | undefined {
  if (schema?.type === 'string') return schema;
  return schema?.anyOf?.find((branch: Schema) => branch.type === 'string');
}
