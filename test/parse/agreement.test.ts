// The committed namespace captures (fixtures/*/netns-*): every pair of forms agrees (test/parse/agreement.ts).
// A fresh capture gets the same check in capture.test.ts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCapturePairs } from './agreement.js';

describe('fixtures/*/netns-*: two forms of one moment agree', () => {
  const results = checkCapturePairs(join(import.meta.dirname, '..', '..', 'fixtures'));
  for (const [pair, problems] of Object.entries(results)) {
    it(pair, () => expect(problems).toEqual([]));
  }
});
