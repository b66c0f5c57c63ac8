// doctor without desired state checks the node against itself, as seed 000 does by hand (route -> arp -> fdb).
// The inputs are seed 000's own outputs (fixtures/nodes/k8snode028), changed the way the test says.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { loadFromDir } from '../../src/collect/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'fct-self-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** seed 000's directory with some files replaced. */
async function seed000(replace: Record<string, string>, name: string) {
  const dir = join(tmp, name);
  cpSync('fixtures/nodes/k8snode028', dir, { recursive: true });
  for (const [file, text] of Object.entries(replace)) writeFileSync(join(dir, file), text);
  return (await loadFromDir(dir)).snapshot;
}

const codes = (r: ReturnType<typeof runDoctor>) => r.findings.map((f) => f.code);

describe('doctor with no --nodes/--kube/--etcd: the node against itself', () => {
  it('seed 000 as posted: the grep\'d neighbour and fdb line agree with the route; the 13 other peers are unverified, not missing', async () => {
    const r = runDoctor({ snapshot: await seed000({}, 'as-posted') });
    expect(codes(r)).toEqual([]);
    const missing = r.unverified.filter((u) => u.check.startsWith('neigh/fdb behind')).map((u) => u.missing);
    // route -n lists 14 flannel.1 routes; the post greps the neighbour of one (10.27.13.0)
    expect(missing).toHaveLength(13);
    expect(missing.join('\n')).not.toContain('10.27.13.0 ');
  });

  it('seed 000 with its fdb entry deleted (bridge fdb show dev flannel.1 printing nothing): FDB_MISSING, not ok', async () => {
    const r = runDoctor({ snapshot: await seed000({ 'bridge-fdb.txt': '[root@k8snode028 ~]# bridge fdb show dev flannel.1\n' }, 'fdb-deleted') });
    expect(codes(r)).toEqual(['FDB_MISSING']);
    expect(r.findings[0].summary).toContain('42:32:74:de:24:50');
    expect(r.ok).toBe(false);
  });

  it('the whole neighbour table without an entry for a route\'s gateway: NEIGH_MISSING for that route', async () => {
    // arp -n as the node prints it, the whole table: only 10.27.13.0 has an entry, every other flannel.1 route has none
    const arp = 'Address HWtype HWaddress Flags Mask Iface\n10.27.13.0 ether 42:32:74:de:24:50 CM flannel.1\n';
    const r = runDoctor({ snapshot: await seed000({ 'arp.txt': arp }, 'arp-whole') });
    expect(codes(r)).toEqual(Array(13).fill('NEIGH_MISSING'));
  });

  it('a leftover VtepMAC (an earlier flannel.1 of the same peer) in the whole fdb: FDB_OLD_MAC; an unknown one: STALE_FDB', async () => {
    const arp = 'Address HWtype HWaddress Flags Mask Iface\n10.27.13.0 ether 42:32:74:de:24:50 CM flannel.1\n';
    const fdb = [
      '[root@k8snode028 ~]# bridge fdb show dev flannel.1',
      '42:32:74:de:24:50 dst 10.18.19.129 self permanent',
      '5e:11:22:33:44:55 dst 10.18.19.129 self permanent',
      '7a:00:00:00:00:01 dst 10.18.19.200 self permanent',
      '',
    ].join('\n');
    const r = runDoctor({ snapshot: await seed000({ 'arp.txt': arp, 'bridge-fdb.txt': fdb }, 'leftover') });
    expect(r.findings.filter((f) => f.code !== 'NEIGH_MISSING').map((f) => [f.code, f.evidence[0]])).toEqual([
      ['STALE_FDB', expect.stringContaining('7a:00:00:00:00:01')],
      ['FDB_OLD_MAC', expect.stringContaining('5e:11:22:33:44:55')],
    ]);
  });
});
