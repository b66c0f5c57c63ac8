// probe's captures on another node, over the cluster transport (ssh or kubectl): one constant sh script, fed
// on stdin, whose stdin then stays open. It starts one tcpdump per device under `timeout` (none outlives its
// deadline whatever happens), each writing into a private directory, waits until each prints "listening on",
// prints `ready N` / `failed N why`, then waits for one line on stdin: `stop` — stop the captures, print them in
// base64 between markers —, or EOF: flanctl ended or was killed (its end of the pipe closed, ssh / kubectl passed
// the EOF on), so the captures are stopped and nothing is printed. Either way, and after `secs` at the latest,
// the directory is removed; a directory left by an earlier run whose script is gone (the node rebooted, the
// script was killed) is removed by the next one. Arguments are plain words only: the BPF filter travels base64.
import { isIfname } from '../model/net.js';
import { UsageError } from '../errors.js';
import type { ScriptSession, Transport } from './transport.js';

export interface RemoteCapture {
  device: string;
  filter: string;
}

export interface RemoteCaptureRun {
  ok: boolean;
  pcap: Buffer;
  error?: string;
}

/** Where the script keeps its captures: `<PREFIX><pid of the script>-<token>`, so a live run's is never swept. */
const REMOTE_CAPTURE_PREFIX = '/tmp/flanctl-probe-capture-';

// One function, called on the last line: sh parses the whole body before running any of it, so the line read
// from stdin is ours (stop or EOF), never the rest of the script.
const SCRIPT = [
  'main() {',
  'set -u',
  // flanctl gone: a write to it must not kill the shell before it has cleaned up
  "trap '' PIPE HUP",
  'PATH="$PATH:/usr/sbin:/sbin"',
  `base=${REMOTE_CAPTURE_PREFIX}`,
  'd="$base$$-$1"; m=$2; secs=$3; tenths=$(( $4 * 10 )); snap=$5; max=$6; shift 6',
  'for old in "$base"*; do',
  '  [ -d "$old" ] || continue',
  '  pid=${old#"$base"}; pid=${pid%%-*}',
  '  kill -0 "$pid" 2>/dev/null || rm -rf "$old"',
  'done',
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
  'echo "@@$m ready"',
  // the reader is a child so that the wait is bounded; a background list reads /dev/null, hence fd 3
  'exec 3<&0',
  '( read -r c <&3; echo "${c:-eof}" > "$d/cmd" ) &',
  'reader=$!',
  't=0',
  'while [ ! -s "$d/cmd" ] && [ $t -lt $(( secs * 10 )) ]; do sleep 0.1; t=$((t + 1)); done',
  'kill "$reader" 2>/dev/null',
  'cmd=$(cat "$d/cmd" 2>/dev/null)',
  'for p in "$d"/*.pid; do kill -INT "$(cat "$p")" 2>/dev/null; done',
  't=0',
  'while [ $t -lt 30 ]; do',
  '  alive=0; for p in "$d"/*.pid; do kill -0 "$(cat "$p")" 2>/dev/null && alive=1; done',
  '  [ $alive -eq 0 ] && break',
  '  sleep 0.1; t=$((t + 1))',
  'done',
  'for p in "$d"/*.pid; do kill -KILL "$(cat "$p")" 2>/dev/null; done',
  'if [ "$cmd" = stop ]; then',
  '  for f in "$d"/*.pid; do n=$(basename "$f" .pid); echo "@@$m $n"; [ -f "$d/$n.pcap" ] && base64 "$d/$n.pcap"; done',
  'fi',
  'echo "@@$m end"',
  'rm -rf "$d"',
  '}',
  'main "$@"; exit $?',
  '',
].join('\n');

export interface RemoteSession {
  node: string;
  mark: string;
  session: ScriptSession;
  /** per capture, in order: listening, or why not */
  ready: { ok: boolean; error?: string }[];
}

/** Start the captures on `node`; resolves once each listens (or failed), within `listenSec` (+ the connection's time). */
export async function startRemoteCaptures(transport: Transport, node: string, caps: RemoteCapture[], o: { maxSeconds: number; listenSec: number; connectSec: number; snaplen: number; maxPackets: number }, signal: AbortSignal): Promise<RemoteSession> {
  for (const c of caps) if (!isIfname(c.device)) throw new UsageError(`not an interface name: ${JSON.stringify(c.device)}`);
  const { randomBytes } = await import('node:crypto');
  const token = randomBytes(6).toString('hex');
  const mark = randomBytes(6).toString('hex');
  const args = [token, mark, String(o.maxSeconds), String(o.listenSec), String(o.snaplen), String(o.maxPackets), ...caps.flatMap((c) => [c.device, Buffer.from(c.filter).toString('base64')])];
  const session = transport.openScript(node, SCRIPT, args, signal);
  const stdout = await session.until((out) => out.includes(`@@${mark} ready\n`), (o.listenSec + o.connectSec) * 1000);
  const ready = caps.map((_, i) => {
    const line = stdout.split('\n').find((l) => l.startsWith(`ready ${i + 1}`) || l.startsWith(`failed ${i + 1} `) || l === `failed ${i + 1}`);
    if (line?.startsWith('ready')) return { ok: true };
    const why = line?.replace(/^failed \d+ ?/, '').replace(/^tcpdump: /, '').trim();
    return { ok: false, error: why || `no answer from ${node} within ${o.listenSec + o.connectSec} s` };
  });
  return { node, mark, session, ready };
}

/** Stop them and bring the captures back (a capture that never listened comes back empty, as not run). */
export async function stopRemoteCaptures(s: RemoteSession): Promise<RemoteCaptureRun[]> {
  const r = await s.session.finish('stop\n');
  const mark = s.mark;
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
  const why = r.stderr.split('\n').find((l) => l.trim())?.trim();
  return s.ready.map((ready, i) => {
    const pcap = pcaps.get(i + 1);
    if (!ready.ok) return { ok: false, pcap: Buffer.alloc(0), error: ready.error };
    // listening, but its capture did not come back: nothing can be said about that hop
    return pcap ? { ok: true, pcap } : { ok: false, pcap: Buffer.alloc(0), error: `the capture was not brought back from ${s.node} (exit ${r.exitCode}${why ? `: ${why}` : ''})` };
  });
}

/** Give up (an error, Ctrl-C): close stdin, the node stops its captures and removes them without sending them. */
export async function abandonRemoteCaptures(s: RemoteSession): Promise<void> {
  await s.session.finish();
}
