// Texts near a valid one, for parser properties: a seed with up to three edits, each replacing or inserting one of
// `pieces` at any position. Which results are valid is left to the test's oracle (the model's schema, say).
import fc from 'fast-check';

export const mutated = (seeds: string[], pieces: string[]): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...pieces), fc.boolean()), { maxLength: 3 })).map(([t, edits]) => {
    for (const [at, c, insert] of edits) {
      const i = at % (t.length + 1);
      t = t.slice(0, i) + c + t.slice(insert ? i : i + 1);
    }
    return t;
  });
