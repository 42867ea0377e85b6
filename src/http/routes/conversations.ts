import type { FastifyPluginAsync } from 'fastify';
import { responsesSchemaRef } from '../../api/contract.js';
import { INPUT_ITEM_SCHEMA } from '../../api/input-item-schema.js';
import { parsePageRequest } from '../../api/pagination.js';
import type { Query } from '../../api/query-params.js';
import type { Metadata } from '../../api/types.js';
import { errors } from '../../errors.js';
import type { CreateConversationRequest } from '../../services/conversations.js';
import type { Services } from '../../services/index.js';

type ConversationParams = { conversation_id: string };
type ItemParams = ConversationParams & { item_id: string };

/** Up to 20 items a request, as OpenAI allows. */
const ITEMS = { type: 'array', maxItems: 20, items: INPUT_ITEM_SCHEMA } as const;

/**
 * `CreateConversationBody` with its items checked by `INPUT_ITEM_SCHEMA` (the contract's `InputItem` union refuses
 * valid messages; see there). Metadata is the contract's.
 */
const CREATE_BODY = {
  type: 'object',
  properties: {
    metadata: responsesSchemaRef('CreateConversationBody/properties/metadata'),
    items: { anyOf: [ITEMS, { type: 'null' }] },
  },
} as const;

const CREATE_ITEMS_BODY = { type: 'object', properties: { items: ITEMS }, required: ['items'] } as const;

/** The contract's `IncludeEnum`. */
const INCLUDE_VALUES = [
  'file_search_call.results',
  'web_search_call.results',
  'web_search_call.action.sources',
  'message.input_image.image_url',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'reasoning.encrypted_content',
  'message.output_text.logprobs',
];

export function conversationRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.post('/conversations', { schema: { body: CREATE_BODY } }, async (request) =>
      services.conversations.create(request.project, request.body as CreateConversationRequest),
    );

    app.get<{ Params: ConversationParams }>('/conversations/:conversation_id', async (request) =>
      services.conversations.get(request.project, request.params.conversation_id),
    );

    app.post<{ Params: ConversationParams }>(
      '/conversations/:conversation_id',
      { schema: { body: responsesSchemaRef('UpdateConversationBody') } },
      async (request) => {
        const { metadata } = request.body as { metadata: Metadata };
        return services.conversations.update(request.project, request.params.conversation_id, metadata);
      },
    );

    app.delete<{ Params: ConversationParams }>('/conversations/:conversation_id', async (request) =>
      services.conversations.delete(request.project, request.params.conversation_id),
    );

    app.post<{ Params: ConversationParams; Querystring: Query }>(
      '/conversations/:conversation_id/items',
      { schema: { body: CREATE_ITEMS_BODY } },
      async (request) => {
        const { items } = request.body as { items: unknown[] };
        const include = parseInclude(request.query);
        return services.conversations.createItems(request.project, request.params.conversation_id, items, include);
      },
    );

    app.get<{ Params: ConversationParams; Querystring: Query }>(
      '/conversations/:conversation_id/items',
      async (request) => {
        const page = parsePageRequest(request.query, { allowBefore: false });
        const include = parseInclude(request.query);
        return services.conversations.listItems(request.project, request.params.conversation_id, page, include);
      },
    );

    app.get<{ Params: ItemParams; Querystring: Query }>(
      '/conversations/:conversation_id/items/:item_id',
      async (request) => {
        const { conversation_id: id, item_id: itemId } = request.params;
        return services.conversations.getItem(request.project, id, itemId, parseInclude(request.query));
      },
    );

    app.delete<{ Params: ItemParams }>('/conversations/:conversation_id/items/:item_id', async (request) =>
      services.conversations.deleteItem(request.project, request.params.conversation_id, request.params.item_id),
    );
  };
}

/** `include[]=...` (the SDK's form) or `include=...`, each value one of the contract's. */
function parseInclude(query: Query): string[] {
  const raw = query['include[]'] ?? query.include;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  const unknown = values.find((value) => !INCLUDE_VALUES.includes(value));
  if (unknown !== undefined) {
    const supported = INCLUDE_VALUES.map((value) => `'${value}'`);
    throw errors.unsupportedValue(
      'include',
      `'${unknown}'`,
      `${supported.slice(0, -1).join(', ')}, and ${supported.at(-1)}`,
    );
  }
  return values;
}
