// The consistency matrix on a WireGuard cluster (fixtures/cluster/wireguard: three nodes' outputs composed in
// iproute2's and wireguard-tools' formats — this kernel has no wireguard module — written into a cluster directory by
// collect --all's own code, test/cluster/recorded.ts). A wireguard node has no flannel.1 and no flannel-v6.<VNI>:
// flannel's wireguard backend makes flannel-wg / flannel-wg-v6 instead (pkg/backend/wireguard), so a vxlan device
// missing there is no fault.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { matrixGrid } from '../../src/analyze/matrix.js';
import { doctorCluster } from '../../src/cluster/doctor.js';
import { loadClusterDir } from '../../src/cluster/dir.js';
import { parseNodesText } from '../../src/leases/index.js';
import { readFileSync } from 'node:fs';
import { collectRecorded, readRaw } from '../cluster/recorded.js';

const FIXTURE = 'fixtures/cluster/wireguard';
const tmp = mkdtempSync(join(tmpdir(), 'flanctl-wg-matrix-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let runs = 0;

/** doctor --cluster on the directory collect --all writes from the fixture's outputs (`edit` plants one fault). */
async function doctor(edit?: (raw: ReturnType<typeof readRaw>) => void) {
  const raw = readRaw(FIXTURE);
  edit?.(raw);
  const dir = join(tmp, String(runs++));
  await collectRecorded(raw, dir);
  const desired = await parseNodesText(readFileSync(`${FIXTURE}/nodes.json`, 'utf8'));
  return doctorCluster(await loadClusterDir(dir), desired);
}

describe('doctor --cluster on a WireGuard cluster', () => {
  it('no vxlan device is missing on a wireguard node', async () => {
    const r = await doctor();
    expect(r.findings.map((f) => f.code)).not.toContain('VXLAN_DEVICE_MISSING');
    expect(r.findings).toEqual([]);
    // nothing judged is never shown as matching
    expect(matrixGrid(r.matrix).rows[0]).toEqual(['node1', '·', 'n/a', 'n/a']);
  });
});
