// flanctl doctor: every check over one node's snapshot and (when given) flannel's desired state. Pure.
import type { DesiredState, Lease } from '../model/lease.js';
import type { Finding } from '../model/finding.js';
import type { Snapshot } from '../model/snapshot.js';
import type { SubnetEnv } from '../model/subnet-env.js';
import { buildContext } from './checks/context.js';
import { deviceAddressCheck, ipipDeviceCheck, vxlanDeviceCheck } from './checks/device.js';
import type { Check } from './checks/finding.js';
import { iptablesCheck, offloadCheck, sysctlCheck } from './checks/host.js';
import { nftCheck } from './checks/nft.js';
import { peers6Check } from './checks/peers6.js';
import { wireguardCheck } from './checks/wireguard.js';
import { bridgeAddress6Check, bridgeAddressCheck, leaseProblemsCheck, subnetEnvCheck, vethCheck } from './checks/node.js';
import { peersCheck, staleCheck } from './checks/remote.js';
import { partialLeaseCheck } from './checks/partial.js';
import { selfCheck } from './checks/self.js';

export const CHECKS: Check[] = [
  leaseProblemsCheck,
  vxlanDeviceCheck,
  ipipDeviceCheck,
  deviceAddressCheck,
  peersCheck,
  selfCheck,
  partialLeaseCheck,
  peers6Check,
  staleCheck,
  wireguardCheck,
  subnetEnvCheck,
  bridgeAddressCheck,
  bridgeAddress6Check,
  vethCheck,
  sysctlCheck,
  iptablesCheck,
  nftCheck,
  offloadCheck,
];

export interface DoctorInput {
  snapshot: Snapshot;
  desired?: DesiredState;
  nodeName?: string;
  subnetEnv?: SubnetEnv;
}

export interface DoctorReport {
  ok: boolean;
  node: string;
  backend?: string;
  /** this node's own lease, and how it was recognised */
  localLease?: Lease;
  localLeaseHow?: string;
  peers: number;
  findings: Finding[];
  skipped: { check: string; reason: string }[];
  /** what a check could not verify because the data given lacks it, and what to paste */
  unverified: { check: string; missing: string }[];
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

export function runDoctor(input: DoctorInput): DoctorReport {
  const ctx = buildContext(input);
  const findings: Finding[] = [];
  const skipped: DoctorReport['skipped'] = [];
  const unverified: DoctorReport['unverified'] = [];
  for (const check of CHECKS) {
    const r = check.run(ctx);
    const found = Array.isArray(r) ? r : 'findings' in r ? r.findings : [];
    // no spread: 50,000 peers make 150,000 findings, beyond the argument limit
    for (const f of found) findings.push(f);
    if ('skipped' in r) skipped.push({ check: check.name, reason: r.skipped });
    if ('unverified' in r) for (const missing of r.unverified) unverified.push({ check: check.name, missing });
  }
  // stable sort: errors first, checks keep their order inside a severity
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const report: DoctorReport = {
    ok: !findings.some((f) => f.severity !== 'info'),
    node: ctx.node,
    peers: ctx.leases?.remotes.length ?? 0,
    findings,
    skipped,
    unverified,
  };
  if (ctx.backend) report.backend = ctx.backend;
  if (ctx.leases?.local) report.localLease = ctx.leases.local;
  if (ctx.leases) report.localLeaseHow = ctx.leases.how;
  return report;
}
