type Schema = Record<string, any>;

/** Limits OpenAI documents in prose or enforces server-side, turned into schema keywords. */
export const LIMITS = {
  metadataPairs: 16,
  metadataKeyLength: 64,
  metadataValueLength: 512,
  functionDescriptionLength: 1024,
  functionNameLength: 64,
} as const;

/**
 * Adds the documented limits the spec states only in descriptions, so one validator enforces
 * them with OpenAI-style messages. Mutates and returns the (already copied) components.
 */
export function applyDocumentedLimits(components: { schemas: Record<string, unknown> }): { schemas: Record<string, unknown> } {
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
