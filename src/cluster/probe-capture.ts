// probe's captures on another node, over the cluster transport (ssh): two constant sh scripts fed on stdin.
// start: one tcpdump per device under `timeout` (so none outlives its deadline whatever happens to us), each
// writing to a private directory; waits until each prints "listening on"; prints `ready N` / `failed N why`.
// stop: SIGINT to each, waits, prints every capture in base64 between markers, removes the directory.
// Arguments are plain words only (the transport checks): the BPF filter travels base64-encoded.
import { randomBytes } from 'node:crypto';
import { isIfname } from '../model/net.js';
import { UsageError } from '../errors.js';
import type { Transport } from './transport.js';

export interface RemoteCapture {
  device: string;
  filter: string;
}

export interface RemoteCaptureRun {
  ok: boolean;
  pcap: Buffer;
  error?: string;
}

const START = [
  'set -u',
  'PATH="$PATH:/usr/sbin:/sbin"',
  'd="/tmp/flanctl-probe-capture-$1"; secs=$2; tenths=$(( $3 * 10 )); snap=$4; max=$5; shift 5',
  'mkdir -m 700 "$d" || exit 3',
  'n=0',
  'while [ $# -ge 2 ]; do',
  '  n=$((n + 1)); printf "%s" "$2" | base64 -d > "$d/$n.filter"',
  '  timeout -s INT -k 2 "$secs" tcpdump -p -n -Z root --immediate-mode -U -i "$1" -s "$snap" -c "$max" -w "$d/$n.pcap" -F "$d/$n.filter" < /dev/null > /dev/null 2> "$d/$n.err" &',
  '  echo $! > "$d/$n.pid"',
  '  shift 2',
  'done',
  'up() { grep -q "listening on" "$d/$1.err"; }',
  'gone() { ! kill -0 "$(cat "$d/$1.pid")" 2>/dev/null; }',
  't=0',
  'while [ $t -lt $tenths ]; do',
  '  waiting=0; i=1',
  '  while [ $i -le $n ]; do if ! up $i && ! gone $i; then waiting=1; fi; i=$((i + 1)); done',
  '  [ $waiting -eq 0 ] && break',
  '  sleep 0.1; t=$((t + 1))',
  'done',
  'i=1',
  'while [ $i -le $n ]; do if up $i; then echo "ready $i"; else echo "failed $i $(grep -v "^$" "$d/$i.err" | head -n 1)"; fi; i=$((i + 1)); done',
  '',
].join('\n');

const STOP = [
  'd="/tmp/flanctl-probe-capture-$1"; m="$2"',
  '[ -d "$d" ] || exit 0',
  'for p in "$d"/*.pid; do kill -INT "$(cat "$p")" 2>/dev/null; done',
  't=0',
  'while [ $t -lt 30 ]; do',
  '  alive=0; for p in "$d"/*.pid; do kill -0 "$(cat "$p")" 2>/dev/null && alive=1; done',
  '  [ $alive -eq 0 ] && break',
  '  sleep 0.1; t=$((t + 1))',
  'done',
  'for p in "$d"/*.pid; do kill -KILL "$(cat "$p")" 2>/dev/null; done',
  'for f in "$d"/*.pid; do n=$(basename "$f" .pid); echo "@@$m $n"; [ -f "$d/$n.pcap" ] && base64 "$d/$n.pcap"; done',
  'echo "@@$m end"',
  'rm -rf "$d"',
  '',
].join('\n');

export interface RemoteSession {
  node: string;
  token: string;
  /** per capture, in order: listening, or why not */
  ready: { ok: boolean; error?: string }[];
}

/** Start the captures on `node`; resolves once each listens (or failed), within `listenSec`. */
export async function startRemoteCaptures(transport: Transport, node: string, caps: RemoteCapture[], o: { maxSeconds: number; listenSec: number; snaplen: number; maxPackets: number }, signal: AbortSignal): Promise<RemoteSession> {
  for (const c of caps) if (!isIfname(c.device)) throw new UsageError(`not an interface name: ${JSON.stringify(c.device)}`);
  const token = randomBytes(6).toString('hex');
  const args = [token, String(o.maxSeconds), String(o.listenSec), String(o.snaplen), String(o.maxPackets), ...caps.flatMap((c) => [c.device, Buffer.from(c.filter).toString('base64')])];
  const r = await transport.runScript(node, START, args, signal);
  const ready = caps.map((_, i) => {
    const line = r.stdout.split('\n').find((l) => l.startsWith(`ready ${i + 1}`) || l.startsWith(`failed ${i + 1} `) || l === `failed ${i + 1}`);
    if (line?.startsWith('ready')) return { ok: true };
    const why = line?.replace(/^failed \d+ ?/, '').replace(/^tcpdump: /, '').trim();
    return { ok: false, error: why || r.stderr.split('\n').find((l) => l.trim()) || `no answer from ${node} (exit ${r.exitCode})` };
  });
  return { node, token, ready };
}

/** Stop them and bring the captures back (a capture that never listened comes back empty, as not run). */
export async function stopRemoteCaptures(transport: Transport, s: RemoteSession, signal: AbortSignal): Promise<RemoteCaptureRun[]> {
  const mark = randomBytes(6).toString('hex');
  const r = await transport.runScript(s.node, STOP, [s.token, mark], signal);
  const pcaps = new Map<number, Buffer>();
  let current: number | undefined;
  let chunks: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = line.startsWith(`@@${mark} `) ? line.slice(mark.length + 3) : undefined;
    if (m === undefined) {
      if (current !== undefined) chunks.push(line);
      continue;
    }
    if (current !== undefined) pcaps.set(current, Buffer.from(chunks.join(''), 'base64'));
    current = /^\d+$/.test(m) ? Number(m) : undefined;
    chunks = [];
  }
  return s.ready.map((ready, i) => {
    const pcap = pcaps.get(i + 1);
    if (!ready.ok) return { ok: false, pcap: Buffer.alloc(0), error: ready.error };
    // listening, but its capture did not come back: nothing can be said about that hop
    return pcap ? { ok: true, pcap } : { ok: false, pcap: Buffer.alloc(0), error: `the capture was not brought back from ${s.node} (exit ${r.exitCode})` };
  });
}
