// `wg show all dump` (wireguard-tools src/show.c dump_print; wg(8)): tab-separated, the interface name first.
//   flannel-wg  <private-key>  <public-key>  51820  off                       one line per device: private-key,
//                                                                             public-key, listen-port, fwmark (0x.. | off)
//   flannel-wg  <public-key>  (none)  192.168.56.13:51820  10.244.3.0/24  1700000000  1234  5678  off
//                                                                             one line per peer: public-key, preshared-key,
//   endpoint (ip:port, [ip6]:port or (none)), allowed-ips (comma-separated or (none)), latest-handshake (unix s, 0 = never),
//   transfer-rx, transfer-tx, persistent-keepalive (s | off). `wg show <dev> dump` prints the same without the name:
//   pass the device as the second argument. Keys absent print as `(none)`; `(hidden)` is accepted where a key was redacted.
// The device's private key is dropped here (only hasPrivateKey is kept; a peer's preshared key only presharedKey) and
// redactWgDump() removes both from raw text.
import { Cidr, isIP } from '../model/net.js';
import { WgDevice, WgKey } from '../model/wireguard.js';
import { type Line, fail, int, lines, validate } from './common.js';

const CMD = 'wg show all dump';

/** The fields of a line, without the interface name; and the name (from the line or the argument). */
function split(line: Line, dev?: string): { name: string; fields: string[] } {
  const all = line.text.split('\t').map((f) => f.trim());
  // 5 / 9 fields: `wg show all dump` (name first); 4 / 8: `wg show <dev> dump`
  if (all.length === 5 || all.length === 9) return { name: all[0], fields: all.slice(1) };
  if (all.length === 4 || all.length === 8) {
    if (!dev) fail(CMD, 'a dump of one device without its name: use `wg show all dump`', line);
    return { name: dev, fields: all };
  }
  return fail(CMD, `expected 4, 5, 8 or 9 tab-separated fields, got ${all.length}`, line);
}

const key = (s: string, what: string, line: Line): string | undefined => {
  if (s === '(none)' || s === '(hidden)') return undefined;
  if (!WgKey.safeParse(s).success) fail(CMD, `${what}: not a WireGuard key: ${JSON.stringify(s)}`, line);
  return s;
};

function endpoint(s: string, line: Line): { endpoint?: string; endpointIp?: string; endpointPort?: number } {
  if (s === '(none)') return {};
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(s) ?? /^([^:[\]]+):(\d{1,5})$/.exec(s);
  if (!m || !isIP(m[1]) || Number(m[2]) > 65535) fail(CMD, `endpoint: expected ip:port or [ip6]:port, got ${JSON.stringify(s)}`, line);
  return { endpoint: s, endpointIp: m[1], endpointPort: Number(m[2]) };
}

function allowedIps(s: string, line: Line): string[] {
  if (s === '(none)') return [];
  const list = s.split(',');
  for (const c of list) if (!Cidr.safeParse(c).success) fail(CMD, `allowed-ips: not a prefix: ${JSON.stringify(c)}`, line);
  return list;
}

export function parseWgDump(text: string, dev?: string): WgDevice[] {
  const devices: Record<string, unknown>[] = [];
  for (const line of lines(text)) {
    const { name, fields } = split(line, dev);
    if (fields.length === 4) {
      const [priv, pub, port, fwmark] = fields;
      if (fwmark !== 'off' && !/^0x[0-9a-f]{1,8}$/i.test(fwmark)) fail(CMD, `fwmark: expected 0x.. or off, got ${JSON.stringify(fwmark)}`, line);
      const mark = fwmark === 'off' ? undefined : parseInt(fwmark, 16);
      devices.push({ name, hasPrivateKey: priv !== '(none)', ...(key(pub, 'public-key', line) ? { publicKey: pub } : {}), listenPort: int(CMD, port, 'listen-port', line), ...(mark !== undefined ? { fwmark: mark } : {}), peers: [] });
      continue;
    }
    const device = [...devices].reverse().find((d) => d.name === name);
    if (!device) fail(CMD, `peer of ${name} before its device line`, line);
    const [pub, psk, ep, ips, handshake, rx, tx, keepalive] = fields;
    const publicKey = key(pub, 'peer public-key', line);
    if (!publicKey) fail(CMD, 'peer without a public key', line);
    key(psk, 'preshared-key', line);
    const ka = keepalive === 'off' ? undefined : int(CMD, keepalive, 'persistent-keepalive', line);
    (device.peers as unknown[]).push({
      publicKey,
      presharedKey: psk !== '(none)',
      ...endpoint(ep, line),
      allowedIps: allowedIps(ips, line),
      latestHandshake: int(CMD, handshake, 'latest-handshake', line),
      rxBytes: int(CMD, rx, 'transfer-rx', line),
      txBytes: int(CMD, tx, 'transfer-tx', line),
      ...(ka !== undefined ? { persistentKeepalive: ka } : {}),
    });
  }
  return devices.map((d) => validate(CMD, WgDevice, d));
}

/**
 * The dump with every device's private key and every peer's preshared key replaced by `(hidden)`, as the text is
 * saved by --raw-dir. Fields by count: device 5 (all) / 4 (one device), private key at 1 / 0; peer 9 / 8,
 * preshared key at 2 / 1. `(none)` (unset) stays: it is no secret and says the key is absent.
 */
export function redactWgDump(text: string): string {
  const secretAt: Record<number, number> = { 5: 1, 4: 0, 9: 2, 8: 1 };
  return text
    .split('\n')
    .map((l) => {
      const f = l.split('\t');
      const at = secretAt[f.length];
      if (at !== undefined && f[at] !== '(none)') f[at] = '(hidden)';
      return f.join('\t');
    })
    .join('\n');
}
