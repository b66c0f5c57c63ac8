// The healthy node: node1 of a 3-node namespace flannel cluster, collected with
// `flanctl collect --netns <node1> --raw-dir fixtures/doctor/vxlan-node1` (flannel's iptables rules restored into
// the namespace first), leases from the same lab as `kubectl get nodes -o json`. Tests break one thing at a time.
import { readFileSync } from 'node:fs';
import { parseNodesJson } from '../../src/leases/kube.js';
import type { DesiredState } from '../../src/model/lease.js';
import { Snapshot } from '../../src/model/snapshot.js';
import { parseSubnetEnv } from '../../src/parse/index.js';

const dir = new URL('../../fixtures/doctor/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, dir), 'utf8');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Raw = any;

export const NODE2_MAC = 'b6:19:ba:5f:1d:2d';
export const NODE3_MAC = 'c6:fa:b2:0a:00:08';
export const NODE1_MAC = '56:63:5e:7b:3a:3d';

/** A fresh copy of the healthy snapshot (raw JSON, before zod defaults) and its leases. */
export function healthyRaw(): { raw: Raw; desired: DesiredState } {
  const raw = JSON.parse(read('vxlan-node1.snapshot.json'));
  raw.subnetEnv = parseSubnetEnv(read('vxlan-node1/subnet.env'));
  return { raw, desired: parseNodesJson(read('vxlan-nodes.json')) };
}

export function healthy(): { snapshot: Snapshot; desired: DesiredState } {
  const { raw, desired } = healthyRaw();
  return { snapshot: Snapshot.parse(raw), desired };
}

/** The healthy node with one change applied to the raw snapshot and/or the leases. */
export function broken(change: (raw: Raw, desired: DesiredState) => void): { snapshot: Snapshot; desired: DesiredState } {
  const { raw, desired } = healthyRaw();
  change(raw, desired);
  return { snapshot: Snapshot.parse(raw), desired };
}

export const link = (raw: Raw, name: string): Raw => raw.links.find((l: Raw) => l.name === name);

/**
 * A kubectl Node list (JSON text) with node9 added: a vxlan node whose podCIDR is node1's underlay 192.168.56.0/24,
 * a lease node1 must refuse (it overlaps eth0's address and connected route, outside FLANNEL_NETWORK).
 */
export function withHostileNode9(nodesJson: string): string {
  const doc = JSON.parse(nodesJson);
  const annotations = {
    'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
    'flannel.alpha.coreos.com/backend-type': 'vxlan',
    'flannel.alpha.coreos.com/public-ip': '192.168.56.19',
    'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"02:00:00:00:00:09"}',
  };
  doc.items.push({ kind: 'Node', metadata: { name: 'node9', annotations }, spec: { podCIDR: '192.168.56.0/24' } });
  return JSON.stringify(doc);
}
