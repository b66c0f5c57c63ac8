// Suites that need what this machine may lack (root, namespaces, a program) skip when it is missing, but
// never silently in CI: with CI=true they fail, naming what is missing. Every such suite goes through here.
import { describe, it } from 'vitest';
import { canUseNetns } from './lab.js';

type Block = (name: string, fn: () => void) => void;

const inCi = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

/** describe() that runs when `available`, skips otherwise, and with CI=true fails with one test naming `needs`. */
export function describeNeeding(available: boolean, needs: string): Block {
  if (available) return describe;
  if (!inCi()) return describe.skip;
  return (name) => describe(name, () => it(`needs ${needs}`, () => missing(needs)));
}

/** The same for one test. */
export function itNeeding(available: boolean, needs: string): Block {
  if (available) return it;
  if (!inCi()) return it.skip;
  return (name) => it(name, () => missing(needs));
}

function missing(needs: string): never {
  throw new Error(`CI=true and this machine lacks ${needs}: the suite cannot run, so the run fails instead of skipping`);
}

/** describe() for a suite that builds namespaces: see describeNeeding. */
export const describeNetns: Block = (name, fn) => describeNeeding(canUseNetns(), 'root and network namespaces (ip netns)')(name, fn);
