import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { MIGRATIONS } from '../src/store/sqlite/migrations.js';

/**
 * SHA-256 of each applied migration's text. A migration that ran on someone's database must never change:
 * a schema change is a new migration appended to the list (and its hash appended here).
 */
const PINNED = [
  '3884f6d5b78482b2afcada3ae7220e96d99348e319551a05f731f30da44852fb',
  '181e8810b237d2c57d526b3b387704e0d9343956946e7ea22b38c5685bfbcf3d',
  '044bd10c64fb736489152093718f78de6d8da9f266b1d48833e0897430422c81',
  'f54d7c67951b01ceb33ab71aebbba4306a7aa202712fb960f172a8f1269d014e',
  'd204ce2bd6c0f7c4ce44fb4f946f4839d603dfbe09186f6f789eb2e45d45a854',
  '04f6e829fd0fcb18c4353a19bfdc3bc642521790d4171a34f047144efc78de4b',
  'b88ab711c8056f6aad0f743d74de2144f0c34c413e731cafd7fabf25607984db',
  'a106e7a121470f8021b27df6524b1a521ff9193b0d47f507c36956426a11388a',
  '8f91c32f491c77062869caf938733d2132dd06a2940f6664ad49de37abf48c3d',
  '6f377322c585c89e98d7ec054d9979e57236121247980998dfa51f66acbd9901',
];

describe('SQLite migrations', () => {
  test('every migration is frozen: its text hashes to the pinned value', () => {
    const hashes = MIGRATIONS.map((sql) => createHash('sha256').update(sql).digest('hex'));
    assert.deepEqual(hashes, PINNED);
  });
});
