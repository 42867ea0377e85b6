/** The values the fuzzer sends: headers, hostile ids, wrong types and hostile strings. */

export const AUTH = { authorization: 'Bearer fuzz-key' };
export const JSON_HEADERS = { ...AUTH, 'content-type': 'application/json' };

/** Ids that are wrong in every way a client or an attacker might send them (already percent-encoded). */
export const BAD_IDS = [
  'x'.repeat(300),
  'x'.repeat(256),
  'asst_AAAAAAAAAAAAAAAAAAAAAAAA',
  '%C3%A4%F0%9F%98%80%E6%BC%A2',
  '%E2%80%AE',
  '..%2F..%2Fetc%2Fpasswd',
  '../../etc/passwd',
  '..',
  '%2e%2e',
  '%2F',
  '%3F',
  '%zz',
  '%',
  '%00',
  '%ff%fe',
  '%C0%AF',
  '%ED%A0%80',
  "'%20OR%201%3D1--",
  '%22%3E%3Cscript%3E',
  '',
];

/** Values of the wrong type for any field; some are right for some fields, which is fine. */
export const WRONG_TYPES: unknown[] = [
  null,
  true,
  0,
  -1,
  2.5,
  1e308,
  2 ** 53, // beyond which integers lose precision
  '',
  'string',
  [],
  [null],
  {},
  { k: 'v' },
];

/** Strings that break naive code: NUL, lone surrogates, direction overrides, emoji, combining marks. */
export const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfffx',
  '😀'.repeat(64),
  '\u202eevil',
  '\ufeff',
  'e\u0301\u0301\u0301',
  '../../etc/passwd',
  "'; DROP TABLE threads; --",
  '%s%n%x',
];
