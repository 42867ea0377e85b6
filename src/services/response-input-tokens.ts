import { errors } from '../errors.js';
import { newId } from '../ids.js';
import {
  type ChatMessage,
  createTokenCounter,
  encodingForModel,
  type TokenCountPool,
  type ToolDefinition,
} from '../providers/index.js';
import { type CreateResponseBody, responseEcho, responseRun } from '../responses/create-response.js';
import type { InputFileSupport } from '../responses/input-file.js';
import { toThreadRows } from '../responses/input-items.js';
import { chatTexts, countAhead } from '../runs/chat-texts.js';
import { toToolDefinitions } from '../runs/chat-tools.js';
import { chainSegments } from '../runs/response-history.js';
import { pairToolTurns, rowToChatMessages } from '../runs/row-to-chat-messages.js';
import { countingOnly, type HistorySegment, selectHistory } from '../runs/select-history.js';
import type { Store } from '../store/store.js';
import { CODE_INTERPRETER_DEFINITION } from '../tools/code-interpreter/code-interpreter-tool.js';
import { FILE_SEARCH_DEFINITION } from '../tools/file-search/file-search-tool.js';

/** The model whose tokenizer counts a request that names none (OpenAI's current default family). */
const DEFAULT_MODEL = 'gpt-4o';

/**
 * `POST /responses/input_tokens`: how many input tokens a response with this request would start with — its
 * instructions, its conversation's or `previous_response_id` chain's history, its input and its tools, as the run
 * would build them — counted in the token-count pool. Nothing is stored.
 */
export class ResponseInputTokens {
  constructor(
    private readonly store: Store,
    private readonly pool: TokenCountPool,
    private readonly inputFiles?: InputFileSupport,
  ) {}

  async count(
    project: string,
    body: CreateResponseBody,
  ): Promise<{ object: 'response.input_tokens'; input_tokens: number }> {
    if (body.conversation && body.previous_response_id) throw errors.conversationWithPreviousResponse();
    const model = body.model ?? DEFAULT_MODEL;
    const echo = responseEcho(body, model);
    const segments = await this.#history(project, body);
    const history = await selectHistory(this.store.messages, this.pool, {
      project,
      segments,
      rows: 'all',
      runId: '',
      model,
      budget: Number.POSITIVE_INFINITY,
      lastMessages: null,
    });
    const findRow = async (id: string) => (await this.store.messages.findRow(project, id))?.row;
    const threadId = segments[0]?.threadId ?? newId('thread_');
    const context = { store: this.store, project, param: 'input', findRow, inputFiles: this.inputFiles };
    const input = await toThreadRows(context, threadId, body.input ?? []);
    const rows = [...history.rows, ...input.map((entry) => entry.row)];
    const turns = (await Promise.all(rows.map((row) => rowToChatMessages(row, countingOnly)))).flat();
    const messages: ChatMessage[] = [
      ...(echo.instructions ? [{ role: 'system' as const, content: echo.instructions }] : []),
      ...pairToolTurns(turns),
    ];
    const tools: ToolDefinition[] = [
      ...(echo.tools.some((tool) => tool.type === 'file_search') ? [FILE_SEARCH_DEFINITION] : []),
      ...(echo.tools.some((tool) => tool.type === 'code_interpreter') ? [CODE_INTERPRETER_DEFINITION] : []),
      ...toToolDefinitions(responseRun(echo, threadId, body.tools)),
    ];
    const encoding = encodingForModel(model);
    const known = await countAhead((texts) => this.pool.count(encoding, texts), chatTexts(messages, tools));
    const counter = createTokenCounter(model, known);
    return {
      object: 'response.input_tokens',
      input_tokens: counter.countMessages(messages) + counter.countTools(tools),
    };
  }

  /** The conversation's thread, or the `previous_response_id` chain; none for a request standing alone. */
  async #history(project: string, body: CreateResponseBody): Promise<HistorySegment[]> {
    if (body.conversation) {
      const id = typeof body.conversation === 'string' ? body.conversation : body.conversation.id;
      if (!(await this.store.threads.get(project, id))) throw errors.conversationNotFound(id);
      return [{ threadId: id }];
    }
    if (!body.previous_response_id) return [];
    const previous = await this.store.runs.getById(body.previous_response_id);
    if (!previous || previous.project !== project || !previous.state.response?.echo.store) {
      throw errors.previousResponseNotFound(body.previous_response_id);
    }
    return chainSegments(this.store, project, body.previous_response_id);
  }
}
