// The UDP and TCP probe senders, run inside the pod's namespace by the hidden `probe-send` command (a
// self-exec of the CLI, so the single binary needs nothing else installed). ICMP is sent by ping.
// The source port is the probe's tag: the captures' filters match it. Bounded: `count` packets (TCP: connection
// attempts, whose SYN the kernel may retransmit within the deadline), the whole run within `timeoutMs`.
import { createSocket } from 'node:dgram';
import { connect, isIPv6, type Socket } from 'node:net';

export interface SendOptions {
  dst: string;
  port: number;
  srcPort: number;
  count: number;
  timeoutMs: number;
  /** gap between packets */
  intervalMs: number;
}

export interface SendReport {
  sent: number;
  /** answers the pod got: UDP datagrams back, ICMP port unreachable, TCP SYN-ACK or RST */
  received: number;
  answers: string[];
  error?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function sendUdp(o: SendOptions): Promise<SendReport> {
  const report: SendReport = { sent: 0, received: 0, answers: [] };
  const sock = createSocket(isIPv6(o.dst) ? 'udp6' : 'udp4');
  const deadline = Date.now() + o.timeoutMs;
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(o.srcPort, () => sock.connect(o.port, o.dst, () => resolve()));
    });
  } catch (e) {
    sock.close();
    return { ...report, error: (e as Error).message };
  }
  // a connected UDP socket hears ICMP port unreachable as ECONNREFUSED: the destination answered
  sock.on('message', () => {
    report.received++;
    report.answers.push('udp');
  });
  sock.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'ECONNREFUSED') {
      report.received++;
      report.answers.push('port-unreachable');
    } else report.error = e.message;
  });
  for (let i = 0; i < o.count && Date.now() < deadline; i++) {
    sock.send(Buffer.from(`flanctl-probe ${o.srcPort} ${i + 1}`));
    report.sent++;
    await sleep(Math.min(o.intervalMs, Math.max(0, deadline - Date.now())));
  }
  while (report.received < report.sent && Date.now() < deadline) await sleep(20);
  sock.close();
  return report;
}

export async function sendTcp(o: SendOptions): Promise<SendReport> {
  const report: SendReport = { sent: 0, received: 0, answers: [] };
  const deadline = Date.now() + o.timeoutMs;
  for (let i = 0; i < o.count && Date.now() < deadline; i++) {
    report.sent++;
    const answer = await attempt(o, Math.max(1, Math.min(o.timeoutMs / o.count, deadline - Date.now())));
    if (answer === 'syn-ack' || answer === 'rst') {
      report.received++;
      report.answers.push(answer);
    } else if (answer !== 'timeout') report.error = answer;
    await sleep(Math.min(o.intervalMs, Math.max(0, deadline - Date.now())));
  }
  return report;
}

/** One SYN: connected (SYN-ACK), refused (RST), no answer in time, or another error's message. */
function attempt(o: SendOptions, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const sock: Socket = connect({ host: o.dst, port: o.port, localPort: o.srcPort });
    const timer = setTimeout(() => finish('timeout'), ms);
    function finish(answer: string): void {
      clearTimeout(timer);
      // connected: a reset, not a FIN, so no TIME_WAIT and the next attempt can reuse the tagged source port
      if (answer === 'syn-ack') sock.resetAndDestroy();
      else sock.destroy();
      resolve(answer);
    }
    sock.once('connect', () => finish('syn-ack'));
    sock.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNREFUSED' ? 'rst' : e.message));
  });
}
