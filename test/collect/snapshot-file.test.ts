import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSnapshotJson, readSnapshotFile, snapshotJson, writeSnapshotFile } from '../../src/collect/snapshot-file.js';
import { UsageError } from '../../src/errors.js';
import { Snapshot } from '../../src/model/index.js';

const minimal = {
  schemaVersion: 1,
  host: 'node1',
  time: '2026-11-23T17:00:00.000Z',
  source: { kind: 'netns', name: 'node1' },
  links: [{ ifindex: 3, name: 'flannel.1', kind: 'vxlan', vni: 1, port: 8472, learning: false, local: '192.168.56.11', dev: 'eth0' }],
  routes: [{ dst: '10.244.2.0/24', gateway: '10.244.2.0', dev: 'flannel.1', onlink: true }],
};

describe('snapshot files', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'fct-snapfile-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('fills the defaults and keeps what it was given', () => {
    const s = parseSnapshotJson(JSON.stringify(minimal), 'x.json');
    expect(s.links[0]).toMatchObject({ kind: 'vxlan', vni: 1, flags: [] });
    expect(s.routes[0]).toMatchObject({ table: 'main', type: 'unicast', onlink: true, flags: [] });
    expect(s.neigh).toEqual([]);
    expect(s.commands).toEqual([]);
  });

  it('writes and reads back the same snapshot', async () => {
    const s = Snapshot.parse(minimal);
    const file = join(tmp, 'n1.json');
    await writeSnapshotFile(file, s);
    expect(await readSnapshotFile(file)).toEqual(s);
    expect(snapshotJson(s).endsWith('\n')).toBe(true);
  });

  it.each([
    ['not JSON', '{"schemaVersion":', /x\.json: not JSON/],
    ['a JSON array', '[1,2]', /x\.json: not a flanctl snapshot \(no schemaVersion/],
    ['another schema version', JSON.stringify({ ...minimal, schemaVersion: 2 }), /x\.json: snapshot schema version 2, this flanctl reads version 1/],
    ['a bad link kind', JSON.stringify({ ...minimal, links: [{ ifindex: 1, name: 'x', kind: 'tardis' }] }), /x\.json: not a valid flanctl snapshot: links\.0\.kind/],
    ['no host', JSON.stringify({ ...minimal, host: undefined }), /x\.json: not a valid flanctl snapshot: host/],
  ])('rejects %s with a usage error naming the file', (_what, text, message) => {
    expect(() => parseSnapshotJson(text, 'x.json')).toThrow(UsageError);
    expect(() => parseSnapshotJson(text, 'x.json')).toThrow(message);
  });

  it('a missing file is a usage error', async () => {
    await expect(readSnapshotFile(join(tmp, 'nope.json'))).rejects.toThrow(/cannot read snapshot .*nope\.json: no such file/);
  });

  it('another file type is a usage error', async () => {
    const file = join(tmp, 'text.json');
    writeFileSync(file, 'hello');
    await expect(readSnapshotFile(file)).rejects.toThrow(UsageError);
  });
});
