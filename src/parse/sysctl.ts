// `sysctl -a` / `sysctl KEY...` lines: `key = value` (or `key=value` with -N/-e variants).
//   net.ipv4.ip_forward = 1
//   net.ipv4.conf.flannel/1.rp_filter = 0      (a `.` in a device name is printed as `/`)
//   net.ipv4.tcp_rmem = 4096	131072	6291456
// Keys are kept as printed. `sysctl: permission denied on key ...` lines (stderr in a paste) are skipped.
// Result: Record<key, value>.
import * as z from '../model/zod.js';
import { fail, lines, validate } from './common.js';

const CMD = 'sysctl';
const ENTRY = /^([a-z0-9_][A-Za-z0-9_./:@-]*)\s*=\s?(.*)$/;

export function parseSysctl(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines(text)) {
    if (/^sysctl: /.test(line.text)) continue;
    const m = ENTRY.exec(line.text.trim());
    if (!m || !m[1].includes('.')) fail(CMD, 'expected `a.b.c = value`', line);
    out[m[1]] = m[2].trim();
  }
  return validate(CMD, z.record(z.string(), z.string()), out);
}
