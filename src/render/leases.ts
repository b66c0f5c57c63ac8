// `flanctl show leases`: flannel's desired state as read from --nodes/--kube/--etcd or pasted with the outputs.
import type { DesiredState } from '../model/index.js';
import { fitText, type View } from './layout.js';
import { renderTable } from './table.js';

export function renderLeases(desired: DesiredState | undefined, view: View = {}): string {
  if (!desired) return 'no leases (give --nodes FILE, --kube or --etcd, or paste `kubectl get nodes -o yaml` with the outputs)';
  const table =
    desired.leases.length === 0
      ? 'no complete lease in the desired state given'
      : renderTable(
          ['node', 'subnet', 'public ip', 'backend', 'vni', 'VtepMAC', 'source'],
          // a v6-only lease shows its IPv6 part
          desired.leases.map((l) => [l.node, l.subnet ?? l.subnet6, l.publicIp ?? l.publicIpv6, l.backendType, l.vni ?? l.vni6, l.vtepMac ?? l.vtepMac6, l.source]),
          view,
        );
  const problems = desired.problems.map((p) => `${p.code}: ${p.summary}`);
  return fitText([table, ...problems].join('\n'), view.width);
}
