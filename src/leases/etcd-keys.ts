// flannel's etcd layout (reference §3.2), as pure functions over key/value pairs read by either API:
//   <prefix>/config                        net-conf JSON
//   <prefix>/subnets/10.244.3.0-24         {"PublicIP":"…","BackendType":"vxlan","BackendData":{"VNI":1,"VtepMAC":"…"}}
//   <prefix>/subnets/10.244.3.0-24&fd00::-64   (dual stack: the IPv4 part comes first)
//   <prefix>/subnets/0.0.0.0-0&fd00::-64       (IPv6 only: MakeSubnetKey writes the empty IPv4 net, and the value
//                                               PublicIP "0.0.0.0" beside PublicIPv6)
import type { DesiredState, Lease } from '../model/lease.js';
import { NetConf } from '../model/lease-schema.js';
import { isIPv4 } from '../model/net.js';
import { readV6 } from './lease6.js';
import { backendTypeOf, finishDesired, normalizeSubnet, readBackendData, type Problem } from './lease.js';

export interface EtcdKv {
  key: string;
  value: string;
}

/** `/coreos.com/network/` -> `/coreos.com/network`; always one leading slash. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** `10.244.3.0-24` (or the dual-stack form) -> `10.244.3.0/24`; undefined for anything else. */
export function subnetFromKey(name: string): string | undefined {
  const v4 = name.split('&')[0];
  const m = /^(\d+\.\d+\.\d+\.\d+)-(\d{1,2})$/.exec(v4);
  return m ? normalizeSubnet(`${m[1]}/${m[2]}`) : undefined;
}

/** flannel's key of a lease with no IPv4 part: the empty IP4Net, then `&` and the IPv6 subnet. */
const V6_ONLY_KEY = /^0\.0\.0\.0-0&./;

/** Everything under `<prefix>` -> leases + net-conf. Keys outside `<prefix>/config` and `<prefix>/subnets/` are ignored. */
export function leasesFromEtcd(prefixText: string, kvs: EtcdKv[], source: string): DesiredState {
  const prefix = normalizePrefix(prefixText);
  const leases: Lease[] = [];
  const problems: Problem[] = [];
  let netConf: NetConf | undefined;
  for (const { key, value } of kvs) {
    if (key === `${prefix}/config`) {
      netConf = readConfig(key, value, problems);
      continue;
    }
    if (!key.startsWith(`${prefix}/subnets/`)) continue;
    const name = key.slice(prefix.length + '/subnets/'.length);
    const evidence = `${key} = ${value}`;
    const v6Only = V6_ONLY_KEY.test(name);
    const subnet = v6Only ? undefined : subnetFromKey(name);
    if (!subnet && !v6Only) {
      problems.push({ code: 'LEASE_BAD_KEY', summary: `etcd key ${key} is not a flannel subnet key (a.b.c.d-len)`, evidence });
      continue;
    }
    const lease = readLease(subnet, value, source, evidence, problems, name.split('&')[1]);
    if (lease) leases.push(lease);
  }
  // flannel's default backend is vxlan (reference §3.3)
  const configType = backendTypeOf(netConf?.Backend?.Type) ?? 'vxlan';
  for (const lease of leases) if (!lease.backendType) lease.backendType = configType;
  return finishDesired(leases, problems, netConf);
}

function readConfig(key: string, value: string, problems: Problem[]): NetConf | undefined {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (e) {
    problems.push({ code: 'LEASE_BAD_CONFIG', summary: `${key} is not JSON (${(e as Error).message})`, evidence: `${key} = ${value}` });
    return undefined;
  }
  const conf = NetConf.safeParse(json);
  if (!conf.success) {
    problems.push({ code: 'LEASE_BAD_CONFIG', summary: `${key} is not a flannel net-conf: ${conf.error.issues[0]?.message ?? 'invalid'}`, evidence: `${key} = ${value}` });
    return undefined;
  }
  return conf.data;
}

function readLease(subnet: string | undefined, value: string, source: string, evidence: string, problems: Problem[], v6Key?: string): Lease | undefined {
  // etcd leases name no node: the key's subnet names them (the IPv6 one for a v6-only lease)
  const who = subnet ?? v6Key?.replace(/-(\d{1,3})$/, '/$1') ?? '?';
  let attrs: unknown;
  try {
    attrs = JSON.parse(value);
  } catch (e) {
    problems.push({ code: 'LEASE_BAD_VALUE', node: who, summary: `lease ${who}: value is not JSON (${(e as Error).message})`, evidence });
    return undefined;
  }
  if (typeof attrs !== 'object' || attrs === null) {
    problems.push({ code: 'LEASE_BAD_VALUE', node: who, summary: `lease ${who}: value is not a JSON object`, evidence });
    return undefined;
  }
  const a = attrs as Record<string, unknown>;
  const publicIp = typeof a.PublicIP === 'string' && isIPv4(a.PublicIP) ? a.PublicIP : undefined;
  if (subnet !== undefined && publicIp === undefined) {
    problems.push({ code: 'LEASE_BAD_PUBLIC_IP', node: who, summary: `lease ${who}: PublicIP ${JSON.stringify(a.PublicIP)} is not an IPv4 address`, evidence });
    return undefined;
  }
  // a lease without BackendType takes the config's (filled in by the caller); `''` marks it here
  const backendType = backendTypeOf(a.BackendType) ?? '';
  const lease: Lease = { node: who, backendType, source };
  if (subnet !== undefined && publicIp !== undefined) {
    const bd = readBackendData(a.BackendData, who, evidence);
    if (bd.problem) problems.push(bd.problem);
    lease.subnet = subnet;
    lease.publicIp = publicIp;
    if (bd.vni !== undefined) lease.vni = bd.vni;
    if (bd.vtepMac !== undefined) lease.vtepMac = bd.vtepMac;
    if (bd.publicKey !== undefined) lease.publicKey = bd.publicKey;
    if (bd.wgPort !== undefined) lease.wgPort = bd.wgPort;
  }
  // dual stack: `&fd00:10:244:3::-64` in the key, PublicIPv6 and BackendV6Data in the value
  const v6 = readV6({ subnet: v6Key?.replace(/-(\d{1,3})$/, '/$1'), publicIp: a.PublicIPv6, backendData: a.BackendV6Data }, who, evidence);
  Object.assign(lease, v6.fields);
  problems.push(...v6.problems);
  if (subnet === undefined && (!lease.subnet6 || !lease.publicIpv6)) {
    // v6-only: without its IPv6 subnet and public IP the lease has nothing to program (a bad value is named above)
    if (!v6.problems.length) problems.push({ code: 'LEASE_BAD_PUBLIC_IP', node: who, summary: `lease ${who}: IPv6-only lease without PublicIPv6`, evidence });
    return undefined;
  }
  return lease;
}
