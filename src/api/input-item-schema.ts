import { type OpenApiDocument, responsesSchemaRef } from './contract.js';

/**
 * The request schema of one input item (`input[i]` of a response, `items[i]` of a conversation).
 *
 * Not the contract's `InputItem`: its `oneOf` branches overlap (a user message with `input_text` parts is both an
 * `EasyInputMessage` and an `Item`, so Ajv refuses it), and an assistant message with `output_text` parts and no `id`
 * (what clients send as history, and OpenAI accepts) matches no branch. So each item is checked against the
 * contract schema of its own `type` (nested parts included), and messages, item references and the types the server
 * does not serve are left to `toThreadRows`, which checks them with the same kind of errors.
 */
export const INPUT_ITEM_SCHEMA = {
  type: 'object',
  allOf: [
    byType('function_call', 'FunctionToolCall'),
    byType('function_call_output', 'FunctionCallOutputItemParam'),
    byType('reasoning', 'ReasoningItem'),
    byType('file_search_call', 'FileSearchToolCall'),
    byType('code_interpreter_call', 'CodeInterpreterToolCall'),
    byType('item_reference', 'ItemReferenceParam'),
  ],
} as const;

function byType(type: string, schemaName: string) {
  return {
    if: { properties: { type: { const: type } }, required: ['type'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then; the object is never awaited.
    then: responsesSchemaRef(schemaName),
  };
}

/**
 * The Responses contract as the server validates requests with it:
 * - `InputParam` (a response's `input`, and an input token count's) takes a string or a list of items each
 *   checked by `INPUT_ITEM_SCHEMA`;
 * - a function tool needs only its `type` and `name`: the schema requires `strict` and `parameters`, which OpenAI
 *   fills in when left out (and clients such as the AI SDK leave out).
 */
export function forRequestValidation(document: OpenApiDocument): OpenApiDocument {
  const functionTool = document.components.schemas.FunctionTool as Record<string, unknown>;
  const tokenCounts = document.components.schemas.TokenCountsBody as { properties: Record<string, unknown> };
  const schemas = {
    ...document.components.schemas,
    InputParam: { anyOf: [{ type: 'string' }, { type: 'array', items: INPUT_ITEM_SCHEMA }] },
    FunctionTool: { ...functionTool, required: ['type', 'name'] },
    // The token count's `input` repeats InputParam's old form inline: it takes what a response's input takes.
    TokenCountsBody: {
      ...tokenCounts,
      properties: {
        ...tokenCounts.properties,
        input: { anyOf: [{ $ref: '#/components/schemas/InputParam' }, { type: 'null' }] },
      },
    },
  };
  return { ...document, components: { ...document.components, schemas } };
}
