// Collection builds the Snapshot without a final zod pass (the parsers validate every entry): every node
// directory we ship must still assemble into a snapshot the schema accepts unchanged.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSnapshots } from '../../src/collect/index.js';
import { Snapshot } from '../../src/model/index.js';

const NODES = 'fixtures/nodes';

describe('assembled snapshots are valid', () => {
  it.each(readdirSync(NODES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name))('%s', async (node) => {
    const [snap] = await loadSnapshots({ fromDir: [join(NODES, node)] });
    const roundTrip = JSON.parse(JSON.stringify(snap));
    expect(Snapshot.parse(roundTrip)).toEqual(roundTrip);
  });
});
