// /run/flannel/subnet.env (flanneld's WriteSubnetFile): KEY=value lines,
//   FLANNEL_NETWORK=10.244.0.0/16
//   FLANNEL_SUBNET=10.244.1.1/24
//   FLANNEL_MTU=1450
//   FLANNEL_IPMASQ=true
// (+ FLANNEL_IPV6_NETWORK / FLANNEL_IPV6_SUBNET when dual-stack). `#` comments, `export `, and quoted
// values are accepted (hand-written copies have them). Result: SubnetEnv, every variable also in `vars`.
import { Cidr } from '../model/net.js';
import { SubnetEnv } from '../model/subnet-env.js';
import { type Line, fail, int, lines, validate } from './common.js';

const CMD = 'subnet.env';
const ASSIGN = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

export function parseSubnetEnv(text: string): SubnetEnv {
  const vars: Record<string, string> = {};
  const at: Record<string, Line> = {};
  for (const line of lines(text)) {
    const s = line.text.trim();
    if (s.startsWith('#')) continue;
    const m = ASSIGN.exec(s);
    if (!m) fail(CMD, 'expected KEY=value', line);
    let v = m[2].trim();
    if (/^".*"$/.test(v) || /^'.*'$/.test(v)) v = v.slice(1, -1);
    else if (/[\s"'`$;|&<>]/.test(v)) fail(CMD, `unquoted value with shell characters: ${JSON.stringify(v)}`, line);
    vars[m[1]] = v;
    at[m[1]] = line;
  }
  const cidr = (key: string): string | undefined => {
    const v = vars[key];
    if (v === undefined) return undefined;
    if (!Cidr.safeParse(v).success) fail(CMD, `${key} is not a CIDR prefix: ${JSON.stringify(v)}`, at[key]);
    return v;
  };
  const ipmasq = vars.FLANNEL_IPMASQ;
  if (ipmasq !== undefined && ipmasq !== 'true' && ipmasq !== 'false') fail(CMD, `FLANNEL_IPMASQ should be true or false, got ${JSON.stringify(ipmasq)}`, at.FLANNEL_IPMASQ);
  const env: Record<string, unknown> = { vars };
  const set = (k: string, v: unknown) => {
    if (v !== undefined) env[k] = v;
  };
  set('network', cidr('FLANNEL_NETWORK'));
  set('subnet', cidr('FLANNEL_SUBNET'));
  set('ipv6Network', cidr('FLANNEL_IPV6_NETWORK'));
  set('ipv6Subnet', cidr('FLANNEL_IPV6_SUBNET'));
  set('mtu', vars.FLANNEL_MTU === undefined ? undefined : int(CMD, vars.FLANNEL_MTU, 'FLANNEL_MTU', at.FLANNEL_MTU));
  set('ipmasq', ipmasq === undefined ? undefined : ipmasq === 'true');
  return validate(CMD, SubnetEnv, env);
}
