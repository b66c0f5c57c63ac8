// Real pastes from public issues (fixtures/tickets/issues/README.md names each source), saved under arbitrary file
// names, each next to a `.facts` file a person wrote from the paste's text (test/parse/facts.ts): every paste is
// recognised and every hand-read fact is found in what flanctl read.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSources } from '../../src/collect/index.js';
import { failedFacts, parseFacts } from '../parse/facts.js';

const DIR = 'fixtures/tickets/issues';
const cases = readdirSync(DIR).filter((f) => f.endsWith('.facts')).map((f) => f.slice(0, -'.facts'.length));

describe('real pastes: the facts read by hand are what flanctl reads', () => {
  it('there are at least 15 of them', () => expect(cases.length).toBeGreaterThanOrEqual(15));

  it.each(cases)('%s', async (name) => {
    const l = await loadSources(`${DIR}/${name}`);
    // one node per paste here: its snapshot, what the paste held as desired state, and the blocks read
    const snap = l.nodes[0]?.snapshot ?? {};
    const result = { ...snap, leases: l.desired?.leases ?? [], partial: l.desired?.partial ?? [], blocks: l.blocks.filter((b) => b.used) };
    expect(l.blocks.some((b) => b.used), 'the paste is recognised').toBe(true);
    expect(failedFacts(result, parseFacts(readFileSync(`${DIR}/${name}.facts`, 'utf8')))).toEqual([]);
  });

  it('an `iptables -t nat -L` paste is recognised as such and refused with the reason (k8s #56797)', async () => {
    await expect(loadSources(`${DIR}/postrouting-L.txt`)).rejects.toThrow(/holds no output flanctl reads/);
  });
});
