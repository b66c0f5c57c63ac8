// A tiny UDP DNS responder for the capture lab (runs inside a pod namespace): A records for *.svc names,
// NXDOMAIN for the rest, and silence for names starting with "drop." (a DNS timeout on the wire).
import dgram from 'node:dgram';
import { setTimeout } from 'node:timers';
import dnsPacket from 'dns-packet';

const sock = dgram.createSocket('udp4');
sock.on('message', (msg, rinfo) => {
  let q;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return;
  }
  const name = q.questions?.[0]?.name ?? '';
  if (name.startsWith('drop.')) return;
  const ok = name.endsWith('.svc.cluster.local');
  const answer = dnsPacket.encode({
    type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (ok ? 0 : 3),
    questions: q.questions,
    answers: ok ? [{ type: 'A', name, ttl: 30, data: '10.96.0.10' }] : [],
  });
  sock.send(answer, rinfo.port, rinfo.address);
});
sock.bind(53, process.argv[2] ?? '0.0.0.0');
setTimeout(() => process.exit(0), Number(process.argv[3] ?? 20000));
