import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Message, Run, RunStep } from '../src/api/types.js';
import {
  messageToItem,
  type ResponseItem,
  responseOutput,
  rowToItem,
  stepToItems,
  toolCallItemId,
} from '../src/responses/items.js';
import { responseStatus, toResponse } from '../src/responses/serialize-response.js';
import {
  completeMessage,
  endStep,
  incompleteMessage,
  newAssistantMessage,
  newMessageCreationStep,
  newToolCallsStep,
  toUsage,
} from '../src/runs/run-objects.js';
import { responseRunObject, responseSettings, storedResponseRun } from './helpers/response-run-fixture.js';
import { strictResponsesProblems } from './helpers/strict-contract.js';

/*
 * The Responses view of Assistants objects (src/responses/items.ts, serialize-response.ts): every item and Response
 * built here is checked against the Responses contract, undeclared fields included, at any depth.
 */

function assertConforms(schema: string, value: unknown): void {
  assert.deepEqual(strictResponsesProblems(schema, value), [], `${schema}: ${JSON.stringify(value)}`);
}

/** An output item is valid where the API shows it: in a response's output and as a conversation item. */
function assertOutputItem(item: ResponseItem): void {
  assertConforms('OutputItem', item);
  assertConforms('ConversationItem', item);
  assertConforms('ItemResource', item);
}

const run = responseRunObject();

function userMessage(content: Message['content']): Message {
  return { ...newAssistantMessage(run), role: 'user', status: 'completed', content, run_id: null, assistant_id: null };
}

const MARKER = '【0:1†france.txt】';

function answerWithCitations(): Message {
  const text = `Paris ${MARKER}. Get it: sandbox:/mnt/data/out/report.csv now`;
  const linkStart = text.indexOf('sandbox:');
  const link = 'sandbox:/mnt/data/out/report.csv';
  return completeMessage(
    newAssistantMessage(run),
    text,
    [
      {
        type: 'file_citation',
        text: MARKER,
        start_index: 6,
        end_index: 6 + MARKER.length,
        file_citation: { file_id: 'file-france' },
      },
      {
        type: 'file_path',
        text: link,
        start_index: linkStart,
        end_index: linkStart + link.length,
        file_path: { file_id: 'file-report' },
      },
    ],
    ['file-figure'],
  );
}

function toolStep(calls: Extract<RunStep['step_details'], { type: 'tool_calls' }>['tool_calls']): RunStep {
  return { ...newToolCallsStep(run), step_details: { type: 'tool_calls', tool_calls: calls } };
}

const functionCall = {
  id: 'call_weather1',
  type: 'function' as const,
  function: { name: 'get_weather', arguments: '{"city":"Paris"}', output: null },
};
const fileSearchCall = {
  id: 'call_search1',
  type: 'file_search' as const,
  file_search: {
    ranking_options: { ranker: 'default_2024_08_21' as const, score_threshold: 0 },
    results: [
      {
        file_id: 'file-france',
        file_name: 'france.txt',
        score: 0.82,
        content: [{ type: 'text' as const, text: 'The capital of France is Paris.' }],
      },
    ],
  },
};
const codeCall = {
  id: 'call_code1',
  type: 'code_interpreter' as const,
  code_interpreter: {
    input: 'print(6*7)',
    outputs: [
      { type: 'logs' as const, logs: '42' },
      { type: 'image' as const, image: { file_id: 'file-figure' } },
    ],
  },
};

test('the strict contract check finds undeclared fields at any depth, and wrong types', () => {
  const item = messageToItem(answerWithCitations());
  const part = item.content[0] as { annotations: object[] };
  const extra = { ...item, content: [{ ...part, annotations: [{ ...part.annotations[0], page: 3 }] }] };
  assert.deepEqual(strictResponsesProblems('OutputItem', extra), [
    "OutputItem.content[0].annotations[0]: undeclared field 'page'",
  ]);
  assert.notDeepEqual(strictResponsesProblems('OutputItem', { ...item, status: 'done' }), []);
});

describe('tool call item ids', () => {
  test('derive from the call id alone: the call_ prefix becomes the item type prefix', () => {
    assert.equal(toolCallItemId('function_call', 'call_abc123'), 'fc_abc123');
    assert.equal(toolCallItemId('file_search_call', 'call_abc123'), 'fs_abc123');
    assert.equal(toolCallItemId('code_interpreter_call', 'call_abc123'), 'ci_abc123');
    assert.equal(toolCallItemId('function_call', 'toolu_01XYZ'), 'fc_toolu_01XYZ');
    assert.equal(toolCallItemId('function_call', 'call_abc123'), toolCallItemId('function_call', 'call_abc123'));
  });
});

describe('messages as items', () => {
  test('a user message: same id, input_text and input_image parts from image_file and image_url', () => {
    const message = userMessage([
      { type: 'text', text: { value: 'What is in these?', annotations: [] } },
      { type: 'image_file', image_file: { file_id: 'file-cat', detail: 'low' } },
      { type: 'image_url', image_url: { url: 'https://example.com/dog.png', detail: 'auto' } },
    ]);
    const item = messageToItem(message);
    assert.deepEqual(item, {
      id: message.id,
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [
        { type: 'input_text', text: 'What is in these?' },
        { type: 'input_image', file_id: 'file-cat', image_url: null, detail: 'low' },
        { type: 'input_image', file_id: null, image_url: 'https://example.com/dog.png', detail: 'auto' },
      ],
    });
    assertConforms('ConversationItem', item);
    assertConforms('ItemResource', item);
    assertConforms('InputMessageResource', item);
  });

  test("an assistant answer: output_text with logprobs, citations pointing at the marker's end, figures left out", () => {
    const message = answerWithCitations();
    const text = (message.content.at(-1) as { text: { value: string } }).text.value;
    const item = messageToItem(message);
    assert.equal(item.status, 'completed');
    assert.equal(item.content.length, 1, 'the figure is a code_interpreter output, not a message part');
    const part = item.content[0]!;
    assert.equal(part.type, 'output_text');
    assert.ok(part.type === 'output_text');
    assert.equal(part.text, text);
    assert.deepEqual(part.logprobs, []);
    assert.deepEqual(part.annotations, [
      { type: 'file_citation', file_id: 'file-france', filename: 'france.txt', index: 6 + MARKER.length },
      { type: 'file_path', file_id: 'file-report', index: text.indexOf(' now') },
    ]);
    assertOutputItem(item);
  });

  test('with a container, files the code wrote are container_file_citations; known filenames win over the marker', () => {
    const message = answerWithCitations();
    const text = (message.content.at(-1) as { text: { value: string } }).text.value;
    const item = messageToItem(message, {
      containerId: 'cntr_1',
      filenames: new Map([['file-france', 'France facts.txt']]),
    });
    const part = item.content[0]!;
    assert.ok(part.type === 'output_text');
    assert.deepEqual(part.annotations, [
      { type: 'file_citation', file_id: 'file-france', filename: 'France facts.txt', index: 6 + MARKER.length },
      {
        type: 'container_file_citation',
        container_id: 'cntr_1',
        file_id: 'file-report',
        filename: 'report.csv',
        start_index: text.indexOf('sandbox:'),
        end_index: text.indexOf(' now'),
      },
    ]);
    assertOutputItem(item);
  });

  test('in-progress and incomplete answers keep their status; an empty one has no parts', () => {
    const open = messageToItem(newAssistantMessage(run));
    assert.deepEqual(open.content, []);
    assert.equal(open.status, 'in_progress');
    assertOutputItem(open);
    const cut = messageToItem(incompleteMessage(newAssistantMessage(run), 'Paris is', 'max_tokens'));
    assert.equal(cut.status, 'incomplete');
    assert.deepEqual(cut.content, [{ type: 'output_text', text: 'Paris is', annotations: [], logprobs: [] }]);
    assertOutputItem(cut);
  });

  test('rows: messages through messageToItem, other items as stored', () => {
    const message = answerWithCitations();
    assert.deepEqual(rowToItem({ kind: 'message', message }), messageToItem(message));
    const output = {
      id: 'fco_1',
      type: 'function_call_output',
      call_id: 'call_1',
      output: '18 C',
      status: 'completed',
    };
    assert.equal(rowToItem({ kind: 'item', item: output }), output);
  });
});

describe('run steps as items', () => {
  test('a message_creation step has no item of its own', () => {
    assert.deepEqual(stepToItems(newMessageCreationStep(run, 'msg_1'), { include: [], containerId: null }), []);
  });

  test('a tool_calls step: one item per call, in order, results and outputs only when included', () => {
    const step = endStep(toolStep([functionCall, fileSearchCall, codeCall]), 'completed');
    const items = stepToItems(step, { include: [], containerId: 'cntr_1' });
    assert.deepEqual(items, [
      {
        id: 'fc_weather1',
        type: 'function_call',
        call_id: 'call_weather1',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
        status: 'completed',
      },
      { id: 'fs_search1', type: 'file_search_call', status: 'completed', queries: [], results: null },
      {
        id: 'ci_code1',
        type: 'code_interpreter_call',
        status: 'completed',
        code: 'print(6*7)',
        container_id: 'cntr_1',
        outputs: null,
      },
    ]);
    for (const item of items) assertOutputItem(item);
  });

  test('include file_search_call.results and code_interpreter_call.outputs; queries from the given lookup', () => {
    const step = endStep(toolStep([fileSearchCall, codeCall]), 'completed');
    const [search, code] = stepToItems(step, {
      include: ['file_search_call.results', 'code_interpreter_call.outputs'],
      containerId: 'cntr_1',
      fileSearchQueries: (callId) => (callId === 'call_search1' ? ['capital of France'] : undefined),
      fileAttributes: (fileId) => (fileId === 'file-france' ? { region: 'eu', year: 2024 } : undefined),
      imageUrl: (fileId) => `http://127.0.0.1:8080/v1/files/${fileId}/content`,
    });
    assert.deepEqual(search, {
      id: 'fs_search1',
      type: 'file_search_call',
      status: 'completed',
      queries: ['capital of France'],
      results: [
        {
          file_id: 'file-france',
          filename: 'france.txt',
          score: 0.82,
          text: 'The capital of France is Paris.',
          attributes: { region: 'eu', year: 2024 },
          vector_store_id: null,
        },
      ],
    });
    assert.ok(code?.type === 'code_interpreter_call');
    assert.deepEqual(code.outputs, [
      { type: 'logs', logs: '42' },
      { type: 'image', url: 'http://127.0.0.1:8080/v1/files/file-figure/content' },
    ]);
    assertOutputItem(search!);
    assertOutputItem(code);
    // Files without known attributes show an empty object (clients refuse null there).
    const [unknown] = stepToItems(step, { include: ['file_search_call.results'], containerId: null });
    assert.ok(unknown?.type === 'file_search_call');
    assert.deepEqual(unknown.results?.[0]?.attributes, {});
    assertOutputItem(unknown);
    // `vector_store_id` (the Open Responses spec's) is accepted as a string or null only.
    const result = unknown.results![0]!;
    assertOutputItem({ ...unknown, results: [{ ...result, vector_store_id: 'vs_1' }] });
    assert.notDeepEqual(
      strictResponsesProblems('OutputItem', { ...unknown, results: [{ ...result, vector_store_id: 3 }] }),
      [],
    );
  });

  test('a step that did not complete: calls in progress, failed or incomplete', () => {
    const calls = [functionCall, fileSearchCall, codeCall];
    const statuses = (step: RunStep) =>
      stepToItems(step, { include: [], containerId: null }).map((item) => (item as { status: string }).status);
    assert.deepEqual(statuses(toolStep(calls)), ['in_progress', 'in_progress', 'in_progress']);
    assert.deepEqual(statuses(endStep(toolStep(calls), 'failed')), ['incomplete', 'failed', 'failed']);
    assert.deepEqual(statuses(endStep(toolStep(calls), 'cancelled')), ['incomplete', 'incomplete', 'incomplete']);
    for (const ending of ['failed', 'cancelled', 'expired'] as const) {
      for (const item of stepToItems(endStep(toolStep(calls), ending), { include: [], containerId: null })) {
        assertOutputItem(item);
      }
    }
  });
});

describe("a response's output", () => {
  test('the steps in order: a message_creation step as its message, a tool_calls step as its calls', () => {
    const first = completeMessage(newAssistantMessage(run), 'Let me check.');
    const last = completeMessage(newAssistantMessage(run), 'It is sunny.');
    const steps = [
      endStep(newMessageCreationStep(run, first.id), 'completed'),
      endStep(toolStep([functionCall, codeCall]), 'completed'),
      endStep(newMessageCreationStep(run, last.id), 'completed'),
      endStep(newMessageCreationStep(run, 'msg_not_given'), 'completed'),
    ];
    const options = { include: [], containerId: 'cntr_1' };
    const output = responseOutput(steps, new Map([first, last].map((message) => [message.id, message])), options);
    assert.deepEqual(output, [messageToItem(first), ...stepToItems(steps[1]!, options), messageToItem(last)]);
    assert.deepEqual(
      output.map((item) => item.type),
      ['message', 'function_call', 'code_interpreter_call', 'message'],
    );
  });
});

describe('the Response object', () => {
  const settings = responseSettings({ conversationId: 'conv_1' }, { user: 'user-1', metadata: { topic: 'geo' } });

  function responseOf(overrides: Partial<Run>, output: ResponseItem[] = []) {
    return toResponse(
      storedResponseRun(responseRunObject({ metadata: { topic: 'geo' }, ...overrides }), settings),
      output,
    );
  }

  test('a completed response: echo, output, usage, completed_at; no output_text (the SDKs compute it)', () => {
    const answer = messageToItem(completeMessage(newAssistantMessage(run), 'Paris.'));
    const response = responseOf(
      { status: 'completed', completed_at: 1_764_500_009, usage: toUsage({ prompt: 120, completion: 7 }) },
      [answer],
    );
    assertConforms('Response', response);
    assert.equal(response.object, 'response');
    assert.equal(response.status, 'completed');
    assert.equal(response.completed_at, 1_764_500_009);
    assert.deepEqual(response.conversation, { id: 'conv_1' });
    assert.deepEqual(response.output, [answer]);
    assert.deepEqual(response.usage, {
      input_tokens: 120,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 7,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 127,
    });
    assert.equal(response.user, 'user-1');
    assert.deepEqual(response.metadata, { topic: 'geo' });
    assert.equal(response.error, null);
    assert.equal(response.incomplete_details, null);
    assert.equal('output_text' in response, false);
  });

  test('status mapping: cancelling and requires_action read as in_progress, expired as failed', () => {
    const expected: Record<Run['status'], string> = {
      queued: 'queued',
      in_progress: 'in_progress',
      requires_action: 'in_progress',
      cancelling: 'in_progress',
      cancelled: 'cancelled',
      failed: 'failed',
      completed: 'completed',
      incomplete: 'incomplete',
      expired: 'failed',
    };
    for (const [status, mapped] of Object.entries(expected)) {
      assert.equal(responseStatus(status as Run['status']), mapped, status);
    }
  });

  test('every run status gives a valid Response; running ones have usage null and no completed_at', () => {
    const statuses: Run['status'][] = [
      'queued',
      'in_progress',
      'requires_action',
      'cancelling',
      'cancelled',
      'failed',
      'completed',
      'incomplete',
      'expired',
    ];
    for (const status of statuses) {
      const ended = ['cancelled', 'failed', 'completed', 'incomplete', 'expired'].includes(status);
      const response = responseOf({
        status,
        usage: ended ? toUsage({ prompt: 3, completion: 4 }) : null,
        completed_at: status === 'completed' ? 1_764_500_009 : null,
        last_error: status === 'failed' ? { code: 'server_error', message: 'boom' } : null,
        incomplete_details: status === 'incomplete' ? { reason: 'max_completion_tokens' } : null,
      });
      assertConforms('Response', response);
      assert.equal(response.usage === null, !ended, status);
      assert.equal(response.store, true);
      assert.deepEqual([response.presence_penalty, response.frequency_penalty], [0, 0]);
      if (status !== 'completed') assert.equal(response.completed_at, null, status);
    }
  });

  test('a foreground response reads in_progress while queued; a background one queued', () => {
    assert.equal(responseOf({ status: 'queued' }).status, 'in_progress');
    const background = storedResponseRun(
      responseRunObject({ status: 'queued' }),
      responseSettings({}, { background: true }),
    );
    assert.equal(toResponse(background, []).status, 'queued');
  });

  test('errors: run codes map onto the Response codes; an expired run fails with server_error', () => {
    for (const code of ['server_error', 'rate_limit_exceeded', 'invalid_prompt'] as const) {
      const response = responseOf({ status: 'failed', last_error: { code, message: `it broke: ${code}` } });
      const type = code === 'invalid_prompt' ? 'invalid_request_error' : code;
      assert.deepEqual(response.error, { code, message: `it broke: ${code}`, type, param: null });
      assertConforms('Response', response);
    }
    const expired = responseOf({ status: 'expired' });
    assert.equal(expired.status, 'failed');
    assert.equal(expired.error?.code, 'server_error');
    assertConforms('Response', expired);
  });

  test("the fields OpenAI sends beyond the pinned contract are accepted only in OpenAI's shape", () => {
    const running = responseOf({ status: 'in_progress' });
    const completed = responseOf({
      status: 'completed',
      completed_at: 1_764_500_009,
      usage: toUsage({ prompt: 1, completion: 1 }),
    });
    const failed = responseOf({ status: 'failed', last_error: { code: 'server_error', message: 'boom' } });
    for (const response of [running, completed, failed]) assertConforms('Response', response);
    const refused: Array<[string, unknown]> = [
      ['store', { ...completed, store: 'yes' }],
      ['presence_penalty', { ...completed, presence_penalty: null }],
      ['frequency_penalty', { ...completed, frequency_penalty: '0' }],
      ['usage', { ...completed, usage: null }],
      ['error.type', { ...failed, error: { ...failed.error, type: 7 } }],
      ['error.param', { ...failed, error: { ...failed.error, param: 'input' } }],
      ['error.extra', { ...failed, error: { ...failed.error, extra: true } }],
      ['extra', { ...completed, penalty: 0 }],
    ];
    for (const [field, response] of refused) {
      assert.notDeepEqual(strictResponsesProblems('Response', response), [], field);
    }
    const event = { type: 'response.created', sequence_number: 0, response: running };
    assertConforms('ResponseStreamEvent', event);
    assert.notDeepEqual(
      strictResponsesProblems('ResponseStreamEvent', { ...event, response: { ...running, store: 1 } }),
      [],
      'a snapshot in a stream event is held to the same shapes',
    );
  });

  test('a json_schema text.format is echoed whole: description null and strict false when not given', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    const format = { type: 'json_schema', name: 'forecast', schema, description: null, strict: false };
    const response = toResponse(
      storedResponseRun(responseRunObject(), responseSettings({}, { text: { format, verbosity: 'medium' } })),
      [],
    );
    assertConforms('Response', response);
    const described = { ...format, description: 'A forecast.', strict: true };
    assertConforms('Response', { ...response, text: { format: described, verbosity: 'medium' } });
    assert.notDeepEqual(
      strictResponsesProblems('Response', { ...response, text: { format: { ...format, description: 3 } } }),
      [],
    );
  });

  test('incomplete: both token budgets read as max_output_tokens', () => {
    for (const reason of ['max_completion_tokens', 'max_prompt_tokens'] as const) {
      const response = responseOf({ status: 'incomplete', incomplete_details: { reason } });
      assert.deepEqual(response.incomplete_details, { reason: 'max_output_tokens' });
      assertConforms('Response', response);
    }
  });

  test('no user and no conversation: user left out (the schema has no null there), conversation null', () => {
    const stored = storedResponseRun(responseRunObject({ status: 'in_progress' }), responseSettings());
    const response = toResponse(stored, []);
    assert.equal('user' in response, false);
    assert.equal(response.conversation, null);
    assertConforms('Response', response);
  });
});
