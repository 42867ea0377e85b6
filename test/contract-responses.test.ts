import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Contract, loadResponsesContractDocument } from '../src/api/contract.js';

/**
 * The Responses, Conversations and Containers contract (contract/responses.openapi.json, the operations of issue
 * #14 extracted from the same pinned spec as the Assistants subset) compiles as a contract of its own.
 */
describe('the Responses contract', () => {
  const contract = new Contract(loadResponsesContractDocument());
  const operations = Object.values(contract.document.paths).flatMap((methods) => Object.values(methods));

  test('holds the Responses, Conversations and Containers operations, and every schema compiles', () => {
    const ids = operations.map((operation) => operation.operationId).sort();
    assert.deepEqual(ids, [
      'CreateContainer',
      'CreateContainerFile',
      'DeleteContainer',
      'DeleteContainerFile',
      'Getinputtokencounts',
      'ListContainerFiles',
      'ListContainers',
      'RetrieveContainer',
      'RetrieveContainerFile',
      'RetrieveContainerFileContent',
      'cancelResponse',
      'createConversation',
      'createConversationItems',
      'createResponse',
      'deleteConversation',
      'deleteConversationItem',
      'deleteResponse',
      'getConversation',
      'getConversationItem',
      'getResponse',
      'listConversationItems',
      'listInputItems',
      'updateConversation',
    ]);
    for (const name of Object.keys(contract.document.components.schemas)) {
      assert.equal(typeof contract.validator(name), 'function', name);
    }
  });

  test('a well-formed stream event validates as a ResponseStreamEvent; a wrong field type or a missing sequence_number does not', () => {
    const validate = contract.validator('ResponseStreamEvent');
    // The per-event examples of the spec predate some required fields (logprobs, sequence_number); this one follows
    // the schema, as the server will.
    const delta = {
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'Hello',
      logprobs: [],
      sequence_number: 4,
    };
    assert.ok(validate(delta), JSON.stringify(validate.errors));
    assert.equal(validate({ ...delta, delta: 42 }), false);
    const { sequence_number: _dropped, ...unnumbered } = delta;
    assert.equal(validate(unnumbered), false);
    assert.equal(validate({ ...delta, type: 'response.output_text.deltas' }), false);
  });
});
