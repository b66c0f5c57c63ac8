// net.ipv4.ip_forward = 0 is a fault only on a node that runs flannel's IPv4 family: a v6-only node leaves it 0
// (the v6-only lab's node1, fixtures/nodes/v6only-node1, sysctl.txt). A sysctl paste alone does not say which
// family the node runs, so the check is unverified there; with any IPv4 flannel evidence it is IP_FORWARD_OFF.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/analyze/doctor.js';
import { loadFromDir } from '../../src/collect/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'fct-ipfwd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
async function doctorOn(files: Record<string, string>) {
  const dir = join(tmp, `d${++n}`);
  cpSync('fixtures/nodes/v6only-node1/hostname.txt', join(dir, 'hostname.txt'));
  for (const [name, from] of Object.entries(files)) cpSync(from, join(dir, name));
  return runDoctor({ snapshot: (await loadFromDir(dir)).snapshot });
}

describe('IP_FORWARD_OFF needs a node that runs IPv4 flannel', () => {
  it('the v6-only node\'s sysctls alone (ip_forward 0): unverified, naming what to paste, no finding', async () => {
    const r = await doctorOn({ 'sysctl.txt': 'fixtures/nodes/v6only-node1/sysctl.txt' });
    expect(r.findings.map((f) => f.code)).not.toContain('IP_FORWARD_OFF');
    expect(JSON.stringify(r)).toMatch(/ip_forward = 0[^"]*subnet\.env/);
  });

  it('the same sysctls with the v6-only node\'s own subnet.env (FLANNEL_IPV6_SUBNET only): no finding', async () => {
    const r = await doctorOn({ 'sysctl.txt': 'fixtures/nodes/v6only-node1/sysctl.txt', 'subnet.env': 'fixtures/nodes/v6only-node1/subnet.env' });
    expect(r.findings.map((f) => f.code)).not.toContain('IP_FORWARD_OFF');
  });

  it('the same sysctls beside a vxlan node\'s link list (flannel.1): IP_FORWARD_OFF', async () => {
    const r = await doctorOn({ 'sysctl.txt': 'fixtures/nodes/v6only-node1/sysctl.txt', 'ip-link.txt': 'fixtures/doctor/vxlan-node1/ip-link.txt' });
    expect(r.findings.map((f) => f.code)).toContain('IP_FORWARD_OFF');
  });

  it('the same sysctls beside a FLANNEL_SUBNET: IP_FORWARD_OFF', async () => {
    const env = join(tmp, 'subnet.env');
    writeFileSync(env, 'FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n');
    const r = await doctorOn({ 'sysctl.txt': 'fixtures/nodes/v6only-node1/sysctl.txt', 'subnet.env': env });
    expect(r.findings.map((f) => f.code)).toContain('IP_FORWARD_OFF');
  });
});
