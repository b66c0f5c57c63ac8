// A Kubernetes API server stand-in for the real `kubectl` binary: node:http on 127.0.0.1 serving the
// discovery documents and lists in fixtures/kube-api/, and `pods/<name>/exec` over the WebSocket
// remote-command protocol v5.channel.k8s.io (what kubectl ≥ 1.30 speaks first): stdin frames on
// channel 0 until the close signal [255, 0], then stdout (1), stderr (2), the Status on channel 3, close.
// The "container" runs the command inside the node's network namespace, as a hostNetwork pod would.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '../../fixtures/kube-api');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

export interface FakeApi {
  url: string;
  /** every request as `METHOD path?query` */
  requests: string[];
  /** bodies of the POSTs (kubectl debug's pod) */
  posted: string[];
  close(): Promise<void>;
}

export interface FakeApiOptions {
  nodesJson: string;
  /** node name -> network namespace; a flannel pod is listed for each. `wrapper`: a program the pod runs the exec'd command under (a hostile node's) */
  podNodes: Map<string, { netns: string; hostIp: string; wrapper?: string[] }>;
  /** workload pods, listed by `kubectl get pods --all-namespaces` without a selector */
  appPods?: { namespace: string; name: string; ip: string; node: string }[];
  /** serve fixtures/kube-api/configmap-flannel.json at /api/v1/configmaps (flannel's net-conf.json) */
  flannelConfigMap?: boolean;
  /** the same ConfigMap with this net-conf.json instead (DirectRouting, IPv6Network…) */
  netConf?: object;
}

/** The kube-flannel-cfg ConfigMap list of the fixture, its net-conf.json replaced when `netConf` is given. */
function configMaps(netConf?: object): string {
  const list = JSON.parse(fixture('configmap-flannel.json')) as { items: { data: Record<string, string> }[] };
  if (netConf) list.items[0].data['net-conf.json'] = JSON.stringify(netConf, null, 2);
  return JSON.stringify(list);
}

export function flannelPodList(podNodes: FakeApiOptions['podNodes']): string {
  const template = fixture('pod-flannel.json');
  const items = [...podNodes].map(([node, { hostIp }], i) =>
    JSON.parse(template.replaceAll('NODE', node).replaceAll('HOSTIP', hostIp).replace('"UID"', `"0000000${i}-aaaa-bbbb-cccc-dddddddddddd"`)),
  );
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items });
}

export async function startFakeApi(o: FakeApiOptions): Promise<FakeApi> {
  const requests: string[] = [];
  const posted: string[] = [];
  const pods = flannelPodList(o.podNodes);
  const byPod = new Map([...o.podNodes].map(([node, v]) => [`kube-flannel-ds-${node}`, v]));
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const path = (req.url ?? '').split('?')[0];
    const json = (status: number, body: string): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    };
    if (path === '/api') return json(200, fixture('api.json'));
    if (path === '/apis') return json(200, fixture('apis.json'));
    if (path === '/api/v1') return json(200, fixture('api-v1.json'));
    if (path === '/api/v1/nodes') return json(200, o.nodesJson);
    const node = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
    const nodeItem = node && (JSON.parse(o.nodesJson) as { items: { metadata: { name: string } }[] }).items.find((i) => i.metadata.name === node[1]);
    if (nodeItem) return json(200, JSON.stringify(nodeItem));
    if (path === '/api/v1/configmaps' && (o.flannelConfigMap || o.netConf)) return json(200, configMaps(o.netConf));
    if (path === '/api/v1/pods') {
      if (new URLSearchParams((req.url ?? '').split('?')[1]).get('labelSelector') === 'app=flannel') return json(200, pods);
      const apps = (o.appPods ?? []).map((p) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: p.namespace }, spec: { nodeName: p.node }, status: { phase: 'Running', podIP: p.ip } }));
      return json(200, JSON.stringify({ ...JSON.parse(pods), items: [...JSON.parse(pods).items, ...apps] }));
    }
    const pod = /^\/api\/v1\/namespaces\/kube-flannel\/pods\/([^/]+)$/.exec(path);
    const item = pod && (JSON.parse(pods) as { items: { metadata: { name: string } }[] }).items.find((i) => i.metadata.name === pod[1]);
    if (item) return json(200, JSON.stringify(item));
    // kubectl debug node/…: the debug pod is refused, as an API server does for a user without the right
    const status = (code: number, reason: string, message: string): string =>
      JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
    if (req.method === 'POST' && /^\/api\/v1\/namespaces\/[^/]+\/pods$/.test(path)) {
      const body: Buffer[] = [];
      req.on('data', (d: Buffer) => body.push(d));
      req.on('end', () => {
        posted.push(Buffer.concat(body).toString('latin1'));
        json(403, status(403, 'Forbidden', 'pods is forbidden: debug pods are not allowed in this test'));
      });
      return;
    }
    return json(404, status(404, 'NotFound', `${path} not found`));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    requests.push(`${req.method} ${req.url} (upgrade)`);
    const m = /^\/api\/v1\/namespaces\/kube-flannel\/pods\/([^/]+)\/exec\?(.*)$/.exec(req.url ?? '');
    const pod = m && byPod.get(m[1]);
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!m || !pod || !protocols.includes('v5.channel.k8s.io')) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const command = new URLSearchParams(m[2]).getAll('command');
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`);
    execSession(socket, pod.netns, [...(pod.wrapper ?? []), ...command]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    posted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Server side of one exec: the command starts at once in the node's netns; stdin frames reach it as they come,
 * the v5 close signal [255, 0] — or the connection going away, as a kubelet's stream does — closes its stdin.
 */
function execSession(socket: Socket, netns: string, command: string[]): void {
  let buf = Buffer.alloc(0);
  const send = (opcode: number, payload: Buffer): void => {
    if (socket.destroyed) return;
    const len = payload.length;
    const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : len < 65536 ? Buffer.from([0x80 | opcode, 126, len >> 8, len & 255]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), u64(len)]);
    socket.write(Buffer.concat([head, payload]));
  };
  const child = spawn('ip', ['netns', 'exec', netns, ...command], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined);
  child.stdout.on('data', (d: Buffer) => send(2, Buffer.concat([Buffer.from([1]), d])));
  child.stderr.on('data', (d: Buffer) => send(2, Buffer.concat([Buffer.from([2]), d])));
  child.on('close', (code) => {
    const status =
      code === 0
        ? { metadata: {}, status: 'Success' }
        : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit status ${code}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } };
    send(2, Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]));
    send(8, Buffer.from([0x03, 0xe8]));
    socket.end();
  });
  // a data message may come in fragments (continuation frames, opcode 0) until FIN
  let message: Buffer[] = [];
  const onMessage = (payload: Buffer): void => {
    if (payload[0] === 0) child.stdin.write(payload.subarray(1));
    // v5 close signal for stdin
    else if (payload[0] === 255 && payload[1] === 0) child.stdin.end();
  };
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const frame = readFrame(buf);
      if (!frame) return;
      buf = buf.subarray(frame.size);
      if (frame.opcode === 9) send(10, frame.payload);
      else if (frame.opcode === 8) socket.end();
      else if (frame.opcode === 2 || frame.opcode === 0) {
        message.push(frame.payload);
        if (frame.fin) {
          onMessage(Buffer.concat(message));
          message = [];
        }
      }
    }
  });
  socket.on('close', () => child.stdin.end());
  socket.on('error', () => undefined);
}

function readFrame(b: Buffer): { fin: boolean; opcode: number; payload: Buffer; size: number } | undefined {
  if (b.length < 2) return undefined;
  const opcode = b[0] & 0x0f;
  const masked = (b[1] & 0x80) !== 0;
  let len = b[1] & 0x7f;
  let off = 2;
  if (len === 126) {
    if (b.length < 4) return undefined;
    len = b.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (b.length < 10) return undefined;
    len = Number(b.readBigUInt64BE(2));
    off = 10;
  }
  const maskOff = off;
  if (masked) off += 4;
  if (b.length < off + len) return undefined;
  const payload = Buffer.from(b.subarray(off, off + len));
  if (masked) for (let i = 0; i < len; i++) payload[i] ^= b[maskOff + (i % 4)];
  return { fin: (b[0] & 0x80) !== 0, opcode, payload, size: off + len };
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** A kubeconfig for the fake server (plain http, a token kubectl sends and nobody checks). */
export function kubeconfigFor(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${url}`,
    'users:',
    '- name: tester',
    '  user:',
    '    token: test-token',
    'contexts:',
    '- name: fake',
    '  context:',
    '    cluster: fake',
    '    user: tester',
    '- name: other',
    '  context:',
    '    cluster: fake',
    '    user: tester',
    '    namespace: elsewhere',
    'current-context: other',
    '',
  ].join('\n');
}
